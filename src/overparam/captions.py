"""The caption of a claim's figure in the report: what is plotted, the verdict, the settings and the provenance."""

from __future__ import annotations

import json
from typing import Any

from overparam.registry import claim


def rst_literal(text: Any) -> str:
    """Measured text as literal reST (strings such as |x| and m* are not markup)."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("`", "\\`")


def figure_caption(claim_id: str, verdict: dict[str, Any]) -> str:
    """The reST caption of a claim's figures, from its declaration and its verdict."""
    declared = claim(claim_id)
    prov = verdict["provenance"]
    settings = "Settings: " + json.dumps(verdict.get("settings", {}), separators=(", ", ": "))
    dirty = " (dirty tree)" if prov.get("git_dirty") else ""
    return (
        f"**{declared.paper.citation}** — {rst_literal(declared.statement)}\n\n{rst_literal(declared.caption)}\n\n"
        f"**Verdict: {verdict['status'].upper()}** (scale ``{verdict['scale']}``, backend ``{verdict['backend']}``). "
        f"Predicted: {rst_literal(verdict['predicted'])}. Measured: {rst_literal(verdict['measured'])}. "
        f"Tolerance: {rst_literal(verdict['tolerance'])}. "
        f"Runs used: {verdict['runs_used']}, failed: {verdict['runs_failed']}.\n\n"
        f"Provenance: git ``{prov['git_revision'][:12]}``{dirty}, "
        f"config hash ``{prov['config_hash']}``, device {prov['device']}. {settings}\n"
    )
