"""Seeds keyed by (claim, point, replica), so a run's numbers never depend on which other runs exist.

A replica's entropy is (base seed, its paper's seed file, hash of the claim's stream name, hash of the point's
canonical text, replica). The paper's seed file (tensor 000, mediocrity 001, width 002) comes from the claim's
declaration (``overparam.papers``); a stream name is the claim id, or ``"<claim id>/<stream>"`` for a second,
independent family of draws of the same claim (B3's direct-SGD validation and risk traces). Nothing here
depends on job order or on how many replicas are drawn.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")


def canonical_point(point: dict[str, Any]) -> str:
    """A point's parameters as stable text (sorted keys, floats by repr)."""
    return json.dumps(point, sort_keys=True, separators=(",", ":"), default=repr)


def seed_sequence(base: int, stream: str, point: dict[str, Any], replica: int) -> np.random.SeedSequence:
    """The ``SeedSequence`` of one replica of one point of the claim that ``stream`` names."""
    from overparam.registry import claim

    if base < 0 or replica < 0:
        raise ValueError(f"seed: base seed and replica must be >= 0, got {base}, {replica}")
    paper = claim(stream.split("/")[0]).paper
    entropy = [base, paper.seed_file, _digest(stream), _digest(canonical_point(point)), replica]
    return np.random.SeedSequence(entropy)


def substream(seed: np.random.SeedSequence, k: int) -> np.random.SeedSequence:
    """The k-th independent child of ``seed`` (what ``seed.spawn`` would give, without mutating ``seed``).

    One stream per kind of draw (a replica's inputs, its label noise, ...) keeps each kind's sequence the same
    whatever the block sizes the draws are taken in.
    """
    return np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, k), pool_size=seed.pool_size)
