"""The claims ledger: every verdict of a scale in one table (markdown for the README, JSON for machines,
reST for the report)."""

from __future__ import annotations

import json

from overparam.decide import describe_test, summary
from overparam.verdict import Verdict

LEDGER_COLUMNS = ("claim", "paper", "statement", "predicted", "measured (95% CI)", "status", "sub-tests", "scale",
                  "backend")


def ledger_markdown(verdicts: list[Verdict]) -> str:
    """The claims ledger: one row per claim, in the order given."""

    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(LEDGER_COLUMNS) + " |", "|" + "---|" * len(LEDGER_COLUMNS)]
    for v in verdicts:
        row = _row(v)[:5] + (f"**{v.status}**",) + _row(v)[6:]  # status in bold
        lines.append("| " + " | ".join(cell(c) for c in row) + " |")
    return "\n".join(lines) + "\n" + undecided_and_failed_markdown(verdicts)


def undecided_and_failed_markdown(verdicts: list[Verdict]) -> str:
    """Under the table: every sub-test that failed or is undecided, claim by claim, with its estimate, CI, band or
    bound and what would decide it, so that a reader of the ledger sees which tests carry a status."""
    blocks = []
    for v in verdicts:
        open_or_failed = [t for t in v.tests if t["outcome"] != "pass"]
        if open_or_failed:
            lines = "\n".join(f"  - {describe_test(t)}" for t in open_or_failed)
            blocks.append(f"- `{v.claim}` ({v.status}):\n{lines}")
    if not blocks:
        return ""
    return "\nSub-tests that failed or are undecided:\n\n" + "\n".join(blocks) + "\n"


def ledger_rst(verdicts: list[Verdict]) -> str:
    """The ledger as a reST list-table: the landing page of the Snakemake report includes it."""
    from overparam.captions import rst_literal

    scales = ", ".join(sorted({v.scale for v in verdicts}))
    lines = [f".. list-table:: Claims ledger (scale {scales})", "   :header-rows: 1", ""]
    for i, row in enumerate([LEDGER_COLUMNS, *(_row(v) for v in verdicts)]):
        for j, cell in enumerate(row):
            text = rst_literal(cell).replace("\n", " ") or "–"
            if i and LEDGER_COLUMNS[j] == "status":
                text = f"**{text}**"
            lines.append(f"   {'* -' if j == 0 else '  -'} {text}")
    return "\n".join(lines) + "\n"


def ledger_json(verdicts: list[Verdict]) -> str:
    """The ledger for machines: one object per claim (id, paper, status, its sub-tests, scale, backend)."""
    rows = [{"claim": v.claim, "paper": v.paper, "statement": v.statement, "status": v.status,
             "sub_tests": sub_tests(v), "scale": v.scale, "backend": v.backend, "predicted": v.predicted,
             "measured": v.measured, "tests": v.tests, "estimates": v.estimates,
             "config_hash": v.provenance.get("config_hash")} for v in verdicts]
    return json.dumps(rows, indent=2) + "\n"


def _row(v: Verdict) -> tuple[str, ...]:
    return (v.claim, v.paper, v.statement, v.predicted, v.measured, v.status, sub_tests(v), v.scale, v.backend)


def sub_tests(v: Verdict) -> str:
    """The claim's sub-test outcomes in a few words ("3/3 pass", "2 pass, 1 inconclusive: needs 2.1× seeds")."""
    return summary(v.tests) if v.tests else "–"
