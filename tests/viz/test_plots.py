"""The figures of ``logistic.viz.plots``: each one's plotted numbers, not just that it draws.

Artists that carry numbers have a gid (``plots.artists(figure, gid)``); the tests read the
data back and compare it with the library's functions or with scikit-learn.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from sklearn.calibration import calibration_curve
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from logistic import DecisionBoundary, LogisticRegression
from logistic.core.sigmoid import sigmoid, sigmoid_derivative, sigmoid_second_derivative
from logistic.viz import plots
from logistic.viz.plots import artists


# -- data ------------------------------------------------------------------------------------
def binary_data(m: int = 300, d: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, d))
    z = 0.4 + X @ np.linspace(1.5, -1.0, d)
    y = np.where(rng.random(m) < sigmoid(z), "yes", "no")
    return pd.DataFrame(X, columns=[f"f{j}" for j in range(d)]), y


@pytest.fixture(scope="module")
def fitted():
    X, y = binary_data()
    return LogisticRegression().fit(X, y), X, y


@pytest.fixture(scope="module")
def three_classes():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 2))
    y = np.array(["a", "b", "c"])[np.argmax(X @ np.array([[2.0, -1, 0], [0, 1.5, -2]])
                                            + rng.normal(size=(300, 3)), axis=1)]
    return LogisticRegression().fit(X, y), X, y


def one(figure: Figure, gid: str):
    found = artists(figure, gid)
    assert len(found) == 1, f"expected one artist {gid!r}, found {len(found)}"
    return found[0]


def legend_texts(figure: Figure) -> list[str]:
    return [t.get_text() for ax in figure.axes if ax.get_legend() for t in
            ax.get_legend().get_texts()]


# -- the seeds' functions --------------------------------------------------------------------
def test_sigmoid_curve_is_the_library_sigmoid_and_its_limits_are_marked():
    figure = plots.sigmoid_figure()
    z, values = one(figure, "sigmoid").get_data()
    assert z.min() == -8 and z.max() == 8
    np.testing.assert_array_equal(values, sigmoid(z))
    np.testing.assert_array_equal(one(figure, "limit:0").get_ydata(), [0, 0])
    np.testing.assert_array_equal(one(figure, "limit:1").get_ydata(), [1, 1])
    np.testing.assert_array_equal(one(figure, "limit:0.5").get_xydata(), [[0.0, 0.5]])
    # the curve approaches its limits at both ends
    assert values[0] < 1e-3 and values[-1] > 1 - 1e-3


def test_derivative_peaks_at_a_quarter_at_zero_and_vanishes_in_the_tails():
    figure = plots.derivatives_figure(tail=0.01)
    z, values = one(figure, "sigmoid_derivative").get_data()
    np.testing.assert_array_equal(values, sigmoid_derivative(z))
    np.testing.assert_array_equal(one(figure, "max").get_xydata(), [[0.0, 0.25]])
    top = int(np.argmax(values))
    assert abs(z[top]) < 1e-12 and values[top] == pytest.approx(0.25, abs=1e-15)
    # the shaded tails start where σ'(z) = 0.01 and σ' stays below it inside them
    left, right = one(figure, "tail:left"), one(figure, "tail:right")
    edge = right.get_x()
    assert left.get_x() + left.get_width() == pytest.approx(-edge)
    assert sigmoid_derivative(edge) == pytest.approx(0.01, rel=1e-12)
    assert np.all(values[np.abs(z) > edge] < 0.01)

    z2, second = one(figure, "sigmoid_second_derivative").get_data()
    np.testing.assert_array_equal(second, sigmoid_second_derivative(z2))
    np.testing.assert_array_equal(one(figure, "zero").get_xydata(), [[0.0, 0.0]])
    extrema = one(figure, "extremum").get_xydata()
    np.testing.assert_allclose(extrema[:, 0], [-np.log(2 + np.sqrt(3)), np.log(2 + np.sqrt(3))])
    np.testing.assert_allclose(extrema[:, 1], [np.sqrt(3) / 18, -np.sqrt(3) / 18], rtol=1e-12)
    assert np.max(np.abs(second)) <= np.sqrt(3) / 18 + 1e-15


def test_cost_curves_and_the_three_cases_of_the_lecture():
    figure = plots.cost_figure()
    h, positive = one(figure, "cost:y=1").get_data()
    np.testing.assert_allclose(positive, -np.log(h), rtol=1e-15)
    h0, negative = one(figure, "cost:y=0").get_data()
    np.testing.assert_allclose(negative, -np.log(1 - h0), rtol=1e-12)
    expected = {(1, "0.2"): -np.log(0.2), (1, "0.8"): -np.log(0.8), (0, "0.9"): -np.log(0.1)}
    for (y, y_hat), loss in expected.items():
        marker = one(figure, f"case:y={y}:yhat={y_hat}")
        np.testing.assert_allclose(marker.get_xydata(), [[float(y_hat), loss]], rtol=1e-12)
        text = one(figure, f"annotation:y={y}:yhat={y_hat}").get_text()
        printed = float(re.search(r"= ([0-9.]+)$", text).group(1))
        assert printed == pytest.approx(loss, abs=5e-5), text
    assert [round(v, 3) for v in sorted(expected.values())] == [0.223, 1.609, 2.303]


def test_cost_figure_rejects_an_impossible_case():
    with pytest.raises(ValueError, match="case"):
        plots.cost_figure([(1, 1.5)])


# -- decision boundary -----------------------------------------------------------------------
def test_boundary_of_the_seed_weights_is_the_line_x1_plus_x2_equals_3():
    figure = plots.boundary_figure([-3, 1, 1], xlim=(0, 4), ylim=(0, 4), resolution=50)
    x1, x2 = one(figure, "boundary").get_data()
    np.testing.assert_allclose(x1 + x2, 3.0, atol=1e-12)
    mesh = one(figure, "probability")
    grid = np.linspace(0, 4, 50)
    gx, gy = np.meshgrid(grid, grid)
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(gx.shape),
                               sigmoid(-3 + gx + gy), rtol=1e-12)
    # a DecisionBoundary gives the same figure
    same = plots.boundary_figure(DecisionBoundary.from_weights([-3, 1, 1]), xlim=(0, 4),
                                 ylim=(0, 4), resolution=50)
    np.testing.assert_allclose(one(same, "boundary").get_xydata(), np.column_stack([x1, x2]))


def test_boundary_of_a_fitted_model_is_its_hyperplane_and_shows_the_data():
    X, y = binary_data(d=2)
    model = LogisticRegression().fit(X, y)
    figure = plots.boundary_figure(model, X, y)
    points = one(figure, "boundary").get_xydata()
    np.testing.assert_allclose(model.intercept_[0] + points @ model.coef_[0], 0.0, atol=1e-10)
    shown = sum(len(a.get_offsets()) for a in artists(figure, "data:", prefix=True))
    assert shown == len(y)
    assert figure.axes[0].get_xlabel() == "f0"


def test_boundary_from_squared_features_is_a_circle():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(600, 2))
    y = (X**2).sum(axis=1) < 1.5
    pipeline = make_pipeline(FunctionTransformer(np.square), LogisticRegression(penalty="l2",
                                                                                C=100))
    pipeline.fit(X, y)
    figure = plots.boundary_figure(pipeline, X, y, resolution=300)
    vertices = np.vstack([p.vertices for p in one(figure, "boundary").get_paths()])
    w0, (w1, w2) = pipeline[-1].intercept_[0], pipeline[-1].coef_[0]
    # on the contour z = w₀ + w₁x₁² + w₂x₂² = 0 up to the grid's interpolation
    z = w0 + w1 * vertices[:, 0] ** 2 + w2 * vertices[:, 1] ** 2
    assert np.max(np.abs(z)) < 1e-3 * abs(w0)
    radius = np.hypot(vertices[:, 0], vertices[:, 1])
    assert radius.std() < 0.05 and radius.mean() == pytest.approx(np.sqrt(1.5), rel=0.05)

    # a model fitted on squared features plus transform= gives the same contour
    plain = pipeline[-1]
    same = plots.boundary_figure(plain, X, y, transform=np.square, resolution=300)
    again = np.vstack([p.vertices for p in one(same, "boundary").get_paths()])
    np.testing.assert_allclose(again, vertices)


def test_boundary_refuses_what_is_not_a_binary_model_in_the_plane(three_classes, fitted):
    model, X, y = three_classes
    with pytest.raises(ValueError, match="binary"):
        plots.boundary_figure(model, X, y)
    with pytest.raises(ValueError, match="2 features"):
        plots.boundary_figure(fitted[0])
    with pytest.raises(ValueError, match="2 features"):
        plots.boundary_figure([1, 2, 3, 4])


# -- training curves -------------------------------------------------------------------------
def test_training_curves_draw_the_histories_of_any_fit():
    X, y = binary_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression(solver="gd", max_iter=30).fit(X, y)
    figure = plots.training_curves(model)
    np.testing.assert_array_equal(one(figure, "loss:gd").get_ydata(), model.loss_history_)
    np.testing.assert_array_equal(one(figure, "grad:gd").get_ydata(), model.grad_norm_history_)
    np.testing.assert_array_equal(one(figure, "loss:gd").get_xdata(), np.arange(31))

    other = SimpleNamespace(loss_history=[3.0, 2.0, 1.5], grad_norm_history=[1.0, 0.5, 0.1])
    figure = plots.training_curves({"mine": other, "plain": [1.0, 0.5],
                                    "dict": {"loss": [2.0, 1.0], "grad_norm": [0.3, 0.2]}})
    np.testing.assert_array_equal(one(figure, "loss:mine").get_ydata(), [3.0, 2.0, 1.5])
    np.testing.assert_array_equal(one(figure, "grad:dict").get_ydata(), [0.3, 0.2])
    np.testing.assert_array_equal(one(figure, "loss:plain").get_ydata(), [1.0, 0.5])
    assert not artists(figure, "grad:plain")
    with pytest.raises(ValueError, match="no loss history"):
        plots.training_curves({"saved": SimpleNamespace(coef_=1)})


def test_solver_comparison_shows_three_solvers_on_the_same_data():
    X, y = binary_data()
    fits = plots.fit_solvers(X, y, max_iter=60)
    assert list(fits) == ["gd", "newton", "lbfgs"]
    starts = {float(m.loss_history_[0]) for m in fits.values()}
    assert len(starts) == 1  # the same start
    assert fits["newton"].n_iter_[0] < fits["lbfgs"].n_iter_[0] < fits["gd"].n_iter_[0]
    figure = plots.solver_comparison(X, y, max_iter=60)
    for solver, model in fits.items():
        (line,) = artists(figure, f"loss:{solver} (", prefix=True)
        np.testing.assert_array_equal(line.get_ydata(), model.loss_history_)
    assert any("newton" in t and "it." in t for t in legend_texts(figure))


def test_loss_comparison_measures_both_paths_by_the_cross_entropy():
    X, y = binary_data()
    fits = plots.fit_losses(X, y, max_iter=40)
    assert [m.loss for m in fits.values()] == ["squared_error", "cross_entropy"]
    figure = plots.loss_comparison(X, y, max_iter=40)
    common = {a.get_gid(): a.get_ydata() for a in artists(figure, "common:", prefix=True)}
    (se,) = [v for k, v in common.items() if "squared" in k]
    (ce,) = [v for k, v in common.items() if "cross" in k]
    assert se[0] == ce[0]  # the same start
    # the cross-entropy fit's own loss is the yardstick along its path
    np.testing.assert_allclose(ce, fits["cross-entropy"].loss_history_, rtol=1e-12)
    (own,) = artists(figure, "loss:squared", prefix=True)
    np.testing.assert_allclose(own.get_ydata(), fits["squared error"].loss_history_)
    # σ'(z) ≤ 0.25 damps the squared error: the cross-entropy learns faster per step
    assert ce[10] < se[10]


# -- a fitted model on data ------------------------------------------------------------------
def test_roc_curve_and_its_auc(fitted):
    model, X, y = fitted
    figure = plots.roc_figure(model, X, y)
    p = model.predict_proba(X)[:, 1]
    auc = roc_auc_score(y == "yes", p)
    (text,) = [t for t in legend_texts(figure) if t.startswith("AUC")]
    assert float(text.split("=")[1]) == pytest.approx(auc, abs=5e-5)
    fpr, tpr, _ = roc_curve(y == "yes", p)
    np.testing.assert_array_equal(one(figure, "roc:yes").get_xydata(),
                                  np.column_stack([fpr, tpr]))


def test_roc_one_vs_rest_for_three_classes(three_classes):
    model, X, y = three_classes
    figure = plots.roc_figure(model, X, y)
    proba = model.predict_proba(X)
    for k, label in enumerate(model.classes_):
        (text,) = [t for t in legend_texts(figure) if t.startswith(f"{label} vs rest")]
        expected = roc_auc_score(y == label, proba[:, k])
        assert float(text.split("=")[1]) == pytest.approx(expected, abs=5e-5)


def test_roc_needs_both_classes_and_known_labels(fitted):
    model, X, y = fitted
    with pytest.raises(ValueError, match="only"):
        plots.roc_figure(model, X, np.full(len(y), "yes"))
    with pytest.raises(ValueError, match="'maybe'"):
        plots.roc_figure(model, X, np.where(y == "yes", "maybe", y))


def test_calibration_curve_equals_scikit_learns(fitted):
    model, X, y = fitted
    figure = plots.calibration_figure(model, X, y, n_bins=8)
    observed, predicted = calibration_curve(y == "yes", model.predict_proba(X)[:, 1], n_bins=8)
    np.testing.assert_allclose(one(figure, "calibration:yes").get_xydata(),
                               np.column_stack([predicted, observed]))
    np.testing.assert_array_equal(one(figure, "perfect").get_xydata(), [[0, 0], [1, 1]])
    counts = sum(p.get_height() for p in artists(figure, "hist:yes"))
    assert counts == len(y)


def test_calibration_one_vs_rest_for_three_classes(three_classes):
    model, X, y = three_classes
    figure = plots.calibration_figure(model, X, y, n_bins=5)
    proba = model.predict_proba(X)
    for k, label in enumerate(model.classes_):
        observed, predicted = calibration_curve(y == label, proba[:, k], n_bins=5)
        np.testing.assert_allclose(one(figure, f"calibration:{label}").get_xydata(),
                                   np.column_stack([predicted, observed]))


def test_coefficient_intervals_are_the_models_confidence_intervals(fitted):
    model, X, y = fitted
    figure = plots.coefficient_figure(model)  # the intercept left out by default
    interval = model.conf_int()[1:]
    segments = one(figure, "interval").get_segments()
    assert len(segments) == len(interval)
    positions = [segment[0][1] for segment in segments]
    assert positions == sorted(positions, reverse=True)  # the first term at the top
    np.testing.assert_allclose([[s[0][0], s[1][0]] for s in segments], interval, rtol=1e-12)
    coef = one(figure, "coef").get_xdata()
    np.testing.assert_allclose(coef, model.coef_[0])
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert labels == ["f0", "f1", "f2"]
    # asked for, the intercept gets an axis of its own above the others
    both = plots.coefficient_figure(model, show_intercept=True)
    top, bottom = both.axes
    assert [t.get_text() for t in top.get_yticklabels()] == ["Intercept"]
    np.testing.assert_allclose(one(both, "intercept:coef").get_xdata(), model.intercept_)
    (segment,) = one(both, "intercept:interval").get_segments()
    np.testing.assert_allclose([segment[0][0], segment[1][0]], model.conf_int()[0],
                               rtol=1e-12)
    assert [t.get_text() for t in bottom.get_yticklabels()] == labels


def test_penalized_coefficients_have_no_intervals_and_say_why():
    X, y = binary_data()
    model = LogisticRegression(penalty="l2", C=0.5).fit(X, y)
    figure = plots.coefficient_figure(model)
    assert not artists(figure, "interval")
    np.testing.assert_allclose(one(figure, "coef").get_xdata(), model.coef_[0])
    note = " ".join(one(figure, "note").get_text().split())
    assert note == " ".join(model.inference_note_.split())


def test_coefficients_of_a_multinomial_model(three_classes):
    model, _, _ = three_classes
    figure = plots.coefficient_figure(model)
    terms = list(model.summary().table.index)
    kept = [k for k, term in enumerate(terms) if not term.endswith(": Intercept")]
    segments = one(figure, "interval").get_segments()
    np.testing.assert_allclose([[s[0][0], s[1][0]] for s in segments],
                               model.conf_int()[kept])
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert labels == [terms[k] for k in kept]


def test_scores_show_z_and_who_still_drives_learning(fitted, three_classes):
    model, X, y = fitted
    figure = plots.scores_figure(model, X, y)
    z = model.decision_function(X)
    heights = [sum(p.get_height() for p in artists(figure, f"z:{label}"))
               for label in model.classes_]
    assert heights == [np.sum(y == label) for label in model.classes_]
    grid, curve = one(figure, "sigmoid_derivative").get_data()
    np.testing.assert_array_equal(curve, sigmoid_derivative(grid))
    assert grid.min() <= z.min() and grid.max() >= z.max()
    (zone,) = artists(figure, "learning-zone:", prefix=True)
    inside = int(zone.get_gid().split("=")[1])
    assert inside == np.count_nonzero(sigmoid_derivative(z) >= plots.LEARNING_THRESHOLD)
    edge = zone.get_x() + zone.get_width()
    assert sigmoid_derivative(edge) == pytest.approx(plots.LEARNING_THRESHOLD, rel=1e-9)
    assert sum(p.get_height() for p in artists(plots.scores_figure(model, X), "z")) == len(z)
    with pytest.raises(ValueError, match="binary"):
        plots.scores_figure(three_classes[0], three_classes[1])


# -- output ----------------------------------------------------------------------------------
@pytest.mark.slow
def test_save_figure_writes_png_and_svg_atomically(tmp_path):
    figure = plots.sigmoid_figure()
    png = tmp_path / "s.png"
    png.write_bytes(b"old")
    plots.save_figure(figure, png, dpi=40)
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    svg = tmp_path / "s.svg"
    plots.save_figure(figure, svg)
    assert b"<svg" in svg.read_bytes()[:2000]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.png", "s.svg"]  # no temp files
    with pytest.raises(ValueError, match=".png"):
        plots.save_figure(figure, tmp_path / "s.jpg")
    with pytest.raises(FileNotFoundError):
        plots.save_figure(figure, tmp_path / "missing" / "s.png")
    assert plots.png_bytes(figure, dpi=40) == png.read_bytes()


@pytest.mark.slow
def test_plots_never_import_pyplot(tmp_path):
    # pyplot is where the global backend and figure manager live: never imported
    code = ("import sys; import logistic.viz.plots as p; "
            "p.save_figure(p.cost_figure(), sys.argv[1]); "
            "assert 'matplotlib.pyplot' not in sys.modules")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    target = tmp_path / "cost.png"
    done = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True,
                          text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert target.read_bytes().startswith(b"\x89PNG")
