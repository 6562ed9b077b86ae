"""How much bigger than the default scale a config's work is, per claim, before any job runs.

A claim's work grows with its seed counts, its dimensions and its grids. Without running anything, compare each
number of the claim's block (and each list's largest value and its length) with the same entry of the committed
default scale's block (and the work keys of its tolerances and its paper's shared block, ``WORK_KEYS``: bootstrap
replicates, step and time caps): the product of the factors by
which they grew is the claim's growth (1 = no larger than the default). This is a structural bound, not a time:
the default scale's own wall time (BENCHMARKS.md, the README) times the growth says roughly how long a run
would take. A config whose growth exceeds ``LIMIT`` for a claim needs ``allow_long: true``.
"""

from __future__ import annotations

import math
from typing import Any

LIMIT = 10.0


def _numbers(node: Any) -> list[float]:
    if isinstance(node, bool):
        return []
    if isinstance(node, int | float):
        return [float(node)]
    if isinstance(node, list):
        return [x for v in node for x in _numbers(v)]
    if isinstance(node, dict):
        return [x for v in node.values() for x in _numbers(v)]
    return []


def growth(block: Any, reference: Any) -> float:
    """Product over the entries of ``block`` of how much each grew beyond ``reference`` (never below 1 each)."""
    if isinstance(block, dict) and isinstance(reference, dict):
        return math.prod(growth(v, reference[k]) for k, v in block.items() if k in reference)
    if isinstance(block, list) and isinstance(reference, list):
        ours, theirs = _numbers(block), _numbers(reference)
        if not ours or not theirs:
            return 1.0
        size = max(1.0, len(block) / max(1, len(reference)))
        top = max(1.0, max(ours) / max(theirs)) if max(theirs) > 0 else 1.0
        return size * top
    if isinstance(block, int | float) and isinstance(reference, int | float) and not isinstance(block, bool):
        return max(1.0, float(block) / float(reference)) if reference > 0 else 1.0
    return 1.0


# Outside the scale blocks, only these keys measure work (a looser tolerance or another physical constant does not).
WORK_KEYS = frozenset({"n_boot", "max_steps", "max_epochs", "t_max_factor", "max_doublings", "m_extra"})


def work_only(node: Any) -> Any:
    """The entries of a tolerance or shared block that count work (``WORK_KEYS``), nested blocks kept."""
    if not isinstance(node, dict):
        return {}
    out = {}
    for key, value in node.items():
        inner = work_only(value)
        if key in WORK_KEYS:
            out[key] = value
        elif inner:
            out[key] = inner
    return out


def growth_by_claim(config: dict[str, Any], reference: dict[str, Any] | None = None) -> dict[str, float]:
    """Each claim's growth at the config's scale against the default scale of ``reference`` (the committed
    ``config.yaml``, so that an override of ``scales.default`` itself is measured too; the config itself when
    None): its scale block, its tolerance block (bootstrap replicates) and its paper's shared block (``tensor:``
    step caps, ``mediocrity:`` time caps) each against the reference's."""
    from overparam.registry import claims

    reference = config if reference is None else reference
    here, ref = config["scales"][config["scale"]], reference["scales"].get("default", {})
    declared = claims()
    out = {}
    for claim_id, block in here.items():
        g = growth(block, ref.get(claim_id, block))
        g *= growth(work_only(config["claims"].get(claim_id, {})),
                    work_only(reference["claims"].get(claim_id, {})))
        if claim_id in declared:
            paper = declared[claim_id].paper_block
            g *= growth(work_only(config.get(paper, {})), work_only(reference.get(paper, {})))
        out[claim_id] = g
    return out


def too_long(config: dict[str, Any], growths: dict[str, float]) -> list[str]:
    """The claims whose growth (``growth_by_claim``) exceeds the limit, as one line each (empty when
    ``allow_long`` is set)."""
    if config.get("allow_long"):
        return []
    return [f"{claim_id}: {g:.3g}× the default scale's work" for claim_id, g in growths.items() if g > LIMIT]
