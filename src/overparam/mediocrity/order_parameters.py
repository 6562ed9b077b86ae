"""The risk as a function of the order parameters, shared by the chain, direct SGD and the ODE.

With M_j = w_j·w*/d and Q_jl = w_j·w_l/d, the noiseless part of the population risk of the student
f(x) = (1/p) Σ_j (w_j·x/√d)² against the teacher (w*·x/√d)² is

    R = E[(f − y)²]/2 = 1 + tr(Q²)/p² − (2/p) Σ_j M_j²,

and escape is the first check time with R(t) < 0.99 R(0) (``theory.ESCAPE_FRACTION``).
"""

from __future__ import annotations

from typing import Any

from overparam.backend import Backend


def risk(m: Any, q: Any, p: int, backend: Backend) -> Any:
    """R = 1 + tr(Q²)/p² − (2/p) Σ_j M_j², batched over the leading axes (m: (..., p), q: (..., p, p))."""
    xp = backend.xp
    return 1.0 + xp.sum(q * q, axis=(-2, -1)) / p**2 - 2.0 * xp.sum(m * m, axis=-1) / p
