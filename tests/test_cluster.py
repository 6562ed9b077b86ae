"""SLURM: the ci scale of one claim through `--profile profiles/slurm` on a real cluster (marker cluster).

Skipped, with the reason, where `sinfo` is not on PATH, the cluster does not answer or the SLURM executor
plugin is not installed. The test never starts a cluster by itself; with OVERPARAM_START_SLURM=1 it runs
tests/cluster/setup_slurm.sh first (root; Debian/Ubuntu) and stops the daemons afterwards.

It checks (a) that every job Snakemake submitted is in SLURM's own records (sacct where slurmdbd keeps
accounting, else the job-completion file, else `squeue --states=all`) under the run's job name, COMPLETED,
and (b) that the verdict (status and every estimate) equals a local run of the same claim with --cores 2.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
CLUSTER_DIR = ROOT / "tests" / "cluster"
PROFILE = ROOT / "profiles" / "slurm" / "config.yaml"
CLAIM = "ode_matches_sgd"
# Same numbers on both sides: the comparison is of the executor, not of the backend a node happens to have.
CONFIG = ["scale=ci", "backend=numpy"]


# --------------------------------------------------------------------------------------------------------
# The profile itself (no cluster needed)


def _plugin_installed() -> bool:
    return importlib.util.find_spec("snakemake_executor_plugin_slurm") is not None


def _render_profile(env: dict[str, str]) -> dict:
    """The profile as Snakemake reads it (a YTE template), under the given OVERPARAM_SLURM_* variables."""
    import yte

    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("OVERPARAM_SLURM_")}
    os.environ.update(env)
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with open(PROFILE) as f:
            return yte.process_yaml(f, require_use_yte=True)
    finally:
        os.chdir(cwd)
        for k in env:
            os.environ.pop(k, None)
        os.environ.update(saved)


def test_slurm_profile_sends_training_rules_to_cpus_by_default_and_to_a_gpu_partition_on_request():
    cpu = _render_profile({})
    assert cpu["executor"] == "slurm" and cpu["rerun-incomplete"] is True and cpu["slurm-no-account"] is True
    assert "slurm_partition" not in cpu["default-resources"]  # the cluster's default partition
    assert {"ode_matches_sgd_run", "subquadratic_width_run"} <= set(cpu["set-resources"])
    assert all(r == {"gpu": 0} for r in cpu["set-resources"].values())
    gpu = _render_profile(
        {"OVERPARAM_SLURM_GPU_PARTITION": "gpu", "OVERPARAM_SLURM_PARTITION": "cpu", "OVERPARAM_SLURM_ACCOUNT": "a1"}
    )
    assert all(r == {"gpu": 1, "slurm_partition": "'gpu'"} for r in gpu["set-resources"].values())
    assert gpu["default-resources"]["slurm_partition"] == "'cpu'"
    assert gpu["default-resources"]["slurm_account"] == "'a1'" and gpu["slurm-no-account"] is False


@pytest.mark.skipif(not _plugin_installed(), reason="snakemake-executor-plugin-slurm is not installed")
def test_slurm_profile_dry_run_requests_no_gpu_anywhere(tmp_path):
    """Snakemake's own resolution: with the profile, no job of the whole workflow asks SLURM for a GPU."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVERPARAM_SLURM_")}
    args = ["-n", "--profile", "profiles/slurm", "--config", *CONFIG, f"results={tmp_path}"]
    out = _run([*SNAKEMAKE, *args, f"figures={tmp_path / 'f'}"], env=env)
    jobs = re.findall(r"^rule (\w+):.*?^\s+resources: ([^\n]*)", out, flags=re.M | re.S)
    assert jobs, out[-2000:]
    gpu = {rule: re.search(r"\bgpu=(\d+)", res) for rule, res in jobs}
    assert not [r for r, m in gpu.items() if m and m.group(1) != "0"], "a job still requests --gpus on SLURM"
    assert {"ode_matches_sgd_run", "subquadratic_width_run"} <= {r for r, m in gpu.items() if m}


# --------------------------------------------------------------------------------------------------------
# A real cluster


def _sh(cmd: list[str], timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def _node_states() -> tuple[list[str], str]:
    try:
        proc = _sh(["sinfo", "-h", "-N", "-o", "%T"], timeout=15)
    except subprocess.TimeoutExpired:
        return [], "sinfo timed out after 15 s"
    return proc.stdout.split(), proc.stderr.strip()


def _usable(states: list[str]) -> bool:
    return any(s.rstrip("*~#!%$@^-") in {"idle", "mixed", "allocated", "completing"} for s in states)


@pytest.fixture(scope="module")
def slurm():
    """A SLURM cluster that answers, or a skip that says why."""
    started = False
    if os.environ.get("OVERPARAM_START_SLURM") == "1":
        proc = subprocess.run(["bash", str(CLUSTER_DIR / "setup_slurm.sh")], capture_output=True, text=True)
        if proc.returncode != 0:
            pytest.fail(f"OVERPARAM_START_SLURM=1 but setup_slurm.sh failed:\n{proc.stdout[-2000:]}{proc.stderr}")
        started = True
        os.environ["PATH"] += os.pathsep + "/usr/sbin"
    if shutil.which("sinfo") is None:
        pytest.skip("sinfo is not on PATH: no SLURM here (start one: sudo tests/cluster/setup_slurm.sh)")
    if not _plugin_installed():
        pytest.skip("snakemake-executor-plugin-slurm is not installed (pip install ...==2.8.0)")
    states, err = _node_states()
    if not _usable(states):
        pytest.skip(f"SLURM does not answer or has no usable node (sinfo: {states or err or 'no nodes'})")
    yield
    if started:
        subprocess.run(["bash", str(CLUSTER_DIR / "stop_slurm.sh")], capture_output=True, text=True)


def _run(cmd: list[str], env: dict | None = None, timeout: int = 600) -> str:
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{out[-4000:]}"
    return out


def _slurm_config() -> dict[str, str]:
    out = _sh(["scontrol", "show", "config"]).stdout
    return dict((k.strip(), v.strip()) for k, v in (line.split("=", 1) for line in out.splitlines() if " = " in line))


def slurm_records(job_ids: list[str]) -> tuple[str, dict[str, dict[str, str]]]:
    """SLURM's own record of each job id: (where from, {id: {"name": ..., "state": ...}})."""
    ids = ",".join(job_ids)
    if shutil.which("sacct"):
        proc = _sh(["sacct", "-X", "-n", "-P", "-j", ids, "--format=JobIDRaw,JobName%200,State"])
        rows = [r.split("|") for r in proc.stdout.splitlines() if r.strip()]
        if proc.returncode == 0 and rows:
            return "sacct", {r[0]: {"name": r[1], "state": r[2].split()[0]} for r in rows}
    conf = _slurm_config()
    loc = conf.get("JobCompLoc", "")
    if conf.get("JobCompType") == "jobcomp/filetxt" and os.access(loc, os.R_OK):
        deadline = time.monotonic() + 30  # slurmctld appends a record when the job completes
        while True:
            recs = {}
            for line in Path(loc).read_text().splitlines():
                kv = dict(re.findall(r"(\w+)=(\S*)", line))
                if kv.get("JobId") in job_ids:
                    recs[kv["JobId"]] = {"name": kv.get("Name", ""), "state": kv.get("JobState", "")}
            if len(recs) == len(job_ids) or time.monotonic() > deadline:
                return f"jobcomp file {loc}", recs
            time.sleep(1)
    proc = _sh(["squeue", "--states=all", "-h", "-j", ids, "-o", "%i|%j|%T"])
    rows = [r.split("|") for r in proc.stdout.splitlines() if r.strip()]
    return "squeue --states=all", {r[0]: {"name": r[1], "state": r[2]} for r in rows}


def _verdict(folder: Path) -> dict:
    """The verdict a run with ``results=folder`` wrote: every scale has its own folder below it."""
    v = json.loads((folder / "ci" / "claims" / f"{CLAIM}.json").read_text())
    return {"status": v["status"], "estimates": v["estimates"], "runs_used": v["runs_used"]}


@pytest.mark.cluster
def test_one_claim_through_slurm_matches_the_local_run(slurm, tmp_path):
    t0 = time.monotonic()
    out_slurm, out_local = tmp_path / "slurm", tmp_path / "local"
    env = {k: v for k, v in os.environ.items() if k != "OVERPARAM_SLURM_GPU_PARTITION"}
    log = _run(
        [
            *SNAKEMAKE,
            f"claim_{CLAIM}",
            "--profile",
            "profiles/slurm",
            "--slurm-logdir",
            str(tmp_path / "slurm_logs"),
            "--config",
            *CONFIG,
            f"results={out_slurm}",
            f"figures={out_slurm / 'figures'}",
        ],
        env=env,
    )
    t_slurm = time.monotonic() - t0

    # (a) the jobs went through SLURM: every submitted id is in SLURM's records, under this run's name
    run_id = re.search(r"SLURM run ID: (\S+)", log).group(1)
    job_ids = re.findall(r"has been submitted with SLURM jobid (\d+)", log)
    remote_rules = re.findall(r"^rule (\w+):", log, flags=re.M)  # local rules print "localrule"
    assert job_ids and len(job_ids) == len(remote_rules), (job_ids, remote_rules)
    assert {"verdict", f"figure_{CLAIM}", f"{CLAIM}_run"} <= set(remote_rules)
    source, records = slurm_records(job_ids)
    assert set(records) == set(job_ids), f"{source} lacks jobs {set(job_ids) - set(records)}"
    for jid, rec in records.items():
        assert rec["name"] == run_id and rec["state"] == "COMPLETED", (source, jid, rec)

    # (b) the verdict equals a local run's
    _run(
        [
            *SNAKEMAKE,
            f"claim_{CLAIM}",
            "--cores",
            "2",
            "--config",
            *CONFIG,
            f"results={out_local}",
            f"figures={out_local / 'figures'}",
        ]
    )
    assert _verdict(out_slurm) == _verdict(out_local)
    assert (out_slurm / "figures" / "ci" / f"{CLAIM}.png").stat().st_size > 10_000
    print(
        f"\n{len(job_ids)} SLURM jobs of run {run_id} ({source}); slurm run {t_slurm:.0f} s, "
        f"total {time.monotonic() - t0:.0f} s; status {_verdict(out_slurm)['status']}"
    )
