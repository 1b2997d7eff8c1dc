"""The figures a user reads first, as issue 21 asked: the coefficient plot leaves the intercept
out and cuts huge intervals instead of flattening the others; the training comparison warns
when gradient descent's cost rises on unscaled features; the boundary's legend shows symbols.

The axes are read back on matplotlib's Agg canvas (every figure of ``logistic.viz`` is drawn
on its own); the divergence is checked against gradient descent written out in NumPy. The
report's numbers are read back from its HTML (their ``data-value`` attributes) and compared
with scikit-learn's metrics and statsmodels' coefficients.
"""

from __future__ import annotations

import base64
import html
import struct
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from html_tables import HTMLTables
from scipy.special import expit, log_expit
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    confusion_matrix,
    log_loss,
    roc_auc_score,
)

from logistic import LogisticRegression
from logistic.exceptions import TrainingDivergenceWarning
from logistic.viz import plots
from logistic.viz.coefficient_plot import HUGE_INTERVAL_RATIO, huge_intervals
from logistic.viz.plots import artists
from logistic.viz.report import build_report


def ticks(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


def legend_texts(figure) -> list[str]:
    return [t.get_text() for ax in figure.axes if ax.get_legend()
            for t in ax.get_legend().get_texts()]


def note_text(figure) -> str:
    (found,) = artists(figure, "note")
    return " ".join(found.get_text().split())


# -- the coefficient plot --------------------------------------------------------------------
@pytest.fixture(scope="module")
def separated():
    """Quasi-complete separation: 'rare' is 1 only in some rows of class 1."""
    rng = np.random.default_rng(0)
    n = 300
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    y = (rng.random(n) < expit(0.3 + X.a - 0.5 * X.b)).astype(int)
    X["rare"] = ((y == 1) & (rng.random(n) < 0.3)).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the SeparationWarning is the point
        model = LogisticRegression().fit(X, y)
    return model


def test_a_separated_term_is_cut_at_the_axis_not_stretching_it(separated):
    model = separated
    assert model.summary().separated == ("rare",)
    interval = model.conf_int()  # rows: Intercept, a, b, c, rare
    ordinary = interval[1:4]
    assert interval[4, 1] - interval[4, 0] > 1000 * (ordinary[:, 1] - ordinary[:, 0]).max()
    figure = plots.coefficient_figure(model)
    (ax,) = figure.axes
    assert ticks(ax) == ["a", "b", "c", "rare"]  # no intercept
    low, high = ax.get_xlim()
    # the axis spans the ordinary intervals (and 0) with a margin, not rare's ±1900
    span = max(ordinary.max(), 0) - min(ordinary.min(), 0)
    assert low < ordinary.min() and high > ordinary.max()
    assert low > ordinary.min() - 0.2 * span and high < ordinary.max() + 0.2 * span
    # the drawn intervals are the ordinary ones, exactly; rare's is the cut one
    segments = artists(figure, "interval")[0].get_segments()
    np.testing.assert_allclose([[s[0][0], s[1][0]] for s in segments], ordinary, rtol=1e-12)
    (cut,) = artists(figure, "clipped")[0].get_segments()
    assert low < cut[0][0] < cut[1][0] < high
    markers = sorted(line.get_marker() for line in artists(figure, "clipped:rare"))
    assert markers == ["<", ">"]  # both ends cut
    text = note_text(figure)
    assert "rare 17.7" in text or f"rare {model.coef_[0, 3]:.4g}" in text
    assert f"{interval[4, 0]:.4g}" in text and f"{interval[4, 1]:.4g}" in text
    assert "separate the classes along rare" in text


def test_the_intercept_on_its_own_axis_when_asked(separated):
    figure = plots.coefficient_figure(separated, show_intercept=True)
    top, bottom = figure.axes
    assert ticks(top) == ["Intercept"] and "Intercept" not in ticks(bottom)
    intercept_low, intercept_high = separated.conf_int()[0]
    assert top.get_xlim()[0] < intercept_low and top.get_xlim()[1] > intercept_high


def test_a_huge_unflagged_interval_and_an_infinite_one_are_cut():
    # a summary with statistics as the table gives them: 'tiny' is measured in a unit 10⁴
    # times too small (its interval 5,000 wide), 'gone' has an infinite upper end
    table = pd.DataFrame(
        {"coef": [0.2, 1.0, -0.5, 2000.0, 0.3], "[0.025": [0.0, 0.6, -0.9, -500.0, -0.1],
         "0.975]": [0.4, 1.4, -0.1, 4500.0, np.inf]},
        index=["Intercept", "x", "w", "tiny", "gone"])
    model = SimpleNamespace(summary=lambda alpha: SimpleNamespace(table=table, separated=()),
                            fit_intercept=True)
    figure = plots.coefficient_figure(model)
    (ax,) = figure.axes
    assert ticks(ax) == ["x", "w", "tiny", "gone"]
    low, high = ax.get_xlim()
    assert -1.2 < low < -0.9 and 1.4 < high < 1.7  # set by x and w (and 0) alone
    assert sorted(m.get_marker() for m in artists(figure, "clipped:tiny")) == ["<", ">"]
    assert [m.get_marker() for m in artists(figure, "clipped:gone")] == [">"]
    (outside,) = artists(figure, "clipped-coef:tiny")
    assert outside.get_xdata()[0] < high and outside.get_markerfacecolor() == "white"
    assert "tiny 2000 [-500, 4500]" in note_text(figure)
    assert "gone 0.3 [-0.1, ∞]" in note_text(figure)


def test_the_rule_of_huge_intervals():
    # widths 1, 2, 3 and 100: the median of the others' widths is 2, 100 > 20 × 2
    low = np.array([0.0, 0.0, 0.0, -50.0])
    high = np.array([1.0, 2.0, 3.0, 50.0])
    coef = (low + high) / 2
    none = np.zeros(4, dtype=bool)
    assert huge_intervals(low, high, coef, none).tolist() == [False, False, False, True]
    high[3] = -50 + HUGE_INTERVAL_RATIO * 2.0 - 1e-9  # just under the ratio
    assert not huge_intervals(low, high, coef, none).any()
    flagged = np.array([False, True, False, False])
    assert huge_intervals(low, high, coef, flagged).tolist() == [False, True, False, False]
    # every interval huge (all flagged) is no reason to cut them all
    assert not huge_intervals(low, high, coef, np.ones(4, dtype=bool)).any()


# -- plot training: gradient descent diverging on unscaled features ---------------------------
def badly_scaled(n: int = 200, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * [1.0, 100.0, 1000.0] + [0.0, 500.0, 3000.0]
    z = 0.3 + X[:, 0] + 0.01 * (X[:, 1] - 500) - 0.002 * (X[:, 2] - 3000)
    y = (rng.random(n) < expit(z)).astype(int)
    return X, y


def numpy_gradient_descent(X, y, eta: float, steps: int) -> np.ndarray:
    """The lecture's gradient descent on the mean cross-entropy, written out: w = 0 and b the
    classes' log-odds at the start, θ ← θ − η·(1/m)·X̃ᵀ(σ(X̃θ) − y); the cost per step."""
    Xt = np.column_stack([X, np.ones(len(y))])
    theta = np.zeros(Xt.shape[1])
    theta[-1] = np.log(y.mean() / (1 - y.mean()))
    costs = []
    for _ in range(steps + 1):
        z = Xt @ theta
        costs.append(float(-np.mean(y * log_expit(z) + (1 - y) * log_expit(-z))))
        theta = theta - eta * Xt.T @ (expit(z) - y) / len(y)
    return np.array(costs)


def test_gradient_descent_on_unscaled_features_diverges_and_is_warned_about():
    X, y = badly_scaled()
    reference = numpy_gradient_descent(X, y, eta=0.5, steps=20)
    assert reference[1] > 1000 * reference[0]  # it really diverges
    with pytest.warns(TrainingDivergenceWarning, match="--standardize") as caught:
        fits = plots.fit_solvers(X, y, max_iter=20)
    np.testing.assert_allclose(fits["gd"].loss_history_[:3], reference[:3], rtol=1e-9)
    (warning,) = [w for w in caught if w.category is TrainingDivergenceWarning]
    message = str(warning.message)
    assert "column 'x3'" in message and "η = 0.5" in message
    rms = np.sqrt(np.mean(X[:, 2] ** 2))
    assert f"{rms:.3g}" in message
    with pytest.warns(TrainingDivergenceWarning) as caught:
        plots.loss_comparison(X, y, max_iter=20)
    messages = " ".join(str(w.message) for w in caught)
    assert "on the cross entropy diverged" in messages
    assert "on the squared error diverged" in messages


def test_sparse_unscaled_features_are_measured_too():
    import scipy.sparse as sp

    X, y = badly_scaled()
    with pytest.warns(TrainingDivergenceWarning, match="column 'x3'") as caught:
        plots.fit_solvers(sp.csr_matrix(X), y, solvers=("gd",), max_iter=10)
    rms = np.sqrt(np.mean(X[:, 2] ** 2))
    assert f"root mean square up to {rms:.3g}" in str(caught[0].message)


def test_standardized_features_give_no_warning():
    X, y = badly_scaled()
    scaled = (X - X.mean(axis=0)) / X.std(axis=0)
    reference = numpy_gradient_descent(scaled, y, eta=0.5, steps=200)
    assert (np.diff(reference) <= 0).all()  # descent all the way
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingDivergenceWarning)
        plots.solver_comparison(scaled, y)
        plots.loss_comparison(scaled, y)


def test_a_too_long_step_on_scaled_features_asks_for_a_smaller_learning_rate():
    X, y = badly_scaled()
    scaled = (X - X.mean(axis=0)) / X.std(axis=0)
    assert np.diff(numpy_gradient_descent(scaled, y, eta=40.0, steps=50)).max() > 0
    with pytest.warns(TrainingDivergenceWarning, match="smaller learning rate") as caught:
        plots.fit_solvers(scaled, y, solvers=("gd",), max_iter=50, learning_rate=40.0)
    assert all("--standardize" not in str(w.message) for w in caught)


# -- the boundary's legend ----------------------------------------------------------------------
def test_the_boundary_legend_shows_symbols_and_the_note_the_equation():
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(120, 2)) * [1.0, 2.0] + [3.0, -1.0],
                     columns=["dose", "age"])
    y = np.where(X.dose - 3 + 0.5 * (X.age + 1) + rng.normal(size=120) > 0, "yes", "no")
    model = LogisticRegression().fit(X, y)
    figure = plots.boundary_figure(model, X.to_numpy(), y)
    assert legend_texts(figure) == ["p̂ = 0.5 boundary (z = 0)", "y = no", "y = yes"]
    first_row = [f"{v:.6g}" for v in X.iloc[0]] + [f"{v:.6g}" for v in model.coef_[0]]
    assert not any(value in text for text in legend_texts(figure) for value in first_row)
    # the line's numbers are in the note: w₀ + w₁·dose + w₂·age = 0
    numbers = [float(t.split("·")[0]) for t in
               note_text(figure).removeprefix("The boundary: ").replace(" + ", " ").split()
               if "·" in t]
    np.testing.assert_allclose(numbers, model.coef_[0], rtol=1e-5)
    # the circle of squared features: the same symbols
    circle = plots.boundary_figure(model, X.to_numpy(), y, transform=lambda p: p)
    assert legend_texts(circle)[0] == "p̂ = 0.5 boundary (z = 0)"


# -- the report: odds ratios, confusion matrix, held-out data, aligned ROC and calibration ---
class Tables(HTMLTables):
    """``HTMLTables``, and the images (alt, PNG bytes) of each ``div.pair``."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[list[tuple[str, bytes]]] = []
        self._divs: list[bool] = []

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        attrs = dict(attrs)
        if tag == "div":
            self._divs.append(attrs.get("class") == "pair")
            if self._divs[-1]:
                self.pairs.append([])
        elif tag == "img" and self._divs and self._divs[-1]:
            data = base64.b64decode(attrs["src"].removeprefix("data:image/png;base64,"))
            self.pairs[-1].append((attrs["alt"], data))

    def handle_endtag(self, tag):
        super().handle_endtag(tag)
        if tag == "div":
            self._divs.pop()

    def values(self, first: str) -> dict[str, float | None]:
        """A two-column table's data-values by row name."""
        return {row[0][0]: row[1][1] for row in self.tables[first][1:]}

    def counts(self, first: str) -> np.ndarray:
        return np.array([[float(text) for text, _ in row[1:]] for row in self.tables[first][1:]])


def read_tables(document: str) -> Tables:
    return Tables.read(document)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


EVIL = '<b>"R&D"</b>'


@pytest.fixture(scope="module")
def train_and_test():
    rng = np.random.default_rng(11)
    X = pd.DataFrame(rng.normal(size=(400, 3)), columns=["dose", EVIL, "age"])
    y = np.where(rng.random(400) < expit(0.2 + X.to_numpy() @ [1.0, -0.8, 0.4]), "ill", "well")
    model = LogisticRegression().fit(X.iloc[:250], y[:250])
    return model, X.iloc[:250], y[:250], X.iloc[250:], y[250:]


def test_the_report_scores_held_out_data_as_scikit_learn_does(train_and_test):
    model, X, y, X_test, y_test = train_and_test
    page = build_report(model, X, y, test=(X_test, y_test), test_name=f"{EVIL}.csv",
                        threshold=0.3)
    assert EVIL not in page and html.escape(EVIL) in page  # user strings escaped
    document = read_tables(page)
    positive = model.classes_[1]
    for first, (rows, labels) in {"metric": (X, y), "held-out metric": (X_test, y_test)}.items():
        p = model.predict_proba(rows)[:, 1]
        shown = document.values(first)
        expected = {
            "log-loss": log_loss(labels, p, labels=model.classes_),
            f"ROC AUC (positive: {positive})": roc_auc_score(labels == positive, p),
            "Brier score": brier_score_loss(labels == positive, p),
            "accuracy (p̂ > 0.3)": accuracy_score(labels, np.where(p > 0.3, positive,
                                                                 model.classes_[0])),
        }
        for name, value in expected.items():
            assert shown[name] == pytest.approx(value, rel=1e-12, abs=1e-15), (first, name)
        what = "training" if first == "metric" else "held-out"
        matrix = document.counts(f"{what}: true \\ predicted")
        predicted = np.where(p > 0.3, positive, model.classes_[0])
        np.testing.assert_array_equal(
            matrix, confusion_matrix(labels, predicted, labels=model.classes_))
    # the held-out ROC and calibration are drawn, after the training data's
    alts = [[alt for alt, _ in pair] for pair in document.pairs]
    assert alts == [["ROC curve (held-out)", "Calibration (held-out)"],
                    ["ROC curve", "Calibration"]]


def test_the_report_roc_and_calibration_panels_line_up(train_and_test):
    model, X, y, _, _ = train_and_test
    roc, calibration = plots.roc_figure(model, X, y), plots.calibration_figure(model, X, y)
    assert roc.get_size_inches().tolist() == calibration.get_size_inches().tolist()
    for a, b in zip(roc.axes, calibration.axes, strict=True):  # main axes, then the strip
        np.testing.assert_allclose(a.get_position().bounds, b.get_position().bounds)
    page = build_report(model, X, y)
    ((_, roc_png), (_, calibration_png)), = read_tables(page).pairs
    assert png_size(roc_png) == png_size(calibration_png)
    assert 'class="pair"' in page and ".pair { display: grid" in page


def test_the_report_odds_ratios_are_exp_of_statsmodels_coefficients(train_and_test):
    import statsmodels.api as sm

    model, X, y, _, _ = train_and_test
    document = read_tables(build_report(model, X, y))
    rows = document.tables["odds ratio of"]
    assert [text for text, _ in rows[0]] == ["odds ratio of", "odds ratio", "std err", "z",
                                             "P>|z|", "[0.025", "0.975]"]
    assert [row[0][0] for row in rows[1:]] == ["dose", EVIL, "age"]  # no intercept
    reference = sm.Logit((y == model.classes_[1]).astype(float), sm.add_constant(X)).fit(
        disp=0, tol=1e-12)
    ratio = np.array([row[1][1] for row in rows[1:]])
    np.testing.assert_allclose(ratio, np.exp(reference.params.to_numpy()[1:]), rtol=1e-7)
    np.testing.assert_allclose(ratio, np.exp(model.coef_[0]), rtol=1e-12)
    ends = np.array([[row[5][1], row[6][1]] for row in rows[1:]])
    np.testing.assert_allclose(ends, np.exp(reference.conf_int().to_numpy()[1:]), rtol=1e-6)


def test_the_report_says_why_it_has_no_odds_ratios(train_and_test):
    _, X, y, _, _ = train_and_test
    penalized = LogisticRegression(penalty="l2").fit(X, y)
    assert "No odds ratios:" in build_report(penalized, X, y)
    rng = np.random.default_rng(2)
    Xm = pd.DataFrame(rng.normal(size=(150, 2)), columns=["u", "v"])
    ym = np.array(["a", "b", "c"])[np.argmax(Xm.to_numpy() @ [[2, -1, 0], [0, 1, -2]]
                                             + rng.normal(size=(150, 3)), axis=1)]
    multi = LogisticRegression().fit(Xm, ym)
    page = build_report(multi, Xm, ym, test=(Xm, ym))
    assert "Odds ratios are shown for binary models; this model has 3 classes" in page
    matrix = read_tables(page).counts("held-out: true \\ predicted")
    np.testing.assert_array_equal(matrix, confusion_matrix(ym, multi.predict(Xm)))


def test_the_report_refuses_test_data_that_do_not_match(train_and_test):
    model, X, y, X_test, y_test = train_and_test
    with pytest.raises(ValueError, match="the test data: the data lack the model's feature"):
        build_report(model, X, y, test=(X_test.drop(columns="age"), y_test))
    with pytest.raises(ValueError, match="the test data: .*'maybe'"):
        build_report(model, X, y, test=(X_test, np.where(y_test == "ill", "maybe", y_test)))
    with pytest.raises(ValueError, match="a pair"):
        build_report(model, X, y, test=X_test)
