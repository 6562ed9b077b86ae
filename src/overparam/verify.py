"""``make verify``: compare freshly rebuilt verdicts with a committed ledger, claim by claim.

A claim verifies when its status is the same, it has the same sub-tests with the same bands and bounds and
outcomes, and every estimate the verdict lists agrees: each value lies inside the other's 95% CI (or the two
are equal). A committed verdict made from a dirty git tree is flagged,
since its code cannot be checked out. Prints one table; exits non-zero on any mismatch.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from overparam.verdict import Verdict, read_verdict


def _agree(a: dict, b: dict) -> bool:
    if a["value"] == b["value"]:
        return True
    if any(math.isnan(x) for x in (a["value"], b["value"], a["lo"], a["hi"], b["lo"], b["hi"])):
        return False
    return a["lo"] <= b["value"] <= a["hi"] and b["lo"] <= a["value"] <= b["hi"]


def compare(committed: Verdict, fresh: Verdict) -> tuple[bool, str]:
    """(ok, reason) for one claim."""
    problems = []
    if committed.status != fresh.status:
        problems.append(f"status {committed.status} → {fresh.status}")
    if committed.scale != fresh.scale:
        problems.append(f"scale {committed.scale} vs {fresh.scale}")
    ours = {e["name"]: e for e in fresh.estimates}
    for e in committed.estimates:
        other = ours.get(e["name"])
        if other is None:
            problems.append(f"estimate '{e['name']}' missing")
        elif not _agree(e, other):
            problems.append(f"{e['name']}: {e['value']:.4g} [{e['lo']:.4g}, {e['hi']:.4g}] vs "
                            f"{other['value']:.4g} [{other['lo']:.4g}, {other['hi']:.4g}]")
    theirs = {t["name"]: t for t in fresh.tests}
    for t in committed.tests:
        other = theirs.get(t["name"])
        if other is None:
            problems.append(f"sub-test '{t['name']}' missing")
        elif (other.get("band"), other.get("bound")) != (t.get("band"), t.get("bound")):
            problems.append(f"sub-test '{t['name']}': tolerance {t.get('band') or t.get('bound')} → "
                            f"{other.get('band') or other.get('bound')}")
        elif other["outcome"] != t["outcome"]:
            problems.append(f"sub-test '{t['name']}': {t['outcome']} → {other['outcome']}")
        elif t.get("ci") and other.get("ci") and not _agree(
                {"value": t["estimate"], "lo": t["ci"][0], "hi": t["ci"][1]},
                {"value": other["estimate"], "lo": other["ci"][0], "hi": other["ci"][1]}):
            problems.append(f"sub-test '{t['name']}': {t['estimate']:.4g} vs {other['estimate']:.4g}")
    extra = sorted(set(theirs) - {t["name"] for t in committed.tests})
    if extra:
        problems.append(f"sub-tests not in the committed verdict: {', '.join(extra)}")
    if committed.provenance.get("git_dirty"):
        problems.append("committed verdict was made from a dirty tree")
    return not problems, "; ".join(problems) or "same status and sub-test outcomes, estimates inside each other's CIs"


def verify(committed_dir: Path, fresh_dir: Path) -> int:
    rows, failures = [], 0
    committed = sorted(committed_dir.glob("*.json"))
    if not committed:
        print(f"verify: no committed verdicts in {committed_dir}")
        return 2
    for path in committed:
        old = read_verdict(path)
        new_path = fresh_dir / path.name
        if not new_path.exists():
            ok, why, new_status = False, "not rebuilt", "—"
        else:
            new = read_verdict(new_path)
            ok, why = compare(old, new)
            new_status = new.status
        failures += not ok
        rows.append((old.claim, old.status, new_status, "ok" if ok else "MISMATCH", why))
    print("| claim | committed | rebuilt | verify | detail |\n|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print(f"\n{len(rows) - failures} of {len(rows)} claims verified")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("committed", type=Path, help="folder of committed verdict JSONs")
    parser.add_argument("fresh", type=Path, help="folder of freshly rebuilt verdict JSONs")
    args = parser.parse_args(argv)
    return verify(args.committed, args.fresh)


if __name__ == "__main__":
    sys.exit(main())
