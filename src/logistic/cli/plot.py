"""``logistic plot KIND``: one figure of :mod:`logistic.viz.plots`, written atomically.

Each KIND is a row of :data:`KINDS`: what it takes (for the help and the errors) and the
function that checks its inputs, reads them and draws. ``logistic.viz.plots`` imports
matplotlib, so it is imported inside the functions that draw, not at the top: the other
commands start without it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from logistic.cli.errors import UsageError, warnings_to_stderr, writing
from logistic.cli.options import (
    TARGET_HELP,
    Subcommands,
    add_command,
    add_reading_options,
    float_list,
    non_negative_int,
    positive_float,
    resolution,
)
from logistic.exceptions import DataError
from logistic.io.formats import TABLE_FORMATS, resolve_format

if TYPE_CHECKING:  # matplotlib is imported only by the commands that draw; pandas, rich and
    # the readers by the handler when it runs: building the parser imports no NumPy
    from matplotlib.figure import Figure
    from rich.console import Console

DESCRIPTION = (
    "Draws one figure. Without inputs: sigmoid (σ and its limits), derivatives (σ' with its "
    "maximum 0.25 at z = 0, and σ''), cost (−log h and −log(1 − h) with the lecture's three "
    "cases). boundary MODEL [DATA] (two features) or --weights=W0,W1,W2 (e.g. "
    "--weights=-3,1,1: the line x1 + x2 = 3). training DATA --target COL: a saved model keeps "
    "no loss history, so this fits gradient descent, Newton and L-BFGS (--compare solvers) or "
    "gradient descent on the squared error and on the cross-entropy (--compare losses) "
    "itself, from one start; it warns when gradient descent's cost rises (unscaled features: "
    "add --standardize). coefficients MODEL: the intercept left out unless --intercept, "
    "huge intervals (separated terms) cut at the axis. roc, calibration MODEL DATA --target COL. "
    "scores MODEL DATA [--target COL]. diagnostics MODEL DATA --target COL: residuals "
    "against fitted values and against leverage with Cook's distance contours (a binary "
    "model fitted without a penalty)."
)


def register(commands: Subcommands) -> None:
    """Adds ``plot`` and its options."""
    plot = add_command(commands, "plot", help="draw a figure as PNG or SVG",
                       description=DESCRIPTION)
    plot.add_argument("kind", choices=PLOT_KINDS, metavar="KIND",
                      help=f"one of: {', '.join(PLOT_KINDS)}")
    plot.add_argument("inputs", nargs="*", type=Path, metavar="MODEL/DATA",
                      help="the model file and/or the data file the KIND needs")
    plot.add_argument("--out", type=Path, required=True, metavar="FILE.png",
                      help="where to write the figure (.png or .svg)")
    plot.add_argument("--target", metavar="COL", help=TARGET_HELP)
    plot.add_argument("--weights", type=float_list, metavar="W0,W1,W2",
                      help="boundary: bias and two weights, e.g. --weights=-3,1,1")
    plot.add_argument("--compare", choices=["solvers", "losses"], default="solvers",
                      help="training: what to compare (default: solvers)")
    plot.add_argument("--max-iter", type=non_negative_int, default=None, metavar="N",
                      help="training: iterations per fit (default 200 solvers, 300 losses)")
    plot.add_argument("--learning-rate", type=positive_float, default=0.5, metavar="ETA",
                      help="training: gradient descent's step η (default 0.5)")
    plot.add_argument("--standardize", action="store_true",
                      help="training: scale each feature to mean 0, standard deviation 1 first")
    plot.add_argument("--intercept", action="store_true",
                      help="coefficients: draw the intercept(s) too, on their own axis "
                      "(left out by default)")
    plot.add_argument("--dpi", type=resolution, default=100.0,
                      help="resolution of a PNG, 10 to 2400 (default 100)")
    add_reading_options(plot)
    plot.set_defaults(handler=cmd_plot)


def cmd_plot(args: argparse.Namespace, console: Console) -> int:
    """``logistic plot KIND``: one figure of :mod:`logistic.viz.plots`, written atomically."""
    from logistic.cli.output_paths import check_output_path
    from logistic.viz import plots

    request = PlotRequest(args.kind, list(args.inputs), args)
    out = check_output_path(args.out, *request.inputs)
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in plots.FIGURE_FORMATS:
        raise UsageError(
            f"{out}: the figure is written as .png or .svg; give --out a file name ending in "
            "one of them"
        )
    figure = KINDS[request.kind].draw(request)
    with writing(out, "the figure"):
        plots.save_figure(figure, out, dpi=args.dpi)
    console.print(f"{request.kind} figure written to {out}")
    return 0


@dataclass(frozen=True)
class PlotRequest:
    """One ``logistic plot`` run: its KIND, its MODEL/DATA paths and the parsed options."""

    kind: str
    inputs: list[Path]
    args: argparse.Namespace

    def expect(self, count: int | tuple[int, int]) -> None:
        """Fails unless the KIND was given ``count`` (or ``(low, high)``) MODEL/DATA paths."""
        low, high = (count, count) if isinstance(count, int) else count
        if low <= len(self.inputs) <= high:
            return
        given = " ".join(str(p) for p in self.inputs) or "nothing"
        if high == 0:
            raise UsageError(f"plot {self.kind} takes no MODEL or DATA (got {given})")
        takes = KINDS[self.kind].takes
        raise UsageError(
            f"plot {self.kind} takes {takes} (got {given}): "
            f"logistic plot {self.kind} {takes} --out FILE.png"
        )

    def need_target(self, data: Path) -> None:
        """Fails when ``data`` is a table and --target does not name its label column."""
        # LIBSVM files hold their labels; an .npy array's are its last column by default
        if self.args.target is None and resolve_format(data, self.args.fmt) in TABLE_FORMATS:
            raise UsageError(f"plot {self.kind} needs the label column: add --target COL")

    def call(self, draw: Callable[[], Figure]) -> Figure:
        """Runs a figure function; its ValueError (the figure does not apply to this model or
        these data, e.g. one class only) is the user's input problem: exit status 2."""
        try:
            return draw()
        except ValueError as exc:
            raise UsageError(f"cannot draw {self.kind}: {exc}") from None


# -- the kinds: each checks its inputs, reads them and returns the figure ---------------------
def _sigmoid(request: PlotRequest) -> Figure:
    from logistic.viz import plots

    request.expect(0)
    return plots.sigmoid_figure()


def _derivatives(request: PlotRequest) -> Figure:
    from logistic.viz import plots

    request.expect(0)
    return plots.derivatives_figure()


def _cost(request: PlotRequest) -> Figure:
    from logistic.viz import plots

    request.expect(0)
    return plots.cost_figure()


def _boundary(request: PlotRequest) -> Figure:
    if request.args.weights is not None:
        return _boundary_of_weights(request)
    return _boundary_of_model(request)


def _boundary_of_weights(request: PlotRequest) -> Figure:
    """``--weights=W0,W1,W2``: the line W0 + W1·x1 + W2·x2 = 0, over DATA if given."""
    from logistic.cli.inputs import read_data
    from logistic.viz import plots

    weights, inputs = request.args.weights, request.inputs
    request.expect((0, 1))
    if len(weights) != 3:
        raise UsageError(
            f"--weights takes the bias and two weights W0,W1,W2, got {len(weights)} number(s)"
        )
    data = inputs[0] if inputs else None
    X = y = names = None
    if data is not None:
        X, y, names = read_data(data, request.args, need_labels=False, dense=True)
        if len(names) != 2:
            raise DataError(
                f"{data}: the boundary of --weights is drawn over 2 feature columns; "
                f"the table has {len(names)} besides the target"
            )
    return request.call(lambda: plots.boundary_figure(weights, X, y, feature_names=names))


def _boundary_of_model(request: PlotRequest) -> Figure:
    """MODEL [DATA]: a saved two-feature binary model's boundary, over DATA if given."""
    from logistic.cli.inputs import load_binary, model_data
    from logistic.viz import plots

    inputs = request.inputs
    if not inputs:
        raise UsageError("plot boundary needs MODEL [DATA], or the weights: --weights=W0,W1,W2")
    request.expect((1, 2))
    model = load_binary(inputs[0], "the decision boundary")
    if int(model.n_features_in_) != 2:
        raise UsageError(
            f"{inputs[0]}: the decision boundary is drawn for a model of 2 features; "
            f"this one has {int(model.n_features_in_)}"
        )
    X = y = None
    if len(inputs) == 2:
        X, y = model_data(model, inputs[0], inputs[1], request.args, need_target=False,
                          dense=True)
    return request.call(lambda: plots.boundary_figure(model, X, y))


def _training(request: PlotRequest) -> Figure:
    """DATA: fits the comparison of ``--compare`` on DATA and draws it."""
    import pandas as pd

    from logistic.cli.inputs import read_data
    from logistic.viz import plots

    args, inputs = request.args, request.inputs
    if len(inputs) == 2:
        raise UsageError(
            "plot training takes DATA only: a saved model keeps no loss history, so the "
            "command fits the models itself (logistic plot training DATA --target COL "
            "--out FILE.png)"
        )
    request.expect(1)
    data = inputs[0]
    request.need_target(data)
    X, y, _ = read_data(data, args, need_labels=True, dense=True)
    target = "the labels" if args.target is None else repr(args.target)
    if args.standardize:
        scale = X.std(ddof=0).replace(0.0, 1.0)
        X = (X - X.mean()) / scale
    if args.compare == "losses":
        if len(pd.unique(y)) != 2:
            raise DataError(
                f"{data}: the squared error is for two classes; {target} has "
                f"{len(pd.unique(y))}"
            )
        options = {"max_iter": 300 if args.max_iter is None else args.max_iter,
                   "learning_rate": args.learning_rate}
        return warnings_to_stderr(
            lambda: request.call(lambda: plots.loss_comparison(X, y, **options)), sort=True
        )
    options = {"max_iter": 200 if args.max_iter is None else args.max_iter,
               "learning_rate": args.learning_rate}
    return warnings_to_stderr(
        lambda: request.call(lambda: plots.solver_comparison(X, y, **options)), sort=True
    )


def _coefficients(request: PlotRequest) -> Figure:
    from logistic.cli.inputs import require_logistic
    from logistic.io.model_file import load
    from logistic.viz import plots

    request.expect(1)
    model = load(request.inputs[0])
    require_logistic(model, request.inputs[0], "the coefficient figure")
    return request.call(lambda: plots.coefficient_figure(
        model, show_intercept=request.args.intercept))


def _scores(request: PlotRequest) -> Figure:
    from logistic.cli.inputs import load_binary, model_data
    from logistic.viz import plots

    request.expect(2)
    model_path, data_path = request.inputs
    model = load_binary(model_path, "the score distribution")
    X, y = model_data(model, model_path, data_path, request.args, need_target=False,
                      dense=True)
    return request.call(lambda: plots.scores_figure(model, X, y))


def _roc(request: PlotRequest) -> Figure:
    from logistic.viz import plots

    return _labelled_figure(request, plots.roc_figure)


def _calibration(request: PlotRequest) -> Figure:
    from logistic.viz import plots

    return _labelled_figure(request, plots.calibration_figure)


def _diagnostics(request: PlotRequest) -> Figure:
    from logistic.viz import plots

    return _labelled_figure(request, plots.diagnostics_figure, dense=False)


def _labelled_figure(
    request: PlotRequest, draw: Callable[..., Figure], *, dense: bool = True
) -> Figure:
    """MODEL DATA --target COL: ``draw(model, X, y)`` with the labels of DATA (sparse data
    densified unless ``dense=False``)."""
    from logistic.cli.inputs import model_data
    from logistic.io.model_file import load

    request.expect(2)
    model_path, data_path = request.inputs
    model = load(model_path)
    if getattr(model, "formula_", None) is None:  # a formula model's labels: its response
        request.need_target(data_path)
    X, y = model_data(model, model_path, data_path, request.args, need_target=True,
                      dense=dense)
    return request.call(lambda: draw(model, X, y))


@dataclass(frozen=True)
class PlotKind:
    """A KIND of figure: what it takes, and the function that draws it."""

    takes: str
    draw: Callable[[PlotRequest], Figure]


#: ``logistic plot`` kinds: KIND → what it takes and how it is drawn.
KINDS: dict[str, PlotKind] = {
    "sigmoid": PlotKind("no inputs", _sigmoid),
    "derivatives": PlotKind("no inputs", _derivatives),
    "cost": PlotKind("no inputs", _cost),
    "boundary": PlotKind("MODEL [DATA], or --weights=W0,W1,W2 [DATA]", _boundary),
    "training": PlotKind("DATA --target COL", _training),
    "roc": PlotKind("MODEL DATA --target COL", _roc),
    "calibration": PlotKind("MODEL DATA --target COL", _calibration),
    "coefficients": PlotKind("MODEL", _coefficients),
    "scores": PlotKind("MODEL DATA [--target COL]", _scores),
    "diagnostics": PlotKind("MODEL DATA --target COL", _diagnostics),
}

#: ``logistic plot`` kinds and what each takes.
PLOT_KINDS: dict[str, str] = {name: kind.takes for name, kind in KINDS.items()}
