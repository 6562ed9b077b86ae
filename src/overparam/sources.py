"""Which package files each stage of a claim depends on: the rules list them as inputs (an edit reruns exactly
the stages that use the file), and the records archive keys its records by the digest of the kernel files."""

from __future__ import annotations

import hashlib
from pathlib import Path

from overparam.registry import claim

NOT_KERNELS = ("analysis", "checks", "claims", "figures", "verdicts")
CORE_KERNEL_MODULES = ("backend", "batch", "jobs", "papers", "progress", "records", "rng", "seeds", "tuning")
CORE_VERDICT_MODULES = ("assemble", "claim", "decide", "fit", "papers", "provenance", "records", "registry",
                        "tables", "verdict")


def package_dir(claim_id: str) -> Path:
    """The claim's package folder, relative to the repository root."""
    return Path("src", *claim(claim_id).package.split("."))


def kernel_sources(claim_id: str, root: str | Path = ".") -> list[str]:
    """What a simulation depends on: the core modules it runs and its paper's kernels (not its analysis,
    figures or declarations, whose edits rerun only verdicts and figures)."""
    core = [f"src/overparam/{m}.py" for m in CORE_KERNEL_MODULES]
    own = sorted(p for p in (Path(root) / package_dir(claim_id)).glob("*.py") if p.stem not in NOT_KERNELS)
    return core + [str(p.relative_to(root)) for p in own]


def verdict_sources(claim_id: str) -> list[str]:
    """What a verdict depends on: the core of every verdict and its paper's analysis and declarations."""
    core = [f"src/overparam/{m}.py" for m in CORE_VERDICT_MODULES]
    return core + [str(package_dir(claim_id) / f"{m}.py") for m in ("analysis", "claims", "verdicts")]


def figure_sources(claim_id: str) -> list[str]:
    """What a figure depends on: what draws and captions it (a colour change reruns one figure)."""
    own = [str(package_dir(claim_id) / "claims.py")]
    core = ["src/overparam/captions.py", "src/overparam/figure.py", "src/overparam/plotting.py"]
    return [*core, *own, *(f for f in claim(claim_id).figure_sources if f not in core)]


LEDGER_SOURCES = ["src/overparam/ledger.py", "src/overparam/decide.py", "src/overparam/verdict.py"]


def kernel_digest(claim_id: str, root: str | Path = ".") -> str:
    """SHA-256 over the bytes of the claim's kernel sources, in order: equal digests, equal simulations."""
    h = hashlib.sha256()
    for rel in kernel_sources(claim_id, root):
        h.update(rel.encode() + b"\0" + (Path(root) / rel).read_bytes() + b"\0")
    return h.hexdigest()
