"""Paper B's job entry points: one job dict (from its rule's params) -> one list of run records.

Every entry point has the same signature, ``entry(job, backend, progress=None)``; ``job`` holds the claim, the
point's settings and paper B's physics, exactly as the rule's input function built it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from overparam.backend import Backend
from overparam.mediocrity import experiment

Progress = Callable[[int, int], None]
COMMON = ("claim", "base_seed", "delta", "t_max_factor", "dt_check", "chain_engine")


def _split(job: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    spec = {k: v for k, v in job.items() if k != "kind"}
    common = {k: spec.pop(k) for k in COMMON if k != "chain_engine"}
    common["chain_engine"] = spec.pop("chain_engine", "auto")  # the exact chain's kernel (run_chain's engine)
    return common, spec


def escape(job: dict[str, Any], backend: Backend, progress: Progress | None = None) -> list[dict[str, Any]]:
    """Exit times for every (d, γ') of one p (B1), or of one rate protocol at one p (B2: ``protocol``, ``gamma``)."""
    common, spec = _split(job)
    extra = {}
    if "protocol" in spec:
        protocol, gamma = spec.pop("protocol"), spec.pop("gamma")
        spec["gammas"] = [experiment.resolve_gamma(gamma, spec["p"], common["delta"])]
        extra = {"protocol": protocol}
    return experiment.escape_series(backend, **common, **spec, extra=extra, progress=progress)


def ode(job: dict[str, Any], backend: Backend, progress: Progress | None = None) -> list[dict[str, Any]]:
    """Chain exit times and the ODE's exit time from each replica's own start (B3)."""
    common, spec = _split(job)
    return experiment.ode_vs_sgd_series(backend, **common, **spec, progress=progress)


def validation(job: dict[str, Any], backend: Backend, progress: Progress | None = None) -> list[dict[str, Any]]:
    """The chain and direct SGD on one point (B3's validation panel)."""
    common, spec = _split(job)
    return experiment.validation_series(backend, **common, **spec, progress=progress)


def trace(job: dict[str, Any], backend: Backend, progress: Progress | None = None) -> list[dict[str, Any]]:
    """Risk against t for a few direct-SGD replicas and the ODE from their starts (B3's risk panel)."""
    common, spec = _split(job)
    return experiment.risk_traces(backend, **common, **spec, progress=progress)


ENTRY_POINTS = {"escape": escape, "ode": ode, "validation": validation, "trace": trace}


# The job of each of paper B's rules, from the validated config and the rule's wildcards (the rules in
# rules/mediocrity.smk call these; what a job holds and what runs it live side by side in this module).


def _physics_and_seed(config: dict[str, Any]) -> dict[str, Any]:
    physics = config["mediocrity"]
    return {"delta": physics["delta"], "dt_check": physics["dt_check"], "t_max_factor": physics["t_max_factor"],
            "chain_engine": physics.get("chain_engine", "auto"), "base_seed": config["base_seed"]}


def _settings(config: dict[str, Any], claim_id: str) -> dict[str, Any]:
    return config["scales"][config["scale"]][claim_id]


def seeds_at_p(block: dict[str, Any], p: int) -> int:
    """Replicas at p hidden units: the p = 1 count shrunk like 1/p (exit times self-average over p)."""
    return max(block["min_seeds"], -(-block["seeds_p1"] // p))


def escape_dlogd_job(config: dict[str, Any], wildcards: dict[str, str]) -> dict[str, Any]:
    """B1: exit times over the d grid at the rate γ' of index ``i``."""
    block = _settings(config, "escape_dlogd")
    return {"claim": "escape_dlogd", "kind": "escape", "p": block["p"], "d": block["d"],
            "gammas": [block["gamma_p"][int(wildcards["i"])]], "seeds": block["seeds"],
            "simulator": block.get("simulator", "chain"), **_physics_and_seed(config)}


def width_constant_factor_job(config: dict[str, Any], wildcards: dict[str, str]) -> dict[str, Any]:
    """B2: exit times over the d grid at ``p`` hidden units under one rate ``protocol``."""
    block = _settings(config, "width_constant_factor")
    p = int(wildcards["p"])
    return {"claim": "width_constant_factor", "kind": "escape", "p": p, "d": block["d"],
            "protocol": wildcards["protocol"], "gamma": block["protocols"][wildcards["protocol"]],
            "seeds": seeds_at_p(block, p), "simulator": block.get("simulator", "chain"),
            **_physics_and_seed(config)}


def ode_matches_sgd_job(config: dict[str, Any], wildcards: dict[str, str]) -> dict[str, Any]:
    """B3: chain and ODE exit times from the same starts at ``p`` hidden units."""
    block = _settings(config, "ode_matches_sgd")
    p = int(wildcards["p"])
    return {"claim": "ode_matches_sgd", "kind": "ode", "p": p, "d": block["d"], "gamma_p": block["gamma_p"],
            "seeds": seeds_at_p(block, p), **_physics_and_seed(config)}


def ode_matches_sgd_validation_job(config: dict[str, Any], wildcards: dict[str, str]) -> dict[str, Any]:
    """B3's validation panel at ``p``: the chain against direct SGD."""
    block = _settings(config, "ode_matches_sgd")["validation"]
    return {"claim": "ode_matches_sgd", "kind": "validation", "p": int(wildcards["p"]), "d": block["d"],
            "gamma_p": block["gamma_p"], "seeds": block["seeds"], **_physics_and_seed(config)}


def ode_matches_sgd_trace_job(config: dict[str, Any], wildcards: dict[str, str]) -> dict[str, Any]:
    """B3's risk panel."""
    return {"claim": "ode_matches_sgd", "kind": "trace", **_settings(config, "ode_matches_sgd")["trace"],
            **_physics_and_seed(config)}
