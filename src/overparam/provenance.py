"""Provenance of a result: git revision and dirty flag, config hash, package versions, backend, device."""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("numpy", "scipy", "pandas", "matplotlib", "seaborn", "snakemake", "cupy-cuda12x")


def _git(*args: str, cwd: Path) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def config_hash(params: Any) -> str:
    """SHA-256 (first 16 hex digits) of the canonical JSON of the parameters that made a result."""
    text = json.dumps(params, sort_keys=True, default=repr, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def package_versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def provenance(params: Any, backend_name: str, device: str, root: str | Path = ".") -> dict[str, Any]:
    """Everything a reviewer needs to tell where a verdict came from."""
    root = Path(root)
    rev = _git("rev-parse", "HEAD", cwd=root)
    # dirty = the sources differ from the commit; the pipeline's own outputs (results/, figures/) do not count
    status = _git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!results", ":!figures", cwd=root)
    return {
        "git_revision": rev or "unknown",
        "git_dirty": bool(status) if status is not None else None,
        "config_hash": config_hash(params),
        "packages": package_versions(),
        "python": platform.python_version(),
        "backend": backend_name,
        "device": device,
    }
