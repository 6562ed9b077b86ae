"""A claim's records into its verdict: run the declaration's analysis, time it, and attach the provenance.

Scripts stay thin: ``scripts/verdict.py`` hands Snakemake's inputs and params to :func:`make_verdict`; every
claim-specific decision lives in its paper's ``verdicts`` module, named by the claim's declaration.
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd

from overparam.claim import resolve
from overparam.provenance import config_hash, provenance
from overparam.registry import claim
from overparam.verdict import Verdict

WALL_COLUMNS = ("wall_s", "wall_time_s")


def run_wall_time(records: dict[str, pd.DataFrame]) -> float:
    """Seconds of simulation behind a claim's records: each record's own wall-time column, summed."""
    return sum(float(df[col].sum()) for df in records.values() for col in WALL_COLUMNS if col in df)


def verdict_inputs(context: dict[str, Any]) -> dict[str, Any]:
    """Everything of the config that a claim's verdict depends on (its provenance hashes exactly this)."""
    return {"settings": context["settings"], "tolerances": context["tolerances"], "physics": context["physics"],
            "paper": context.get("paper", {}), "base_seed": context["base_seed"]}


def expected_config_hash(context: dict[str, Any]) -> str:
    """The config hash that a verdict made from ``context`` carries (the ledger checks it)."""
    return config_hash(verdict_inputs(context))


def make_verdict(claim_id: str, records: dict[str, pd.DataFrame], context: dict[str, Any],
                 trained_on: tuple[str, str] = ("unknown", "unknown")) -> tuple[Verdict, dict[str, pd.DataFrame]]:
    """Analyse a claim's records into its tables and its Verdict (with provenance).

    ``context`` holds ``scale``, ``base_seed``, ``settings`` (the scale's block of the claim), ``tolerances``
    (the claim's block of ``claims:``) and ``physics`` (paper B's constants). ``trained_on`` is the backend and
    device that trained the records (from their seals: on a cluster, not the verdict job's own machine).
    """
    declared = claim(claim_id)
    start = time.perf_counter()
    tables, fields = resolve(declared.analyse)(records, context)
    run_wall = fields.pop("run_wall_s", None)  # a claim whose records share a time between rows says so itself
    if run_wall is None:
        run_wall = run_wall_time(records)
    wall = time.perf_counter() - start + run_wall
    backend, device = trained_on
    settings, tolerances = context["settings"], context["tolerances"]
    verdict = Verdict(
        claim=claim_id, paper=declared.paper.citation, statement=declared.statement, scale=context["scale"],
        backend=backend,
        seeds=f"base seed {context['base_seed']}; per-replica SeedSequence keyed by (claim, point, replica)",
        wall_time_s=round(wall, 2), settings={**settings, **tolerances},
        provenance=provenance(verdict_inputs(context), backend, device),
        **fields,
    )
    return verdict, tables
