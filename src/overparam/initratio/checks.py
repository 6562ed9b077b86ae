"""Claim C2's cross-field config checks: what the schema cannot say.

The ω2 values are taken from ``claims.init_ratio.omega2_grid``, so a scale cannot ask for more of them than the
grid has, nor for fewer than the verdict's ``MIN_POINTS``; a sub-test needs ``min_seeds`` finished runs at every
ω2, so fewer seeds could never decide it. Each problem is one line naming the key and the allowed values.
"""

from __future__ import annotations

from typing import Any

from overparam.config import ConfigError
from overparam.initratio.analysis import MIN_POINTS


def init_ratio(block: dict[str, Any], tolerances: dict[str, Any], paper: dict[str, Any], key: str) -> None:
    """C2: omega2_num within the grid, seeds enough for min_seeds."""
    grid = tolerances.get("omega2_grid", [])
    top = len(grid) if grid else block["omega2_num"]
    if not MIN_POINTS <= block["omega2_num"] <= top:
        raise ConfigError(f"config key '{key}.omega2_num': {block['omega2_num']} ω2 values (the grid "
                          f"'claims.init_ratio.omega2_grid' has {len(grid)}, the verdict needs {MIN_POINTS}); "
                          f"allowed: {MIN_POINTS} to {top}")
    min_seeds = tolerances.get("min_seeds")
    if min_seeds is not None and block["seeds"] < min_seeds:
        raise ConfigError(f"config key '{key}.seeds': {block['seeds']} seeds can never give min_seeds = {min_seeds} "
                          f"finished runs per ω2; allowed: seeds ≥ {min_seeds}")
