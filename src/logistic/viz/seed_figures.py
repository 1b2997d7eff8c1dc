"""The seeds' figures: σ(z) and its limits, σ'(z) and σ''(z), and the cost of one sample::

    sigmoid_figure()          σ(z) with its limits 0 (z → −∞), ½ (z = 0), 1 (z → +∞)
    derivatives_figure()      σ'(z) = σ(1 − σ), maximum 0.25 at z = 0, vanishing tails; σ''(z)
    cost_figure()             −log(h) for y = 1, −log(1 − h) for y = 0, the three cases of seed 001
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from logistic.core.sigmoid import sigmoid, sigmoid_derivative, sigmoid_second_derivative
from logistic.viz.figures import BLUE, GREEN, GREY, RED, new_figure

__all__ = ["COST_CASES", "cost_figure", "derivatives_figure", "sigmoid_figure"]


#: Seed 001's three cases: (y, ŷ).
COST_CASES = ((1, 0.2), (1, 0.8), (0, 0.9))


def sigmoid_figure(z_min: float = -8.0, z_max: float = 8.0, n: int = 801) -> Figure:
    """σ(z) = 1/(1 + e^−z) on [z_min, z_max], with its limits marked (seed 001).

    gids: 'sigmoid' (the curve), 'limit:0' and 'limit:1' (the asymptotes), 'limit:0.5' (the
    point (0, ½)).
    """
    if not z_min < 0 < z_max:
        raise ValueError("the range must contain z = 0")
    figure = new_figure((6.4, 3.8))
    ax = figure.add_subplot()
    z = np.linspace(z_min, z_max, n)
    ax.plot(z, sigmoid(z), color=BLUE, lw=2.2, gid="sigmoid",
            label=r"$\sigma(z) = \dfrac{1}{1 + e^{-z}}$")
    ax.axhline(0.0, color=GREY, ls="--", lw=1, gid="limit:0")
    ax.axhline(1.0, color=GREY, ls="--", lw=1, gid="limit:1")
    ax.axhline(0.5, color=GREY, ls=":", lw=0.8)
    ax.axvline(0.0, color=GREY, ls=":", lw=0.8)
    ax.plot([0.0], [float(sigmoid(0.0))], "o", color=RED, ms=7, gid="limit:0.5",
            label=r"$\sigma(0) = \frac{1}{2}$")
    ax.annotate(r"$\sigma(z) \to 1$ as $z \to +\infty$", xy=(0.55 * z_max, 1.0),
                xytext=(0.2 * z_max, 0.82), arrowprops={"arrowstyle": "->", "color": GREY})
    ax.annotate(r"$\sigma(z) \to 0$ as $z \to -\infty$", xy=(0.55 * z_min, 0.0),
                xytext=(0.95 * z_min, 0.15), arrowprops={"arrowstyle": "->", "color": GREY})
    ax.annotate(r"$z = 0$: $\sigma = \frac{1}{2}$, the decision boundary", xy=(0.0, 0.5),
                xytext=(0.12 * z_max, 0.42), fontsize=9)
    ax.set(xlim=(z_min, z_max), ylim=(-0.08, 1.08), xlabel="z = w·x + b",
           ylabel=r"$\hat{y} = \sigma(z)$", title="The sigmoid and its limits")
    ax.legend(loc="upper left", fontsize=9)
    return figure


def derivatives_figure(z_min: float = -8.0, z_max: float = 8.0, n: int = 801,
                       tail: float = 0.01) -> Figure:
    """σ'(z) = σ(z)(1 − σ(z)) with its maximum 0.25 at z = 0 and its vanishing tails, and
    σ''(z) = σ'(z)(1 − 2σ(z)) whose zero at z = 0 locates that maximum (seed 003).

    The tails are shaded where σ'(z) < ``tail``. gids: 'sigmoid_derivative', 'max' (the point
    (0, 0.25)), 'tail:left', 'tail:right', 'sigmoid_second_derivative', 'zero' (the point
    (0, 0)), 'extremum' (σ'' at z = ±log(2 + √3), where σ' bends most).
    """
    if not z_min < 0 < z_max:
        raise ValueError("the range must contain z = 0")
    figure = new_figure((6.4, 5.6))
    top, bottom = figure.subplots(2, 1, sharex=True)
    z = np.linspace(z_min, z_max, n)

    top.plot(z, sigmoid_derivative(z), color=BLUE, lw=2.2, gid="sigmoid_derivative",
             label=r"$\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$")
    peak = float(sigmoid_derivative(0.0))
    top.plot([0.0], [peak], "o", color=RED, ms=7, gid="max",
             label=rf"maximum $\sigma'(0) = {peak:g}$")
    # σ'(z) = tail ⇔ σ(z) = (1 ± √(1 − 4·tail)) / 2
    edge = float(np.log((1 + np.sqrt(1 - 4 * tail)) / (1 - np.sqrt(1 - 4 * tail))))
    top.axvspan(z_min, -edge, color=GREY, alpha=0.15, gid="tail:left",
                label=rf"$\sigma'(z) < {tail:g}$: confident, almost no update")
    top.axvspan(edge, z_max, color=GREY, alpha=0.15, gid="tail:right")
    top.annotate("largest update where the\nprediction is least certain", xy=(0.0, peak),
                 xytext=(0.3 * z_max, 0.19), fontsize=9,
                 arrowprops={"arrowstyle": "->", "color": GREY})
    top.set(ylim=(-0.01, 0.29), ylabel=r"$\sigma'(z)$",
            title="The derivative: 0.25 at most, vanishing in the tails")
    top.legend(loc="upper left", fontsize=8)

    bottom.plot(z, sigmoid_second_derivative(z), color=GREEN, lw=2.2,
                gid="sigmoid_second_derivative",
                label=r"$\sigma''(z) = \sigma'(z)\,(1 - 2\sigma(z))$")
    bottom.axhline(0.0, color=GREY, lw=0.8)
    bottom.plot([0.0], [0.0], "o", color=RED, ms=7, gid="zero",
                label=r"$\sigma''(0) = 0$: where $\sigma'$ peaks")
    bend = float(np.log(2 + np.sqrt(3)))
    bottom.plot([-bend, bend], sigmoid_second_derivative(np.array([-bend, bend])), "s",
                color=GREY, ms=5, gid="extremum",
                label=r"extrema at $z = \pm\log(2+\sqrt{3})$")
    bottom.set(xlim=(z_min, z_max), xlabel="z", ylabel=r"$\sigma''(z)$")
    bottom.legend(loc="upper right", fontsize=8)
    return figure


def cost_figure(cases: Sequence[tuple[int, float]] = COST_CASES) -> Figure:
    """The cost of one sample: −log(h) if y = 1, −log(1 − h) if y = 0 (seed 001).

    Each case (y, ŷ) is marked on its curve with its loss e = −log ŷ or −log(1 − ŷ); for the
    seed's cases −log 0.2 = 1.609, −log 0.8 = 0.223 and −log(1 − 0.9) = −log 0.1 = 2.303.
    gids: 'cost:y=1', 'cost:y=0' (the curves), 'case:y=<y>:yhat=<ŷ>' (the marker at (ŷ, e)),
    'annotation:y=<y>:yhat=<ŷ>' (its text, ending in '= <e>').
    """
    figure = new_figure((6.4, 4.2))
    ax = figure.add_subplot()
    h = np.linspace(0.001, 0.999, 999)
    ax.plot(h, -np.log(h), color=BLUE, lw=2.2, gid="cost:y=1", label=r"$y = 1$: $-\log(h)$")
    ax.plot(h, -np.log1p(-h), color=RED, lw=2.2, gid="cost:y=0",
            label=r"$y = 0$: $-\log(1 - h)$")
    # where the seed's three cases put their text; other cases go above their point
    places = {(1, 0.2): (0.24, 2.7), (1, 0.8): (0.42, 1.45), (0, 0.9): (0.38, 3.55)}
    for y, y_hat in cases:
        if y not in (0, 1) or not 0.0 < y_hat < 1.0:
            raise ValueError(f"a case is (y in {{0, 1}}, 0 < ŷ < 1), got {(y, y_hat)!r}")
        argument = y_hat if y == 1 else 1.0 - y_hat
        loss = float(-np.log(argument))
        color = BLUE if y == 1 else RED
        ax.plot([y_hat], [loss], "o", color=color, ms=8, mec="black",
                gid=f"case:y={y}:yhat={y_hat:g}")
        inside = f"{y_hat:g}" if y == 1 else f"(1 - {y_hat:g}) = -\\log {1 - y_hat:g}"
        text = rf"$y = {y}$, $\hat{{y}} = {y_hat:g}$" + "\n" + (
            rf"$e = -\log {inside}$ = {loss:.4f}"
        )
        place = places.get((y, y_hat), (min(max(y_hat - 0.2, 0.02), 0.7), min(loss + 1.0, 4.2)))
        ax.annotate(text, xy=(y_hat, loss), xytext=place,
                    fontsize=9, gid=f"annotation:y={y}:yhat={y_hat:g}",
                    arrowprops={"arrowstyle": "->", "color": color},
                    bbox={"boxstyle": "round", "fc": "white", "ec": color, "alpha": 0.9})
    ax.set(xlim=(0, 1), ylim=(0, 5), xlabel=r"$h = \hat{y} = \sigma(z)$",
           ylabel="cost of one sample", title="Cross-entropy: a confident mistake costs most")
    ax.legend(loc="upper center", fontsize=9)
    return figure
