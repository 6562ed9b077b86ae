"""Paper C network and training: GELU, loss, hand-written gradients vs central differences, GD outcomes."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import scipy.special

from overparam.backend import Backend
from overparam.width import network
from overparam.width.experiment import batch_arrays
from overparam.width.train import TrainConfig, train_gd


def _problem(S: int, d1: int, d0: int, n: int, per_seed_data: bool, seed: int = 0):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((S, d1, d0)) / math.sqrt(d0)
    v = rng.standard_normal((S, d1)) / math.sqrt(d1)
    xshape = (S, d0, n) if per_seed_data else (d0, n)
    X = rng.standard_normal(xshape)
    X /= np.linalg.norm(X, axis=-2, keepdims=True)
    Y = rng.choice([-1.0, 1.0], (S, n) if per_seed_data else (n,)) / math.sqrt(n)
    return W, v, X, Y


def _host_loss(W, v, X, Y):
    """Reference with explicit loops over seeds and points (NumPy + SciPy on the host)."""
    S, d1, d0 = W.shape
    out = np.zeros(S)
    for s in range(S):
        Xs = X[s] if X.ndim == 3 else X
        Ys = Y[s] if Y.ndim == 2 else Y
        for i in range(Xs.shape[1]):
            z = W[s] @ Xs[:, i]
            f = float(np.sum(v[s] * z * scipy.special.ndtr(z)))
            out[s] += (f - Ys[i]) ** 2
    return out


def test_gelu_exact_form_and_derivative(backend: Backend) -> None:
    z = np.linspace(-6, 6, 241)
    got = backend.to_numpy(network.gelu(backend.asarray(z), backend))
    np.testing.assert_allclose(got, z * scipy.special.ndtr(z), rtol=1e-14, atol=1e-15)
    eps = 1e-6
    fd = (z + eps) * scipy.special.ndtr(z + eps) - (z - eps) * scipy.special.ndtr(z - eps)
    dgot = backend.to_numpy(network.gelu_prime(backend.asarray(z), backend))
    np.testing.assert_allclose(dgot, fd / (2 * eps), rtol=1e-7, atol=1e-9)
    # GELU is not odd (the theorem needs that), and not the tanh approximation: at z = 1 the two differ by ~1e-4
    assert abs(got[140] + got[100]) > 0.5  # φ(1) + φ(−1) = 1
    assert abs(got[140] - 0.8413447460685429) < 1e-15  # Φ(1)
    assert abs(got[140] - 0.8411919906082768) > 1e-4  # the tanh approximation's value


@pytest.mark.parametrize("per_seed_data", [False, True])
def test_loss_is_a_sum_of_squared_residuals(backend: Backend, per_seed_data: bool) -> None:
    W, v, X, Y = _problem(3, 5, 4, 7, per_seed_data)
    got = backend.to_numpy(network.loss(*(backend.asarray(a) for a in (W, v, X, Y)), backend))
    np.testing.assert_allclose(got, _host_loss(W, v, X, Y), rtol=1e-13)


@pytest.mark.parametrize("per_seed_data", [False, True])
def test_gradients_match_central_differences(backend: Backend, per_seed_data: bool) -> None:
    W, v, X, Y = _problem(2, 5, 4, 7, per_seed_data, seed=1)
    Xb, Yb = backend.asarray(X), backend.asarray(Y)
    fwd = network.forward(backend.asarray(W), backend.asarray(v), Xb, Yb, backend)
    gW, gv = (backend.to_numpy(g) for g in network.gradients(backend.asarray(W), backend.asarray(v), Xb, fwd, backend))

    def h(Wh, vh):
        return backend.to_numpy(network.loss(backend.asarray(Wh), backend.asarray(vh), Xb, Yb, backend))

    eps = 1e-6
    fdW = np.zeros_like(W)
    for idx in np.ndindex(W.shape[1:]):
        E = np.zeros_like(W)
        E[(slice(None), *idx)] = eps  # perturb entry idx of every seed at once: seeds are independent
        fdW[(slice(None), *idx)] = (h(W + E, v) - h(W - E, v)) / (2 * eps)
    fdv = np.zeros_like(v)
    for j in range(v.shape[1]):
        E = np.zeros_like(v)
        E[:, j] = eps
        fdv[:, j] = (h(W, v + E) - h(W, v - E)) / (2 * eps)
    scale = max(np.abs(gW).max(), np.abs(gv).max())
    assert scale > 1e-2  # a non-trivial point
    np.testing.assert_allclose(gW, fdW, atol=1e-7 * scale)
    np.testing.assert_allclose(gv, fdv, atol=1e-7 * scale)


def test_batched_seeds_equal_single_seed_runs(numpy_backend: Backend) -> None:
    b = numpy_backend
    W, v, X, Y = _problem(3, 6, 5, 9, True, seed=2)
    fwd = network.forward(W, v, X, Y, b)
    gW, gv = network.gradients(W, v, X, fwd, b)
    for s in range(3):
        f1 = network.forward(W[s:s + 1], v[s:s + 1], X[s:s + 1], Y[s:s + 1], b)
        g1W, g1v = network.gradients(W[s:s + 1], v[s:s + 1], X[s:s + 1], f1, b)
        np.testing.assert_allclose(f1.loss[0], fwd.loss[s], rtol=1e-14)
        np.testing.assert_allclose(g1W[0], gW[s], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(g1v[0], gv[s], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("block_rows", [1, 3, 4, 9])
def test_row_blocks_change_nothing_but_rounding(backend: Backend, block_rows: int) -> None:
    """The cache-blocked pass (any block size, ragged last block included) = one block of all d1 rows."""
    W, v, X, Y = (backend.asarray(a) for a in _problem(2, 9, 5, 7, True, seed=4))
    whole = network.forward(W, v, X, Y, backend, block_rows=9)
    blocked = network.forward(W, v, X, Y, backend, block_rows=block_rows)
    assert len(blocked.z) == -(-9 // block_rows) and len(whole.z) == 1
    np.testing.assert_allclose(backend.to_numpy(blocked.loss), backend.to_numpy(whole.loss), rtol=1e-13)
    for a, b in zip(network.gradients(W, v, X, blocked, backend), network.gradients(W, v, X, whole, backend)):
        np.testing.assert_allclose(backend.to_numpy(a), backend.to_numpy(b), rtol=1e-12, atol=1e-15)


def test_the_block_size_does_not_depend_on_the_batch(numpy_backend: Backend) -> None:
    """A seed's rounding never depends on which seeds share its batch: blocks are set by n alone."""
    W, v, X, Y = _problem(3, 700, 5, 100, True, seed=5)
    fwd = network.forward(W, v, X, Y, numpy_backend)
    assert len(fwd.z) > 1
    one = network.forward(W[1:2], v[1:2], X[1:2], Y[1:2], numpy_backend)
    assert [z.shape[-2] for z in one.z] == [z.shape[-2] for z in fwd.z]
    assert one.loss[0] == fwd.loss[1]


POINT = {"series": "test", "n": 24, "d0": 10, "init": "lecun", "steps_per_sample": 150}


def test_gd_reduces_loss_and_succeeds_when_wide(backend: Backend) -> None:
    # d0·d1 = 160 ≫ n = 24: comfortably over-parameterised
    W, v, X, Y = batch_arrays(POINT, 16, [0, 1], 7, backend)
    out = train_gd(W, v, X, Y, backend, config=TrainConfig(max_steps=3000, track_every=50))
    for r in out.results:
        assert r.success, r.reason
        assert r.final_loss <= 1e-4 < r.initial_loss
        assert r.reason == "converged" and 0 < r.steps < 3000
        assert math.isclose(r.lr0, 1.0 / (2.0 * r.lambda_max0))
    # the loss never rises along the accepted iterates (rejected steps are undone)
    for s in (0, 1):
        losses = [t["loss"] for t in out.tracking if t["seed_index"] == s]
        assert len(losses) > 3 and all(b <= a * (1 + 1e-12) for a, b in itertools.pairwise(losses))


def test_gd_far_past_stable_step_is_a_recorded_failure(backend: Backend) -> None:
    W, v, X, Y = batch_arrays(POINT, 16, [0, 1], 7, backend)
    out = train_gd(W, v, X, Y, backend, config=TrainConfig(max_steps=200, lr_scale=100.0, max_halvings=0))
    assert len(out.results) == 2
    for r in out.results:
        assert not r.success
        assert r.reason.startswith("diverged:"), r.reason
        assert r.steps == 1  # the very first step rises: η = 100/(2 λ_max) is 50× past the stability limit
    # with halving allowed, the same step size is cured (log2(100) < 8 halvings) and the run succeeds
    out = train_gd(W, v, X, Y, backend, config=TrainConfig(max_steps=3000, lr_scale=100.0, max_halvings=12))
    assert all(r.success and r.halvings >= 6 for r in out.results), [r.reason for r in out.results]


def test_gd_budget_exhausted_is_a_recorded_failure(numpy_backend: Backend) -> None:
    # d0·d1 + d1 = 22 < n = 24 parameters: zero loss is out of reach; never an exception
    W, v, X, Y = batch_arrays(POINT, 2, [0], 7, numpy_backend)
    out = train_gd(W, v, X, Y, numpy_backend, config=TrainConfig(max_steps=500))
    (r,) = out.results
    assert not r.success and r.steps == 500 and r.reason.startswith("max_steps:")
    assert r.final_loss < r.initial_loss


def test_nonfinite_start_is_recorded_not_raised(numpy_backend: Backend) -> None:
    W, v, X, Y = batch_arrays(POINT, 8, [0, 1], 7, numpy_backend)
    W = W.copy()
    W[1, 0, 0] = np.inf
    out = train_gd(W, v, X, Y, numpy_backend, config=TrainConfig(max_steps=100, max_halvings=3, track_every=10))
    assert out.results[0].final_loss < out.results[0].initial_loss
    assert not out.results[1].success
    assert out.results[1].reason.startswith(("diverged:", "max_steps:"))
    assert out.results[1].steps == 0 and "non-finite initial state" in out.results[1].reason
    assert {t["seed_index"] for t in out.tracking} == {0}
