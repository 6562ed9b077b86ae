"""Fits with honest uncertainty: least-squares lines with 95% bootstrap CIs that resample seeds.

Every slope the verdicts use comes from here: ``y = intercept + slope * x`` fitted to per-seed values, and
the CI from resampling the seeds within each x (a percentile bootstrap, ``scipy.stats.bootstrap`` with one
independent sample per x), so the CI reflects the seed-to-seed spread that produced the points, not a
parametric assumption. Every bootstrap has a fixed seed: verdicts are reproducible bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.stats


@dataclass(frozen=True)
class LineFit:
    """A fitted line with a bootstrap CI on its slope."""

    slope: float
    intercept: float
    slope_ci: tuple[float, float]
    n_points: int
    n_boot: int
    boot: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False, compare=False)  # replicate slopes

    def to_dict(self) -> dict:
        return {"slope": self.slope, "intercept": self.intercept, "slope_ci": self.slope_ci,
                "n_points": self.n_points, "n_boot": self.n_boot}


def least_squares_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Slope and intercept of the ordinary least-squares line through (x, y)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.size < 2 or np.ptp(x) == 0:
        raise ValueError("fit: need at least two distinct x values")
    xm, ym = x.mean(), y.mean()
    slope = float(np.sum((x - xm) * (y - ym)) / np.sum((x - xm) ** 2))
    return slope, float(ym - slope * xm)


def bootstrap_line(
    groups: Sequence[tuple[float, np.ndarray]],
    *,
    n_boot: int = 2000,
    seed: int = 0,
    statistic: str = "mean",
) -> LineFit:
    """Fit ``statistic(values)`` against x over groups ``[(x, per-seed values), ...]``.

    The point estimate uses all seeds; each bootstrap replicate resamples the seeds of every group with
    replacement and refits. The CI is the 2.5%–97.5% percentile interval of the replicate slopes.
    """
    reduce = {"mean": np.mean, "median": np.median}[statistic]
    xs = np.array([g[0] for g in groups], dtype=np.float64)
    vals = [np.asarray(g[1], dtype=np.float64) for g in groups]
    if any(v.size == 0 for v in vals):
        raise ValueError("fit: a group has no values")
    slope, intercept = least_squares_line(xs, np.array([reduce(v) for v in vals]))
    xc = xs - xs.mean()

    def fitted_slope(*samples: np.ndarray, axis: int = -1) -> np.ndarray:
        ys = np.stack([reduce(v, axis=axis) for v in samples], axis=-1)
        return np.sum(xc * (ys - ys.mean(axis=-1, keepdims=True)), axis=-1) / np.sum(xc * xc)

    res = scipy.stats.bootstrap(tuple(vals), fitted_slope, n_resamples=n_boot, method="percentile",
                                confidence_level=0.95, rng=np.random.default_rng(seed))
    lo, hi = res.confidence_interval
    return LineFit(slope, intercept, (float(lo), float(hi)), len(groups), n_boot, res.bootstrap_distribution)


def bootstrap_mean_ci(values: np.ndarray, *, n_boot: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """Mean of ``values`` with its 95% percentile bootstrap CI."""
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        raise ValueError("fit: no values")
    if v.size == 1 or np.ptp(v) == 0:  # no spread: scipy's bootstrap refuses a degenerate distribution
        return float(v.mean()), float(v.mean()), float(v.mean())
    res = scipy.stats.bootstrap((v,), np.mean, n_resamples=n_boot, method="percentile",
                                rng=np.random.default_rng(seed))
    lo, hi = res.confidence_interval
    return float(v.mean()), float(lo), float(hi)


def bootstrap_ratio_of_means(a: np.ndarray, b: np.ndarray, *, n_boot: int = 2000,
                             seed: int = 0) -> tuple[float, float, float]:
    """mean(a)/mean(b) over paired values (the same replicas) with its 95% paired percentile bootstrap CI."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)

    def ratio(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
        return np.mean(x, axis=axis) / np.mean(y, axis=axis)

    res = scipy.stats.bootstrap((a, b), ratio, paired=True, n_resamples=n_boot, method="percentile",
                                rng=np.random.default_rng(seed))
    lo, hi = res.confidence_interval
    return float(a.mean() / b.mean()), float(lo), float(hi)


def percentile_ci(samples: np.ndarray) -> tuple[float, float]:
    """The 95% percentile interval of bootstrap replicates of a derived statistic (e.g. a ratio of two fitted
    slopes from independent bootstraps: replicate i of one with replicate i of the other)."""
    lo, hi = np.percentile(np.asarray(samples, dtype=np.float64), [2.5, 97.5])
    return float(lo), float(hi)


def smallest_passing(grid: Sequence[float], passes: Sequence[bool]) -> float | None:
    """The smallest grid value from which every larger value passes (a monotone threshold), or None."""
    order = np.argsort(grid)
    g = np.asarray(grid, dtype=np.float64)[order]
    ok = np.asarray(passes, dtype=bool)[order]
    if not ok[-1]:
        return None
    first_fail_from_top = np.nonzero(~ok)[0]
    idx = 0 if first_fail_from_top.size == 0 else first_fail_from_top[-1] + 1
    return float(g[idx])
