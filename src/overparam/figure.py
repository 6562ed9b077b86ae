"""A claim's figures from its tables and verdict, by its declaration's ``figure`` function."""

from __future__ import annotations

from typing import Any

import pandas as pd

from overparam.claim import resolve
from overparam.plotting import annotate_verdict
from overparam.registry import claim


def claim_figures(claim_id: str, tables: dict[str, pd.DataFrame], verdict: dict[str, Any],
                  context: dict[str, Any]) -> dict[str, Any]:
    """{suffix: Figure} ("" the main one), as the claim's declaration draws them; the suffixes must be the
    declared ones, so that the figure rule's outputs and the files written agree. Every figure carries, under
    it, the claim id, the outcome and its sub-tests (:func:`overparam.plotting.annotate_verdict`)."""
    declared = claim(claim_id)
    figures = resolve(declared.figure)(tables, verdict, context)
    if not isinstance(figures, dict):
        figures = {"": figures}
    if set(figures) != set(declared.figure_suffixes()):
        declared_suffixes = list(declared.figure_suffixes())
        raise ValueError(f"claim {claim_id}: figure drew {sorted(figures)}, declared {declared_suffixes}")
    for fig in figures.values():
        annotate_verdict(fig, claim_id, verdict)
    return figures
