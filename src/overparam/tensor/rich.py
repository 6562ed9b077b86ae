"""A2 `rich_upper_bound`: the GD variant of Wang, Wu, Lee, Ma & Ge (2020), and its two ablations.

The paper gives no public code: this module implements the variant as its text describes it (SPEC.md):

* 2-homogeneous components  T(W) = Σ_i a_i ‖w_i‖^(2−l) w_i^{⊗l},  here a_i = +1 (for odd l a sign is absorbed
  by w_i → −w_i; for even l and the positive target coefficients c*_i = 1 of SPEC.md the positive cone suffices);
* small random init, w_i ~ N(0, δ² I/d) (so ‖w_i‖ ≈ δ);
* objective ½‖T(W) − T*‖_F² + (λ/2) Σ_i ‖w_i‖², plain full GD with step η;
* every H steps, components whose norm fell under τ are re-initialised (fresh draws at scale δ).

Ablations: ``no_reinit`` (the same, H = ∞) and ``plain``, the unnormalised parameterisation
T = Σ_i c_i u_i^{⊗l} with m = r, where c_i is absorbed into u_i (c_i = ‖u_i‖^l; the sign too for odd l), i.e.
T = Σ_i w_i^{⊗l}, started at unit-scale random directions (w_i ~ N(0, s² I/d)) — the paper's example of GD
getting stuck without over-parameterisation.

Loss and gradients go through the Gram algebra (:mod:`overparam.tensor.gram`, O(m²d + mrd) per step, never a
d^l array); seeds are batched as (S, m, d) arrays, one array program for S replicas. Success = relative error
‖T − T*‖_F/‖T*‖_F ≤ tol. A replica that succeeds is frozen (its parameters stop changing) and its step count
recorded; a replica whose loss turns non-finite or blows up is frozen and recorded as a failure with a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from overparam.backend import Backend
from overparam.tensor.gram import homogeneous_loss_grad, rank_one_loss_grad, sq_norm

Array = Any


@dataclass(frozen=True)
class RichConfig:
    """Hyper-parameters of the GD variant (SPEC.md pilot values for l = 3 as defaults)."""

    delta: float = 1e-3  # init scale δ (‖w_i‖ ≈ δ)
    eta: float = 0.05  # GD step η
    lam: float = 1e-3  # weight decay λ
    reinit_every: int = 2000  # H; 0 disables re-initialisation
    tau_factor: float = 10.0  # τ = tau_factor · δ
    max_steps: int = 20000
    tol: float = 0.05  # success: relative error ≤ tol
    check_every: int = 50  # host check of success / divergence every this many steps
    diverge_rel: float = 1e3  # relative error above this = diverged
    plain_init_scale: float = 1.0  # s of the plain ablation's init

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _gd(
    W: Array,
    cstar: Array,
    Ustar: Array,
    l: int,
    backend: Backend,
    *,
    cfg: RichConfig,
    grad_fn: Callable[[Array], tuple[Array, Array]],
    redraw: Callable[[int], Array] | None,
    tau: float,
) -> dict[str, Any]:
    """Batched GD loop shared by the variant and its ablations (host bookkeeping on per-replica lists).
    Per-replica vectors come to the host with one ``Backend.to_numpy`` transfer per check.
    """
    xp = backend.xp
    S = W.shape[0]
    host = backend.to_numpy
    tsq_host = [float(x) for x in host(sq_norm(cstar, Ustar, l, backend))]
    active = [True] * S
    reason = ["max_steps"] * S
    hit_step = [cfg.max_steps] * S
    n_reinit = [0] * S
    active_arr = xp.ones((S,), dtype=xp.bool)
    step = 0
    events = 0
    while step < cfg.max_steps:
        if redraw is not None and cfg.reinit_every > 0 and step > 0 and step % cfg.reinit_every == 0:
            events += 1
            fresh = redraw(events)
            small = (xp.linalg.vector_norm(W, axis=-1) < tau) & active_arr[:, None]
            counts = host(xp.sum(xp.astype(small, xp.int64), axis=1))
            for s in range(S):
                n_reinit[s] += int(counts[s])
            W = xp.where(small[..., None], fresh, W)
        fit_sq, grad = grad_fn(W)
        if step % cfg.check_every == 0:
            changed = False
            fit_host = host(fit_sq)
            for s in range(S):
                if not active[s]:
                    continue
                f = float(fit_host[s])
                rel = (max(f, 0.0) / tsq_host[s]) ** 0.5 if f == f else float("nan")
                if not (rel == rel) or rel == float("inf"):
                    active[s], reason[s], hit_step[s], changed = False, "non_finite", step, True
                elif rel > cfg.diverge_rel:
                    active[s], reason[s], hit_step[s], changed = False, "diverged", step, True
                elif rel <= cfg.tol:
                    active[s], reason[s], hit_step[s], changed = False, "converged", step, True
            if changed:
                active_arr = xp.asarray(active, dtype=xp.bool)
            if not any(active):
                break
        W = xp.where(active_arr[:, None, None], W - cfg.eta * grad, W)
        step += 1
    fit_host = host(grad_fn(W)[0])
    rel_error = []
    for s in range(S):
        f = float(fit_host[s])
        rel_error.append((max(f, 0.0) / tsq_host[s]) ** 0.5 if f == f else float("nan"))
        if reason[s] == "max_steps":
            hit_step[s] = step
            if rel_error[s] == rel_error[s] and rel_error[s] <= cfg.tol:
                reason[s] = "converged"
            elif not (rel_error[s] == rel_error[s]) or rel_error[s] == float("inf"):
                reason[s] = "non_finite"
    norms = xp.linalg.vector_norm(W, axis=-1)
    large = host(xp.sum(xp.astype(norms >= tau, xp.int64), axis=1))
    n_large = [int(large[s]) for s in range(S)]
    success = [reason[s] == "converged" and rel_error[s] <= cfg.tol for s in range(S)]
    return {
        "rel_error": rel_error,
        "success": success,
        "steps": hit_step,
        "reason": reason,
        "n_reinit": n_reinit,
        "n_large": n_large,
        "W": W,
    }


def rich_gd(
    W0: Array,
    cstar: Array,
    Ustar: Array,
    l: int,
    backend: Backend,
    *,
    cfg: RichConfig,
    redraw: Callable[[int], Array] | None = None,
) -> dict[str, Any]:
    """GD on ½‖Σ_i ‖w_i‖^(2−l) w_i^{⊗l} − T*‖² + (λ/2)‖W‖², batched over replicas.

    W0 (S, m, d) the initial components (scale δ), cstar (S, r), Ustar (S, r, d) the targets. ``redraw(k)``
    returns fresh (S, m, d) components at scale δ for the k-th re-initialisation event; every H steps the
    components with ‖w_i‖ < τ = tau_factor·δ take their fresh draw (pass None for the no-re-init ablation).
    Returns per-replica lists: rel_error, success, steps, reason, n_reinit, n_large (components ≥ τ at the end),
    and the final parameters W (S, m, d) under "W".
    """
    tsq = sq_norm(cstar, Ustar, l, backend)

    def grad_fn(W: Array) -> tuple[Array, Array]:
        fit_sq, grad, _ = homogeneous_loss_grad(W, cstar, Ustar, l, cfg.lam, backend, tstar_sq=tsq)
        return fit_sq, grad

    return _gd(W0, cstar, Ustar, l, backend, cfg=cfg, grad_fn=grad_fn, redraw=redraw, tau=cfg.tau_factor * cfg.delta)


def plain_gd(W0: Array, cstar: Array, Ustar: Array, l: int, backend: Backend, *, cfg: RichConfig) -> dict[str, Any]:
    """The plain ablation: GD on ½‖Σ_i w_i^{⊗l} − T*‖² + (λ/2)‖W‖² (c_i u_i^{⊗l} with c_i absorbed), no re-init.

    ∇_{w_i} = l ⟨R, w_i^{⊗(l−1)} ⊗ ·⟩ + λ w_i (:func:`gram.rank_one_loss_grad` with a_i = 1).
    """
    xp = backend.xp
    S, m, _ = W0.shape
    ones = xp.ones((S, m), dtype=W0.dtype)

    def grad_fn(W: Array) -> tuple[Array, Array]:
        loss, _, gW = rank_one_loss_grad(ones, W, cstar, Ustar, l, backend)
        return 2.0 * loss, gW + cfg.lam * W

    return _gd(W0, cstar, Ustar, l, backend, cfg=cfg, grad_fn=grad_fn, redraw=None, tau=cfg.tau_factor * cfg.delta)
