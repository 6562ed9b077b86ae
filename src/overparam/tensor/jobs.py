"""Paper A's job entry points: one job dict (from its rule's params) -> one list of run records.

A job holds ``points`` (one or several settings dicts of the same kind) and ``base_seed``; see
:mod:`overparam.jobs` for the common signature.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from overparam.backend import Backend
from overparam.jobs import Progress
from overparam.tensor import experiment


def _each_point(run: Callable[..., list[dict[str, Any]]]) -> Callable[..., list[dict[str, Any]]]:
    def entry(job: dict[str, Any], backend: Backend, progress: Progress | None = None) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        for point in job["points"]:
            print(f"{job['kind']}: {point}", flush=True)
            records += run(dict(point), job["base_seed"], backend)
        return records

    entry.__doc__ = f"Every point of the job through ``experiment.{run.__name__}``."
    return entry


ENTRY_POINTS = {
    "lazy": _each_point(experiment.run_lazy_point),
    "lazy_gd": _each_point(experiment.run_lazy_gd_point),
    "rich": _each_point(experiment.run_rich_point),
}


# The job of each of paper A's rules, from the validated config and the rule's wildcards.


def _settings(config: dict[str, Any], claim_id: str) -> dict[str, Any]:
    return config["scales"][config["scale"]][claim_id]


def lazy_lower_bound_job(config: dict[str, Any], wildcards: dict[str, str]) -> dict[str, Any]:
    """A1: the best lazy fit's residual against m at one (``l``, ``d``)."""
    tensor = config["tensor"]
    seeds = _settings(config, "lazy_lower_bound")["seeds"]
    point = {"l": int(wildcards["l"]), "d": int(wildcards["d"]), "seeds": seeds, "target": tensor["target"],
             **tensor["lazy"]}
    return {"claim": "lazy_lower_bound", "kind": "lazy", "base_seed": config["base_seed"], "points": [point]}


def lazy_lower_bound_gd_check_job(config: dict[str, Any], wildcards: dict[str, str]) -> dict[str, Any]:
    """A1's check of the tangent-space solve against lazy GD, on the scale's few points."""
    tensor, check = config["tensor"], _settings(config, "lazy_lower_bound")["gd_check"]
    points = [{**point, **tensor["lazy_gd"], "seeds": check["seeds"], "target": tensor["target"],
               "gap_tol": config["claims"]["lazy_lower_bound"]["gd_gap_tol"],
               "rel_ridge": tensor["lazy"]["rel_ridge"]} for point in check["points"]]
    return {"claim": "lazy_lower_bound", "kind": "lazy_gd", "base_seed": config["base_seed"], "points": points}


def rich_settings(config: dict[str, Any], l: int) -> dict[str, Any]:
    """The rich variant's frozen settings at order l (config.yaml's tensor.rich, its l-block on top)."""
    rich = config["tensor"]["rich"]
    return {**{k: v for k, v in rich.items() if k not in ("l3", "l4")}, **rich[f"l{l}"],
            "target": config["tensor"]["target"]}


def rich_upper_bound_job(config: dict[str, Any], wildcards: dict[str, str]) -> dict[str, Any]:
    """A2: success over the m grid at one (``l``, ``d``) at the claim's r, or at one (``l``, ``r``) of the
    r series at the series' d."""
    block = _settings(config, "rich_upper_bound")
    if "d" in wildcards:
        d, r, grid, variants = (int(wildcards["d"]), config["claims"]["rich_upper_bound"]["r_main"],
                                block["m_grid"], block["variants"])
    else:
        series = block["r_series"]
        d, r, grid, variants = series["d"], int(wildcards["r"]), series["m_grid"], series["variants"]
    point = {**rich_settings(config, int(wildcards["l"])), "l": int(wildcards["l"]), "d": d, "r": r,
             "m_grid": grid, "variants": variants, "seeds": block["seeds"]}
    return {"claim": "rich_upper_bound", "kind": "rich", "base_seed": config["base_seed"], "points": [point]}
