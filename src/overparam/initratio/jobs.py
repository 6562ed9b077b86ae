"""Paper C's init-ratio job entry point (C2): every seed of one ω2 -> one list of run records.

A job holds ``point`` (the scale's settings, the claim's tolerances and ``omega_index``) and ``base_seed``; see
:mod:`overparam.jobs` for the common signature.
"""

from __future__ import annotations

from typing import Any

from overparam.backend import Backend
from overparam.initratio import experiment
from overparam.jobs import Progress


def ratio(job: dict[str, Any], backend: Backend, progress: Progress | None = None) -> list[dict[str, Any]]:
    """Every seed of one ω2 of the sweep, trained as one batch (progress: epochs done, nets running)."""
    return experiment.run_ratio_point(dict(job["point"]), job["base_seed"], backend, progress)


ENTRY_POINTS = {"ratio": ratio}


def init_ratio_job(config: dict[str, Any], wildcards: dict[str, str]) -> dict[str, Any]:
    """C2: every seed of the ω2 of index ``i``, from the validated config and the rule's wildcards."""
    point = {**config["scales"][config["scale"]]["init_ratio"], **config["claims"]["init_ratio"],
             "omega_index": int(wildcards["i"])}
    return {"claim": "init_ratio", "kind": "ratio", "base_seed": config["base_seed"], "point": point}
