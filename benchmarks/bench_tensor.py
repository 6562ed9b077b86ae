"""Benchmark of the paper-A kernels (a script, not a test): prints a markdown table.

1. One rich GD step (loss + hand-written gradient + update) through the Gram algebra against the dense d^l
   implementation, at l = 3, d = 100, m = 50, r = 4 (goal: ≥ 100× faster).
2. The lazy solve (tangent Gram + bordered Cholesky → the whole ρ(m) curve) at m·d ≥ 4000: achieved GFLOP/s
   (counting the Cholesky's n³/3) against this machine's own float64 matmul rate (2n³ per n×n product),
   measured in the same run.

Usage: PYTHONPATH=src python benchmarks/bench_tensor.py [--backend numpy|cupy|array_api_strict] [--md 4000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from overparam.backend import get_backend
from overparam.tensor import dense, gram, lazy


def best_time(fn: Callable[[], Any], sync: Callable[[], None], repeats: int, min_time: float = 0.2) -> float:
    """Best-of-``repeats`` wall time of fn() (each sample loops until ``min_time`` has passed)."""
    fn()
    sync()
    best = float("inf")
    for _ in range(repeats):
        n, t0 = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            sync()
            el = time.perf_counter() - t0
            if el >= min_time:
                break
        best = min(best, el / n)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--backend", default="numpy")
    ap.add_argument("--d", type=int, default=100)
    ap.add_argument("--m", type=int, default=50)
    ap.add_argument("--md", type=int, default=4000, help="size of the lazy solve (m·d)")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    be = get_backend(args.backend)
    xp = be.xp
    rng = np.random.default_rng(0)
    rows = []

    # 1. rich GD step
    l, d, m, r, eta, lam = 3, args.d, args.m, 4, 0.05, 1e-3
    W = rng.standard_normal((m, d)) / np.sqrt(d)
    us = rng.standard_normal((r, d))
    us /= np.linalg.norm(us, axis=1, keepdims=True)
    cs = np.ones(r)
    Tstar = dense.rank_one_sum(cs, us, l)
    Wb, usb, csb = be.asarray(W[None]), be.asarray(us[None]), be.asarray(cs[None])
    tsq = gram.sq_norm(csb, usb, l, xp)

    def gram_step() -> Any:
        _, g, _ = gram.homogeneous_loss_grad(Wb, csb, usb, l, lam, xp, tstar_sq=tsq)
        return Wb - eta * g

    def dense_step() -> Any:
        _, g = dense.homogeneous_loss_grad(W, Tstar, l, lam)
        return W - eta * g

    t_gram = best_time(gram_step, be.synchronize, args.repeats)
    t_dense = best_time(dense_step, lambda: None, args.repeats)
    rows.append(("rich GD step, Gram algebra", f"l=3 d={d} m={m} r={r}", f"{t_gram * 1e3:.3f} ms", "", ""))
    rows.append(("rich GD step, dense d^l", f"l=3 d={d} m={m} r={r}", f"{t_dense * 1e3:.3f} ms", "",
                 f"speed-up {t_dense / t_gram:.0f}× (goal ≥ 100×)"))

    # 2. lazy solve at md >= 4000, and the matmul rate of the same size
    d2 = 40
    m2 = -(-args.md // d2)
    n = m2 * d2
    U = be.asarray(rng.standard_normal((m2, d2)) / np.sqrt(d2))
    us2 = rng.standard_normal((1, 1, d2))
    us2 /= np.linalg.norm(us2, axis=2, keepdims=True)
    c2, u2 = be.asarray(np.ones((1, 1))), be.asarray(us2)
    D = lazy.symmetric_dim(d2, 3)
    t_build = best_time(lambda: lazy.tangent_gram(U, 3, xp), be.synchronize, args.repeats, 0.0)
    t_solve = best_time(lambda: lazy.rho_curves(U, c2, u2, 3, xp), be.synchronize, args.repeats, 0.0)
    K = lazy.tangent_gram(U, 3, xp) + 1e-12 * xp.eye(n, dtype=xp.float64)
    t_chol = best_time(lambda: xp.linalg.cholesky(K), be.synchronize, args.repeats, 0.0)
    A = be.asarray(rng.standard_normal((n, n)))
    t_mm = best_time(lambda: xp.matmul(A, A), be.synchronize, args.repeats, 0.0)
    mm_rate = 2 * n**3 / t_mm / 1e9
    chol_flops = (n + 1) ** 3 / 3
    rows.append(("float64 matmul n×n", f"n={n}", f"{t_mm:.3f} s", f"{mm_rate:.1f}", "reference rate"))
    rows.append(("tangent Gram build", f"l=3 d={d2} m={m2} (md={n}, D={D})", f"{t_build:.3f} s", "", ""))
    rows.append(("Cholesky alone", f"n={n}", f"{t_chol:.3f} s", f"{n**3 / 3 / t_chol / 1e9:.1f}",
                 f"{n**3 / 3 / t_chol / 1e9 / mm_rate:.0%} of matmul"))
    rate = chol_flops / t_solve / 1e9
    rows.append(("lazy solve (Gram + bordered Cholesky → ρ(m) for all m)", f"md={n}", f"{t_solve:.3f} s",
                 f"{rate:.1f}", f"{rate / mm_rate:.0%} of matmul"))

    print(f"backend: {be.name} ({be.device})\n")
    print("| kernel | size | time | GFLOP/s | note |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
