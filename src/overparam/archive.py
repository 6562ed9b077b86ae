"""The committed run records of a scale: one compressed archive and a manifest, so that a fresh clone rebuilds
every verdict, figure and the report in minutes instead of re-simulating.

``python -m overparam.archive pack default`` writes ``results/default/runs.tar.xz`` and
``results/default/runs.manifest.json`` (per claim: the digest of its kernel sources and its record files).
``python -m overparam.archive restore default`` unpacks the records of every claim whose kernel digest still
matches the code (with fresh modification times, so that Snakemake takes them as up to date); a claim whose
kernels changed is left out and says so, and the workflow simulates it again. Records already on disk are
never overwritten. ``make verify`` ignores the archive and recomputes everything.
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
from pathlib import Path

from overparam.records import read_seal, seal_path
from overparam.registry import claims
from overparam.sources import kernel_digest


def _paths(results: Path, scale: str) -> tuple[Path, Path, Path]:
    folder = results / scale
    return folder / "runs", folder / "runs.tar.xz", folder / "runs.manifest.json"


def pack(scale: str, results: Path = Path("results"), root: Path = Path(".")) -> dict:
    """Archive every sealed record of the scale; the manifest lists them per claim with its kernel digest."""
    runs, archive, manifest_path = _paths(results, scale)
    manifest: dict[str, dict] = {}
    with tarfile.open(archive, "w:xz") as tar:
        for claim_id in claims():
            files = sorted((runs / claim_id).glob("*.csv")) if (runs / claim_id).is_dir() else []
            for f in files:
                read_seal(f)  # only whole records go in
                for member in (f, seal_path(f)):
                    info = tar.gettarinfo(member, arcname=str(member.relative_to(runs)))
                    info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
                    with open(member, "rb") as fh:
                        tar.addfile(info, fh)
            manifest[claim_id] = {"kernel_digest": kernel_digest(claim_id, root),
                                  "files": [str(f.relative_to(runs)) for f in files]}
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def restore(scale: str, results: Path = Path("results"), root: Path = Path(".")) -> list[str]:
    """Unpack the records of every claim whose kernels are unchanged; return the claims left to simulate."""
    runs, archive, manifest_path = _paths(results, scale)
    if not archive.exists() or not manifest_path.exists():
        print(f"archive: no committed records for scale {scale}: every claim simulates")
        return list(claims())
    manifest = json.loads(manifest_path.read_text())
    stale = [c for c in claims() if c not in manifest or manifest[c]["kernel_digest"] != kernel_digest(c, root)]
    wanted = {f for c, entry in manifest.items() if c not in stale for f in entry["files"]}
    wanted |= {str(Path(f).with_name(Path(f).name + ".seal.json")) for f in wanted}
    restored = 0
    with tarfile.open(archive, "r:xz") as tar:
        for member in tar.getmembers():
            target = runs / member.name
            if member.name not in wanted or target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            data = tar.extractfile(member).read()
            target.write_bytes(data)  # written now: a fresh modification time
            restored += 1
    for f in sorted(wanted):
        if f.endswith(".csv"):
            read_seal(runs / f)
    for c in stale:
        print(f"archive: {c}: its kernels changed since the records were packed: it simulates again")
    print(f"archive: restored {restored} files of {len(claims()) - len(stale)} claims into {runs}")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m overparam.archive", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("pack", "restore"))
    parser.add_argument("scale")
    parser.add_argument("--results", default="results", type=Path)
    args = parser.parse_args(argv)
    if args.action == "pack":
        manifest = pack(args.scale, args.results)
        print(f"archive: packed {sum(len(e['files']) for e in manifest.values())} record files")
    else:
        restore(args.scale, args.results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
