"""The verdict record of one claim, its JSON form, and the claims ledger (a markdown table).

A verdict is computed from measured data with a stated tolerance (SPEC.md, "verdict format"); ``status`` is
``pass`` or ``fail`` from that test, and ``inconclusive`` only when too few runs succeeded to fit at all.
"""

from __future__ import annotations

import json
import math
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
    runs_used: int = 0
    runs_failed: int = 0
    wall_time_s: float = 0.0
    provenance: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"verdict.status: {self.status!r} is not one of {', '.join(STATUSES)}")

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=False, default=_jsonable)

    def write(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json() + "\n")


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


def read_verdict(path: str | Path) -> Verdict:
    """Read a verdict JSON; a corrupted file is an error that names it."""
    try:
        data = json.loads(Path(path).read_text())
        return Verdict(**data)
    except (json.JSONDecodeError, TypeError, ValueError) as err:
        raise ValueError(f"verdict file {path} is not a valid verdict: {err}") from err


LEDGER_COLUMNS = ("claim", "paper", "statement", "predicted", "measured (95% CI)", "status", "scale", "backend")


def ledger_markdown(verdicts: list[Verdict]) -> str:
    """The claims ledger: one row per claim, in the order given."""

    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(LEDGER_COLUMNS) + " |", "|" + "---|" * len(LEDGER_COLUMNS)]
    for v in verdicts:
        row = (v.claim, v.paper, v.statement, v.predicted, v.measured, f"**{v.status}**", v.scale, v.backend)
        lines.append("| " + " | ".join(cell(c) for c in row) + " |")
    return "\n".join(lines) + "\n"


def ledger_html(verdicts: list[Verdict]) -> str:
    """The ledger as a small self-contained HTML table (for the Snakemake report)."""
    import html

    head = "".join(f"<th>{html.escape(c)}</th>" for c in LEDGER_COLUMNS)
    colour = {"pass": "#1b7837", "fail": "#b2182b", "inconclusive": "#8c6d1f"}
    body = []
    for v in verdicts:
        cells = (v.claim, v.paper, v.statement, v.predicted, v.measured, v.status, v.scale, v.backend)
        tds = "".join(f"<td>{html.escape(str(c))}</td>" for c in cells)
        tds = tds.replace(f"<td>{v.status}</td>", f"<td style='color:{colour[v.status]}'><b>{v.status}</b></td>")
        body.append(f"<tr>{tds}</tr>")
    return ("<!doctype html><meta charset='utf-8'><title>overparam claims ledger</title>"
            "<style>td,th{border:1px solid #ccc;padding:4px;vertical-align:top;font:13px sans-serif}</style>"
            f"<table><tr>{head}</tr>{''.join(body)}</table>\n")
