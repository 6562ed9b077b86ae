"""Gram algebra of symmetric rank-one sums: every loss and gradient of paper A without a d^l array.

For T = Σ_i a_i w_i^{⊗l} and S = Σ_j b_j v_j^{⊗l} (w_i, v_j ∈ R^d),

    ⟨T, S⟩_F = Σ_ij a_i b_j (w_i·v_j)^l,

so a loss ½‖T − T*‖² costs one m×m and one m×r Gram matrix, O(m²d + mrd), never O(d^l). The contraction
of a symmetric tensor with l − 1 copies of w and one free slot, ⟨T, w^{⊗(l−1)} ⊗ ·⟩ = Σ_j a_j (w·v_j)^(l−1) v_j,
gives the gradients (T symmetric, so the derivative of ⟨R, w^{⊗l}⟩ in w is l ⟨R, w^{⊗(l−1)} ⊗ ·⟩).

Every function takes the :class:`~overparam.backend.Backend` last and works on batched arrays: leading axes are
batch axes (seeds), the last two are (components, d). Only array-API-standard calls are used.
"""

from __future__ import annotations

from typing import Any

from overparam.backend import Backend

Array = Any


def _mT(x: Array, xp: Any) -> Array:
    return xp.matrix_transpose(x)


def _bmv(M: Array, v: Array, xp: Any) -> Array:
    """Batched matrix–vector product M (..., m, n) · v (..., n) → (..., m)."""
    return xp.sum(M * v[..., None, :], axis=-1)


def inner(a: Array, W: Array, b: Array, V: Array, l: int, backend: Backend) -> Array:
    """⟨Σ_i a_i w_i^{⊗l}, Σ_j b_j v_j^{⊗l}⟩_F = Σ_ij a_i b_j (w_i·v_j)^l.

    Shapes: a (..., m), W (..., m, d), b (..., n), V (..., n, d); returns (...).
    """
    xp = backend.xp
    G = xp.matmul(W, _mT(V, xp)) ** l
    return xp.sum(_bmv(G, b, xp) * a, axis=-1)


def sq_norm(a: Array, W: Array, l: int, backend: Backend) -> Array:
    """‖Σ_i a_i w_i^{⊗l}‖_F² = aᵀ (W Wᵀ)^{∘l} a."""
    return inner(a, W, a, W, l, backend)


def sq_distance(a: Array, W: Array, b: Array, V: Array, l: int, backend: Backend) -> Array:
    """‖Σ a_i w_i^{⊗l} − Σ b_j v_j^{⊗l}‖_F² = ⟨T,T⟩ − 2⟨T,S⟩ + ⟨S,S⟩ (float64 keeps the cancellation honest
    down to relative errors far below the 5% success threshold)."""
    return sq_norm(a, W, l, backend) - 2.0 * inner(a, W, b, V, l, backend) + sq_norm(b, V, l, backend)


def rank_one_loss_grad(a: Array, W: Array, b: Array, V: Array, l: int, backend: Backend) -> tuple[Array, Array, Array]:
    """Loss ½‖T − S‖² of T = Σ a_i w_i^{⊗l} against a fixed S = Σ b_j v_j^{⊗l}, and its gradients.

    With R = T − S, g_i = ⟨R, w_i^{⊗l}⟩ and h_i = ⟨R, w_i^{⊗(l−1)} ⊗ ·⟩:
        ∂/∂a_i = g_i,        ∂/∂w_i = l a_i h_i.
    Returns (loss, grad_a, grad_W); cost O(m²d + mnd).
    """
    xp = backend.xp
    G1 = xp.matmul(W, _mT(W, xp))
    P1 = xp.matmul(W, _mT(V, xp))
    Gm1 = G1 ** (l - 1)
    Pm1 = P1 ** (l - 1)
    G = Gm1 * G1
    P = Pm1 * P1
    tg = _bmv(G, a, xp)  # ⟨T, w_i^{⊗l}⟩
    tp = _bmv(P, b, xp)  # ⟨S, w_i^{⊗l}⟩
    g = tg - tp
    loss = 0.5 * (xp.sum(a * (tg - 2.0 * tp), axis=-1) + sq_norm(b, V, l, backend))
    h = xp.matmul(Gm1 * a[..., None, :], W) - xp.matmul(Pm1 * b[..., None, :], V)
    grad_W = float(l) * a[..., None] * h
    return loss, g, grad_W


def homogeneous_loss_grad(
    W: Array, cstar: Array, Ustar: Array, l: int, lam: float, backend: Backend, tstar_sq: Array | None = None
) -> tuple[Array, Array, Array]:
    """The 2-homogeneous model of the rich variant, T(W) = Σ_i ‖w_i‖^(2−l) w_i^{⊗l} = Σ_i n_i² ŵ_i^{⊗l}.

    Objective L(W) = ½‖T(W) − T*‖² + (λ/2) Σ_i ‖w_i‖², T* = Σ_k c*_k u*_k^{⊗l}. With ŵ_i = w_i/n_i,
    ĝ_i = ⟨R, ŵ_i^{⊗l}⟩ and ĥ_i = ⟨R, ŵ_i^{⊗(l−1)} ⊗ ·⟩ (R = T − T*), the chain rule through n_i^(2−l) gives

        ∇_{w_i} ½‖R‖² = (2−l) n_i^(−l) ⟨R, w_i^{⊗l}⟩ w_i + l n_i^(2−l) ⟨R, w_i^{⊗(l−1)} ⊗ ·⟩
                      = n_i [ (2−l) ĝ_i ŵ_i + l ĥ_i ],

    written in unit directions so that it stays finite as n_i → 0 (the gradient is 1-homogeneous).
    Shapes: W (..., m, d), cstar (..., r), Ustar (..., r, d). Returns (‖R‖², grad of L, ‖T‖²).
    """
    xp = backend.xp
    n = xp.linalg.vector_norm(W, axis=-1)
    safe = xp.where(n > 0.0, n, xp.ones_like(n))
    What = W / safe[..., None]
    coef = n * n
    Gh = xp.matmul(What, _mT(What, xp))
    Ph = xp.matmul(What, _mT(Ustar, xp))
    Gm1 = Gh ** (l - 1)
    Pm1 = Ph ** (l - 1)
    tg = _bmv(Gm1 * Gh, coef, xp)  # ⟨T, ŵ_i^{⊗l}⟩
    tp = _bmv(Pm1 * Ph, cstar, xp)  # ⟨T*, ŵ_i^{⊗l}⟩
    g = tg - tp
    if tstar_sq is None:
        tstar_sq = sq_norm(cstar, Ustar, l, backend)
    t_sq = xp.sum(coef * tg, axis=-1)
    fit_sq = t_sq - 2.0 * xp.sum(coef * tp, axis=-1) + tstar_sq
    h = xp.matmul(Gm1 * coef[..., None, :], What) - xp.matmul(Pm1 * cstar[..., None, :], Ustar)
    grad = n[..., None] * (float(2 - l) * g[..., None] * What + float(l) * h) + lam * W
    return fit_sq, grad, t_sq
