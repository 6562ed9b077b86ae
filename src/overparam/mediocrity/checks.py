"""Paper B's cross-field config checks: what the schema cannot say, from the theory (SPEC, Paper B).

Each check takes one scale's settings of its claim, the claim's tolerances, the physics block and the config key
of the settings, and raises :class:`overparam.config.ConfigError` with one line naming the key and the
allowed values: a rate γ' ≥ 2/C_p never escapes the plateau, and the chain's frame needs d > 2(p + 1) + 4.
"""

from __future__ import annotations

from typing import Any

from overparam.config import ConfigError
from overparam.mediocrity import theory


def _rate(key: str, gamma: Any, p: int, delta: float) -> None:
    if gamma == "optimal":
        return
    limit = theory.gamma_max(p, delta)
    if gamma >= limit:
        raise ConfigError(f"config key '{key}': γ' = {gamma} ≥ 2/C_p = {limit:.4g} at p = {p} does not escape; "
                          f"allowed: 0 < γ' < {limit:.4g}")


def _dims(key: str, ds: list[int], p: int) -> None:
    low = 2 * (p + 1) + 4
    if min(ds) <= low:
        raise ConfigError(f"config key '{key}': d = {min(ds)} is too small for p = {p}; allowed: d > {low}")


def escape_dlogd(block: dict[str, Any], tolerances: dict[str, Any], physics: dict[str, Any], key: str) -> None:
    """B1: every γ' escapes at p; every d fits the chain's frame."""
    for g in block["gamma_p"]:
        _rate(f"{key}.gamma_p", g, block["p"], physics["delta"])
    _dims(f"{key}.d", block["d"], block["p"])


def width_constant_factor(block: dict[str, Any], tolerances: dict[str, Any], physics: dict[str, Any],
                          key: str) -> None:
    """B2: every protocol's γ' escapes at every p; every d fits the largest p's frame."""
    for name, g in block["protocols"].items():
        for p in block["p"]:
            _rate(f"{key}.protocols.{name}", g, p, physics["delta"])
    _dims(f"{key}.d", block["d"], max(block["p"]))


def ode_matches_sgd(block: dict[str, Any], tolerances: dict[str, Any], physics: dict[str, Any], key: str) -> None:
    """B3: γ' escapes at every p; every d fits the largest p's frame."""
    for p in block["p"]:
        _rate(f"{key}.gamma_p", block["gamma_p"], p, physics["delta"])
    _dims(f"{key}.d", block["d"], max(block["p"]))
