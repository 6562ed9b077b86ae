"""The same GD step as benchmarks/bench_width.py, in PyTorch CPU autograd: the comparison of issue 4.

Runs in its own environment only (the project does not depend on torch):
    python3.11 -m venv /tmp/tv && /tmp/tv/bin/pip install torch==2.13.0 numpy
    /tmp/tv/bin/python benchmarks/bench_width_torch.py      # then compare with bench_width.py's step times

One step = forward vᵀGELU(WX) (exact erf GELU), loss ‖r‖², backward for W and v, update both; one thread,
like the NumPy benchmark (OPENBLAS_NUM_THREADS=1).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch


def step_time(n: int, d0: int, d1: int, dtype: torch.dtype, reps: int) -> float:
    g = torch.Generator().manual_seed(0)
    X = torch.randn(d0, n, generator=g, dtype=dtype)
    X /= X.norm(dim=0, keepdim=True)
    Y = torch.sign(torch.randn(n, generator=g, dtype=dtype)) / n**0.5
    W = (torch.randn(d1, d0, generator=g, dtype=dtype) / d0**0.5).requires_grad_()
    v = (torch.randn(d1, generator=g, dtype=dtype) / d1**0.5).requires_grad_()
    gelu = torch.nn.GELU(approximate="none")

    def one() -> None:
        r = v @ gelu(W @ X) - Y
        loss = (r * r).sum()
        loss.backward()
        with torch.no_grad():
            W.sub_(1e-3 * W.grad)
            v.sub_(1e-3 * v.grad)
            W.grad = None
            v.grad = None

    one()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        one()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--d0", type=int, default=64)
    ap.add_argument("--d1", type=int, default=4096)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(1)
    flops = 4 * args.d1 * args.d0 * args.n
    print(f"# torch {torch.__version__}, 1 thread\n\n| dtype | step (ms) | GFLOP/s (matmul flops) |\n|---|---|---|")
    for dtype in (torch.float64, torch.float32):
        t = step_time(args.n, args.d0, args.d1, dtype, args.reps)
        print(f"| {str(dtype).replace('torch.', '')} | {t * 1e3:.1f} | {flops / t / 1e9:.1f} |")


if __name__ == "__main__":
    main()
