"""Paper C's width-search job entry points (C1): one job dict -> one list of run records.

A job holds ``point`` (the settings that ``experiment.run_point`` or ``run_tracking`` reads) and ``base_seed``;
see :mod:`overparam.jobs` for the common signature.
"""

from __future__ import annotations

from typing import Any

from overparam.backend import Backend
from overparam.jobs import Progress
from overparam.width import experiment


def _width_log(job: dict[str, Any]) -> experiment.WidthLog:
    """One log line per width trained (a search trains a dozen or so; GD steps would be far too many lines)."""
    where = f"{job['claim']} {job['kind']} n = {job['point']['n']}"

    def log(d1: int, seeds: int) -> None:
        print(f"{where}: width d1 = {d1} trained for {seeds} seed(s)", flush=True)

    return log


def point(job: dict[str, Any], backend: Backend, progress: Progress | None = None) -> list[dict[str, Any]]:
    """The width search at one (series, n): the smallest d1 at which GD reaches zero loss, per seed."""
    return experiment.run_point(dict(job["point"]), job["base_seed"], backend, on_width=_width_log(job))


def tracking(job: dict[str, Any], backend: Backend, progress: Progress | None = None) -> list[dict[str, Any]]:
    """The NTK quantities along training at a few widths (C1's tracking panel)."""
    return experiment.run_tracking(dict(job["point"]), job["base_seed"], backend, on_width=_width_log(job))


ENTRY_POINTS = {"point": point, "tracking": tracking}


# The job of each C1 rule, from the validated config and the rule's wildcards.


def _block(config: dict[str, Any]) -> dict[str, Any]:
    return config["scales"][config["scale"]]["subquadratic_width"]


def width_search_settings(config: dict[str, Any]) -> dict[str, Any]:
    """The scale's search settings shared by every C1 job (its block without the series and tracking)."""
    return {k: v for k, v in _block(config).items() if k not in ("series", "tracking")}


def subquadratic_width_job(config: dict[str, Any], wildcards: dict[str, str]) -> dict[str, Any]:
    """C1: the width search at one (``series``, ``n``)."""
    named = [s for s in _block(config)["series"] if s["series"] == wildcards["series"]]
    if not named:
        raise ValueError(f"subquadratic_width has no series named {wildcards['series']!r}")
    series = {k: v for k, v in named[0].items() if k != "n"}
    point = {**width_search_settings(config), **series, **config["claims"]["subquadratic_width"],
             "n": int(wildcards["n"])}
    return {"claim": "subquadratic_width", "kind": "point", "base_seed": config["base_seed"], "point": point}


def subquadratic_width_tracking_job(config: dict[str, Any], wildcards: dict[str, str]) -> dict[str, Any]:
    """C1's tracking runs."""
    point = {**width_search_settings(config), **config["claims"]["subquadratic_width"], **_block(config)["tracking"]}
    return {"claim": "subquadratic_width", "kind": "tracking", "base_seed": config["base_seed"], "point": point}
