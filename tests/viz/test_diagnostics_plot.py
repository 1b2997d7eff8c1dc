"""The diagnostics figure: its plotted numbers against statsmodels' GLM influence, its
Cook's contours against the closed form, and its errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import statsmodels.api as sm

from logistic import LogisticRegression
from logistic.core.sigmoid import sigmoid
from logistic.viz import plots
from logistic.viz.plots import artists


def binary_data(n: int = 250, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    X[0] = [4.0, -4.0, 3.0]  # a row of high leverage
    y = np.where(rng.random(n) < sigmoid(0.2 + X @ np.array([1.2, -0.7, 0.4])), "yes", "no")
    y[0] = "no"  # against its prediction: the largest Cook's distance
    return pd.DataFrame(X, columns=["a", "b", "c"]), y


@pytest.fixture(scope="module")
def fitted():
    X, y = binary_data()
    model = LogisticRegression().fit(X, y)
    exog = sm.add_constant(X.to_numpy())
    result = sm.GLM((y == "yes").astype(float), exog, family=sm.families.Binomial()).fit(
        tol=1e-14)
    return model, X, y, result


def one(figure, gid: str):
    found = artists(figure, gid)
    assert len(found) == 1, f"expected one artist {gid!r}, found {len(found)}"
    return found[0]


def test_the_points_are_statsmodels_residuals_and_leverage(fitted):
    model, X, y, result = fitted
    figure = plots.diagnostics_figure(model, X, y)
    influence = result.get_influence()
    for label in ("no", "yes"):
        rows = y == label
        points = one(figure, f"residuals:{label}").get_offsets()
        np.testing.assert_allclose(points[:, 0], result.fittedvalues[rows], rtol=1e-8)
        np.testing.assert_allclose(points[:, 1], result.resid_deviance[rows], rtol=1e-8)
    points = one(figure, "leverage").get_offsets()
    np.testing.assert_allclose(points[:, 0], influence.hat_matrix_diag, rtol=1e-8)
    np.testing.assert_allclose(points[:, 1], influence.resid_studentized, rtol=1e-8)


def test_the_labelled_rows_have_the_largest_cooks_distance(fitted):
    model, X, y, result = fitted
    figure = plots.diagnostics_figure(model, X, y)
    cooks = result.get_influence().cooks_distance[0]
    largest = np.argsort(-cooks)[:3]
    assert largest[0] == 0
    labelled = {a.get_gid() for a in artists(figure, "label:", prefix=True)}
    assert labelled == {f"label:{i}" for i in largest}
    text = one(figure, "note").get_text().replace("\n", " ")
    assert f"{int(np.sum(cooks > 0.5))} of 250 rows have D > 0.5" in text


@pytest.mark.parametrize("distance", plots.COOKS_CONTOURS)
def test_the_contours_are_where_cooks_distance_is_constant(fitted, distance):
    model, X, y, _ = fitted
    figure = plots.diagnostics_figure(model, X, y)
    k = 4  # the intercept and three columns
    for mark, sign in (("+", 1), ("-", -1)):
        h, r = one(figure, f"cooks:{distance:g}:{mark}").get_xydata().T
        assert np.all(np.sign(r) == sign) and np.all((h > 0) & (h < 1))
        # Cook's distance of a point (h, r_studentized): r² h / (k (1 - h))
        np.testing.assert_allclose(r**2 * h / (k * (1 - h)), distance, rtol=1e-12)


def test_sparse_data_give_the_same_points(fitted):
    model, X, y, _ = fitted
    dense = plots.diagnostics_figure(model, X, y)
    X_plain = X.to_numpy()
    plain = LogisticRegression().fit(X_plain, y)
    sparse = plots.diagnostics_figure(plain, sp.csr_matrix(X_plain), y)
    np.testing.assert_allclose(one(sparse, "leverage").get_offsets(),
                               one(dense, "leverage").get_offsets(), rtol=1e-8)
    assert plots.png_bytes(sparse, dpi=40).startswith(b"\x89PNG\r\n\x1a\n")


def test_a_penalized_or_multiclass_model_or_unknown_labels_are_refused(fitted):
    model, X, y, _ = fitted
    penalized = LogisticRegression(penalty="l2").fit(X, y)
    with pytest.raises(ValueError, match="needs an unpenalized fit: .* penalty='l2' is not"):
        plots.diagnostics_figure(penalized, X, y)
    with pytest.raises(ValueError, match="'maybe' are not classes"):
        plots.diagnostics_figure(model, X, np.r_[y[:-1], ["maybe"]])
    with pytest.raises(ValueError, match="X has 250 rows but y has 249"):
        plots.diagnostics_figure(model, X, y[:-1])
    three = np.array(["a", "b", "c"])[np.arange(250) % 3]
    with pytest.raises(ValueError, match="is for a binary model; this model has 3 classes"):
        plots.diagnostics_figure(LogisticRegression().fit(X, three), X, three)
