"""Gram algebra of paper A against the dense d^l reference, and hand-written gradients against finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overparam.backend import get_backend
from overparam.tensor import dense, gram

NUMPY = get_backend("numpy")  # the host backend, for references computed with NumPy


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-300)


@pytest.mark.parametrize("l", [3, 4])
def test_inner_and_distance_match_dense(backend, l):
    rng = np.random.default_rng(l)
    d, m, n = 5, 4, 3
    a, W = rng.standard_normal(m), rng.standard_normal((m, d))
    b, V = rng.standard_normal(n), rng.standard_normal((n, d))
    T, S = dense.rank_one_sum(a, W, l), dense.rank_one_sum(b, V, l)
    A = backend.asarray
    got_inner = float(gram.inner(A(a), A(W), A(b), A(V), l, backend))
    got_norm = float(gram.sq_norm(A(a), A(W), l, backend))
    got_dist = float(gram.sq_distance(A(a), A(W), A(b), A(V), l, backend))
    assert _rel(got_inner, float(np.sum(T * S))) < 1e-10
    assert _rel(got_norm, float(np.sum(T * T))) < 1e-10
    assert _rel(got_dist, float(np.sum((T - S) ** 2))) < 1e-10


def test_batched_inner_equals_per_batch(backend):
    rng = np.random.default_rng(7)
    a, W = rng.standard_normal((3, 4)), rng.standard_normal((3, 4, 6))
    b, V = rng.standard_normal((3, 2)), rng.standard_normal((3, 2, 6))
    A = backend.asarray
    got = backend.to_numpy(gram.inner(A(a), A(W), A(b), A(V), 3, backend))
    want = [float(gram.inner(A(a[s]), A(W[s]), A(b[s]), A(V[s]), 3, backend)) for s in range(3)]
    np.testing.assert_allclose(got, want, rtol=1e-13)


@pytest.mark.parametrize("l", [3, 4])
def test_rank_one_gradients_match_central_differences(backend, l):
    rng = np.random.default_rng(10 + l)
    d, m, r = 4, 3, 2
    a, W = rng.standard_normal(m), rng.standard_normal((m, d)) / 2
    b, V = np.ones(r), rng.standard_normal((r, d)) / 2
    A = backend.asarray
    _, ga, gW = gram.rank_one_loss_grad(A(a), A(W), A(b), A(V), l, backend)

    def loss(a_, W_):
        return float(gram.rank_one_loss_grad(A(a_), A(W_), A(b), A(V), l, backend)[0])

    h = 1e-6
    fa = np.array([(loss(a + h * e, W) - loss(a - h * e, W)) / (2 * h) for e in np.eye(m)])
    fW = np.zeros_like(W)
    for i in range(m):
        for k in range(d):
            E = np.zeros_like(W)
            E[i, k] = h
            fW[i, k] = (loss(a, W + E) - loss(a, W - E)) / (2 * h)
    np.testing.assert_allclose(backend.to_numpy(ga), fa, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(backend.to_numpy(gW), fW, rtol=1e-6, atol=1e-8)
    # the loss itself against the dense reference
    T = dense.rank_one_sum(a, W, l) - dense.rank_one_sum(b, V, l)
    assert _rel(loss(a, W), 0.5 * float(np.sum(T * T))) < 1e-10


@pytest.mark.parametrize("l", [3, 4])
def test_homogeneous_loss_and_gradient_match_dense_and_fd(backend, l):
    rng = np.random.default_rng(20 + l)
    d, m, r, lam = 5, 4, 2, 1e-2
    W = rng.standard_normal((m, d)) / 2
    us = rng.standard_normal((r, d))
    us /= np.linalg.norm(us, axis=1, keepdims=True)
    Tstar = dense.rank_one_sum(np.ones(r), us, l)
    A = backend.asarray
    fit_sq, grad, t_sq = gram.homogeneous_loss_grad(A(W), A(np.ones(r)), A(us), l, lam, backend)
    dloss, dgrad = dense.homogeneous_loss_grad(W, Tstar, l, lam)
    got_loss = 0.5 * float(fit_sq) + 0.5 * lam * float(np.sum(W * W))
    assert _rel(got_loss, dloss) < 1e-10
    assert _rel(float(t_sq), float(np.sum(dense.homogeneous_tensor(W, l) ** 2))) < 1e-10
    np.testing.assert_allclose(backend.to_numpy(grad), dgrad, rtol=1e-10, atol=1e-12)

    def loss(W_):
        f, _, _ = gram.homogeneous_loss_grad(A(W_), A(np.ones(r)), A(us), l, lam, backend)
        return 0.5 * float(f) + 0.5 * lam * float(np.sum(W_ * W_))

    h = 1e-6
    fd = np.zeros_like(W)
    for i in range(m):
        for k in range(d):
            E = np.zeros_like(W)
            E[i, k] = h
            fd[i, k] = (loss(W + E) - loss(W - E)) / (2 * h)
    np.testing.assert_allclose(backend.to_numpy(grad), fd, rtol=1e-6, atol=1e-8)


def test_homogeneous_gradient_is_finite_for_a_zero_component(numpy_backend):
    W = np.zeros((2, 3))
    W[0] = [0.3, -0.2, 0.5]
    us = np.eye(3)[:1]
    fit_sq, grad, _ = gram.homogeneous_loss_grad(W, np.ones(1), us, 3, 0.0, numpy_backend)
    assert np.all(np.isfinite(grad)) and np.all(grad[1] == 0.0) and np.isfinite(fit_sq)


@settings(max_examples=25, deadline=None)
@given(l=st.sampled_from([3, 4]), d=st.integers(2, 5), m=st.integers(1, 4), n=st.integers(1, 3),
       seed=st.integers(0, 2**31 - 1))
def test_inner_property_against_dense(l, d, m, n, seed):
    rng = np.random.default_rng(seed)
    a, W = rng.standard_normal(m), rng.standard_normal((m, d))
    b, V = rng.standard_normal(n), rng.standard_normal((n, d))
    want = float(np.sum(dense.rank_one_sum(a, W, l) * dense.rank_one_sum(b, V, l)))
    got = float(gram.inner(a, W, b, V, l, NUMPY))
    assert abs(got - want) <= 1e-10 * max(1.0, float(np.sum(np.abs(a)) * np.sum(np.abs(b))) *
                                           float(np.max(np.abs(W)) * np.max(np.abs(V))) ** l)
