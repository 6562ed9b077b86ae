"""Benchmarks of the escaping-mediocrity kernels (not tests): prints a markdown table for BENCHMARKS.md.

    .venv/bin/python benchmarks/bench_mediocrity.py [--quick]

1. Direct SGD throughput (seed-steps/s) at S = 256, d = 1000, p = 1 against (a) the machine's RNG-only
   throughput for the same normals (the floor every step must pay: one N(0, I_d) input per seed and step) and
   (b) a per-seed Python loop doing the same arithmetic on 1-D arrays.
2. The exact chain against direct SGD at d = 10⁴ (p = 1, γ' = 0.1): time per seed to an exit time. The chain
   runs 256 seeds to their exits; direct SGD's time for the same total number of steps is its measured
   seed-step throughput at d = 10⁴ times the chain's summed exit steps (the two have the same law: tests).
3. The machine's own float64 matmul rate and copy bandwidth, measured in the same run, for reference.
4. The exact chain's two kernels (``engine="array"``: the array-API one; ``engine="fused"``: the compiled CPU
   one), replica-steps/s at p = 1, 8, 64 and d = 10⁴ (no replica escapes in the window; checks at the
   default cadence), beside this machine's ceiling for one step measured in the same run: (a) the draws a step
   needs (k̄ + 1 normals and one chi-square, k̄ the mean used columns) at NumPy's measured per-stream normal and
   chi-square rates; (b) the step's arithmetic (multiply-adds of the projection, the move, the Gram update
   and the amortised re-compression) at a measured float64 FMA rate (a Numba loop, 8 independent
   accumulators per lane, vectorised); the ceiling is whichever of (a), (b) binds (the lower rate).

    .venv/bin/python benchmarks/bench_mediocrity.py --chain-only   # section 4 alone
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from overparam.backend import get_backend
from overparam.mediocrity.chain import frame_extra_columns, run_chain
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
    t = best_of(lambda: run_direct_sgd(seeds(s), be, p=p, d=d, gamma_p=g, delta=DELTA, t_max=t_max,
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
    res = run_chain(seeds(s, 9), be, p=1, d=np.full(s, d), gamma_p=np.full(s, g), delta=DELTA,
                    t_max=np.full(s, 30.0))
    t_chain = time.perf_counter() - t0
    direct_rate = direct_throughput(16, d, 300)
    t_direct = res.n_exit.sum() / direct_rate
    return t_chain, t_direct, float(np.mean(res.t_exit)), float(res.n_exit.sum())


def normal_rate(n: int = 2_000_000) -> float:
    """N(0, 1) draws/s of one NumPy PCG64 stream (large calls: the per-call overhead is amortised)."""
    gen = np.random.default_rng(1)
    out = np.empty(n)
    return n / best_of(lambda: gen.standard_normal(out=out))


def chisquare_rate(d: int, extra: int, n: int = 500_000) -> float:
    """χ²(d − k) draws/s of one stream, drawn as ``chain.draw_block`` draws them (scalar df when e = 1)."""
    gen = np.random.default_rng(2)
    if extra == 1:
        return n / best_of(lambda: gen.chisquare(float(d - 2), n))
    dof = (d - 2 - np.arange(n) % extra).astype(np.float64)
    return n / best_of(lambda: gen.chisquare(dof, n))


def fma_rate() -> float:
    """float64 multiply-adds/s of one core, the best of two compiled loops with L1-resident operands: (a) 256
    independent chains a ← a·x + y (one load-load-store per FMA), (b) a dot product (two loads per FMA,
    vectorised reduction). The chain's step is loops of these two shapes over its frame."""
    import numba

    @numba.njit(fastmath={"contract"})
    def update(acc: np.ndarray, x: np.ndarray, y: np.ndarray, reps: int) -> float:
        for _ in range(reps):
            for i in range(acc.size):  # acc.size independent chains: no latency bound
                acc[i] = acc[i] * x[i] + y[i]
        return acc.sum()

    @numba.njit(fastmath=True)
    def dot(x: np.ndarray, y: np.ndarray, reps: int) -> float:
        s = 0.0
        for _ in range(reps):
            for i in range(x.size):
                s += x[i] * y[i]
            x[0] += 1e-300  # keeps the loop from being hoisted
        return s

    acc, x, y = np.ones(256), np.full(1024, 0.999999), np.full(1024, 1e-9)
    update(acc, x, y, 10)
    dot(x, y, 10)
    reps = 400_000
    rate_a = acc.size * reps / best_of(lambda: update(acc, x[:256], y[:256], reps))
    rate_b = x.size * reps / best_of(lambda: dot(x, y, reps // 4)) / 4
    return max(rate_a, rate_b)


def step_ops(p: int, extra: int) -> float:
    """Floating-point operations of one chain step, an FMA or a lone multiply counting one (they have the same
    throughput), as the algorithm needs them (mean over the schedule, k̄ = P + (e − 1)/2 used columns):
    λ for P vectors and |ξ|² over k̄ columns ((P + 1) k̄), the move (u + c ξ)·ι of p students over k̄ columns
    (2 p k̄), the carried Gram matrix (4 per entry of its p(p + 1)/2 + p: Q_ab ← ι_a ι_b (Q_ab + c_b λ_a +
    c_a λ_b + c_a c_b ‖x‖²)), the per-student scalars (≈ 6 p, and the square root not counted), and the
    amortised re-compression (Cholesky P³/6 and ≈ 2 P² to rewrite and renormalise) once per e steps."""
    n_rows = p + 1
    k = n_rows + (extra - 1) / 2
    return (n_rows + 1) * k + 2 * p * k + 4 * (p * (p + 1) / 2 + p) + 6 * p + (n_rows**3 / 6 + 2 * n_rows**2) / extra


def chain_rate(engine: str, p: int, d: int, n: int, steps: int) -> float:
    """Replica-steps/s of one kernel: n replicas for exactly ``steps`` steps (t_max), none escaping."""
    be = get_backend("numpy")
    g = 0.1
    kw = dict(p=p, d=np.full(n, d), gamma_p=np.full(n, g), delta=DELTA, t_max=np.full(n, steps * g / d))
    run_chain(seeds(n, 3), be, engine=engine, **{**kw, "t_max": np.full(n, 8 * g / d)})  # compile, warm up
    res = []
    t = best_of(lambda: res.append(run_chain(seeds(n, 3), be, engine=engine, **kw)), repeat=2)
    assert not res[-1].escaped.any()
    return n * steps / t


def chain_table(quick: bool) -> None:
    d = 10_000
    n_rate = normal_rate()
    flops = fma_rate()
    print(f"NumPy normals: {n_rate / 1e6:.1f} M/s per stream; compiled FMA loop: {flops / 1e9:.2f} G FMA/s; "
          f"d = {d}, OPENBLAS_NUM_THREADS = {os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}\n")
    print("| p | e | array (replica-steps/s) | fused (replica-steps/s) | RNG ceiling | FMA ceiling | fused / ceiling "
          "| fused / array |")
    print("|---|---|---|---|---|---|---|---|")
    sizes = {1: (256, 2048), 8: (256, 1024), 64: (32, 512)}
    for p, (n, steps) in sizes.items():
        if quick:
            n, steps = max(8, n // 4), steps // 4
        e = frame_extra_columns(p)
        k_mean = p + 1 + (e - 1) / 2
        chi_rate = chisquare_rate(d, e)
        rng_ceiling = 1.0 / ((k_mean + 1) / n_rate + 1.0 / chi_rate)
        flop_ceiling = flops / step_ops(p, e)
        ceiling = min(rng_ceiling, flop_ceiling)
        arr = chain_rate("array", p, d, n if p < 64 else 16, max(64, steps // 4) if p == 64 else steps)
        fus = chain_rate("fused", p, d, n, steps * 4)
        print(f"| {p} | {e} | {arr:,.0f} | {fus:,.0f} | {rng_ceiling:,.0f} (χ² {chi_rate / 1e6:.1f} M/s) | "
              f"{flop_ceiling:,.0f} | **{fus / ceiling:.0%}** | {fus / arr:.0f}× |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--chain-only", action="store_true", help="only the chain kernels against the ceiling")
    args = parser.parse_args()
    if args.chain_only:
        print(f"machine: {platform.processor() or platform.machine()}, numpy {np.__version__}")
        chain_table(args.quick)
        return
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
    print()
    chain_table(args.quick)


if __name__ == "__main__":
    main()
