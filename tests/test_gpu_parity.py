"""CuPy against NumPy on the same inputs (marker gpu; skipped with the reason when no CUDA device answers).

The random streams are NumPy's on both sides here (OVERPARAM_GPU_RNG=host), so the kernels see identical
numbers and their outputs must agree: float64 to 1e-10 relative; the exit steps of a chain exactly or within
one check (a rounding difference can move a threshold crossing by one cadence). Every kernel test of the
suite also runs under CuPy on a GPU machine (the ``backend`` fixture of conftest.py), against its brute-force
reference; the last test runs two ci-scale claims end to end on CuPy (device RNG) and compares the verdicts
with the committed NumPy ledger ``results/ci/claims/``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from overparam.backend import cuda_available, get_backend

NUMPY = get_backend("numpy")  # the host backend, for references computed with NumPy

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not cuda_available(), reason="no CUDA device answers")]


@pytest.fixture
def host_rng(monkeypatch):
    monkeypatch.setenv("OVERPARAM_GPU_RNG", "host")


def _seeds(n):
    return [np.random.SeedSequence([99, i]) for i in range(n)]


def test_ode_drift_parity():
    from overparam.mediocrity.ode import drift

    cp = get_backend("cupy")
    rng = np.random.default_rng(0)
    m = rng.normal(0, 0.2, (3, 4))
    q = np.eye(4)[None] + 0.05 * rng.normal(size=(3, 4, 4))
    q = (q + np.swapaxes(q, 1, 2)) / 2
    g = np.array([0.05, 0.1, 0.2])
    want = drift(m, q, g, 4, 1e-4, NUMPY)
    got = drift(cp.asarray(m), cp.asarray(q), cp.asarray(g), 4, 1e-4, cp)
    for a, b in zip(got, want):
        np.testing.assert_allclose(cp.to_numpy(a), b, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("p", [1, 4])
def test_chain_parity(host_rng, p):
    from overparam.mediocrity.chain import run_chain

    kw = dict(p=p, d=np.full(16, 300), gamma_p=np.full(16, 0.08), delta=1e-4, t_max=np.full(16, 20.0))
    want = run_chain(_seeds(16), get_backend("numpy"), engine="array", **kw)
    got = run_chain(_seeds(16), get_backend("cupy"), **kw)
    np.testing.assert_allclose(got.m0, want.m0, rtol=1e-10)
    assert np.mean(np.abs(got.n_exit - want.n_exit) <= 8) == 1.0


def test_direct_sgd_parity(host_rng):
    from overparam.mediocrity.sgd import run_direct_sgd

    kw = dict(p=2, d=256, gamma_p=0.1, delta=1e-4, t_max=10.0)
    want = run_direct_sgd(_seeds(8), get_backend("numpy"), **kw)
    got = run_direct_sgd(_seeds(8), get_backend("cupy"), **kw)
    np.testing.assert_allclose(got.r0, want.r0, rtol=1e-10)
    assert np.all(np.abs(got.n_exit - want.n_exit) <= 2)


def test_width_gradients_parity():
    from overparam.width import network

    cp, ref = get_backend("cupy"), get_backend("numpy")
    rng = np.random.default_rng(1)
    W, v = rng.normal(size=(2, 16, 8)) / np.sqrt(8), rng.normal(size=(2, 16)) / 4
    X = rng.normal(size=(8, 12))
    X /= np.linalg.norm(X, axis=0)
    Y = np.sign(rng.normal(size=12)) / np.sqrt(12)
    def loss_and_grads(be):
        args = [be.asarray(a) for a in (W, v, X, Y)]
        fwd = network.forward(*args, be)
        return (network.loss(*args, be), *network.gradients(args[0], args[1], args[2], fwd, be))

    want, got = loss_and_grads(ref), loss_and_grads(cp)
    for a, b in zip(got, want):
        np.testing.assert_allclose(cp.to_numpy(a), b, rtol=1e-10, atol=1e-14)


def _same(fn, *host_args, rtol=1e-10, atol=1e-13):
    """fn(backend, *arrays) under NumPy and CuPy on the same host inputs; every output must agree."""
    cp, ref = get_backend("cupy"), get_backend("numpy")
    want = fn(ref, *[ref.asarray(a) for a in host_args])
    got = fn(cp, *[cp.asarray(a) for a in host_args])
    want, got = (want, got) if isinstance(want, tuple) else ((want,), (got,))
    for a, b in zip(got, want):
        np.testing.assert_allclose(cp.to_numpy(a), np.asarray(b), rtol=rtol, atol=atol)


def _unit_rows(rng, *shape):
    u = rng.normal(size=shape)
    return u / np.linalg.norm(u, axis=-1, keepdims=True)


@pytest.mark.parametrize("l", [3, 4])
def test_tensor_kernels_parity(l):
    from overparam.tensor import gram, lazy

    rng = np.random.default_rng(2)
    W, U, c = 0.3 * rng.normal(size=(2, 6, 5)), _unit_rows(rng, 2, 3, 5), np.ones((2, 3))
    _same(lambda be, W, c, U: gram.homogeneous_loss_grad(W, c, U, l, 1e-3, be.xp), W, c, U)
    _same(lambda be, U0, c0, Us: lazy.rho_curves(U0, c0, Us, l, be.xp)[0],
          rng.normal(size=(6, 5)) / np.sqrt(5), c[:1], U[:1], rtol=1e-8, atol=1e-10)  # md = 30 < D: ρ ≫ 0


def test_width_ntk_parity():
    from overparam.width import ntk

    rng = np.random.default_rng(3)
    W, v = rng.normal(size=(2, 16, 8)) / np.sqrt(8), rng.normal(size=(2, 16)) / 4
    X = _unit_rows(rng, 12, 8).T.copy()
    _same(lambda be, W, v, X: ntk.ntk_gram(W, v, X, be), W, v, X)


def test_initratio_kernels_parity():
    from overparam.initratio import model

    rng = np.random.default_rng(4)
    parts = (rng.normal(size=(3, 20, 10)) / np.sqrt(10), rng.normal(size=(3, 20)) * 0.1,
             rng.normal(size=(3, 4, 20)) / np.sqrt(20), rng.normal(size=(3, 4)) * 0.1)
    X, T = rng.normal(size=(15, 10)), np.eye(4)[rng.integers(0, 4, 15)]
    def flat(be, W, b, V, c, X, T, kind):
        loss, g = model.ce_gradients(model.Net(W, b, V, c), X, T, kind, be)
        return loss, g.W, g.b, g.V, g.c

    for kind in ("gelu", "relu"):
        _same(lambda be, *arrays, kind=kind: flat(be, *arrays, kind), *parts, X, T)


@pytest.mark.slow
def test_ci_claims_end_to_end_on_cupy_match_the_numpy_ledger(tmp_path):
    claims = ["lazy_lower_bound", "subquadratic_width"]
    cmd = [sys.executable, "-m", "snakemake", "--profile", "profiles/gpu", "--config", "scale=ci", "backend=cupy",
           f"results={tmp_path}", f"figures={tmp_path / 'figures'}", *[f"claim_{c}" for c in claims]]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for claim in claims:
        got = json.loads((tmp_path / "ci" / "claims" / f"{claim}.json").read_text())
        want = json.loads((ROOT / "results" / "ci" / "claims" / f"{claim}.json").read_text())
        assert got["backend"] == "cupy" and want["backend"] == "numpy"
        assert got["status"] == want["status"], f"{claim}: {got['measured']} vs NumPy {want['measured']}"
