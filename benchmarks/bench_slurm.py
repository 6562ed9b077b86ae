"""SLURM overhead per job (not a test): prints a markdown table for BENCHMARKS.md.

    python benchmarks/bench_slurm.py [-n 20] [--partition P] [--account A] [--run-id RUN_ID]

Needs a SLURM that answers (a local one: sudo tests/cluster/setup_slurm.sh). Three measurements:

1. Sequential: N trivial `sbatch --wrap` jobs, one at a time on a free node. submit -> start is the wall
   time from just before the `sbatch` call to the job's first command (a timestamp the job writes);
   start -> done is from that timestamp to the moment `squeue --states=all` first reports COMPLETED
   (polled every 50 ms): teardown plus the time the controller needs to record the end.
2. Burst: N trivial jobs submitted at once, the same two intervals (queueing on the node's CPUs included).
3. With --run-id: the jobs of one Snakemake run (the SLURM executor names every job after the run id it
   prints, "SLURM run ID: ..."), from SLURM's own records (sacct, else the jobcomp file; 1 s resolution):
   submit -> start and start -> end (Snakemake's start-up in the job plus the rule's work).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

POLL_S = 0.05


def sh(cmd: list[str], timeout: float = 60) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {proc.stderr.strip()}")
    return proc.stdout


def submit(stamp: Path, extra: list[str]) -> tuple[str, float]:
    cmd = ["sbatch", "--parsable", "-n1", "-c1", "--mem=100", "-t", "5", "-o", "/dev/null", "-J", "bench_slurm"]
    t0 = time.time()
    out = sh([*cmd, *extra, f"--wrap=date +%s.%N > {stamp}"])
    return out.strip().split(";")[0], t0


def states(ids: list[str]) -> dict[str, str]:
    out = sh(["squeue", "--states=all", "-h", "-j", ",".join(ids), "-o", "%i|%T"])
    return dict(line.split("|", 1) for line in out.splitlines() if "|" in line)


def wait_done(ids: list[str], timeout: float = 300) -> dict[str, float]:
    """Wall time at which squeue first reports each job COMPLETED."""
    done: dict[str, float] = {}
    t_end = time.time() + timeout
    while len(done) < len(ids):
        if time.time() > t_end:
            raise TimeoutError(f"jobs not done after {timeout} s: {set(ids) - set(done)}")
        now = time.time()
        for jid, st in states([j for j in ids if j not in done]).items():
            if st == "COMPLETED":
                done[jid] = now
            elif st in {"FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL"}:
                raise RuntimeError(f"job {jid} ended {st}")
        time.sleep(POLL_S)
    return done


def read_stamp(path: Path, timeout: float = 10) -> float:
    t_end = time.time() + timeout
    while time.time() < t_end:
        text = path.read_text().strip() if path.exists() else ""
        if text:
            return float(text)
        time.sleep(POLL_S)
    raise TimeoutError(f"no start stamp in {path}")


def measure(n: int, burst: bool, extra: list[str], tmp: Path) -> list[tuple[float, float]]:
    """(submit -> start, start -> done) per job."""
    rows = []
    if burst:
        subs = [submit(tmp / f"b{i}", extra) for i in range(n)]
        done = wait_done([jid for jid, _ in subs])
        for i, (jid, t0) in enumerate(subs):
            start = read_stamp(tmp / f"b{i}")
            rows.append((start - t0, done[jid] - start))
    else:
        for i in range(n):
            jid, t0 = submit(tmp / f"s{i}", extra)
            t_done = wait_done([jid])[jid]
            start = read_stamp(tmp / f"s{i}")
            rows.append((start - t0, t_done - start))
    return rows


def _ts(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def run_records(run_id: str) -> tuple[str, list[tuple[float, float]]]:
    """(submit -> start, start -> end) of every COMPLETED job named run_id, from SLURM's records."""
    if shutil.which("sacct"):
        proc = subprocess.run(
            ["sacct", "-X", "-n", "-P", "--name", run_id, "-S", "now-7days", "-o", "Submit,Start,End,State"],
            capture_output=True,
            text=True,
        )
        rows = [r.split("|") for r in proc.stdout.splitlines() if r.strip()]
        if proc.returncode == 0 and rows:
            return "sacct", [(_ts(s) - _ts(q), _ts(e) - _ts(s)) for q, s, e, st in rows if st == "COMPLETED"]
    conf = dict(re.findall(r"^(\w+)\s+=\s+(\S*)", sh(["scontrol", "show", "config"]), flags=re.M))
    loc = conf.get("JobCompLoc", "")
    if conf.get("JobCompType") != "jobcomp/filetxt" or not os.access(loc, os.R_OK):
        raise RuntimeError("no SLURM records to read: sacct does not answer and there is no jobcomp/filetxt file")
    out = []
    for line in Path(loc).read_text().splitlines():
        kv = dict(re.findall(r"(\w+)=(\S*)", line))
        if kv.get("Name") == run_id and kv.get("JobState") == "COMPLETED":
            q, s, e = (_ts(kv[k]) for k in ("SubmitTime", "StartTime", "EndTime"))
            out.append((s - q, e - s))
    return f"jobcomp file {loc}", out


def row(label: str, values: list[tuple[float, float]], second: str) -> str:
    a = [v[0] for v in values]
    b = [v[1] for v in values]
    return (
        f"| {label} | {len(values)} | {statistics.mean(a):.2f} | {statistics.median(a):.2f} | {max(a):.2f} "
        f"| {statistics.mean(b):.2f} | {statistics.median(b):.2f} | {second} |"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=20, help="trivial jobs per measurement (default 20)")
    ap.add_argument("--partition", help="sbatch -p")
    ap.add_argument("--account", help="sbatch -A")
    ap.add_argument("--run-id", help="also summarise the jobs of this Snakemake run (its 'SLURM run ID')")
    args = ap.parse_args()
    if shutil.which("sbatch") is None:
        print("bench_slurm: no sbatch on PATH (start a local SLURM: sudo tests/cluster/setup_slurm.sh)")
        return 1
    extra = (["-p", args.partition] if args.partition else []) + (["-A", args.account] if args.account else [])
    version = sh(["sinfo", "--version"]).strip()
    nodes = sh(["sinfo", "-h", "-N", "-o", "%N %c CPUs %m MB %T"]).strip().replace("\n", "; ")
    # The stamps must be on a filesystem the compute node shares (here: the working directory).
    with tempfile.TemporaryDirectory(prefix=".bench_slurm_", dir=Path.cwd()) as d:
        tmp = Path(d)
        seq = measure(args.n, False, extra, tmp)
        burst = measure(args.n, True, extra, tmp)
    print(f"\nSLURM overhead per job: {version}; nodes: {nodes}; host {platform.node()} ({os.cpu_count()} CPUs)\n")
    print("| jobs | n | submit → start mean (s) | median | max | start → end mean (s) | median | end is |")
    print("|---|---|---|---|---|---|---|---|")
    print(row("`sbatch --wrap`, one at a time", seq, "squeue COMPLETED"))
    print(row(f"`sbatch --wrap`, {args.n} at once", burst, "squeue COMPLETED"))
    if args.run_id:
        source, recs = run_records(args.run_id)
        if recs:
            print(row(f"Snakemake run {args.run_id[:8]}… ({source}, 1 s resolution)", recs, "SLURM EndTime"))
        else:
            print(f"\nno COMPLETED jobs named {args.run_id} in {source}")
    print(f"\nsubmit → start: wall time from the sbatch call to the job's first command (polling {POLL_S} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
