"""Paper C NTK Gram: K = AᵀA + (XᵀX)⊙(BᵀB) against J Jᵀ of a finite-difference Jacobian, and its uses."""

from __future__ import annotations

import math

import numpy as np
import pytest

from overparam.backend import Backend
from overparam.width import network, ntk


def _problem(S: int, d1: int, d0: int, n: int, per_seed_data: bool, seed: int = 0):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((S, d1, d0)) / math.sqrt(d0)
    v = rng.standard_normal((S, d1)) / math.sqrt(d1)
    X = rng.standard_normal((S, d0, n) if per_seed_data else (d0, n))
    X /= np.linalg.norm(X, axis=-2, keepdims=True)
    Y = rng.choice([-1.0, 1.0], (S, n) if per_seed_data else (n,)) / math.sqrt(n)
    return W, v, X, Y


def _fd_jacobian(backend: Backend, W, v, X, eps: float = 1e-6) -> np.ndarray:
    """(S, n, d1·d0 + d1) by central differences of the network outputs (W row-major, then v)."""
    S, d1, d0 = W.shape
    Xb = backend.asarray(X)

    def f(Wh, vh):
        return backend.to_numpy(network.predict(backend.asarray(Wh), backend.asarray(vh), Xb, backend))

    n = X.shape[-1]
    J = np.zeros((S, n, d1 * d0 + d1))
    for p, idx in enumerate(np.ndindex(d1, d0)):
        E = np.zeros_like(W)
        E[(slice(None), *idx)] = eps
        J[:, :, p] = (f(W + E, v) - f(W - E, v)) / (2 * eps)
    for j in range(d1):
        E = np.zeros_like(v)
        E[:, j] = eps
        J[:, :, d1 * d0 + j] = (f(W, v + E) - f(W, v - E)) / (2 * eps)
    return J


@pytest.mark.parametrize("per_seed_data", [False, True])
def test_gram_equals_gram_of_finite_difference_jacobian(backend: Backend, per_seed_data: bool) -> None:
    W, v, X, _ = _problem(2, 4, 3, 6, per_seed_data)
    K = backend.to_numpy(ntk.ntk_gram(*(backend.asarray(a) for a in (W, v, X)), backend))
    J = _fd_jacobian(backend, W, v, X)
    KJ = J @ np.swapaxes(J, -1, -2)
    np.testing.assert_allclose(K, KJ, atol=1e-8 * np.abs(KJ).max())
    np.testing.assert_allclose(K, np.swapaxes(K, -1, -2), atol=1e-15)
    # the explicit analytic Jacobian agrees with the finite differences too
    Je = backend.to_numpy(ntk.explicit_jacobian(*(backend.asarray(a) for a in (W, v, X)), backend))
    np.testing.assert_allclose(Je, J, atol=1e-8)


def test_gradient_is_two_jacobian_transpose_residual(backend: Backend) -> None:
    W, v, X, Y = _problem(2, 5, 4, 8, True, seed=3)
    Wb, vb, Xb, Yb = (backend.asarray(a) for a in (W, v, X, Y))
    fwd = network.forward(Wb, vb, Xb, Yb, backend)
    gW, gv = (backend.to_numpy(g) for g in network.gradients(Wb, vb, Xb, fwd, backend))
    J = backend.to_numpy(ntk.explicit_jacobian(Wb, vb, Xb, backend))
    r = backend.to_numpy(fwd.r)
    g = 2.0 * np.einsum("snp,sn->sp", J, r)
    np.testing.assert_allclose(np.concatenate([gW.reshape(2, -1), gv], axis=1), g, rtol=1e-12, atol=1e-14)


def test_eigen_quantities_and_pl_ratio_bounds(backend: Backend) -> None:
    W, v, X, Y = _problem(3, 6, 5, 9, True, seed=4)
    Wb, vb, Xb, Yb = (backend.asarray(a) for a in (W, v, X, Y))
    K = ntk.ntk_gram(Wb, vb, Xb, backend)
    Kh = backend.to_numpy(K)
    ev = np.linalg.eigvalsh(Kh)
    np.testing.assert_allclose(backend.to_numpy(ntk.lambda_min(K, backend)), ev[:, 0], rtol=1e-10)
    np.testing.assert_allclose(backend.to_numpy(ntk.lambda_max(K, backend)), ev[:, -1], rtol=1e-12)
    r = network.forward(Wb, vb, Xb, Yb, backend).r
    pl = backend.to_numpy(ntk.pl_ratio(K, r, backend))
    rh = backend.to_numpy(r)
    np.testing.assert_allclose(pl, np.einsum("si,sij,sj->s", rh, Kh, rh) / np.sum(rh * rh, axis=1), rtol=1e-12)
    assert np.all(ev[:, 0] <= pl + 1e-12) and np.all(pl <= ev[:, -1] + 1e-12)
    # the eigenvector of λ_min attains it
    w, U = np.linalg.eigh(Kh)
    pl_min = backend.to_numpy(ntk.pl_ratio(K, backend.asarray(U[:, :, 0]), backend))
    np.testing.assert_allclose(pl_min, w[:, 0], rtol=1e-8, atol=1e-14)


def test_kernel_is_singular_below_the_parameter_count(numpy_backend: Backend) -> None:
    # J is n × (d1·d0 + d1): with fewer parameters than points, K = JJᵀ has rank < n
    W, v, X, _ = _problem(2, 2, 4, 12, True, seed=5)  # 10 parameters, 12 points
    ev = np.linalg.eigvalsh(ntk.ntk_gram(W, v, X, numpy_backend))
    assert np.all(np.abs(ev[:, :2]) < 1e-12 * ev[:, -1:])
    assert np.all(ev[:, 2] > 1e-8 * ev[:, -1])  # and exactly rank 10, generically
    # with more parameters than points it is positive definite
    W, v, X, _ = _problem(2, 4, 4, 12, True, seed=5)  # 20 parameters
    assert np.all(np.linalg.eigvalsh(ntk.ntk_gram(W, v, X, numpy_backend))[:, 0] > 1e-10)


def test_feature_sigma_min_path_length_and_jacobian_shift(backend: Backend) -> None:
    W, v, X, _ = _problem(2, 12, 4, 7, True, seed=6)  # d1 ≥ n: σ_min(φ(W0X)) > 0
    rng = np.random.default_rng(7)
    W1 = W + 0.1 * rng.standard_normal(W.shape)
    v1 = v + 0.1 * rng.standard_normal(v.shape)
    Wb, vb, Xb, W1b, v1b = (backend.asarray(a) for a in (W, v, X, W1, v1))
    A = network.gelu(backend.asarray(W @ X), backend)
    mu = backend.to_numpy(ntk.feature_sigma_min(Wb, Xb, backend))
    np.testing.assert_allclose(mu, np.linalg.svd(backend.to_numpy(A), compute_uv=False)[:, -1], rtol=1e-8)
    assert np.all(mu > 0)
    dist = backend.to_numpy(ntk.param_distance(W1b, v1b, Wb, vb, backend))
    ref = np.sqrt(np.sum((W1 - W) ** 2, axis=(1, 2)) + np.sum((v1 - v) ** 2, axis=1))
    np.testing.assert_allclose(dist, ref, rtol=1e-13)
    shift = backend.to_numpy(ntk.jacobian_shift(W1b, v1b, Wb, vb, Xb, backend))
    dJ = backend.to_numpy(ntk.explicit_jacobian(W1b, v1b, Xb, backend)) - backend.to_numpy(
        ntk.explicit_jacobian(Wb, vb, Xb, backend))
    np.testing.assert_allclose(shift, np.linalg.norm(dJ, ord=2, axis=(1, 2)), rtol=1e-9)
    # below d1 = n the feature matrix cannot have n nonzero singular values: μ is reported as 0
    W2, _, X2, _ = _problem(1, 3, 4, 7, False, seed=8)
    assert backend.to_numpy(ntk.feature_sigma_min(backend.asarray(W2), backend.asarray(X2), backend))[0] == 0.0
