"""Fits with honest uncertainty: least-squares lines with 95% bootstrap CIs that resample seeds.

Every slope the verdicts use comes from here: ``y = intercept + slope * x`` fitted to per-seed values, and
the CI from resampling the seeds within each x (a percentile bootstrap), so the CI reflects the seed-to-seed
spread that produced the points, not a parametric assumption.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class LineFit:
    """A fitted line with a bootstrap CI on its slope."""

    slope: float
    intercept: float
    slope_ci: tuple[float, float]
    n_points: int
    n_boot: int

    def to_dict(self) -> dict:
        return asdict(self)


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
    rng = np.random.default_rng(seed)
    boots = np.empty(n_boot)
    for b in range(n_boot):
        ys = np.array([reduce(v[rng.integers(0, v.size, v.size)]) for v in vals])
        boots[b] = least_squares_line(xs, ys)[0]
    lo, hi = np.percentile(boots, [2.5, 97.5])
    return LineFit(slope, intercept, (float(lo), float(hi)), len(groups), n_boot)


def bootstrap_mean_ci(values: np.ndarray, *, n_boot: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """Mean of ``values`` with its 95% percentile bootstrap CI."""
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        raise ValueError("fit: no values")
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, v.size, (n_boot, v.size))].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return float(v.mean()), float(lo), float(hi)


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
