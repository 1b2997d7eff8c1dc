"""linalg.solve_psd against NumPy's solve and pseudo-inverse, and its invariance to the
units of the columns (the diagonal equilibration)."""

from __future__ import annotations

import numpy as np
import pytest

from logistic.core.linalg import solve_psd


def _spd(p: int, seed: int) -> np.ndarray:
    A = np.random.default_rng(seed).standard_normal((3 * p, p))
    return A.T @ A


@pytest.mark.parametrize("columns", [None, 1, 4])
def test_invertible_matrix_is_solved_as_numpy_solves_it(columns):
    H = _spd(9, 1)
    rng = np.random.default_rng(2)
    b = rng.standard_normal(9) if columns is None else rng.standard_normal((9, columns))
    x, rank = solve_psd(H, b)
    assert rank == 9 and x.shape == b.shape
    np.testing.assert_allclose(x, np.linalg.solve(H, b), rtol=1e-10, atol=1e-12)


def test_columns_in_other_units_change_only_the_units_of_the_solution():
    """(DAD)⁻¹Db = D⁻¹A⁻¹b for D = diag(1e8, 1, 1e-8, …): Hessian entries 1e32 apart must
    not make a column look like rounding noise."""
    H = _spd(6, 3)
    b = np.random.default_rng(4).standard_normal(6)
    D = np.array([1e8, 1.0, 1e-8, 3.0, 1e5, 1e-5])
    x, rank = solve_psd(D[:, None] * H * D, D * b)
    assert rank == 6
    np.testing.assert_allclose(x * D, np.linalg.solve(H, b), rtol=1e-8)


def test_duplicate_column_gives_the_pseudo_inverse_solution_and_its_rank():
    A = np.random.default_rng(5).standard_normal((30, 4))
    A = np.column_stack([A, A[:, 1]])  # column 4 duplicates column 1: rank 4
    H = A.T @ A
    b = A.T @ np.random.default_rng(6).standard_normal(30)  # in the range of H
    x, rank = solve_psd(H, b)
    assert rank == 4
    np.testing.assert_allclose(x, np.linalg.pinv(H) @ b, rtol=1e-8, atol=1e-10)
    assert x[1] == pytest.approx(x[4])  # the collinear pair splits evenly


def test_zero_row_and_column_are_left_at_zero():
    H = np.zeros((3, 3))
    H[:2, :2] = [[2.0, 1.0], [1.0, 2.0]]
    x, rank = solve_psd(H, np.array([1.0, 1.0, 0.0]))
    assert rank == 2
    np.testing.assert_allclose(x, [1 / 3, 1 / 3, 0.0], atol=1e-15)
