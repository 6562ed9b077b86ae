"""An estimate, not a measurement: the GPU time of B1 (escape_dlogd) at the `paper` scale, by roofline.

    .venv/bin/python benchmarks/estimate_paper_gpu.py [--bandwidth 3.35e12] [--launch-us 5]

Direct SGD is memory-bound: one step of S replicas streams about PASSES arrays of S·p·d doubles (the fresh
input x is written by the generator and stacked, u is read by λ = u·x, the update and the renormalisation,
u* and x by λ* = u*·x), and launches about KERNELS kernels whatever S; each block of steps costs two
generator launches per replica. The expected number of steps of a replica is the theory's exit time
t_exit(d, γ')·d/γ' (SPEC.md: n ≈ κ d ln d); the measured B1 slopes at the default scale agree with it
within 10%. Per point: time = steps · max(bytes/bandwidth, KERNELS · launch) + blocks · 2S · launch.
Assumes every replica runs to the mean exit time (those that escape early leave the batch, so this is
an upper estimate by that margin). Run it on a GPU machine and compare with results/benchmarks/paper/.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from overparam.mediocrity import theory

PASSES = 13  # per step, in units of S·p·d doubles (see the module docstring)
KERNELS = 12  # elementwise/reduction kernels per step (vecdot ×3, update, norm, divide, where, …)
BUDGET = 2**27  # Backend.draw_budget on a GPU: doubles per block of random draws


def estimate(config_path: Path, bandwidth: float, launch_s: float) -> list[dict]:
    cfg = yaml.safe_load(config_path.read_text())
    b1 = cfg["scales"]["paper"]["escape_dlogd"]
    delta = float(cfg["mediocrity"]["delta"])
    p, seeds = int(b1["p"]), int(b1["seeds"])
    rows = []
    for d in b1["d"]:
        for g in b1["gamma_p"]:
            steps = theory.t_exit(d, g, p, delta) * d / g
            per_step = max(PASSES * 8.0 * seeds * p * d / bandwidth, KERNELS * launch_s)
            block = max(1, min(64, BUDGET // (seeds * d)))
            seconds = steps * per_step + (steps / block) * 2 * seeds * launch_s
            rows.append({"d": d, "gamma_p": g, "steps": steps, "seconds": seconds})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", type=Path, default=Path(__file__).resolve().parents[1] / "config.yaml")
    ap.add_argument("--bandwidth", type=float, default=3.35e12, help="device memory bandwidth, bytes/s (H100 SXM)")
    ap.add_argument("--launch-us", type=float, default=5.0, help="cost of one kernel launch, µs")
    args = ap.parse_args()
    rows = estimate(args.config, args.bandwidth, args.launch_us * 1e-6)
    print(f"B1 at the paper scale, direct SGD, {args.bandwidth / 1e12:.2f} TB/s, {args.launch_us:g} µs per launch\n")
    print("| d | γ' | mean exit step | estimated time |")
    print("|---|---|---|---|")
    for r in rows:
        print(f"| {r['d']:,} | {r['gamma_p']:.4g} | {r['steps']:,.0f} | {r['seconds'] / 60:.1f} min |")
    total = sum(r["seconds"] for r in rows)
    print(f"\ntotal: {total / 3600:.1f} h on one device (jobs run one after another: resources gpu=1)")


if __name__ == "__main__":
    main()
