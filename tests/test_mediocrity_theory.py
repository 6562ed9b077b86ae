"""The theory module and the ODE drift against brute force: Monte-Carlo risk, empirical SGD increments."""

from __future__ import annotations

import numpy as np
import pytest

from overparam.backend import get_backend
from overparam.mediocrity import theory
from overparam.mediocrity.ode import drift, solve_exit_times
from overparam.mediocrity.order_parameters import risk

NUMPY = get_backend("numpy")  # the host backend, for references computed with NumPy

DELTA = 1e-4


def _state(p: int, d: int, rng: np.random.Generator, m_target: np.ndarray, q_off: float):
    """Unit vectors u (p, d) and u* (d) with overlaps close to the targets (exact ones are returned)."""
    basis = np.linalg.qr(rng.standard_normal((d, p + 1)))[0].T  # p + 1 orthonormal rows
    u_star = basis[p]
    u = np.empty((p, d))
    for j in range(p):
        shared = q_off**0.5 * basis[p - 1] if p > 1 else 0.0
        v = m_target[j] * u_star + shared + basis[j] * (1.0 - m_target[j] ** 2 - (q_off if p > 1 else 0.0)) ** 0.5
        u[j] = v / np.linalg.norm(v)
    return u, u_star


def test_risk_formula_matches_monte_carlo():
    """R = 1 + tr(Q²)/p² − (2/p)Σ M² equals E[(f − y)²]/2 for the noiseless teacher."""
    rng = np.random.default_rng(0)
    p, d = 3, 50
    u = rng.standard_normal((p, d))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    u_star = rng.standard_normal(d)
    u_star /= np.linalg.norm(u_star)
    m, q = u @ u_star, u @ u.T
    x = rng.standard_normal((400_000, d))
    f = np.mean((x @ u.T) ** 2, axis=1)
    y = (x @ u_star) ** 2
    mc = 0.5 * (f - y) ** 2
    r = float(risk(m, q, p, NUMPY))
    assert abs(mc.mean() - r) < 4 * mc.std() / np.sqrt(mc.size)


@pytest.mark.parametrize("p", [1, 2, 4, 8])
@pytest.mark.parametrize("gamma_p", [0.02, 0.1])
def test_linearised_ode_growth_rate_is_theory_a(p, gamma_p):
    """Near M = 0, Q = I the ODE gives dM/dt = a M with a = 4 − 2γ'C_p."""
    eps = 1e-7 * np.linspace(1.0, 2.0, p)[None, :]
    dm, _ = drift(eps, np.eye(p)[None], np.array([gamma_p]), p, DELTA, NUMPY)
    np.testing.assert_allclose(dm / eps, theory.growth_rate(gamma_p, p, DELTA), rtol=1e-5)


def test_p1_ode_reduces_to_the_scalar_equation():
    m = np.array([[0.3]])
    dm, dq = drift(m, np.ones((1, 1, 1)), np.array([0.07]), 1, DELTA, NUMPY)
    g = 0.07
    assert dm[0, 0] == pytest.approx(0.3 * (4 * (1 - 6 * g) * (1 - 0.09) - 2 * g * DELTA), rel=1e-12)
    assert dq[0, 0, 0] == pytest.approx(0.0, abs=1e-12)  # the sphere constraint keeps Q_jj = 1


@pytest.mark.parametrize("p,gamma_p", [(2, 0.2), (3, 0.05)])
def test_ode_drift_matches_mean_sgd_increment(p, gamma_p):
    """Mean one-step SGD increment of (M, Q) per unit time = the ODE drift, including its γ' terms."""
    rng = np.random.default_rng(1)
    d, batches, per = 1500, 30, 4000
    u, u_star = _state(p, d, rng, np.linspace(0.4, -0.2, p), 0.1)
    m0, q0 = u @ u_star, u @ u.T
    incs_m, incs_q = [], []
    for _ in range(batches):
        x = rng.standard_normal((per, d))
        lam, lam_t = x @ u.T, x @ u_star
        g = np.mean(lam**2, axis=1) - lam_t**2 - np.sqrt(DELTA) * rng.standard_normal(per)
        c = -(2 * gamma_p / d) * g[:, None] * lam
        xx = np.sum(x * x, axis=1)
        norm = np.sqrt(1 + 2 * c * lam + c**2 * xx[:, None])
        m1 = (m0[None, :] + c * lam_t[:, None]) / norm
        q1 = (q0[None] + c[:, :, None] * lam[:, None, :] + lam[:, :, None] * c[:, None, :]
              + xx[:, None, None] * c[:, :, None] * c[:, None, :]) / (norm[:, :, None] * norm[:, None, :])
        incs_m.append((m1 - m0) * d / gamma_p)
        incs_q.append((q1 - q0) * d / gamma_p)
    inc_m, inc_q = np.concatenate(incs_m), np.concatenate(incs_q)
    dm, dq = drift(m0[None], q0[None], np.array([gamma_p]), p, DELTA, NUMPY)
    se_m = inc_m.std(axis=0) / np.sqrt(inc_m.shape[0])
    se_q = inc_q.std(axis=0) / np.sqrt(inc_q.shape[0])
    np.testing.assert_array_less(np.abs(inc_m.mean(axis=0) - dm[0]), 4 * se_m + 2e-3)
    off = ~np.eye(p, dtype=bool)
    np.testing.assert_array_less(np.abs(inc_q.mean(axis=0) - dq[0])[off], (4 * se_q + 2e-3)[off])


def test_ode_drift_runs_under_every_backend(backend):
    """The drift is written against the array namespace: it gives the NumPy numbers under every backend."""
    m = np.array([[0.1, -0.2]])
    q = np.array([[[1.0, 0.05], [0.05, 1.0]]])
    ref = drift(m, q, np.array([0.1]), 2, DELTA, NUMPY)
    got = drift(backend.asarray(m), backend.asarray(q), backend.asarray([0.1]), 2, DELTA, backend)
    for a, b in zip(got, ref):
        np.testing.assert_allclose(backend.to_numpy(a), b, rtol=1e-13)


def test_ode_exit_time_matches_the_linear_prediction_for_a_small_start():
    """From M0 ≪ 1 the ODE escapes at ln(0.01·R0/(2 M0²))/(2a) up to the small nonlinear correction."""
    p, g, m0 = 1, 0.05, 1e-3
    res = solve_exit_times(np.array([[m0]]), np.ones((1, 1, 1)), np.array([g]), p=p, delta=DELTA, t_max=5.0)
    a = theory.growth_rate(g, p, DELTA)
    r0 = 2 - 2 * m0**2
    predicted = np.log(0.01 * r0 / (2 * m0**2)) / (2 * a)
    assert res.t_exit[0] == pytest.approx(predicted, rel=0.02)
