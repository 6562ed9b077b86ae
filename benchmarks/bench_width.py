"""Benchmark of one full-batch GD step of paper C's network (not a test): achieved GFLOP/s vs this machine.

Usage: ``python benchmarks/bench_width.py [--n 1024 --d0 64 --d1 4096 --reps 5]``; prints markdown tables.

One GD step (what :func:`overparam.width.train.train_gd` does per accepted iteration) for S seeds:

    gradients at θ:  ∂h/∂v = 2 A r            (d1×n)·(n)        2 d1 n
                     ∂h/∂W = 2 (B⊙r) Xᵀ       (d1×n)·(n×d0)     2 d1 n d0
    update:          θ − η∇h                                     2 (d1 d0 + d1)
    forward at θ':   Z = W X                  (d1×d0)·(d0×n)    2 d1 d0 n
                     f = vᵀφ(Z), r, h = ‖r‖²                     2 d1 n + 3 n

    matmul flops F_mm = 4 d1 d0 n + 4 d1 n    (per seed)
    elementwise ≈ 16 d1 n flops + 1 erf + 1 exp per (d1, n) entry (counted as 1 flop each: a lower bound)

At n = 1024, d0 = 64, d1 = 4096: F_mm = 1.09 GFLOP, elementwise ≈ 0.075 GFLOP (+ 4.2 M erf). The step's
reference rate is this machine's np.matmul rate on the step's own two matmul shapes, measured in the same run;
the erf rate is measured too, since erf (scalar Cephes code in SciPy, ~10 ns/element) bounds the CPU step.
Baseline: the same kernels called seed by seed in a Python loop, against all seeds batched as (S, d1, ·).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import scipy.special

from overparam.backend import get_backend
from overparam.width.network import forward, gradients


def step_flops(n: int, d0: int, d1: int) -> tuple[float, float]:
    """(matmul flops, elementwise flops) of one GD step for one seed (see the module docstring)."""
    mm = 4.0 * d1 * d0 * n + 4.0 * d1 * n
    ew = 16.0 * d1 * n + 2.0 * (d1 * d0 + d1) + 3.0 * n
    return mm, ew


def gd_step(W, v, X, Y, eta: float, fwd, backend):
    """One GD iteration: gradients at the current point, update, forward at the new point."""
    gW, gv = gradients(W, v, X, fwd, backend)
    Wn = W - W.dtype.type(eta) * gW
    vn = v - v.dtype.type(eta) * gv
    return Wn, vn, forward(Wn, vn, X, Y, backend)


def timeit(fn, reps: int) -> float:
    """Median wall time of ``fn()`` over ``reps`` runs after one warm-up."""
    fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return float(np.median(ts))


def problem(S: int, n: int, d0: int, d1: int, dtype, seed: int = 0):
    rng = np.random.default_rng(seed)
    W = (rng.standard_normal((S, d1, d0)) / np.sqrt(d0)).astype(dtype)
    v = (rng.standard_normal((S, d1)) / np.sqrt(d1)).astype(dtype)
    X = rng.standard_normal((S, d0, n))
    X = (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(dtype)
    Y = (rng.choice([-1.0, 1.0], (S, n)) / np.sqrt(n)).astype(dtype)
    return W, v, X, Y


def bench_step(S: int, n: int, d0: int, d1: int, dtype, reps: int) -> dict:
    b = get_backend("numpy")
    W, v, X, Y = problem(S, n, d0, d1, dtype)
    fwd = forward(W, v, X, Y, b)
    eta = 1e-3
    t_batched = timeit(lambda: gd_step(W, v, X, Y, eta, fwd, b), reps)
    fwds = [forward(W[s:s + 1], v[s:s + 1], X[s:s + 1], Y[s:s + 1], b) for s in range(S)]

    def loop() -> None:
        for s in range(S):
            gd_step(W[s:s + 1], v[s:s + 1], X[s:s + 1], Y[s:s + 1], eta, fwds[s], b)

    t_loop = timeit(loop, reps)
    # the machine's own rates on the step's shapes
    A = np.ones((d1, d0), dtype) * 0.5
    Bm = np.ones((d0, n), dtype) * 0.5
    G = np.ones((d1, n), dtype) * 0.5
    Xt = np.ones((n, d0), dtype) * 0.5
    t_mm = timeit(lambda: (np.matmul(A, Bm), np.matmul(G, Xt)), reps)
    z = np.linspace(-4, 4, d1 * n).astype(dtype).reshape(d1, n)
    t_erf = timeit(lambda: scipy.special.erf(z), reps)
    mm, ew = step_flops(n, d0, d1)
    return {"S": S, "n": n, "d0": d0, "d1": d1, "dtype": np.dtype(dtype).name,
            "t_batched": t_batched, "t_loop": t_loop, "gflops": S * (mm + ew) / t_batched / 1e9,
            "mm_gflops": 4.0 * d1 * d0 * n / t_mm / 1e9, "t_mm": S * t_mm, "t_erf": S * t_erf,
            "erf_rate": d1 * n / t_erf / 1e6}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--d0", type=int, default=64)
    ap.add_argument("--d1", type=int, default=4096)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"# bench_width: one GD step of vᵀφ(Wx) — {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, OPENBLAS_NUM_THREADS={threads}, numpy {np.__version__}\n")
    print("| S | n | d0 | d1 | dtype | step (ms) | GFLOP/s | matmul GFLOP/s (same shapes) | step / matmul-only time "
          "| erf (M elem/s) | erf share of step |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    for dtype in (np.float64, np.float32):
        r = bench_step(1, args.n, args.d0, args.d1, dtype, args.reps)
        rows.append(r)
        print(f"| 1 | {r['n']} | {r['d0']} | {r['d1']} | {r['dtype']} | {1e3 * r['t_batched']:.1f} | {r['gflops']:.1f} "
              f"| {r['mm_gflops']:.1f} | {r['t_batched'] / r['t_mm']:.1f}× | {r['erf_rate']:.0f} "
              f"| {100 * r['t_erf'] / r['t_batched']:.0f}% |")
    print("\n## Batched seeds vs a per-seed Python loop (float64)\n")
    print("| S | n | d0 | d1 | batched (ms/step) | loop (ms/step) | speed-up |")
    print("|---|---|---|---|---|---|---|")
    for S, n, d0, d1, reps in ((5, 256, 32, 11, 200), (5, 512, 46, 16, 100), (5, args.n, args.d0, 256, 10),
                               (3, args.n, args.d0, args.d1, max(2, args.reps // 2))):
        r = bench_step(S, n, d0, d1, np.float64, reps)
        print(f"| {S} | {n} | {d0} | {d1} | {1e3 * r['t_batched']:.3f} | {1e3 * r['t_loop']:.3f} "
              f"| {r['t_loop'] / r['t_batched']:.2f}× |")


if __name__ == "__main__":
    main()
