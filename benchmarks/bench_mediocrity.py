"""Benchmarks of the escaping-mediocrity kernels (not tests): prints a markdown table for BENCHMARKS.md.

    .venv/bin/python benchmarks/bench_mediocrity.py [--quick]

1. Direct SGD throughput (seed-steps/s) at S = 256, d = 1000, p = 1 against (a) the machine's RNG-only
   throughput for the same normals (the floor every step must pay: one N(0, I_d) input per seed and step) and
   (b) a per-seed Python loop doing the same arithmetic on 1-D arrays.
2. The exact chain against direct SGD at d = 10⁴ (p = 1, γ' = 0.1): time per seed to an exit time. The chain
   runs 256 seeds to their exits; direct SGD's time for the same total number of steps is its measured
   seed-step throughput at d = 10⁴ times the chain's summed exit steps (the two have the same law: tests).
3. The machine's own float64 matmul rate and copy bandwidth, measured in the same run, for reference.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from overparam.backend import get_backend
from overparam.mediocrity.chain import run_chain
from overparam.mediocrity.sgd import run_direct_sgd

DELTA = 1e-4


def seeds(n: int, tag: int = 0) -> list[np.random.SeedSequence]:
    return [np.random.SeedSequence([tag, i]) for i in range(n)]


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def matmul_gflops(n: int = 2000) -> float:
    a, b = np.random.default_rng(0).standard_normal((2, n, n))
    t = best_of(lambda: a @ b)
    return 2 * n**3 / t / 1e9


def copy_bandwidth_gbs(n: int = 50_000_000) -> float:
    a = np.ones(n)
    b = np.empty(n)
    t = best_of(lambda: np.copyto(b, a))
    return 2 * 8 * n / t / 1e9


def rng_only(s: int, d: int, steps: int) -> float:
    """Seed-steps/s of drawing each seed's inputs from its own stream, and nothing else."""
    gens = [np.random.default_rng(ss) for ss in seeds(s)]
    out = np.empty((s, steps, d))

    def draw() -> None:
        for j, g in enumerate(gens):
            g.standard_normal(out=out[j])

    return s * steps / best_of(draw)


def direct_throughput(s: int, d: int, steps: int, p: int = 1) -> float:
    """Seed-steps/s of batched direct SGD (escape never reached: t_max covers exactly ``steps`` steps)."""
    be = get_backend("numpy")
    g = 0.1
    t_max = steps * g / d
    t = best_of(lambda: run_direct_sgd(be, seeds(s), p=p, d=d, gamma_p=g, delta=DELTA, t_max=t_max,
                                       dt_check=1e9), repeat=2)
    return s * steps / t


def python_loop_throughput(s: int, d: int, steps: int) -> float:
    """Seed-steps/s of the naive baseline: one seed at a time, one step at a time, 1-D NumPy arrays."""
    g, sqrt_delta = 0.1, np.sqrt(DELTA)

    def run() -> None:
        for ss in seeds(s):
            rng = np.random.default_rng(ss)
            u = rng.standard_normal(d)
            u /= np.linalg.norm(u)
            u_star = rng.standard_normal(d)
            u_star /= np.linalg.norm(u_star)
            for _ in range(steps):
                x = rng.standard_normal(d)
                lam, lam_t = u @ x, u_star @ x
                err = lam * lam - lam_t * lam_t - sqrt_delta * rng.standard_normal()
                u = u - (2 * g / d) * err * lam * x
                u /= np.linalg.norm(u)

    return s * steps / best_of(run, repeat=1)


def chain_vs_direct(s: int, d: int) -> tuple[float, float, float, float]:
    be = get_backend("numpy")
    g = 0.1
    t0 = time.perf_counter()
    res = run_chain(be, seeds(s, 9), p=1, d=np.full(s, d), gamma_p=np.full(s, g), delta=DELTA,
                    t_max=np.full(s, 30.0))
    t_chain = time.perf_counter() - t0
    direct_rate = direct_throughput(16, d, 300)
    t_direct = res.n_exit.sum() / direct_rate
    return t_chain, t_direct, float(np.mean(res.t_exit)), float(res.n_exit.sum())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    s, d, steps = (64, 1000, 50) if args.quick else (256, 1000, 200)
    print(f"machine: {platform.processor() or platform.machine()}, numpy {np.__version__}")
    print(f"float64 matmul: {matmul_gflops():.1f} GFLOP/s; copy bandwidth: {copy_bandwidth_gbs():.1f} GB/s\n")
    rng_rate = rng_only(s, d, steps)
    sgd_rate = direct_throughput(s, d, steps)
    loop_rate = python_loop_throughput(s if not args.quick else 16, d, steps)
    print("| measurement | value | goal |")
    print("|---|---|---|")
    print(f"| direct SGD, S={s}, d={d}, p=1 | {sgd_rate:,.0f} seed-steps/s | |")
    print(f"| RNG only (same normals) | {rng_rate:,.0f} seed-steps/s | |")
    print(f"| direct SGD / RNG only | {sgd_rate / rng_rate:.0%} | ≥ 50% |")
    print(f"| per-seed Python loop | {loop_rate:,.0f} seed-steps/s | |")
    print(f"| direct SGD / Python loop | {sgd_rate / loop_rate:.1f}× | ≥ 10× |")
    # SGD arithmetic per seed-step at p = 1: about 10 passes over d doubles (fields, update, norm)
    print(f"| direct SGD achieved bandwidth | {sgd_rate * 10 * 8 * d / 1e9:.1f} GB/s (≈10 passes of d doubles) | |")
    cs, cd = (32, 2000) if args.quick else (256, 10_000)
    t_chain, t_direct, t_mean, n_sum = chain_vs_direct(cs, cd)
    print(f"| chain, {cs} seeds to exit at d={cd} | {t_chain:.1f} s (mean t_exit {t_mean:.3f}, {n_sum:,.0f} steps) | |")
    print(f"| direct SGD, same steps (measured rate × steps) | {t_direct:.0f} s | |")
    print(f"| chain speed-up at d={cd} | {t_direct / t_chain:.0f}× | ≥ 100× |")


if __name__ == "__main__":
    main()
