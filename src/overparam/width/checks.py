"""Claim C1's cross-field config checks: what the schema cannot say (SPEC, Paper C).

The degree-2 kernel is singular beyond n = d0²/4, so every point's n must stay below it; a series gives exactly
one d0 rule; a width needs at least ``min_success`` seeds to be decided. Each problem is one line naming the key
and the allowed values (:class:`overparam.config.ConfigError`).
"""

from __future__ import annotations

import math
from typing import Any

from overparam.config import ConfigError


def subquadratic_width(block: dict[str, Any], tolerances: dict[str, Any], physics: dict[str, Any], key: str) -> None:
    """C1: enough seeds for ``min_success``; one d0 rule per series; n ≤ d0²/4 at every point."""
    min_success = tolerances["min_success"]
    if min_success > block["seeds"]:
        raise ConfigError(f"config key '{key}.seeds': {block['seeds']} seeds cannot give min_success = {min_success}; "
                          f"allowed: seeds ≥ {min_success}")
    points = [*block["series"], {**block["tracking"], "n": [block["tracking"]["n"]]}]
    for i, series in enumerate(points):
        where = f"{key}.series[{i}]" if i < len(block["series"]) else f"{key}.tracking"
        if ("d0" in series) == ("d0_sqrt_coef" in series):
            raise ConfigError(f"config key '{where}': give exactly one of d0 (fixed) or d0_sqrt_coef (d0 = ⌈c√n⌉)")
        for n in series["n"]:
            d0 = series["d0"] if "d0" in series else math.ceil(series["d0_sqrt_coef"] * math.sqrt(n) - 1e-12)
            if 4 * n > d0 * d0:
                raise ConfigError(f"config key '{where}.n': n = {n} > d0²/4 = {d0 * d0 / 4:g} makes the degree-2 "
                                  f"kernel singular; allowed: n ≤ {d0 * d0 // 4}")
