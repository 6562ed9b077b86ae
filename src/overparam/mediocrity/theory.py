"""Closed-form predictions of the escaping-mediocrity theory (SPEC.md, Paper B).

Linearising the ODE at M = 0, Q = I gives dM/dt = a M with
    a = 4 − 2γ' C_p,   C_p = 2 + 2/p + 8/p² + Δ,
so learning needs γ' < 2/C_p, and the risk R = 1 + tr(Q²)/p² − (2/p) Σ_j M_j² first drops by 1% at
    t_exit ≈ ln(d · 0.01 · R0 / 2) / (2a),
i.e. after n = t d / γ' ≈ κ d ln d samples with κ = 1 / (8γ' − 4γ'² C_p). The best rate γ'* = 1/C_p gives
κ = C_p / 4: 3 at p = 1, falling to 0.5 as p → ∞.
"""

from __future__ import annotations

import math

ESCAPE_FRACTION = 0.99  # escape: first t with R(t) < 0.99 R(0)


def c_p(p: int, delta: float) -> float:
    """C_p = 2 + 2/p + 8/p² + Δ."""
    if p < 1:
        raise ValueError(f"p must be >= 1, got {p}")
    return 2.0 + 2.0 / p + 8.0 / p**2 + delta


def growth_rate(gamma_p: float, p: int, delta: float) -> float:
    """a = 4 − 2γ' C_p: the exponential growth rate of the overlaps M near the plateau."""
    return 4.0 - 2.0 * gamma_p * c_p(p, delta)


def gamma_max(p: int, delta: float) -> float:
    """The largest rate that still escapes: γ' < 2/C_p."""
    return 2.0 / c_p(p, delta)


def gamma_opt(p: int, delta: float) -> float:
    """The rate that minimises the sample count: γ'* = 1/C_p."""
    return 1.0 / c_p(p, delta)


def plateau_risk(p: int) -> float:
    """R at M = 0, Q = I (noiseless part): 1 + 1/p."""
    return 1.0 + 1.0 / p


def t_exit(d: float, gamma_p: float, p: int, delta: float, r0: float | None = None) -> float:
    """t_exit ≈ ln(d · 0.01 · R0 / 2) / (2a), the escape time predicted by the linearised ODE."""
    a = growth_rate(gamma_p, p, delta)
    if a <= 0:
        return math.inf
    r0 = plateau_risk(p) if r0 is None else r0
    return math.log(d * (1.0 - ESCAPE_FRACTION) * r0 / 2.0) / (2.0 * a)


def kappa(gamma_p: float, p: int, delta: float) -> float:
    """κ_p = 1 / (8γ' − 4γ'² C_p): the prefactor of d ln d in the sample count n_exit."""
    denom = 8.0 * gamma_p - 4.0 * gamma_p**2 * c_p(p, delta)
    return math.inf if denom <= 0 else 1.0 / denom

