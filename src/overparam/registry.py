"""Every claim of the project, by id, in ledger order: the papers' declarations gathered in one mapping.

The declarations are leaf modules (``overparam.<paper>.claims``), so reading the registry imports no plotting,
array or data library: the Snakefile builds the DAG from it.
"""

from __future__ import annotations

from functools import cache

from overparam.claim import Claim


@cache
def claims() -> dict[str, Claim]:
    """Claim id -> declaration, in the order of the ledger (paper A, B, C)."""
    from overparam.initratio import claims as initratio
    from overparam.mediocrity import claims as mediocrity
    from overparam.tensor import claims as tensor
    from overparam.width import claims as width

    declared = [*tensor.CLAIMS, *mediocrity.CLAIMS, *width.CLAIMS, *initratio.CLAIMS]
    out = {c.claim_id: c for c in declared}
    if len(out) != len(declared):
        raise ValueError("registry: two claims share an id")
    return out


def claim(claim_id: str) -> Claim:
    """One declaration; an unknown id is an error that lists the known ones."""
    known = claims()
    if claim_id not in known:
        raise KeyError(f"claim {claim_id!r} is not one of {', '.join(known)}")
    return known[claim_id]
