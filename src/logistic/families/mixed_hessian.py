"""The β–β block of the Laplace log-likelihood's Hessian in closed form, in one sweep.

Group g's Laplace term ℓ_g = h(û) − ½ D, D = log det H(û), depends on β only through its
rows' fixed part η₀ = X_g β. With vᵢ = Lᵀzᵢ, P = V H⁻¹ Vᵀ (n_g × n_g, rank q), the row
weights W = bμ(1 − μ), W′ = W(1 − 2μ), W″ = W(1 − 6μ + 6μ²) at η = η₀ + Vû, and
M = ∂η/∂η₀ = I − PW (the mode moves by ∂û/∂η₀ⱼ = −H⁻¹vⱼWⱼ):

    ∂²ℓ_g/∂η₀∂η₀ᵀ = −WM − ½ Mᵀ [diag(δ) − diag(W′)(P∘P)diag(W′)] M,
    δ = diag(P)·W″ − W′·(P d),   d = diag(P)·W′   (the score is r − ½Mᵀd)

so ∇²_ββ ℓ = Σ_g −X_gᵀWY_g − ½ (Y_gᵀ diag(δ) Y_g − F_gᵀ (H⁻¹⊗H⁻¹) F_g) with Y_g = M X_g and
F_g = Σᵢ W′ᵢ (vᵢ⊗vᵢ) Yᵢᵀ ((P∘P)ᵢₗ = (vᵢ⊗vᵢ)ᵀ(H⁻¹⊗H⁻¹)(vₗ⊗vₗ)). The first term is the
Schur complement Σ_g X_gᵀWX_g − X_gᵀWV H⁻¹VᵀWX_g; the second the log-determinant's
third- and fourth-derivative part. Every piece is a per-group sum: O(n p (p + q²)).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from logistic.families.mixed import MixedData

__all__ = ["laplace_fixed_hessian"]


def laplace_fixed_hessian(data: MixedData, beta: NDArray[np.float64],
                          factor: NDArray[np.float64], modes: NDArray[np.float64],
                          inverse_information: NDArray[np.float64]) -> NDArray[np.float64]:
    """∇²_ββ ℓ of the Laplace approximation at (β, L), the modes û and H(û)⁻¹ given (those
    of a pass at these parameters), by the formula in the module docstring."""
    X, group_starts = data.X, data.starts[:-1]
    group = np.repeat(np.arange(data.n_groups), np.diff(data.starts))
    V = data.Z @ factor
    eta = X @ beta + np.einsum("nk,nk->n", V, modes[group])
    mu = expit(eta)
    spread = data.b * mu * (1.0 - mu)                     # W
    skew = spread * (1.0 - 2.0 * mu)                      # W′
    kurt = spread * (1.0 - 6.0 * mu * (1.0 - mu))         # W″
    hv = np.einsum("nkm,nm->nk", inverse_information[group], V)   # H⁻¹vᵢ
    leverage = np.einsum("nk,nk->n", V, hv)                        # Pᵢᵢ
    d = leverage * skew
    p_d = np.einsum("nk,nk->n", hv, _group_sums(V * d[:, None], group_starts)[group])
    delta = leverage * kurt - skew * p_d
    # Y = MX = X − V H⁻¹ (Σ_group vₗWₗxₗᵀ), one q-column at a time (n × p each)
    weighted = X * spread[:, None]
    Y = X.copy()
    for k in range(V.shape[1]):
        Y -= hv[:, k:k + 1] * _group_sums(V[:, k:k + 1] * weighted, group_starts)[group]
    # −XᵀWY − ½YᵀδY as one product (WX + ½δY)ᵀY; its asymmetry is rounding, averaged out
    out = -((weighted + 0.5 * delta[:, None] * Y).T @ Y)
    q = V.shape[1]
    F = np.stack([_group_sums((skew * V[:, a] * V[:, c])[:, None] * Y, group_starts)
                  for a in range(q) for c in range(q)], axis=1)   # G × q² × p
    kron = np.einsum("gab,gcd->gacbd", inverse_information,
                     inverse_information).reshape(-1, q * q, q * q)
    out += 0.5 * np.einsum("gap,gab,gbr->pr", F, kron, F)
    return np.asarray(0.5 * (out + out.T), dtype=np.float64)


def _group_sums(values: NDArray[np.float64], group_starts: NDArray[np.int64]) -> NDArray:
    """Σ over each group's rows (rows sorted by group, every group non-empty)."""
    return np.add.reduceat(values, group_starts, axis=0)
