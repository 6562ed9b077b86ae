"""The deterministic ODE of the order parameters (M, Q), integrated with SciPy from given starts.

Drift of the SGD increment per unit time t = steps·γ'/d in the limit d → ∞, including the γ'-order terms
(the second moment of the step) and the projection on the sphere (SPEC.md, Paper B, simulator 3):

    Ψ = 2[(1 − trQ/p) M + 2(M − QM/p)]
    Φ = 4[(1 − trQ/p) Q + 2(MMᵀ − Q²/p)] + 4γ'(Φtt + Φst + Φss) + 4γ'ΔQ
    Φtt = 3Q + 12MMᵀ
    Φst = −(2/p)[(trQ + 2‖M‖²)Q + 2 trQ MMᵀ + 2Q² + 4(MMᵀQ + QMMᵀ)]
    Φss = p⁻²[((trQ)² + 2 trQ²)Q + 4 trQ Q² + 8Q³]
    Φ_jl −= Q_jl(Φ_jj + Φ_ll)/2,   Ψ_j −= M_j Φ_jj/2;   dQ/dt = Φ, dM/dt = Ψ.

Ψ and the first bracket of Φ are −2E[gλ_jλ*] and −4E[gλ_jλ_l] (g = f − y, Gaussian fields with covariance
given by (M, Q)); the γ' terms are 4γ'E[g²λ_jλ_l]. ``tests/test_mediocrity_theory.py`` checks the whole drift
against the empirical mean SGD increment rather than trusting this transcription.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from overparam.backend import Backend, get_backend
from overparam.mediocrity.order_parameters import risk
from overparam.mediocrity.theory import ESCAPE_FRACTION

HOST = get_backend("numpy")  # SciPy integrates host arrays


def drift(m: Any, q: Any, gamma_p: Any, p: int, delta: float, backend: Backend) -> tuple[Any, Any]:
    """(dM/dt, dQ/dt) for a batch: m (S, p), q (S, p, p), gamma_p (S,) or scalar."""
    xp = backend.xp
    g = gamma_p if isinstance(gamma_p, float) else gamma_p[:, None, None]
    mt = xp.matrix_transpose
    eye = xp.eye(p, dtype=q.dtype)
    tr = xp.sum(q * eye, axis=(-2, -1))[:, None, None]  # trQ
    mm = m[:, :, None] * m[:, None, :]  # MMᵀ
    q2 = xp.matmul(q, q)
    tr_q2 = xp.sum(q * mt(q), axis=(-2, -1))[:, None, None]
    m_sq = xp.sum(m * m, axis=-1)[:, None, None]
    qm = xp.matmul(q, m[:, :, None])[:, :, 0]
    psi = 2.0 * ((1.0 - tr[:, :, 0] / p) * m + 2.0 * (m - qm / p))
    phi_tt = 3.0 * q + 12.0 * mm
    mmq = xp.matmul(mm, q) + xp.matmul(q, mm)
    phi_st = -(2.0 / p) * ((tr + 2.0 * m_sq) * q + 2.0 * tr * mm + 2.0 * q2 + 4.0 * mmq)
    phi_ss = ((tr * tr + 2.0 * tr_q2) * q + 4.0 * tr * q2 + 8.0 * xp.matmul(q2, q)) / p**2
    phi = 4.0 * ((1.0 - tr / p) * q + 2.0 * (mm - q2 / p)) + 4.0 * g * (phi_tt + phi_st + phi_ss) + 4.0 * g * delta * q
    diag = xp.sum(phi * eye, axis=-1)  # Φ_jj, (S, p)
    phi = phi - q * (diag[:, :, None] + diag[:, None, :]) / 2.0
    psi = psi - m * diag / 2.0
    return psi, phi


@dataclass
class OdeResult:
    """Exit times of the ODE from each start (nan where R never fell below 0.99 R0 before t_max)."""

    t_exit: np.ndarray
    r0: np.ndarray
    times: np.ndarray  # (T,) grid the risk was evaluated on
    risk: np.ndarray  # (T, S)


def solve_exit_times(
    m0: np.ndarray, q0: np.ndarray, gamma_p: np.ndarray, *, p: int, delta: float, t_max: float, n_grid: int = 2000
) -> OdeResult:
    """Integrate every start (m0[s], q0[s]) as one batched system and find each first t with R < 0.99 R0.

    SciPy's DOP853 with tight tolerances on host arrays; the crossing is bracketed on a grid of the dense
    output and refined with Brent's method, so the exit time is accurate far beyond the grid spacing.
    """
    s = m0.shape[0]
    gp = np.broadcast_to(np.asarray(gamma_p, dtype=np.float64), (s,)).copy()

    def unpack(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mq = y.reshape(s, p + p * p)
        return mq[:, :p], mq[:, p:].reshape(s, p, p)

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        m, q = unpack(y)
        dm, dq = drift(m, q, gp, p, delta, HOST)
        return np.concatenate([dm, dq.reshape(s, p * p)], axis=1).ravel()

    y0 = np.concatenate([m0, q0.reshape(s, p * p)], axis=1).ravel()
    sol = solve_ivp(rhs, (0.0, t_max), y0, method="DOP853", rtol=1e-9, atol=1e-12, dense_output=True)
    if not sol.success:
        raise RuntimeError(f"ODE integration failed: {sol.message}")
    times = np.linspace(0.0, t_max, n_grid)
    ys = sol.sol(times)  # (n_vars, T)
    risks = np.empty((n_grid, s))
    for i in range(n_grid):
        risks[i] = risk(*unpack(ys[:, i]), p, HOST)
    r0 = risks[0]
    t_exit = np.full(s, np.nan)
    for k in range(s):
        below = np.nonzero(risks[:, k] < ESCAPE_FRACTION * r0[k])[0]
        if below.size == 0:
            continue
        i = below[0]

        def gap(t: float, k: int = k) -> float:
            return risk(*unpack(sol.sol(t)), p, HOST)[k] - ESCAPE_FRACTION * r0[k]

        t_exit[k] = brentq(gap, times[i - 1], times[i], xtol=1e-10)
    return OdeResult(t_exit, r0, times, risks)
