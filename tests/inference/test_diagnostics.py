"""Diagnostics of a fitted binary model (``model.diagnostics``) against R and statsmodels.

References: R 4.2.2's glm (numbers below, with the call that made them), statsmodels 0.15's
GLM Binomial (``resid_*`` and ``get_influence()``), scikit-learn's ``confusion_matrix``,
and the published Hosmer–Lemeshow definition computed independently with pandas' ``cut``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import statsmodels.api as sm
from scipy import stats
from sklearn.metrics import confusion_matrix

from logistic import LogisticRegression
from logistic.core.sigmoid import sigmoid

TIGHT = {"rtol": 1e-8, "atol": 1e-10}

# R 4.2.2 Patched (2022-11-10 r83330), on statsmodels' spector data (32 rows):
#   d <- read.csv("spector.csv")   # sm.datasets.spector.load_pandas().data
#   m <- glm(GRADE ~ GPA + TUCE + PSI, family=binomial, data=d,
#            control=glm.control(epsilon=1e-15, maxit=100))
#   w <- (seq_len(nrow(d)) %% 3) + 1
#   mw <- glm(GRADE ~ GPA + TUCE + PSI, family=binomial, data=d, weights=w,
#             control=glm.control(epsilon=1e-15, maxit=100))
#   m <- update(m, start=coef(m)); mw <- update(mw, start=coef(mw))
#   (glm's hat values come from the QR of its last IRLS pass, made at the estimate before
#   the last step; the extra pass makes them the converged estimate's: 5e-9 closer for mw)
#   hatvalues(m), cooks.distance(m), rstandard(m), rstandard(m, type="pearson"),
#   rstudent(m), residuals(m, type="deviance"), residuals(m, type="pearson"), dfbeta(m)
#   (printed with sprintf("%.17g"), kept to 15 digits); the same for mw.
R_UNWEIGHTED = {
    "hat": [
        0.0390463615127536, 0.0544579186582627, 0.0889430938806888, 0.0806502011366514,
        0.328854505341048, 0.0549157756642243, 0.0458268585282962, 0.0512305419252605,
        0.0853083467972433, 0.286123615231762, 0.0375934263974763, 0.0868947488128215,
        0.131198057865189, 0.100195401478137, 0.15399040884259, 0.0427894358306203,
        0.0690359058869442, 0.0486683732250182, 0.108521156680709, 0.130275693375511,
        0.126349168483907, 0.110928665055059, 0.321497220841001, 0.107960677218456,
        0.0992323375443954, 0.27819916370764, 0.28351823069744, 0.185211423634085,
        0.130311746184997, 0.0853142810846877, 0.117061053374363, 0.129896205102761,
    ],
    "cooks": [
        0.000288626860488691, 0.000963401302795272, 0.00617240511870261,
        0.000634319816373555, 0.137750670506933, 0.000555150607527201,
        0.000342597292141063, 0.000773466882179064, 0.00318684150113506,
        0.0620309720655238, 0.000254527576000554, 0.00611157587628848,
        0.0206599122664401, 0.1291870692121, 0.0303857855955717, 0.0003633669311987,
        0.00112840579192641, 0.000539597123741153, 0.0490988805757028,
        0.0221031127111915, 0.00270609101022126, 0.00368940677250336,
        0.0556699998884083, 0.195401814619227, 0.00589805225842022, 0.143963338367436,
        0.0792212271126809, 0.0309292447585884, 0.00810040071286718,
        0.00147399973352677, 0.0421822888680051, 0.343429353648981,
    ],
    "rstandard_dev": [
        -0.23677891338044, -0.360216852434636, -0.674664594150059, -0.238935824889321,
        1.29447391455979, -0.274014460834649, -0.237283486499796, -0.334048060837617,
        -0.507517766338323, 1.01259727341271, -0.22690303870422, -0.679368267818055,
        -0.946254253697822, 1.91156049139924, -1.02893133435384, -0.253056222125103,
        -0.344107996352948, -0.287631002099727, -1.41406152936974, 0.97610159113049,
        -0.380790038560233, 0.474267149765383, -0.90323353701918, -2.07000413592702,
        0.625815455227285, 1.42379203326264, 1.12508626275112, -0.949182522450073,
        0.629519964154402, 0.35058007416747, -1.30613859314795, 2.24769873532882,
    ],
    "rstandard_pearson": [
        -0.168561854489236, -0.258668486385935, -0.502890976666706, -0.170067685184085,
        1.06043315549128, -0.195488899235183, -0.168917835980163, -0.239368352205734,
        -0.36970201948472, 0.786808322449623, -0.161443569596806, -0.506839266543188,
        -0.739760129369009, 2.15421838396028, -0.817158001314605, -0.180317616255546,
        -0.246712753625635, -0.205403273784882, -1.27017659048414, 0.768273444527556,
        -0.273579749881014, 0.343917818026145, -0.685532122699865, -2.54128569327839,
        0.462768816139367, 1.22232510168761, 0.894875989111242, -0.737739834678221,
        0.465021751182869, 0.251422291131449, -1.12811711873218, 3.03344413765067,
    ],
    "rstudent": [
        -0.234487903368099, -0.355434487819844, -0.661197043197696, -0.234133784679319,
        1.22246327128771, -0.270294818863316, -0.234586510971543, -0.329858689102648,
        -0.497253412417435, 0.95347010811495, -0.224787294745263, -0.666151470024568,
        -0.921802711023497, 1.93724433859686, -0.999248095709888, -0.2503769154554,
        -0.338286522082369, -0.284180443632989, -1.39916289676197, 0.951601512735821,
        -0.368967485799016, 0.461626258273912, -0.839423897014877, -2.12592073650225,
        0.611581749020339, 1.37072038033249, 1.06488429760062, -0.913720351249222,
        0.610600307086565, 0.343240009701223, -1.2865728279053, 2.36456576966688,
    ],
    "resid_dev": [
        -0.232110208088658, -0.35027122239731, -0.643962639203809, -0.229098192803586,
        1.06047794982241, -0.266384370373217, -0.231782748693241, -0.325378837292689,
        -0.485387522373732, 0.855555645613745, -0.22259715144105, -0.649180816809324,
        -0.881999291634974, 1.81326863747188, -0.946398485092307, -0.247582966159039,
        -0.332017695189721, -0.280544437309521, -1.33513083951339, 0.910302686765873,
        -0.355921748326644, 0.447189243062078, -0.744005027079373, -1.95507405700075,
        0.59395381701892, 1.20963751964901, 0.952332036321529, -0.85678567860773,
        0.587071922007437, 0.335291989519476, -1.2273109217744, 2.09663886817067,
    ],
    "resid_pearson": [
        -0.165238223973279, -0.251526618784456, -0.480005922015294, -0.163065540079689,
        0.868743638639889, -0.190045398257801, -0.165001959910219, -0.233156258803218,
        -0.353581212632129, 0.664783838513548, -0.158379891763237, -0.484318071113773,
        -0.689527056320766, 2.04344913565422, -0.751611957673409, -0.176417595696205,
        -0.238044453197407, -0.200342610653401, -1.19927733154526, 0.716484213404803,
        -0.255713051876524, 0.324282103018847, -0.564681585225796, -2.40018927697974,
        0.439208240140823, 1.03847350572819, 0.757469983574115, -0.665925583268398,
        0.433665695747867, 0.240458275910852, -1.06003334418267, 2.82957710633425,
    ],
    "dfbeta_Intercept": [
        -0.20308997058698, -0.305222606485787, -0.277626930470197, -0.269492466699519,
        -0.975775418293579, -0.276668148051491, -0.226654511055292, -0.297337822045518,
        -0.300857981655166, -2.01757537032264, -0.191707235466578, -0.326358772935018,
        -0.0126950586776094, 0.59833232477516, 0.445441970401265, -0.230460395549853,
        -0.247818472161817, -0.272424204002803, 0.202085835246728, -0.569756408134656,
        -0.48107105491628, -0.633502939599338, -1.8281349162134, 2.40950215829892,
        -0.617002821084011, -0.278874873913928, 0.363606685858068, -0.697346650423955,
        -0.494223315535814, -0.358217201426306, -0.353608819496828, 3.36830860768316,
    ],
    "dfbeta_GPA": [
        0.0415371475983777, 0.0680136954888294, 0.0628448821366334, 0.0142128454883115,
        0.806756018818859, 0.0330551767100771, 0.0311712930897037, 0.0584787862977278,
        0.110671947028548, 0.336108627860412, 0.0399162482997102, 0.035472989291375,
        -0.128841819198701, -0.236084558539412, -0.0521201291884455, 0.0400320767810757,
        0.089195997169025, 0.0432287626591489, 0.0136817633427702, -0.0141790092200353,
        0.163528970012112, 0.0877169352254265, 0.0249500836300251, -0.383373655369498,
        0.149164813425664, -0.526524956468282, 0.4053488272234, 0.375120481312337,
        0.221915634583046, 0.115409841707425, -0.0162131074941666, -0.783728059833589,
    ],
    "dfbeta_TUCE": [
        0.00169828246018764, 0.00106290705804348, -0.00373557692754089,
        0.00845537559029328, -0.0572236645466125, 0.00574947868442004,
        0.00419523209910306, 0.00238345527024898, -0.00714063105002995,
        0.0497865629201966, 0.00152251548225593, 0.00222217115280186,
        0.00815907542417933, 0.0273083670492627, -0.023850945862535,
        0.00295185713113203, -0.00427044318932459, 0.00397755253875804,
        -0.0105554944556918, 0.0262273801343122, -0.00326863458457152,
        0.0141769321768139, 0.0739529478561208, -0.0467178629324051,
        0.00457882591690482, 0.0880763608873502, -0.0741244096098386,
        -0.0247320119874684, -0.0111653389253319, -0.00151325634130832,
        0.01735101158819, -0.0294252950791776,
    ],
    "dfbeta_PSI": [
        0.0358770776369625, 0.0696918979513165, 0.165084701232743, 0.0368741539184678,
        -0.262485215848022, 0.0456333847499656, 0.0361093130345489, 0.0620913647630745,
        0.115189574268842, -0.138377190008984, 0.0334585220320388, 0.166365115963799,
        0.232274019480215, -0.471264554522563, 0.248195618599254, 0.0400116943126574,
        0.0651102506084453, 0.0491704293017691, -0.332433571301529, 0.246882727208771,
        0.00165227671873733, 0.109165255885359, -0.102688232952578, -0.515702685436474,
        0.156784195559356, 0.323989284078405, 0.305332064166405, -0.132812928512876,
        0.159692102945057, 0.0689595086096373, -0.286491581599048, 0.0601677046217635,
    ],
}
R_WEIGHTED = {
    "hat": [
        0.0462608741706096, 0.0998762236500211, 0.0524888483415257, 0.0551817516934262,
        0.438026887837801, 0.0265438305201841, 0.0451295060309688, 0.0900990302589018,
        0.0583105785958615, 0.194292319470814, 0.0673617681628658, 0.0487292895741755,
        0.13619630485626, 0.18580751954144, 0.083614827846108, 0.0471409544850279,
        0.161320321475327, 0.026259776140164, 0.0996772360506471, 0.157428646310772,
        0.0846608786430651, 0.0640961212310039, 0.424209335423442, 0.0380373118849408,
        0.0810380756475693, 0.325685334403329, 0.145817692828212, 0.179121468240186,
        0.180663076529067, 0.0344397680308427, 0.115389251841103, 0.207095190284338,
    ],
    "cooks": [
        0.00103360228919586, 0.0098247277390474, 0.00615999329443443,
        0.000581087396502602, 0.651454043975074, 0.00027839457806718,
        0.000758275387589292, 0.0068700161736334, 0.00432980411172677,
        0.0271255641023627, 0.00218346250907052, 0.00525399306928108,
        0.0683021689735946, 0.438463461812213, 0.0288936742132258, 0.00108444503706687,
        0.021850498824166, 0.000365624663356384, 0.1462061323113, 0.0438794956286868,
        0.00317051240093384, 0.00169254297391789, 0.245823368987808, 0.116141040590893,
        0.00563913448404305, 0.233065226791966, 0.0308153263756494, 0.117327829147086,
        0.0306610489445531, 0.000392576691044972, 0.115870790201448, 1.43456837216459,
    ],
    "rstandard_dev": [
        -0.408779757690902, -0.820479955270162, -0.861575489212776, -0.280812655090442,
        2.27856605754146, -0.283012289539301, -0.355562095030952, -0.730007463833335,
        -0.70466183203749, 0.909405730906846, -0.48724651131836, -0.832320073747207,
        -1.60846087320393, 2.88160680714147, -1.29672722684335, -0.414481809651661,
        -0.924945268802004, -0.325107988463971, -2.32553156437555, 1.29127568932268,
        -0.508271493496142, 0.439628910436519, -1.5415839282274, -2.28429189542772,
        0.695470833437882, 1.790671913891, 1.06060266720796, -1.75590992689216,
        1.01765287693636, 0.293650787213402, -2.06662509106952, 3.80960122222829,
    ],
    "rstandard_pearson": [
        -0.291954120463218, -0.595127909788975, -0.666927704188212, -0.19949275070773,
        1.82843392795925, -0.202086259367351, -0.253329299575338, -0.526800139167561,
        -0.528864347038979, 0.670780332215684, -0.34773846559716, -0.640518629971917,
        -1.31635221806699, 2.77222579723385, -1.12545661516259, -0.296107162880896,
        -0.674084272192795, -0.232875490655109, -2.29833807630058, 0.9692197904696,
        -0.370292017765502, 0.314412350184203, -1.15527074989942, -3.42765463755992,
        0.505755274344099, 1.38931568182923, 0.849735096368724, -1.46654752719934,
        0.745796021870771, 0.209822388805385, -1.88499588812938, 4.68722866904564,
    ],
    "rstudent": [
        -0.404121027432351, -0.8008282151063, -0.852464576389294, -0.27694843725576,
        2.09334330454361, -0.281165293424232, -0.351589464747903, -0.714073021272783,
        -0.695631800535099, 0.868191503688059, -0.47912668915763, -0.82400912734665,
        -1.57187317148906, 2.86159926404055, -1.28328250233282, -0.409670447151178,
        -0.889276481850393, -0.323022856047152, -2.32283527753827, 1.2461075081734,
        -0.498073291172817, 0.432691255152339, -1.39087266951675, -2.33803433706818,
        0.682064373179769, 1.67057809087588, 1.03253984269631, -1.70768744839827,
        0.974169633268408, 0.291165317934393, -2.04648991348485, 4.00716619243433,
    ],
    "resid_dev": [
        -0.399212546193087, -0.778429152828962, -0.838659170721996, -0.272954847903643,
        1.70812398981581, -0.279230912593963, -0.347446301672746, -0.696344844308865,
        -0.68380865671666, 0.816293688406502, -0.470549531726665, -0.811787634219836,
        -1.49492026659089, 2.600149175279, -1.24133115739572, -0.404594342789557,
        -0.847059846678139, -0.320810959542653, -2.2065885185011, 1.18528372038169,
        -0.486280399809034, 0.425306350938021, -1.16976731823765, -2.24042656002839,
        0.66669573993881, 1.47044005517014, 0.980230024247425, -1.59089560842869,
        0.921151212522579, 0.288549851159816, -1.94373835182511, 3.39226712467748,
    ],
    "resid_pearson": [
        -0.285121133345881, -0.56462673056938, -0.649188657673012, -0.19391046820796,
        1.37068304243513, -0.199386149335432, -0.247546995230569, -0.502507959253242,
        -0.51321357606157, 0.602100616793855, -0.335822152337958, -0.624717725427054,
        -1.22343144402414, 2.50145182975718, -1.07737721070248, -0.289043524157939,
        -0.61732271033866, -0.229797520399322, -2.18078588503723, 0.88966318239752,
        -0.354270803594593, 0.304169189450974, -0.876629512155172, -3.36183326831609,
        0.48482965876514, 1.14085970299195, 0.785342032290103, -1.32872648240155,
        0.675073913129355, 0.206177615372071, -1.7729092792992, 4.1737522623297,
    ],
    "dfbeta_Intercept": [
        -0.260858317099129, -0.61828565148225, -0.0795676689209929, -0.183382246154445,
        -1.76754243356936, -0.13535746872774, -0.233095910872067, -0.582318646737644,
        -0.15134081477076, -1.09571959542513, -0.381539903901979, -0.120373863771216,
        0.244538905213027, 0.0996235527693588, 0.485119380260524, -0.272039452167856,
        -0.603451859389866, -0.15270112495272, 0.633627439121078, -0.873628957467888,
        -0.332160308434975, -0.321064757247125, -2.65219914268926, 1.14819697654156,
        -0.461633160656365, -1.04196046586335, 0.133861905579151, -0.449242704138259,
        -0.721338054242155, -0.13098346902271, -0.0606747269616547, 4.99561808039508,
    ],
    "dfbeta_GPA": [
        0.0500365385512276, 0.131705085609728, 0.020322105402604, 0.00963206875584484,
        1.2205224049636, 0.0147293664595547, 0.0294225532559726, 0.107091147237325,
        0.0686486990086754, 0.175205176413273, 0.0746204706775185, 0.00477984392076585,
        -0.193436558658974, -0.192358119625511, -0.0684978792253288, 0.0437006702436586,
        0.235441934644508, 0.0222173824318953, -0.0970654750025127, 0.0677198033005494,
        0.110118492615665, 0.0468293524691957, 0.00677498829648531, -0.190435513257979,
        0.107133863344933, -0.311314442395797, 0.172162833156281, 0.354063446867991,
        0.294460583697576, 0.039449593500648, -0.103130209691018, -1.05052658492503,
    ],
    "dfbeta_TUCE": [
        0.00285433356048362, 0.00311035362793029, -0.00370057586526826,
        0.00595822233193313, -0.0730910381897172, 0.00314860869849277,
        0.00491303760248443, 0.00600954667761267, -0.00643598352810262,
        0.027417452391491, 0.00401399642825794, 0.00052006975220193,
        0.00474724372336091, 0.0503780513228919, -0.0180953779947744,
        0.00421872373752743, -0.0136589756831449, 0.00264152415002409,
        -0.0133616735956326, 0.0279601625172774, -0.00154092060035228,
        0.00711016243360276, 0.113563745892892, -0.022114680724631, 0.00448122377768275,
        0.0899104783338158, -0.0306178182741941, -0.0316766409310764,
        -0.0113271210093364, -3.42964321964725e-05, 0.0174982268746889,
        -0.0641949731522544,
    ],
    "dfbeta_PSI": [
        0.0469368716365567, 0.152328086763114, 0.0998893399100186, 0.0228887645582211,
        -0.302354605547968, 0.0214638778242377, 0.0359519101189742, 0.126665520954855,
        0.0862055755518772, -0.0376722540013983, 0.0678690491194085, 0.0944810253828273,
        0.23432529692422, -0.630596342425634, 0.120705369256038, 0.047135409526099,
        0.194446789544273, 0.0274026222801946, -0.40186769980055, 0.275233884708213,
        -0.00367314604013502, 0.0526484527360731, -0.192207386949997,
        -0.228961338325185, 0.110345501857456, 0.387994579178853, 0.147497661799774,
        -0.227758584822805, 0.231007161744729, 0.0260142486750772, -0.354847757817886,
        0.179789699857174,
    ],
}

# ResourceSelection::hoslem.test's computation in base R (its source: cut at the unique
# quantiles, include.lowest, xtabs of observed and expected, df g - 2) on fitted(m):
#   qq <- unique(quantile(yhat, probs=seq(0, 1, 1/g)))
#   cutyhat <- cut(yhat, breaks=qq, include.lowest=TRUE)
#   chisq <- sum((observed - expected)^2 / expected); 1 - pchisq(chisq, g - 2)
R_HOSLEM = {
    10: (6.0948236707550372, 0.63661097147901236, [4, 3, 3, 3, 3, 3, 3, 3, 3, 4]),
    5: (1.2111759443492445, 0.75032512552396646, [7, 6, 6, 6, 7]),
}


# -- data ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def spector():
    data = sm.datasets.spector.load_pandas().data
    return data[["GPA", "TUCE", "PSI"]], data["GRADE"].to_numpy()


def generated(n: int = 400, d: int = 4, seed: int = 0, density: float | None = None):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    if density is not None:
        X[rng.random((n, d)) > density] = 0.0
    z = 0.3 + X @ np.linspace(1.0, -0.8, d)
    y = (rng.random(n) < sigmoid(z)).astype(float)
    return X, y


def statsmodels_fit(X, y, **weights):
    exog = sm.add_constant(np.asarray(X, dtype=float), has_constant="add")
    return sm.GLM(y, exog, family=sm.families.Binomial(), **weights).fit(tol=1e-14)


def assert_matches_statsmodels(diagnostics, result) -> None:
    influence = result.get_influence()
    frame = diagnostics.frame()
    np.testing.assert_allclose(frame["fitted"], result.fittedvalues, **TIGHT)
    np.testing.assert_allclose(frame["response"], result.resid_response, **TIGHT)
    np.testing.assert_allclose(frame["pearson"], result.resid_pearson, **TIGHT)
    np.testing.assert_allclose(frame["deviance"], result.resid_deviance, **TIGHT)
    np.testing.assert_allclose(frame["leverage"], influence.hat_matrix_diag, **TIGHT)
    np.testing.assert_allclose(frame["pearson_studentized"], influence.resid_studentized,
                               **TIGHT)
    np.testing.assert_allclose(frame["cooks_distance"], influence.cooks_distance[0], **TIGHT)
    np.testing.assert_allclose(diagnostics.dfbeta.to_numpy(), influence.d_params, **TIGHT)
    np.testing.assert_allclose(diagnostics.dfbetas.to_numpy(), influence.dfbetas, **TIGHT)


# -- against R -------------------------------------------------------------------------------
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "prior-weights"])
def test_spector_matches_r_glm(spector, weighted):
    X, y = spector
    weights = (np.arange(1, 33) % 3) + 1.0 if weighted else None
    reference = R_WEIGHTED if weighted else R_UNWEIGHTED
    model = LogisticRegression(tol=1e-10).fit(X, y, sample_weight=weights)
    diagnostics = model.diagnostics(X, y, sample_weight=weights)
    frame = diagnostics.frame()
    pairs = {
        "hat": frame["leverage"], "cooks": frame["cooks_distance"],
        "rstandard_dev": frame["deviance_studentized"],
        "rstandard_pearson": frame["pearson_studentized"], "rstudent": frame["likelihood_residual"],
        "resid_dev": frame["deviance"], "resid_pearson": frame["pearson"],
    }
    for name, ours in pairs.items():
        np.testing.assert_allclose(ours, reference[name], err_msg=name, **TIGHT)
    # R's dfbeta for a glm takes the deviance residuals where the one-step approximation
    # (statsmodels', ours) has the Pearson ones (lm.influence on weighted.residuals):
    # R's row i is ours times r_D,i / r_P,i
    as_r = diagnostics.dfbeta.mul(frame["deviance"] / frame["pearson"], axis=0)
    for term in ["Intercept", "GPA", "TUCE", "PSI"]:
        np.testing.assert_allclose(as_r[term], reference[f"dfbeta_{term}"], err_msg=term,
                                   **TIGHT)


@pytest.mark.parametrize("groups", [10, 5])
def test_hosmer_lemeshow_matches_hoslem_test_in_r(spector, groups):
    X, y = spector
    model = LogisticRegression(tol=1e-10).fit(X, y)
    test = model.diagnostics(X, y).hosmer_lemeshow(groups=groups)
    statistic, p_value, sizes = R_HOSLEM[groups]
    assert test.groups == groups and test.df == groups - 2
    np.testing.assert_allclose(test.statistic, statistic, rtol=1e-8)
    np.testing.assert_allclose(test.p_value, p_value, rtol=1e-7)
    np.testing.assert_array_equal(test.table["n"], sizes)


# -- against statsmodels ---------------------------------------------------------------------
def test_generated_dense_matches_statsmodels_glm_influence():
    X, y = generated()
    model = LogisticRegression().fit(X, y)
    assert_matches_statsmodels(model.diagnostics(X, y), statsmodels_fit(X, y))


@pytest.mark.parametrize("layout", ["csr", "csc"])
def test_sparse_rows_give_the_dense_results(layout):
    X, y = generated(n=300, d=6, seed=3, density=0.3)
    X[5] = 0.0  # an all-zero row: its leverage is the intercept's alone
    model = LogisticRegression().fit(X, y)
    sparse = sp.csr_matrix(X) if layout == "csr" else sp.csc_matrix(X)
    diagnostics = model.diagnostics(sparse, y)
    assert_matches_statsmodels(diagnostics, statsmodels_fit(X, y))
    dense = model.diagnostics(X, y)
    pd.testing.assert_frame_equal(diagnostics.frame(dfbeta=True), dense.frame(dfbeta=True),
                                  rtol=1e-12, atol=1e-14)


def test_statsmodels_spector_dataset_as_csr(spector):
    X, y = spector
    model = LogisticRegression(tol=1e-10).fit(X.to_numpy(), y)
    diagnostics = model.diagnostics(sp.csr_matrix(X.to_numpy()), y)
    assert_matches_statsmodels(diagnostics, statsmodels_fit(X, y))


def test_no_intercept_matches_statsmodels_without_a_constant():
    X, y = generated(seed=4)
    model = LogisticRegression(fit_intercept=False).fit(X, y)
    result = sm.GLM(y, X, family=sm.families.Binomial()).fit(tol=1e-14)
    diagnostics = model.diagnostics(X, y)
    assert list(diagnostics.dfbeta.columns) == ["x1", "x2", "x3", "x4"]
    assert_matches_statsmodels(diagnostics, result)


def test_sample_weights_are_prior_weights_as_statsmodels_var_weights():
    X, y = generated(seed=5)
    weights = np.random.default_rng(5).uniform(0.2, 3.0, size=y.size)
    model = LogisticRegression().fit(X, y, sample_weight=weights)
    diagnostics = model.diagnostics(X, y, sample_weight=weights)
    assert_matches_statsmodels(diagnostics, statsmodels_fit(X, y, var_weights=weights))
    # frequency weights give the same fit and leverage (their residuals carry no √s)
    frequency = statsmodels_fit(X, y, freq_weights=weights).get_influence()
    np.testing.assert_allclose(diagnostics.leverage, frequency.hat_matrix_diag, **TIGHT)


def test_class_weight_enters_as_the_fit_used_it():
    X, y = generated(seed=6)
    model = LogisticRegression(class_weight={1.0: 3.0}).fit(X, y)
    weights = np.where(y == 1.0, 3.0, 1.0)
    diagnostics = model.diagnostics(X, y)
    np.testing.assert_array_equal(diagnostics.weights, weights)
    assert_matches_statsmodels(diagnostics, statsmodels_fit(X, y, var_weights=weights))


def test_integer_weights_are_repeated_rows_for_the_sums_and_the_leverage():
    X, y = generated(n=120, seed=7)
    counts = np.random.default_rng(7).integers(1, 4, size=y.size)
    model = LogisticRegression().fit(X, y, sample_weight=counts)
    weighted = model.diagnostics(X, y, sample_weight=counts)
    repeated = model.diagnostics(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    first = np.r_[0, np.cumsum(counts)[:-1]]  # each row's first copy
    np.testing.assert_allclose(weighted.leverage, counts * repeated.leverage[first], **TIGHT)
    np.testing.assert_allclose(np.sum(weighted.deviance**2), np.sum(repeated.deviance**2),
                               **TIGHT)
    for groups in (10, 7):
        a, b = weighted.hosmer_lemeshow(groups), repeated.hosmer_lemeshow(groups)
        np.testing.assert_allclose(a.statistic, b.statistic, rtol=1e-10)
        pd.testing.assert_frame_equal(a.table, b.table, rtol=1e-10)
    pd.testing.assert_frame_equal(weighted.classification_table(0.3).matrix,
                                  repeated.classification_table(0.3).matrix)


# -- closed forms ----------------------------------------------------------------------------
def test_residuals_keep_their_digits_in_the_tails():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    model = LogisticRegression().fit(X, [0, 1, 0, 1])
    model.coef_, model.intercept_ = np.array([[40.0]]), np.array([-60.0])
    z = np.array([-60.0, -20.0, 20.0, 60.0])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    diagnostics = model.diagnostics(X, y)
    np.testing.assert_allclose(diagnostics.response, [-sigmoid(-60.0), -sigmoid(-20.0),
                                                      sigmoid(-20.0), sigmoid(-60.0)],
                               rtol=1e-14)
    np.testing.assert_allclose(diagnostics.pearson, np.where(y == 1, np.exp(-z / 2),
                                                             -np.exp(z / 2)), rtol=1e-14)
    # d = -2 log(1 - σ(z)) = 2 log(1 + e^z) for y = 0, -2 log σ(z) for y = 1
    unit = 2 * np.log1p(np.exp(np.where(y == 1, -z, z)))
    np.testing.assert_allclose(diagnostics.deviance, np.where(y == 1, 1, -1) * np.sqrt(unit),
                               rtol=1e-14)


def test_leverages_add_up_to_the_rank_and_deviance_residuals_to_the_deviance():
    X, y = generated(seed=8)
    X = np.column_stack([X, X[:, 0] + X[:, 1]])  # collinear: rank 5 of 6 parameters
    model = LogisticRegression().fit(X, y)
    diagnostics = model.diagnostics(X, y)
    assert diagnostics.influence.rank == 5
    np.testing.assert_allclose(diagnostics.leverage.sum(), 5.0, rtol=1e-10)
    np.testing.assert_allclose(np.sum(diagnostics.deviance**2), model.deviance_, rtol=1e-10)


def test_dfbeta_approximates_the_refit_without_each_row():
    X, y = generated(n=200, d=2, seed=9)
    model = LogisticRegression(tol=1e-10).fit(X, y)
    diagnostics = model.diagnostics(X, y)
    full = np.r_[model.intercept_, model.coef_.ravel()]
    for i in (0, 17, int(np.argmax(diagnostics.cooks_distance))):
        keep = np.arange(y.size) != i
        refit = LogisticRegression(tol=1e-10).fit(X[keep], y[keep])
        change = full - np.r_[refit.intercept_, refit.coef_.ravel()]
        np.testing.assert_allclose(diagnostics.dfbeta.iloc[i], change, rtol=0.05, atol=1e-3)


# -- Hosmer–Lemeshow and the classification table --------------------------------------------
def hosmer_lemeshow_by_cut(y, p, groups):
    """The published statistic with pandas' cut at the unique quantiles (ties merge)."""
    breaks = np.unique(np.quantile(p, np.linspace(0, 1, groups + 1)))
    group = pd.cut(p, breaks, include_lowest=True, labels=False)
    table = pd.DataFrame({"y": y, "p": p, "g": group}).groupby("g")
    n, observed, expected = table.size(), table["y"].sum(), table["p"].sum()
    statistic = float((((observed - expected) ** 2) / (expected * (1 - expected / n))).sum())
    return statistic, len(breaks) - 1, n.to_numpy()


def test_hosmer_lemeshow_with_ties_merges_groups():
    rng = np.random.default_rng(10)
    level = rng.integers(0, 4, size=300).astype(float)  # p̂ takes four values, ~75 rows each
    X = np.column_stack([level, rng.normal(size=300) * (level == 9)])
    y = (rng.random(300) < sigmoid(level - 1.5)).astype(float)
    diagnostics = LogisticRegression().fit(X, y).diagnostics(X, y)
    test = diagnostics.hosmer_lemeshow(10)
    statistic, formed, sizes = hosmer_lemeshow_by_cut(y, diagnostics.fitted, 10)
    # the deciles' breaks are the four values; the first group also takes the lowest break,
    # so the two lowest values share it: 3 groups, df 1
    assert test.groups == formed == 3 and test.df == 1
    np.testing.assert_allclose(test.statistic, statistic, rtol=1e-10)
    np.testing.assert_array_equal(test.table["n"], sizes)
    np.testing.assert_allclose(test.p_value, stats.chi2.sf(statistic, 1), rtol=1e-10)


def test_hosmer_lemeshow_on_generated_data_matches_the_definition():
    X, y = generated(n=500, seed=11)
    diagnostics = LogisticRegression().fit(X, y).diagnostics(X, y)
    for groups in (3, 10, 25):
        test = diagnostics.hosmer_lemeshow(groups)
        statistic, formed, sizes = hosmer_lemeshow_by_cut(y, diagnostics.fitted, groups)
        assert test.groups == formed == groups
        np.testing.assert_allclose(test.statistic, statistic, rtol=1e-10)
        np.testing.assert_array_equal(test.table["n"], sizes)


def test_too_few_distinct_probabilities_for_three_groups():
    X = np.repeat([[0.0], [1.0]], 20, axis=0)
    y = np.tile([0.0, 1.0, 1.0, 0.0], 10)
    diagnostics = LogisticRegression().fit(X, y).diagnostics(X, y)
    with pytest.raises(ValueError, match="take 1 distinct value\\(s\\), too few for 3 groups"):
        diagnostics.hosmer_lemeshow(10)


@pytest.mark.parametrize("threshold", [0.5, 0.2, 0.81])
def test_classification_table_matches_scikit_learn(threshold):
    X, y = generated(seed=12)
    labels = np.where(y == 1, "yes", "no")
    weights = np.random.default_rng(12).uniform(0.5, 2.0, size=y.size)
    model = LogisticRegression().fit(X, labels)
    table = model.diagnostics(X, labels, sample_weight=weights).classification_table(threshold)
    predicted = np.where(model.predict_proba(X)[:, 1] > threshold, "yes", "no")
    expected = confusion_matrix(labels, predicted, labels=["no", "yes"], sample_weight=weights)
    np.testing.assert_allclose(table.matrix.to_numpy(), expected, rtol=1e-12)
    assert list(table.matrix.index) == ["no", "yes"] == list(table.matrix.columns)
    (tn, fp), (fn, tp) = expected
    rates = table.rates()
    np.testing.assert_allclose(
        rates.to_numpy(),
        [tp / (tp + fn), tn / (tn + fp), tp / (tp + fp), tn / (tn + fn),
         (tp + tn) / expected.sum()], rtol=1e-12)


# -- which fits, which data ------------------------------------------------------------------
@pytest.mark.parametrize("params", [{"penalty": "l2"}, {"penalty": "firth"}])
def test_penalized_fits_give_residuals_but_no_influence(params):
    X, y = generated(seed=13)
    model = LogisticRegression(**params).fit(X, y)
    diagnostics = model.diagnostics(X, y)
    frame = diagnostics.frame()
    assert list(frame.columns) == ["y", "fitted", "weight", "response", "pearson", "deviance"]
    np.testing.assert_allclose(frame["fitted"], model.predict_proba(X)[:, 1], rtol=1e-14)
    for name in ("leverage", "cooks_distance", "dfbeta", "pearson_studentized"):
        with pytest.raises(ValueError, match=f"penalty={params['penalty']!r}"):
            getattr(diagnostics, name)
    assert diagnostics.hosmer_lemeshow().groups == 10


def test_dataframe_index_and_formula_models():
    X, y = generated(n=150, d=2, seed=14)
    frame = pd.DataFrame(X, columns=["a", "b"], index=np.arange(1000, 1150))
    frame["y"] = y
    model = LogisticRegression.from_formula("y ~ a + b + a:b", frame)
    result = model.diagnostics(frame[["a", "b"]], frame["y"]).frame(dfbeta=True)
    assert list(result.index) == list(frame.index)
    assert "dfbeta:a:b" in result.columns
    exog = np.column_stack([np.ones(150), X, X[:, 0] * X[:, 1]])
    influence = sm.GLM(y, exog, family=sm.families.Binomial()).fit(tol=1e-14).get_influence()
    np.testing.assert_allclose(result["leverage"], influence.hat_matrix_diag, **TIGHT)


@pytest.fixture(scope="module")
def binary_model():
    X, y = generated(n=60, seed=15)
    return LogisticRegression().fit(X, np.where(y == 1, "yes", "no")), X, y


def test_y_of_another_length_is_refused(binary_model):
    model, X, _ = binary_model
    with pytest.raises(ValueError, match="y has 59 labels but X has 60 rows"):
        model.diagnostics(X, ["yes"] * 59)


def test_labels_that_are_not_classes_are_refused(binary_model):
    model, X, _ = binary_model
    with pytest.raises(ValueError, match=r"the labels 'maybe' are not classes of the model"):
        model.diagnostics(X, ["yes"] * 59 + ["maybe"])


@pytest.mark.parametrize("threshold", [0.0, 1.0, 1.5, -0.1, float("nan"), "0.5", True])
def test_threshold_outside_zero_one_is_refused(binary_model, threshold):
    model, X, y = binary_model
    diagnostics = model.diagnostics(X, np.where(y == 1, "yes", "no"))
    with pytest.raises(ValueError, match="threshold must"):
        diagnostics.classification_table(threshold)


@pytest.mark.parametrize("groups", [2, 0, 61, 2.5, "10", None])
def test_groups_below_three_or_above_the_rows_are_refused(binary_model, groups):
    model, X, y = binary_model
    diagnostics = model.diagnostics(X, np.where(y == 1, "yes", "no"))
    with pytest.raises(ValueError, match="groups must be"):
        diagnostics.hosmer_lemeshow(groups)


def test_a_squared_error_model_is_refused():
    rng = np.random.default_rng(16)
    X = rng.normal(size=(90, 2))
    y = (X[:, 0] + rng.normal(size=90) > 0).astype(int)
    squared = LogisticRegression(loss="squared_error").fit(X, y)
    with pytest.raises(ValueError, match="loss='squared_error'"):
        squared.diagnostics(X, y)


# -- more than two classes: each class's response and Pearson residuals ----------------------
@pytest.fixture(scope="module")
def three_classes():
    rng = np.random.default_rng(18)
    X = rng.normal(size=(300, 2))
    scores = X @ np.array([[1.5, -1.0, 0.0], [0.0, 1.0, -1.5]]) + rng.gumbel(size=(300, 3))
    y = np.array(["a", "b", "c"])[np.argmax(scores, axis=1)]
    return X, y


def test_multinomial_residuals_per_class_match_statsmodels_mnlogit(three_classes):
    X, y = three_classes
    model = LogisticRegression(tol=1e-10).fit(X, y)
    residuals = model.diagnostics(X, y)
    codes = np.searchsorted(["a", "b", "c"], y)
    result = sm.MNLogit(codes, sm.add_constant(X)).fit(method="newton", tol=1e-14, disp=0)
    p = result.predict()
    onehot = np.eye(3)[codes]
    np.testing.assert_allclose(residuals.fitted.to_numpy(), p, **TIGHT)
    np.testing.assert_allclose(residuals.response.to_numpy(), onehot - p, **TIGHT)
    np.testing.assert_allclose(residuals.pearson.to_numpy(),
                               (onehot - p) / np.sqrt(p * (1 - p)), **TIGHT)
    frame = residuals.frame()
    assert list(frame.columns) == ["weight", *[f"{kind}:{c}" for kind in
                                               ("fitted", "response", "pearson")
                                               for c in "abc"]]
    assert not hasattr(residuals, "leverage") and not hasattr(residuals, "hosmer_lemeshow")


def test_multinomial_weights_and_one_vs_rest(three_classes):
    X, y = three_classes
    weights = np.random.default_rng(19).uniform(0.5, 2.0, size=y.size)
    for multi_class in ("multinomial", "ovr"):
        model = LogisticRegression(multi_class=multi_class).fit(X, y, sample_weight=weights)
        weighted = model.diagnostics(X, y, sample_weight=weights)
        p = model.predict_proba(X)
        onehot = (y[:, None] == model.classes_).astype(float)
        np.testing.assert_allclose(weighted.response.to_numpy(), onehot - p, rtol=1e-12,
                                   atol=1e-15)
        np.testing.assert_allclose(weighted.pearson.to_numpy(), np.sqrt(weights)[:, None]
                                   * (onehot - p) / np.sqrt(p * (1 - p)), rtol=1e-12)


def test_multinomial_residuals_keep_their_digits_near_certainty(three_classes):
    X, y = three_classes
    model = LogisticRegression().fit(X, y)
    model.coef_ = np.zeros_like(model.coef_)
    model.intercept_ = np.array([50.0, 0.0, 0.0])  # p̂(a) = e⁵⁰/(e⁵⁰ + 2) on every row
    residuals = model.diagnostics(X[:3], ["a", "b", "a"])
    rest = 2.0 / (np.exp(50.0) + 2.0)  # 1 - p̂(a), about 4e-22: 1 - p̂(a) rounds to 0
    np.testing.assert_allclose(residuals.response["a"], [rest, -(1 - rest), rest], rtol=1e-14)
    # √((1 - p̂)/p̂) = √(2/e⁵⁰) for the rows of class a
    np.testing.assert_allclose(residuals.pearson["a"][[0, 2]], np.sqrt(2.0) * np.exp(-25.0),
                               rtol=1e-14)



def test_rows_of_weight_zero_count_for_nothing():
    X, y = generated(n=200, seed=17)
    weights = np.ones(200)
    weights[::7] = 0.0
    kept = weights > 0
    model = LogisticRegression().fit(X, y, sample_weight=weights)
    with np.errstate(all="raise"):
        diagnostics = model.diagnostics(X, y, sample_weight=weights)
        frame = diagnostics.frame(dfbeta=True)
    dropped = model.diagnostics(X[kept], y[kept]).frame(dfbeta=True)
    pd.testing.assert_frame_equal(frame[kept].reset_index(drop=True), dropped, rtol=1e-10,
                                  atol=1e-14)
    # y - p̂ carries no weight (statsmodels' resid_response neither); the rest are 0
    zero = frame[~kept].drop(columns=["y", "fitted", "response"])
    assert (zero == 0).all().all()
    test, reference = diagnostics.hosmer_lemeshow(), model.diagnostics(
        X[kept], y[kept]).hosmer_lemeshow()
    np.testing.assert_allclose(test.statistic, reference.statistic, rtol=1e-10)
