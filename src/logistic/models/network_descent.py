"""Gradient descent on the network's objective: the lecture's update W ← W - η·ΔW.

Every weight and bias takes the same step along its own gradient block (ΔW^[1], Δb^[1], ΔW^[2],
Δb^[2], packed into one vector θ by :class:`~logistic.core.network.Architecture`), with
optional momentum and mini-batches. ``SigmoidNetwork(solver='gd')`` and ``compare_losses``
both train with it; L-BFGS comes from :mod:`logistic.solvers`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from sklearn.utils import check_random_state

from logistic.core.network import NetworkObjective
from logistic.solvers import SolverResult
from logistic.solvers.result import report

Array = NDArray[np.float64]

__all__ = ["gradient_descent"]


def gradient_descent(
    objective: NetworkObjective,
    theta0: Array,
    *,
    learning_rate: float = 0.1,
    max_iter: int = 200,
    tol: float = 1e-5,
    momentum: float = 0.0,
    batch_size: int | None = None,
    random_state: int | np.random.RandomState | None = None,
    callback: Callable[[int, dict], object] | None = None,
) -> SolverResult:
    """W ← W - η·ΔW (each W and b), with optional momentum v ← μv - ηΔW, W ← W + v.

    Full batch (batch_size None or ≥ m): one step per iteration, stopping when
    ‖∇J‖∞ ≤ tol. Mini-batches: each epoch shuffles the samples with ``random_state`` and
    takes one step per batch; all ``max_iter`` epochs are run. The history holds J and
    ‖∇J‖∞ on the whole training set at the start and after every iteration/epoch.
    A step that makes J non-finite is not taken; the solver stops and says so.
    """
    theta = np.array(theta0, dtype=np.float64)
    velocity = np.zeros_like(theta)
    rng = check_random_state(random_state)
    m = objective.n_samples
    mini_batch = batch_size is not None and batch_size < m
    result = SolverResult(theta.copy(), 0, False, "maximum number of iterations reached")
    value, grad = objective.value_and_gradient(theta)
    norm = result.record(value, grad)
    for epoch in range(1, max_iter + 1):
        if not mini_batch and norm <= tol:
            break
        candidate, new_velocity = theta.copy(), velocity.copy()
        batches = [None]
        if mini_batch:
            order = rng.permutation(m)
            batches = [order[start : start + batch_size] for start in range(0, m, batch_size)]
        for batch in batches:
            batch_grad = grad if batch is None else objective.gradient(candidate, batch)
            new_velocity = momentum * new_velocity - learning_rate * batch_grad
            candidate = candidate + new_velocity
        with np.errstate(over="ignore", invalid="ignore"):  # a step too long is caught below
            new_value, new_grad = objective.value_and_gradient(candidate)
        if not (np.isfinite(new_value) and np.all(np.isfinite(new_grad))):
            result.message = "stopped: the step made the loss non-finite; lower learning_rate"
            break
        theta, velocity, value, grad = candidate, new_velocity, new_value, new_grad
        result.theta, result.n_iter = theta, epoch
        norm = result.record(value, grad)
        report(callback, epoch, result)
    if norm <= tol:
        result.converged, result.message = True, "gradient max-norm below tol"
    elif mini_batch and result.n_iter == max_iter:
        result.message = f"ran all {max_iter} epochs of mini-batches"
    return result
