"""Is a B2 miss a finite-d effect? κ_p fitted over windows of d, from small to large, against theory.

B2's test is asymptotic: κ_p is the slope of n/d against ln d, and at small d the O(1) part of the escape time
(E ln(d M0²), the SGD noise at the start) still bends that line. If the miss is finite-d, κ fitted over a
window of larger d moves to κ_p = 1/(8γ' − 4γ'² C_p); if it is real, it does not. The same seeds as the
workflow's `width_constant_factor` runs (claim key, point, replica), so the windows below 4000 reproduce the
committed default-scale records.

    python -m overparam.mediocrity.finite_d --p 8 --gamma 0.1 --seeds 75 --d 1000,2000,4000,8000,16000,32000,64000
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import pandas as pd

from overparam.backend import get_backend
from overparam.mediocrity import analysis, experiment, theory

CLAIM = "width_constant_factor"


def kappa_by_window(records: pd.DataFrame, windows: Sequence[Sequence[int]], *, gamma_p: float, p: int,
                    delta: float, n_boot: int = 2000) -> pd.DataFrame:
    """κ per window of d, fitted as the B2 verdict fits it (:func:`analysis.kappa_fit`), beside theory."""
    pred = theory.kappa(gamma_p, p, delta)
    rows = []
    for window in windows:
        fit = analysis.kappa_fit(records[records["d"].isin(list(window))], n_boot=n_boot)
        if fit is None:
            raise ValueError(f"finite_d: window {list(window)} has fewer than two d with "
                             f"{analysis.MIN_ESCAPES} escapes")
        rows.append({"d_min": min(window), "d_max": max(window), "kappa": fit.slope, "kappa_lo": fit.slope_ci[0],
                     "kappa_hi": fit.slope_ci[1], "kappa_theory": pred, "rel_error": fit.slope / pred - 1.0})
    return pd.DataFrame(rows)


def exit_time_errors(records: pd.DataFrame) -> pd.DataFrame:
    """Mean t_exit per d against ln(d·0.01·R0/2)/(2a) (the records' t_theory), from the workflow's summary."""
    table = analysis.escape_summary(records)[["d", "t_mean", "t_theory"]]
    return table.assign(rel_error=table["t_mean"] / table["t_theory"] - 1.0)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--p", type=int, required=True)
    ap.add_argument("--gamma", type=float, required=True, help="γ' = γ/p")
    ap.add_argument("--seeds", type=int, required=True)
    ap.add_argument("--d", required=True, help="comma-separated, increasing")
    ap.add_argument("--window", type=int, default=3, help="consecutive d per window")
    ap.add_argument("--base-seed", type=int, default=20231)
    ap.add_argument("--delta", type=float, default=1e-4)
    args = ap.parse_args(argv)
    ds = [int(x) for x in args.d.split(",")]
    start = time.perf_counter()
    recs = pd.DataFrame(experiment.escape_series(
        get_backend("numpy"), claim=CLAIM, base_seed=args.base_seed, p=args.p, d=ds, gammas=[args.gamma],
        seeds=args.seeds, delta=args.delta, t_max_factor=10.0, dt_check=1e-3))
    wall = time.perf_counter() - start
    windows = [ds[i:i + args.window] for i in range(0, len(ds) - args.window + 1, max(1, args.window - 1))] + [ds]
    kw = {"gamma_p": args.gamma, "p": args.p, "delta": args.delta}
    print(f"p = {args.p}, γ' = {args.gamma:g}, {args.seeds} seeds, chain, {wall:.0f} s; "
          f"{int(recs['escaped'].sum())}/{len(recs)} escaped\n")
    for table in (kappa_by_window(recs, windows, **kw), exit_time_errors(recs)):
        print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"), end="\n\n")


if __name__ == "__main__":
    main()
