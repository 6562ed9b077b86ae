"""Claim C1 `subquadratic_width`: d1*(n) tables, the scaling fit of d0·d1* against n, and the verdict.

Theory (Song et al. 2021): full-batch GD on vᵀφ(Wx) converges linearly to zero loss once
d0·d1 = Ω̃(n^{3/2}) (d1 ≳ n^{3/2}/d0); the earlier bounds needed n² (Oymak & Soltanolkotabi) or more. So the
predicted exponent of d0·d1* in n is at most 3/2 = :data:`THEORY_EXPONENT`, against 2 = :data:`OLDER_EXPONENT`.
These are *sufficient* widths, not necessary ones: generic interpolation needs only as many parameters as
points, d0·d1 + d1 ≳ n, so the measured exponent is expected near 1 — a pass says the data are inside the
bound, not that the bound is tight.

d1* per point (a point = one n of one series) is read from the run records: the smallest grid width at which
≥ ``min_success`` of the seeds succeed, among the widths where every seed was measured (the search measures
d1* and the width below it for every seed), from which every larger fully-measured width also passes
(:func:`overparam.fit.smallest_passing`).

Bootstrap (95% CI of the slope). Resampling *seeds within each n* and recomputing d1* from the resample, not a
bootstrap over the n points: there are only 4–9 n per series, and a case bootstrap over so few points is
degenerate (replicates with two or three distinct x, slopes of a single pair), while the seed-to-seed spread is
the randomness that actually produced each d1*. A seed's own threshold t_s is the smallest width from which all
its measured runs succeed; with S resampled seeds the replicate's d1* is the k-th smallest t_s (k =
min_success) — exactly "the smallest width where ≥ k of the S seeds succeed" for monotone seeds. This is an
order statistic, not the mean/median that :func:`overparam.fit.bootstrap_line` reduces with, so the loop is
here, built on :func:`overparam.fit.least_squares_line` with the same percentile convention.

The √2 grid quantises d1* (a seed's true threshold lies anywhere in its bracket (last failure, first success],
a factor ≈ √2). A plain seed bootstrap does not see that: in the pilot every seed of a point switched at the
same grid width, and the CI collapsed to zero width. So each resampled seed's threshold is drawn log-uniformly
inside its bracket (interval censoring); the point estimate keeps the SPEC's grid d1*. The details also
report the largest slope shift that half-step errors could cause (``grid_resolution_slope``).

Points with d1* at the grid's first width (d1 = d1_min: the narrowest net already fits) are floor-censored —
their true threshold is below the grid — and are left out of the fits (listed in the details).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from overparam.decide import bound_test, claim_status, undecided
from overparam.fit import least_squares_line, smallest_passing
from overparam.verdict import json_ready

THEORY_EXPONENT = 3.0 / 2.0  # d0·d1 = Ω̃(n^{3/2}) (paper C's theorem)
OLDER_EXPONENT = 2.0  # d0·d1 = Ω(n²) (Oymak & Soltanolkotabi, standard init)
DEFAULT_SLACK = 0.1  # the bound 1.5 + 0.1, decided on the slope's 95% CI (three-way, overparam.decide)
MIN_POINTS = 3  # fewer n with a d1* than this: inconclusive

def records_frame(records: Sequence[dict] | pd.DataFrame) -> pd.DataFrame:
    """Run records as a DataFrame (a copy), with the columns the analysis needs checked."""
    df = pd.DataFrame(records).copy() if not isinstance(records, pd.DataFrame) else records.copy()
    need = {"series", "n", "d0", "d1", "seed", "success"}
    missing = need - set(df.columns)
    if missing:
        raise ValueError(f"width analysis: records lack columns {sorted(missing)}")
    df["success"] = df["success"].astype(bool)
    return df


def _points(df: pd.DataFrame) -> list[tuple[tuple[str, int, int], pd.DataFrame]]:
    return [((str(s), int(n), int(d0)), g) for (s, n, d0), g in df.groupby(["series", "n", "d0"], sort=True)]


def seed_thresholds(records: Sequence[dict] | pd.DataFrame) -> pd.DataFrame:
    """Per (series, n, d0, seed): t_s = smallest width from which every measured run of the seed succeeds
    (``threshold``, NaN if none succeeds), the largest measured failing width below it (``below``, NaN if
    none: the seed's true threshold lies in (below, t_s]), and the number of runs the seed has."""
    df = records_frame(records)
    rows = []
    for (series, n, d0, seed), g in df.groupby(["series", "n", "d0", "seed"], sort=True):
        g = g.sort_values("d1")
        t = smallest_passing(g["d1"].to_numpy(float), g["success"].to_numpy(bool))
        fails_below = g[(~g["success"]) & (g["d1"] < (np.inf if t is None else t))]["d1"]
        below = float(fails_below.max()) if t is not None and len(fails_below) else np.nan
        rows.append({"series": series, "n": int(n), "d0": int(d0), "seed": int(seed),
                     "threshold": np.nan if t is None else t, "below": below, "runs": len(g)})
    return pd.DataFrame(rows)


def d1_star_table(records: Sequence[dict] | pd.DataFrame, min_success: int = 4) -> pd.DataFrame:
    """Table of d1*(n) per series: one row per point.

    Columns: series, n, d0, d1_star (NaN if none), d0_d1_star, ratio (d0·d1*/n), seeds, successes_at_star,
    successes_below (at the grid width below d1*, measured for every seed), width_below, at_grid_floor,
    order_stat_d1_star (k-th smallest per-seed threshold: equal to d1_star when seeds are monotone), runs,
    max_steps, wall_time_s (sum over the point's runs), diverged (runs ended by a numerical failure).
    """
    df = records_frame(records)
    thr = seed_thresholds(df)
    rows = []
    for (series, n, d0), g in _points(df):
        seeds = sorted(g["seed"].unique())
        S = len(seeds)
        widths = sorted(g["d1"].unique())
        full = [w for w in widths if set(g.loc[g["d1"] == w, "seed"]) == set(seeds)]
        counts = {w: int(g.loc[g["d1"] == w, "success"].sum()) for w in full}
        star = smallest_passing(full, [counts[w] >= min_success for w in full]) if full else None
        grid = _grid_of(g)
        floor = grid[0] if grid else (int(g["d1_min"].min()) if "d1_min" in g else 1)
        below = None
        if star is not None:
            lower = [w for w in grid if w < star] if grid else [w for w in full if w < star]
            below = lower[-1] if lower else None
        t = thr[(thr["series"] == series) & (thr["n"] == n) & (thr["d0"] == d0)]["threshold"].to_numpy(float)
        t = np.where(np.isnan(t), np.inf, t)
        k_th = float(np.sort(t)[min_success - 1]) if S >= min_success else np.inf
        rows.append({
            "series": series, "n": n, "d0": d0,
            "d1_star": np.nan if star is None else float(star),
            "d0_d1_star": np.nan if star is None else float(d0 * star),
            "ratio": np.nan if star is None else float(d0 * star / n),
            "seeds": S,
            "successes_at_star": counts.get(star, np.nan) if star is not None else np.nan,
            "width_below": np.nan if below is None else float(below),
            "successes_below": counts.get(below, np.nan) if below is not None else np.nan,
            "at_grid_floor": bool(star is not None and star <= floor),
            "order_stat_d1_star": k_th if np.isfinite(k_th) else np.nan,
            "runs": len(g),
            "max_steps": int(g["max_steps"].max()) if "max_steps" in g else np.nan,
            "wall_time_s": float(g["wall_time_s"].sum()) if "wall_time_s" in g else np.nan,
            "diverged": int(g["reason"].astype(str).str.startswith("diverged").sum()) if "reason" in g else 0,
        })
    return pd.DataFrame(rows)


def _grid_of(g: pd.DataFrame) -> list[int]:
    if "search_grid" in g.columns:
        grid = g["search_grid"].iloc[0]
        if isinstance(grid, (list, tuple, np.ndarray)) and len(grid):
            return [int(w) for w in grid]
    return []


def _fit_points(table: pd.DataFrame, series: str | None) -> pd.DataFrame:
    """Points with a usable d1*. Pooled: one (n, d0) point counts once even if two series share it (n = 1024,
    d0 = ⌈2√n⌉ = 64 is in both series; its seeds are keyed by (n, d0), so the runs are the same)."""
    t = table if series is None else table[table["series"] == series]
    t = t[t["d1_star"].notna() & ~t["at_grid_floor"].astype(bool)].sort_values(["series", "n"])
    return t.drop_duplicates(subset=["n", "d0"], keep="first") if series is None else t


def grid_resolution_slope(log_n: np.ndarray, step: float = 0.5 * math.log(math.sqrt(2.0))) -> float:
    """Largest |slope shift| from errors of at most ``step`` in each log(d1*) (half a √2 grid step)."""
    x = np.asarray(log_n, dtype=np.float64)
    xc = x - x.mean()
    den = float(np.sum(xc * xc))
    return float(step * np.sum(np.abs(xc)) / den) if den > 0 else float("nan")


def fit_scaling(records: Sequence[dict] | pd.DataFrame, *, series: str | None = None, min_success: int = 4,
                n_boot: int = 2000, seed: int = 0, censored: bool = True) -> dict[str, Any]:
    """Least-squares slope of log(d0·d1*) against log n with a 95% seed-bootstrap CI.

    ``censored`` (default): each resampled seed's threshold is drawn log-uniformly inside its measured
    bracket (last failing width, first succeeding width] — the grid only says it lies there — so the CI
    carries the grid's quantisation too; without it, seeds that all agree give a zero-width CI.

    ``series=None`` pools every series' points. Returns slope, intercept, slope_ci, n_points, n_values, points
    (series, n, d0, d1_star), grid_resolution_slope, n_boot, boot_dropped (replicates in which a resampled
    point had no d1* and was dropped), boot_skipped (replicates with < 2 distinct n left). Slope NaN when
    fewer than two distinct n have a usable d1*.
    """
    df = records_frame(records)
    table = d1_star_table(df, min_success)
    pts = _fit_points(table, series)
    out: dict[str, Any] = {"series": "pooled" if series is None else series, "n_points": len(pts),
                           "n_values": sorted({int(n) for n in pts["n"]}),
                           "points": pts[["series", "n", "d0", "d1_star"]].to_dict("records"),
                           "slope": float("nan"), "intercept": float("nan"), "slope_ci": (float("nan"), float("nan")),
                           "grid_resolution_slope": float("nan"), "n_boot": int(n_boot), "boot_dropped": 0,
                           "boot_skipped": 0}
    if pts["n"].nunique() < 2:
        return out
    x = np.log(pts["n"].to_numpy(float))
    y = np.log(pts["d0_d1_star"].to_numpy(float))
    slope, intercept = least_squares_line(x, y)
    out.update({"slope": slope, "intercept": intercept, "grid_resolution_slope": grid_resolution_slope(x)})

    thr = seed_thresholds(df)
    per_point = []
    for _, p in pts.iterrows():
        t = thr[(thr["series"] == p["series"]) & (thr["n"] == p["n"]) & (thr["d0"] == p["d0"])]
        tv = np.where(np.isnan(t["threshold"].to_numpy(float)), np.inf, t["threshold"].to_numpy(float))
        bl = t["below"].to_numpy(float)
        bl = np.where(np.isfinite(bl) & np.isfinite(tv), bl, tv)  # no bracket: no jitter
        per_point.append((math.log(p["n"]), float(p["d0"]), tv, bl))
    rng = np.random.default_rng(seed)
    boots = []
    dropped = skipped = 0
    for _ in range(n_boot):
        xs, ys = [], []
        for xn, d0, tv, bl in per_point:
            pick = rng.integers(0, tv.size, tv.size)
            hi_, lo_ = tv[pick], bl[pick]
            u = rng.random(tv.size)
            with np.errstate(invalid="ignore"):
                res = np.where(np.isfinite(hi_) & censored, np.exp(np.log(lo_) + u * (np.log(hi_) - np.log(lo_))), hi_)
            k = min(min_success, tv.size)
            val = np.sort(res)[k - 1]
            if not np.isfinite(val):
                dropped += 1
                continue
            xs.append(xn)
            ys.append(math.log(d0 * val))
        if len(set(xs)) < 2:
            skipped += 1
            continue
        boots.append(least_squares_line(np.array(xs), np.array(ys))[0])
    if boots:
        lo, hi = np.percentile(boots, [2.5, 97.5])
        out["slope_ci"] = (float(lo), float(hi))
    out.update({"boot_dropped": dropped, "boot_skipped": skipped})
    return out


def fit_table(records: Sequence[dict] | pd.DataFrame, *, min_success: int = 4, n_boot: int = 2000,
              seed: int = 0, censored: bool = True) -> pd.DataFrame:
    """One row per fit (pooled, then each series): series, slope, intercept, ci_low, ci_high, n_points."""
    df = records_frame(records)
    rows = []
    for s in [None, *sorted(df["series"].astype(str).unique())]:
        f = fit_scaling(df, series=s, min_success=min_success, n_boot=n_boot, seed=seed, censored=censored)
        rows.append({"series": f["series"], "slope": f["slope"], "intercept": f["intercept"],
                     "ci_low": f["slope_ci"][0], "ci_high": f["slope_ci"][1], "n_points": f["n_points"],
                     "grid_resolution_slope": f["grid_resolution_slope"]})
    return pd.DataFrame(rows)


def verdict_fields(records: Sequence[dict] | pd.DataFrame, *, min_success: int = 4, n_boot: int = 2000,
                   seed: int = 0, theory_exponent: float = THEORY_EXPONENT, older_exponent: float = OLDER_EXPONENT,
                   slack: float = DEFAULT_SLACK, min_points: int = MIN_POINTS) -> dict[str, Any]:
    """The verdict of C1 from the run records (the keys of :class:`overparam.verdict.Verdict` that the data fix).

    Test (SPEC C1): fit the pooled log(d0·d1*) against log n; two one-sided bound tests on its 95% CI (decided
    three-way, :mod:`overparam.decide`): slope < ``older_exponent`` (2, strict) and slope ≤ ``theory_exponent + slack``
    (1.5 + 0.1); ``inconclusive`` without a test when fewer than ``min_points`` distinct n have a usable d1*.

    Returns predicted, measured, tolerance, status, details, runs_used, runs_failed (runs ended by
    a numerical failure — divergence or non-finite loss; runs that merely did not reach the tolerance within T
    steps are the search's ordinary negatives and are counted in the details).
    """
    df = records_frame(records)
    table = d1_star_table(df, min_success)
    pooled = fit_scaling(df, min_success=min_success, n_boot=n_boot, seed=seed)
    per_series = {s: fit_scaling(df, series=s, min_success=min_success, n_boot=n_boot, seed=seed)
                  for s in sorted(df["series"].astype(str).unique())}
    n_with = len(pooled["n_values"])
    slope = pooled["slope"]
    lo, hi = pooled["slope_ci"]
    bound = theory_exponent + slack
    if n_with < min_points or not np.isfinite(slope):
        tests = [undecided("slope of log(d0·d1*) vs log n", f"fewer than {min_points} n with a d1*")]
    else:
        tests = [bound_test("slope of log(d0·d1*) vs log n, below the older bound", slope, (lo, hi), "upper",
                            older_exponent, strict=True),
                 bound_test("slope of log(d0·d1*) vs log n, within the theory's bound + slack", slope, (lo, hi),
                            "upper", bound)]
    status = claim_status(tests)
    predicted = (f"slope of log(d0·d1*) vs log n ≤ {theory_exponent:g} (d0·d1 = Ω̃(n^{theory_exponent:g}) suffices); "
                 f"older bound {older_exponent:g}")
    if np.isfinite(slope):
        measured = (f"slope {slope:.2f} (95% CI {lo:.2f} to {hi:.2f}; √2-grid resolution ±"
                    f"{pooled['grid_resolution_slope']:.2f}) over {n_with} n; theory bound {theory_exponent:g}, "
                    f"older bound {older_exponent:g}")
    else:
        measured = f"no slope: only {n_with} n with a d1*"
    tolerance = (f"95% CI of the slope < {older_exponent:g} and ≤ {theory_exponent:g} + {slack:g}; "
                 f"inconclusive if fewer than {min_points} n have a d1*")
    note = (f"The bound d0·d1 = Ω̃(n^{theory_exponent:g}) is sufficient, not tight: it is what the proof needs, while "
            "a net needs only about as many parameters as points (d0·d1 ≳ n), so the measured slope is expected "
            "near 1. ")
    if np.isfinite(slope):
        note += (f"Measured slope {slope:.2f} (CI {lo:.2f}–{hi:.2f}) beside the theory's {theory_exponent:g} and the "
                 f"older {older_exponent:g}: the data lie {'inside' if slope <= bound else 'outside'} the bound; "
                 f"that does not show the bound is tight.")
    diverged = int(df["reason"].astype(str).str.startswith("diverged").sum()) if "reason" in df else 0
    not_converged = int((~df["success"]).sum()) - diverged
    floor = table[table["at_grid_floor"]]
    details = {
        "note": note,
        "fit": "least squares of log(d0·d1*) on log n, all series pooled; CI: seed bootstrap within each n",
        "pooled_fit": pooled,
        "series_fits": per_series,
        "table": table.replace({np.nan: None}).to_dict("records"),
        "floor_censored_points": floor[["series", "n", "d0"]].to_dict("records"),
        "monotone_mismatch_points": int(((table["order_stat_d1_star"] != table["d1_star"])
                                         & table["d1_star"].notna()).sum()),
        "min_success": int(min_success),
        "runs_not_converged": not_converged,
        "runs_diverged": diverged,
        "theory_exponent": theory_exponent,
        "older_exponent": older_exponent,
    }
    return {"predicted": predicted, "measured": measured, "tolerance": tolerance,
            "status": status, "tests": json_ready(tests), "details": json_ready(details), "runs_used": len(df),
            "runs_failed": diverged}


