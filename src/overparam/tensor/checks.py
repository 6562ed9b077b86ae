"""Paper A's cross-field config checks: what the schema cannot say.

A1 fits one slope per l of ``claims.lazy_lower_bound.ls``, so every such l needs a points entry; A2 compares
m*_rich at ``r_main`` with m*_lazy at the same r, which the lazy solve computes only for r in
``tensor.lazy.r_list``. Each problem is one line naming the key and the allowed values.
"""

from __future__ import annotations

from typing import Any

from overparam.config import ConfigError


def lazy_lower_bound(block: dict[str, Any], tolerances: dict[str, Any], paper: dict[str, Any], key: str) -> None:
    """A1: every l the verdict fits has a sweep of d."""
    have = sorted({int(p["l"]) for p in block["points"]})
    missing = [l for l in tolerances.get("ls", []) if l not in have]
    if missing:
        raise ConfigError(f"config key 'claims.lazy_lower_bound.ls': l = {missing[0]} has no entry in "
                          f"'{key}.points'; allowed: l in {have}")


def rich_upper_bound(block: dict[str, Any], tolerances: dict[str, Any], paper: dict[str, Any], key: str) -> None:
    """A2: m*_lazy exists at r_main."""
    r_list = paper.get("lazy", {}).get("r_list", [])
    r_main = tolerances.get("r_main")
    if r_main is not None and r_list and r_main not in r_list:
        raise ConfigError(f"config key 'claims.rich_upper_bound.r_main': {r_main} is not in 'tensor.lazy.r_list' "
                          f"(A2 compares with m*_lazy at the same r); allowed: one of {r_list}")
