"""Checks shared by the solvers' tests (imported as ``solver_checks``: pytest puts tests/,
tests/conftest.py's folder, on the path)."""

from __future__ import annotations

import numpy as np
import pytest


def assert_callback_saw_each_iteration(calls: list, result, objective) -> None:
    """``calls``, the (iteration, state) pairs a solver's callback got, are iterations 1, 2,
    … up to ``result.n_iter``; each state's loss and ‖∇J‖∞ are the objective's at its θ;
    the last θ is the result's; the history holds the start plus one entry per call."""
    iterations = [i for i, _ in calls]
    assert iterations == list(range(1, len(calls) + 1))
    assert iterations[-1] == result.n_iter
    for _, state in calls:
        assert {"loss", "grad_norm", "theta"} <= set(state)
        assert state["loss"] == pytest.approx(objective.value(state["theta"]), rel=1e-12, abs=0)
        norm = np.max(np.abs(objective.gradient(state["theta"])))
        assert state["grad_norm"] == pytest.approx(norm, rel=1e-9, abs=1e-15)
    np.testing.assert_allclose(calls[-1][1]["theta"], result.theta, rtol=0, atol=1e-12)
    assert result.loss_history[1:] == [s["loss"] for _, s in calls]
    assert result.grad_norm_history[1:] == [s["grad_norm"] for _, s in calls]
