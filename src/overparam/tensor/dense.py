"""The dense d^l reference for paper A: tests and the benchmark baseline only, never a kernel.

Everything here forms full d^l NumPy arrays with outer products and ``numpy.einsum``, the obvious and
obviously-correct way, so that the Gram-algebra kernels can be checked against it at small d and timed
against it at d = 100.
"""

from __future__ import annotations

import numpy as np


def power(w: np.ndarray, l: int) -> np.ndarray:
    """w^{⊗l} as a d^l array."""
    out = np.asarray(w, dtype=np.float64)
    for _ in range(l - 1):
        out = np.multiply.outer(out, w)
    return out


def rank_one_sum(a: np.ndarray, W: np.ndarray, l: int) -> np.ndarray:
    """Σ_i a_i w_i^{⊗l} (d^l)."""
    d = W.shape[1]
    T = np.zeros((d,) * l)
    for ai, wi in zip(a, W, strict=True):
        T += ai * power(wi, l)
    return T


def tangent_direction(u: np.ndarray, v: np.ndarray, l: int) -> np.ndarray:
    """D_u(v) = Σ_k u^{⊗k} ⊗ v ⊗ u^{⊗(l−1−k)} (d^l)."""
    out = np.zeros((u.size,) * l)
    for k in range(l):
        t = np.ones(())
        for pos in range(l):
            t = np.multiply.outer(t, v if pos == k else u)
        out += t
    return out


def tangent_basis(U: np.ndarray, l: int) -> np.ndarray:
    """Columns D_i(e_k) for i ≤ m, k ≤ d (ordered i-major), flattened: shape (d^l, m·d)."""
    m, d = U.shape
    eye = np.eye(d)
    cols = [tangent_direction(U[i], eye[k], l).ravel() for i in range(m) for k in range(d)]
    return np.stack(cols, axis=1)


def lazy_rho(U: np.ndarray, cstar: np.ndarray, Ustar: np.ndarray, l: int) -> float:
    """Relative residual of the least-squares projection of T* on span{u_i^{⊗l}, D_i(v)} in the full space."""
    m = U.shape[0]
    T = rank_one_sum(cstar, Ustar, l).ravel()
    A = np.concatenate([tangent_basis(U, l), np.stack([power(U[i], l).ravel() for i in range(m)], axis=1)], axis=1)
    x, *_ = np.linalg.lstsq(A, T, rcond=None)
    return float(np.linalg.norm(A @ x - T) / np.linalg.norm(T))


def homogeneous_tensor(W: np.ndarray, l: int) -> np.ndarray:
    """T(W) = Σ_i ‖w_i‖^(2−l) w_i^{⊗l} (d^l)."""
    n = np.linalg.norm(W, axis=1)
    return rank_one_sum(n ** (2 - l), W, l)


def homogeneous_loss_grad(W: np.ndarray, Tstar: np.ndarray, l: int, lam: float) -> tuple[float, np.ndarray]:
    """Dense loss ½‖T(W) − T*‖² + (λ/2)‖W‖² and its gradient, contracting the d^l residual explicitly.

    ∇_{w_i} = (2−l) n_i^(−l) ⟨R, w_i^{⊗l}⟩ w_i + l n_i^(2−l) R(w_i, …, w_i, ·) + λ w_i (only l = 3, 4).
    """
    n = np.linalg.norm(W, axis=1)
    R = homogeneous_tensor(W, l) - Tstar
    if l == 3:
        h = np.einsum("abc,ib,ic->ia", R, W, W, optimize=True)
    elif l == 4:
        h = np.einsum("abce,ib,ic,ie->ia", R, W, W, W, optimize=True)
    else:
        raise ValueError("dense: only l = 3, 4")
    g = np.sum(h * W, axis=1)
    grad = ((2 - l) * n ** (-l) * g)[:, None] * W + (l * n ** (2 - l))[:, None] * h + lam * W
    loss = 0.5 * float(np.sum(R * R)) + 0.5 * lam * float(np.sum(W * W))
    return loss, grad
