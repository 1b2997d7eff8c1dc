"""Regenerates every figure of docs/tutorial.md into docs/figures/.

    python docs/make_figures.py            # from the repository root, or from anywhere

Deterministic: fixed seeds, scikit-learn's breast-cancer data, no timestamps in the PNGs.
The images are quantized to a small palette so the repository stays light (~20-60 kB each).
"""

from __future__ import annotations

import io
import sys
import warnings
from pathlib import Path

import numpy as np
from PIL import Image
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from logistic import LogisticRegression
from logistic.viz import plots

FIGURES = Path(__file__).resolve().parent / "figures"
DPI = 80


def write(name: str, figure) -> None:
    """The figure as a palette PNG (128 colours, optimized) in docs/figures/<name>.png."""
    image = Image.open(io.BytesIO(plots.png_bytes(figure, dpi=DPI))).convert("RGB")
    small = image.quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    buffer = io.BytesIO()
    small.save(buffer, format="PNG", optimize=True)
    path = FIGURES / f"{name}.png"
    path.write_bytes(buffer.getvalue())
    print(f"{path.relative_to(FIGURES.parent.parent)}  {len(buffer.getvalue()) / 1024:.0f} kB")


def breast_cancer():
    """The demo's split: standardized on the training rows, 30 % held out (seed 0)."""
    data = load_breast_cancer(as_frame=True)
    y = data.target_names[data.target.to_numpy()]  # 'malignant' / 'benign'
    X_train, X_test, y_train, y_test = train_test_split(
        data.data, y, test_size=0.3, stratify=y, random_state=0
    )
    scaler = StandardScaler().set_output(transform="pandas").fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def main() -> int:
    FIGURES.mkdir(parents=True, exist_ok=True)

    # 1-3: the seeds' functions
    write("sigmoid", plots.sigmoid_figure())
    write("derivatives", plots.derivatives_figure())
    write("cost", plots.cost_figure())

    # 4: the decision boundary, a line (seed 001's W = [-3, 1, 1]) and a circle
    write("boundary_line", plots.boundary_figure([-3, 1, 1], xlim=(-1, 5), ylim=(-1, 5)))
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(400, 2))
    y = np.where((X**2).sum(axis=1) < 1.5, "inside", "outside")
    circle = make_pipeline(FunctionTransformer(np.square),
                           LogisticRegression(penalty="l2", C=100)).fit(X, y)
    write("boundary_circle", plots.boundary_figure(circle, X, y, feature_names=["x1", "x2"]))

    # 5-6: solvers and losses on the breast-cancer data
    X_train, X_test, y_train, y_test = breast_cancer()
    ten = X_train.iloc[:, :10]
    write("solvers", plots.solver_comparison(ten, y_train, max_iter=200, learning_rate=0.5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a separation warning is beside the point here
        reference = LogisticRegression(penalty="l2").fit(ten, y_train)
    wrong = (-0.5 * reference.coef_.ravel(), 0.0)  # confidently wrong: the signs flipped
    write("losses", plots.loss_comparison(ten, y_train, start=wrong, max_iter=300,
                                          learning_rate=0.5))

    # 7: a model on held-out data
    model = LogisticRegression(penalty="l2", C=1.0).fit(X_train, y_train)
    write("roc", plots.roc_figure(model, X_test, y_test))
    write("calibration", plots.calibration_figure(model, X_test, y_test, n_bins=8))
    write("scores", plots.scores_figure(model, X_test, y_test))
    few = ["mean radius", "mean texture", "mean smoothness", "mean concave points"]
    small = LogisticRegression().fit(X_train[few], y_train)
    write("coefficients", plots.coefficient_figure(small))
    return 0


if __name__ == "__main__":
    sys.exit(main())
