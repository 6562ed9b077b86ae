"""The Snakemake workflow itself: lint, format, a ci-scale end-to-end run, the report, reproducibility."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from overparam.registry import claims as registry

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
BIN = Path(sys.executable).parent


def _run(cmd: list[str], timeout: int = 900) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def _ci_args(out: Path) -> list[str]:
    return ["--profile", "profiles/ci", "--config", "scale=ci", f"results={out}", f"figures={out / 'figures'}"]


# What a clone of the project holds, for the runs that go where a user's would (results/, figures/).
PROJECT = ("Snakefile", "config.yaml", "rules", "scripts", "schemas", "profiles", "report", "src", "results",
           "figures", "envs", "pyproject.toml")


def test_snakemake_lint_is_clean():
    proc = _run([*SNAKEMAKE, "--lint"])
    assert "Congratulations" in proc.stdout + proc.stderr


def test_snakefmt_and_ruff_are_clean():
    _run([str(BIN / "snakefmt"), "--check", "Snakefile", "rules"])
    _run([str(BIN / "ruff"), "check", "src", "tests", "scripts", "benchmarks"])


def test_every_claim_has_a_target_and_the_dry_run_builds_the_dag(tmp_path):
    proc = _run([*SNAKEMAKE, "-n", *_ci_args(tmp_path)])
    for claim in registry():
        assert f"figure_{claim}" in proc.stdout


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A copy of the project's tree with its committed outputs (default-scale verdicts and figures)."""
    import shutil

    dest = tmp_path_factory.mktemp("clone")
    for name in PROJECT:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", "runs", "logs",
                                                                            "benchmarks", "tables", "*.egg-info"))
        else:
            shutil.copy2(src, dest / name)
    return dest


def _committed_default_outputs(root: Path) -> dict[str, bytes]:
    files = [*(root / "results" / "default").rglob("*"), *(root / "figures" / "default").rglob("*")]
    return {str(f.relative_to(root)): f.read_bytes() for f in files if f.is_file()}


@pytest.fixture(scope="module")
def ci_run(clone) -> Path:
    """The whole workflow at the ci scale, once for this module, as the README runs it (2 cores, ~2 minutes):
    in a copy of the project, with the ci profile and no output overrides. Returns the scale's results folder."""
    before = _committed_default_outputs(clone)
    proc = subprocess.run([*SNAKEMAKE, "--profile", "profiles/ci"], cwd=clone, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, f"ci run failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    clone_results = clone / "results" / "ci"
    (clone_results / ".default_before.json").write_text(json.dumps(sorted(before)))
    clone_results.joinpath(".default_unchanged").write_text(str(before == _committed_default_outputs(clone)))
    return clone_results


def test_the_ci_scale_leaves_the_committed_default_outputs_untouched(ci_run, clone):
    assert json.loads((ci_run / ".default_before.json").read_text()), "the copy holds no default-scale outputs"
    assert (ci_run / ".default_unchanged").read_text() == "True"
    assert (clone / "figures" / "ci" / "escape_dlogd.png").exists()


def test_ci_scale_gives_a_real_verdict_for_every_claim(ci_run, clone):
    text = (ci_run / "claims.md").read_text()
    table = [line for line in text.splitlines() if line.startswith("|")]
    assert len(table) == 2 + len(registry())
    assert [row["claim"] for row in json.loads((ci_run / "claims.json").read_text())] == list(registry())
    for claim in registry():
        v = json.loads((ci_run / "claims" / f"{claim}.json").read_text())
        assert v["status"] in {"pass", "fail", "inconclusive"} and v["scale"] == "ci"
        assert v["runs_used"] > 0 and v["measured"] and v["predicted"] and v["tolerance"]
        assert v["provenance"]["config_hash"] and v["provenance"]["packages"]["numpy"]
        assert v["backend"] == "numpy"
        assert (clone / "figures" / "ci" / f"{claim}.png").stat().st_size > 10_000
        assert (clone / "figures" / "ci" / f"{claim}.pdf").exists()
        assert v["status"].upper() in (ci_run / "captions" / f"{claim}.rst").read_text()
        for t in v["tests"]:  # under the table: every failed and undecided sub-test, none that passed
            listed = f"  - {t['name']}:" in text
            assert listed == (t["outcome"] != "pass"), (claim, t["name"], t["outcome"])


def _in(folder: Path, cmd: list[str]) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def test_a_finished_run_has_nothing_left_to_do(ci_run, clone):
    proc = _in(clone, [*SNAKEMAKE, "-n", "--profile", "profiles/ci"])
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_the_html_report_holds_every_figure_and_the_ledger(ci_run, clone):
    report = ci_run / "report.html"
    _in(clone, [*SNAKEMAKE, "--profile", "profiles/ci", "--report", str(report)])
    text = report.read_text(errors="replace")
    assert report.stat().st_size > 100_000
    for claim in registry():
        assert f"{claim}.png" in text
    assert "Claims ledger" in text


def test_the_report_builds_from_a_fresh_clone_with_the_committed_outputs(clone, tmp_path):
    """A clone from the forge holds the default scale's verdicts, figures and captions: enough for the report."""
    import shutil

    fresh = tmp_path / "fresh"
    shutil.copytree(clone, fresh, ignore=shutil.ignore_patterns("ci", ".snakemake"))
    report = tmp_path / "report.html"
    _in(fresh, [*SNAKEMAKE, "--report", str(report)])
    assert report.stat().st_size > 100_000
    text = report.read_text(errors="replace")
    assert "Claims ledger (scale default)" in text  # the ledger on the landing page


def test_records_are_bit_identical_whatever_the_job_order(ci_run, tmp_path):
    """One claim again with one core (a different job order): identical record files."""
    _run([*SNAKEMAKE, *_ci_args(tmp_path), "--cores", "1", "claim_ode_matches_sgd"])
    ours = sorted((tmp_path / "ci" / "runs" / "ode_matches_sgd").glob("*.csv"))
    assert ours
    for path in ours:
        a, b = pd.read_csv(path), pd.read_csv(ci_run / "runs" / "ode_matches_sgd" / path.name)
        timing = [c for c in a.columns if c.endswith("wall_s")]
        pd.testing.assert_frame_equal(a.drop(columns=timing), b.drop(columns=timing), check_exact=True)


def test_ci_verdicts_verify_against_the_committed_ci_ledger(ci_run, capsys):
    """What `make verify SCALE=ci` checks, on this run: same status and estimates as the committed ledger."""
    from overparam.verify import verify

    code = verify(ROOT / "results" / "ci" / "claims", ci_run / "claims")
    out = capsys.readouterr().out
    assert code == 0, out


def test_verify_flags_a_changed_status(ci_run, tmp_path):
    """A rerun whose sub-tests came out otherwise (and so its status, which must follow them) is a mismatch."""
    from overparam.decide import claim_status
    from overparam.verdict import read_verdict
    from overparam.verify import verify

    for path in (ci_run / "claims").glob("*.json"):
        v = read_verdict(path)
        for t in v.tests:
            t["outcome"] = "fail" if t["outcome"] == "pass" else "pass"
        v.status = claim_status(v.tests)
        v.write(tmp_path / path.name)
    assert verify(ROOT / "results" / "ci" / "claims", tmp_path) == 1


def test_verify_flags_a_moved_tolerance_even_when_every_outcome_is_unchanged(tmp_path):
    """A band widened after the fact leaves outcomes and estimates as they were: verify still refuses it."""
    from overparam.verdict import read_verdict
    from overparam.verify import verify

    committed = ROOT / "results" / "ci" / "claims"
    for path in committed.glob("*.json"):
        v = read_verdict(path)
        if path.stem == "escape_dlogd":
            lo, hi = v.tests[0]["band"]
            v.tests[0]["band"] = [lo - 1.0, hi + 1.0]
        v.write(tmp_path / path.name)
    assert verify(committed, tmp_path) == 1


def _finished_outputs(log_text: str) -> set[str]:
    """Outputs of the jobs that Snakemake's own log reports finished."""
    import re

    outputs, done = {}, set()
    for block in log_text.split("\n\n"):
        job = re.search(r"jobid: (\d+)", block)
        out = re.search(r"output: (\S+?\.csv)", block)
        if job and out:
            outputs[job.group(1)] = out.group(1)
    for job in re.findall(r"Finished jobid: (\d+)", log_text):
        if job in outputs:
            done.add(outputs[job])
    return done


@pytest.mark.parametrize("sig", ["SIGINT", "SIGKILL"])
def test_a_killed_run_resumes_without_recomputing_and_ends_bit_identical(ci_run, tmp_path, sig):
    """Kill the workflow once a job has finished; the rerun keeps that job's file and ends with the same records.

    (After a SIGKILL Snakemake's lock is left behind; `snakemake --unlock` once, as its message says.)
    """
    import os
    import signal
    import time

    cmd = [*SNAKEMAKE, *_ci_args(tmp_path / "out"), "--cores", "1", "claim_ode_matches_sgd"]
    log = tmp_path / "snakemake.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 300
        while time.time() < deadline and not _finished_outputs(log.read_text()):
            time.sleep(0.2)
        done = _finished_outputs(log.read_text())
        assert done, "no job finished before the deadline"
        finished = {p: Path(p).stat().st_mtime_ns for p in done}
        os.killpg(proc.pid, getattr(signal, sig))
        proc.wait(timeout=60)
    if sig == "SIGKILL":
        _run([*SNAKEMAKE, *_ci_args(tmp_path / "out"), "--unlock"])
    _run(cmd)
    for path, mtime in finished.items():
        assert Path(path).stat().st_mtime_ns == mtime, f"{path} was recomputed"
    folder = tmp_path / "out" / "ci" / "runs" / "ode_matches_sgd"
    assert not list(folder.glob("*.partial"))
    for path in folder.glob("*.csv"):
        a, b = pd.read_csv(path), pd.read_csv(ci_run / "runs" / "ode_matches_sgd" / path.name)
        timing = [c for c in a.columns if c.endswith("wall_s")]
        pd.testing.assert_frame_equal(a.drop(columns=timing), b.drop(columns=timing), check_exact=True)
