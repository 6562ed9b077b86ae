"""The registry of claims: statement, paper, and the functions that turn records into a verdict and a figure.

Scripts stay thin: they hand Snakemake's inputs and params to :func:`make_verdict` and :func:`make_figure`,
and every claim-specific decision lives in its paper's package.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from overparam.provenance import provenance
from overparam.verdict import Verdict


@dataclass(frozen=True)
class Claim:
    """What the pipeline needs to know about one claim."""

    claim_id: str
    paper: str
    statement: str
    analyse: Callable[[dict[str, pd.DataFrame], dict[str, Any]], tuple[dict[str, pd.DataFrame], dict[str, Any]]]
    figure: Callable[[dict[str, pd.DataFrame], dict[str, Any]], Any]  # a Figure, or {suffix: Figure}
    caption: str
    extra_figures: tuple[str, ...] = ()  # suffixes of figures besides the main one ("" key)


def registry() -> dict[str, Claim]:
    from overparam.initratio import claims as initratio
    from overparam.mediocrity import claims as mediocrity
    from overparam.tensor import claims as tensor
    from overparam.width import claims as width

    return {c.claim_id: c for c in [*tensor.CLAIMS, *mediocrity.CLAIMS, *width.CLAIMS, *initratio.CLAIMS]}


def make_verdict(claim_id: str, records: dict[str, pd.DataFrame], common: dict[str, Any],
                 physics: dict[str, Any], backend_name: str, device: str) -> tuple[Verdict, dict[str, pd.DataFrame]]:
    """Analyse a claim's records into its tables and its Verdict (with provenance)."""
    claim = registry()[claim_id]
    start = time.perf_counter()
    tables, fields = claim.analyse(records, {**common, "physics": physics})
    run_wall = fields.pop("run_wall_s", None)  # a claim whose records share a time between rows says so itself
    if run_wall is None:
        run_wall = sum(float(df[col].sum()) for df in records.values() for col in ("wall_s", "wall_time_s")
                       if col in df)
    wall = time.perf_counter() - start + run_wall
    settings = common["settings"]
    verdict = Verdict(
        claim=claim_id, paper=claim.paper, statement=claim.statement, scale=common["scale"], backend=backend_name,
        seeds=f"base seed {common['base_seed']}; per-replica SeedSequence keyed by (claim, point, replica)",
        wall_time_s=round(wall, 2), settings={**settings, **common["tolerances"]},
        provenance=provenance({"settings": settings, "tolerances": common["tolerances"], "physics": physics,
                               "base_seed": common["base_seed"]}, backend_name, device),
        **fields,
    )
    return verdict, tables


def make_figure(claim_id: str, tables: dict[str, pd.DataFrame], verdict: dict[str, Any],
                physics: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The claim's figures ({suffix: Figure}, "" the main one) and the caption (plot, settings, verdict)."""
    claim = registry()[claim_id]
    figs = claim.figure(tables, {"physics": physics})
    if not isinstance(figs, dict):
        figs = {"": figs}
    prov = verdict["provenance"]
    settings = "Settings: " + json.dumps(verdict.get("settings", {}), separators=(", ", ": "))
    def rst(text: str) -> str:  # measured strings contain |x| and m*: literal text, not reST markup
        return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("`", "\\`")

    caption = (
        f"**{claim.paper}** — {rst(claim.statement)}\n\n{rst(claim.caption)}\n\n"
        f"**Verdict: {verdict['status'].upper()}** (scale ``{verdict['scale']}``, backend ``{verdict['backend']}``). "
        f"Predicted: {rst(verdict['predicted'])}. Measured: {rst(verdict['measured'])}. "
        f"Tolerance: {rst(verdict['tolerance'])}. "
        f"Runs used: {verdict['runs_used']}, failed: {verdict['runs_failed']}.\n\n"
        f"Provenance: git ``{prov['git_revision'][:12]}``{' (dirty tree)' if prov.get('git_dirty') else ''}, "
        f"config hash ``{prov['config_hash']}``, device {prov['device']}. {settings}\n"
    )
    return figs, caption


def read_tables(folder: str | Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_csv(p) for p in sorted(Path(folder).glob("*.csv"))}


def write_tables(tables: dict[str, pd.DataFrame], folder: str | Path) -> None:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.csv", index=False, float_format="%.17g")
