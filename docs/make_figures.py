"""Draws every figure of docs/tutorial.md; rewrites the committed ones only when asked.

    python docs/make_figures.py                   # into a new temporary directory (printed)
    python docs/make_figures.py --out build/figs  # into build/figs
    python docs/make_figures.py --update          # into docs/figures/, the committed files
    python docs/make_figures.py --only sigmoid,cost --out /tmp/f   # some of them

From the repository root, or from anywhere. Without ``--update`` nothing under docs/ is
written (tests/test_docs_run.py checks that it writes only under ``--out``).

Deterministic: fixed seeds, scikit-learn's breast-cancer data, no timestamps in the PNGs.
The images are quantized to a small palette so the repository stays light (~20-60 kB each).
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
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


def write(name: str, figure, out: Path) -> None:
    """The figure as a palette PNG (128 colours, optimized) in <out>/<name>.png."""
    image = Image.open(io.BytesIO(plots.png_bytes(figure, dpi=DPI))).convert("RGB")
    small = image.quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    buffer = io.BytesIO()
    small.save(buffer, format="PNG", optimize=True)
    path = out / f"{name}.png"
    path.write_bytes(buffer.getvalue())
    print(f"{path}  {len(buffer.getvalue()) / 1024:.0f} kB")


def breast_cancer():
    """The demo's split: standardized on the training rows, 30 % held out (seed 0)."""
    data = load_breast_cancer(as_frame=True)
    y = data.target_names[data.target.to_numpy()]  # 'malignant' / 'benign'
    X_train, X_test, y_train, y_test = train_test_split(
        data.data, y, test_size=0.3, stratify=y, random_state=0
    )
    scaler = StandardScaler().set_output(transform="pandas").fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def figures() -> Iterator[tuple[str, Callable[[], object]]]:
    """(name, a function drawing it) for every figure, in the tutorial's order; the data a
    figure needs is made when the first figure that needs it is drawn."""
    # 1-3: the seeds' functions
    yield "sigmoid", plots.sigmoid_figure
    yield "derivatives", plots.derivatives_figure
    yield "cost", plots.cost_figure

    # 4: the decision boundary, a line (seed 001's W = [-3, 1, 1]) and a circle
    yield "boundary_line", lambda: plots.boundary_figure([-3, 1, 1], xlim=(-1, 5), ylim=(-1, 5))

    def circle_figure():
        rng = np.random.default_rng(0)
        X = rng.uniform(-2, 2, size=(400, 2))
        y = np.where((X**2).sum(axis=1) < 1.5, "inside", "outside")
        circle = make_pipeline(FunctionTransformer(np.square),
                               LogisticRegression(penalty="l2", C=100)).fit(X, y)
        return plots.boundary_figure(circle, X, y, feature_names=["x1", "x2"])

    yield "boundary_circle", circle_figure

    # 5-6: solvers and losses on the breast-cancer data
    split: dict[str, object] = {}

    def data():
        if not split:
            split.update(zip(["X_train", "X_test", "y_train", "y_test"], breast_cancer(),
                             strict=True))
        return split["X_train"], split["X_test"], split["y_train"], split["y_test"]

    def losses_figure():
        X_train, _, y_train, _ = data()
        ten = X_train.iloc[:, :10]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a separation warning is beside the point here
            reference = LogisticRegression(penalty="l2").fit(ten, y_train)
        wrong = (-0.5 * reference.coef_.ravel(), 0.0)  # confidently wrong: the signs flipped
        return plots.loss_comparison(ten, y_train, start=wrong, max_iter=300, learning_rate=0.5)

    yield "solvers", lambda: plots.solver_comparison(data()[0].iloc[:, :10], data()[2],
                                                     max_iter=200, learning_rate=0.5)
    yield "losses", losses_figure

    # 7: a model on held-out data
    fitted: dict[str, LogisticRegression] = {}

    def held_out(draw):
        def figure():
            X_train, X_test, y_train, y_test = data()
            if not fitted:
                fitted["model"] = LogisticRegression(penalty="l2", C=1.0).fit(X_train, y_train)
            return draw(fitted["model"], X_test, y_test)
        return figure

    yield "roc", held_out(plots.roc_figure)
    yield "calibration", held_out(lambda m, X, y: plots.calibration_figure(m, X, y, n_bins=8))
    yield "scores", held_out(plots.scores_figure)

    def coefficients_figure():
        X_train, _, y_train, _ = data()
        few = ["mean radius", "mean texture", "mean smoothness", "mean concave points"]
        return plots.coefficient_figure(LogisticRegression().fit(X_train[few], y_train))

    yield "coefficients", coefficients_figure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--out", type=Path, help="the directory to write into (made if "
                       "missing; default: a new temporary directory)")
    where.add_argument("--update", action="store_true",
                       help=f"rewrite the committed figures in {FIGURES}")
    parser.add_argument("--only", help="comma-separated figure names (default: all)")
    args = parser.parse_args(argv)
    known = [name for name, _ in figures()]
    wanted = known if args.only is None else args.only.split(",")
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        parser.error(f"unknown figure {unknown[0]!r}; the figures: {', '.join(known)}")
    if args.update:
        out = FIGURES
    elif args.out is not None:
        out = args.out
    else:
        out = Path(tempfile.mkdtemp(prefix="logistic-figures-"))
    out.mkdir(parents=True, exist_ok=True)
    for name, draw in figures():
        if name in wanted:
            write(name, draw(), out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
