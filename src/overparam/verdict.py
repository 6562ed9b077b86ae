"""The verdict of one claim and its JSON file, which carries its own checksum and is written atomically.

A verdict is computed from measured data with a stated tolerance. ``tests`` lists its sub-tests, each decided
three-way on its 95% CI (:mod:`overparam.decide`: estimate, CI, band or bound, outcome, seeds factor), and
``status`` is their combination: fail if any fails, pass if all pass, else inconclusive. The file holds
``integrity.sha256``, the digest of everything else in it, so that a truncated or hand-edited verdict is an
error naming the file.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STATUSES = ("pass", "fail", "inconclusive")


@dataclass
class Verdict:
    """One claim's machine-checkable outcome."""

    claim: str
    paper: str
    statement: str
    predicted: str
    measured: str
    tolerance: str
    status: str
    scale: str
    backend: str
    seeds: str
    details: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    estimates: list[dict[str, Any]] = field(default_factory=list)  # [{name, value, lo, hi}]: what verify compares
    tests: list[dict[str, Any]] = field(default_factory=list)  # the sub-tests (overparam.decide), re-checkable
    runs_used: int = 0
    runs_failed: int = 0
    wall_time_s: float = 0.0
    provenance: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"verdict.status: {self.status!r} is not one of {', '.join(STATUSES)}")
        if self.tests:
            from overparam.decide import claim_status

            if claim_status(self.tests) != self.status:
                raise ValueError(f"verdict {self.claim}: status {self.status!r} is not what its tests give "
                                 f"({claim_status(self.tests)!r})")

    def to_dict(self) -> dict[str, Any]:
        """The verdict as plain data (what the figure and the caption read)."""
        return asdict(self)

    def to_json(self) -> str:
        """The verdict's JSON text, sealed with the digest of its own content."""
        body = asdict(self)
        body["integrity"] = {"sha256": _digest(body)}
        return json.dumps(body, indent=2, sort_keys=False, default=_jsonable)

    def write(self, path: str | Path) -> None:
        """Write atomically: the file appears only once complete (a killed job leaves ``*.partial`` behind)."""
        path = Path(path)
        tmp = path.with_name(path.name + ".partial")
        with open(tmp, "w") as handle:
            handle.write(self.to_json() + "\n")
            handle.flush()
            os.fsync(handle.fileno())  # on disk before the rename, as the records are
        os.replace(tmp, path)


def _digest(body: dict[str, Any]) -> str:
    text = json.dumps(body, indent=2, sort_keys=False, default=_jsonable)
    return hashlib.sha256(text.encode()).hexdigest()


def estimate(name: str, value: float, lo: float, hi: float) -> dict[str, Any]:
    """One measured number with its 95% CI, as the verdict lists it for ``make verify``."""
    return {"name": name, "value": float(value), "lo": float(lo), "hi": float(hi)}


def json_ready(obj: Any) -> Any:
    """JSON-ready copy: numpy scalars to Python numbers, tuples to lists, NaN/inf to None."""
    if isinstance(obj, dict):
        return {str(k): json_ready(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_ready(v) for v in obj]
    if hasattr(obj, "item") and not hasattr(obj, "__len__"):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _jsonable(obj: Any) -> Any:
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if hasattr(obj, "item"):
        return obj.item()
    raise TypeError(f"verdict: cannot serialise {type(obj).__name__}")


class VerdictError(ValueError):
    """A verdict file that is not whole (truncated, edited, or not a verdict)."""


def read_verdict(path: str | Path) -> Verdict:
    """Read a verdict JSON and check its digest; a damaged file is an error that names it."""
    try:
        data = json.loads(Path(path).read_text())
        sealed = data.pop("integrity")["sha256"]
        verdict = Verdict(**data)
    except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
        raise VerdictError(f"verdict file {path} is not a valid verdict: {err}") from err
    if _digest(asdict(verdict)) != sealed:
        raise VerdictError(f"verdict file {path} does not match its own digest (edited or damaged)")
    return verdict


def read_current_verdicts(paths: list[str], scale: str, config_hashes: dict[str, str]) -> list[Verdict]:
    """The verdicts of one run of the workflow: each must be of this ``scale`` and of the config that this run
    would give its claim (``config_hashes``, claim id -> hash), so that a ledger never lists a verdict left
    over from another scale or another config as if it were current."""
    verdicts = [read_verdict(p) for p in paths]
    for path, v in zip(paths, verdicts, strict=True):
        if v.scale != scale:
            raise VerdictError(f"verdict file {path} is of scale {v.scale!r}, not this run's {scale!r}")
        want = config_hashes.get(v.claim)
        if want is not None and v.provenance.get("config_hash") != want:
            raise VerdictError(f"verdict file {path} was made with config hash {v.provenance.get('config_hash')}, "
                               f"not this run's {want}: rerun its claim (snakemake claim_{v.claim})")
    return verdicts
