"""What one simulation job runs: its rule's ``job`` dict, dispatched to its paper's entry point.

Every job dict carries ``claim`` (whose declared package owns the entry point), ``kind`` (the entry point's name in that
paper's ``jobs.ENTRY_POINTS``) and ``base_seed``; the rest is the point's settings. Every entry point has the same
signature, ``entry(job, backend, progress=None) -> list of records``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from overparam.backend import Backend
from overparam.registry import claim

Progress = Callable[[int, int], None]  # (step, replicas still running)


def entry_point(job: dict[str, Any]) -> Callable[..., list[dict[str, Any]]]:
    """The function that runs ``job``; an unknown kind is an error naming the allowed ones."""
    entries = importlib.import_module(f"{claim(job['claim']).package}.jobs").ENTRY_POINTS
    if job.get("kind") not in entries:
        raise ValueError(f"job kind {job.get('kind')!r} of claim {job['claim']!r} is not one of {', '.join(entries)}")
    return entries[job["kind"]]


def run_job(job: dict[str, Any], backend: Backend, progress: Progress | None = None) -> list[dict[str, Any]]:
    """Run one job on ``backend``: the records that its rule writes."""
    return entry_point(job)(job, backend, progress)
