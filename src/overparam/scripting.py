"""What every script under ``scripts/`` needs around its one call into the package: its log, and a Snakemake
object when it runs outside Snakemake.

Inside a workflow Snakemake injects ``snakemake`` into the script's globals. Outside (a debugger, a profiler,
a quick rerun of one job), ``python scripts/verdict.py verdict claim=escape_dlogd scale=ci`` builds the same
object from the Snakefile for the named rule and wildcards (``key=value`` words, run from the repository
root; ``scale``, ``base_seed`` and ``backend`` are config overrides), so the script runs exactly as its rule
would run it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CONFIG_WORDS = ("scale", "base_seed", "backend", "results", "figures")


@contextlib.contextmanager
def log_to(path: str | Path | None) -> Iterator[None]:
    """Inside: stdout and stderr go to the job's log file (line-buffered), as a Snakemake ``log:`` expects."""
    if path is None:
        yield
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", buffering=1) as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        yield


def mock_snakemake(rule_name: str, root: str | Path = ".", config: dict[str, Any] | None = None,
                   **wildcards: str) -> Any:
    """The ``snakemake`` object that the workflow would give the script of ``rule_name`` for ``wildcards``.

    Follows the approach of PyPSA-Eur's helper of the same name: build the workflow from the Snakefile with
    Snakemake's own classes, make the job of one rule, and wrap its input, output, params and log.
    """
    from snakemake.dag import DAG
    from snakemake.jobs import Job
    from snakemake.script import Snakemake
    from snakemake.settings.types import (
        ConfigSettings,
        DAGSettings,
        ResourceSettings,
        StorageSettings,
        WorkflowSettings,
    )
    from snakemake.workflow import Workflow

    root = Path(root).resolve()
    here = Path.cwd()
    os.chdir(root)
    try:
        workflow = Workflow(ConfigSettings(config=config or {}), ResourceSettings(), WorkflowSettings(),
                            StorageSettings(), DAGSettings(rerun_triggers=[]), storage_provider_settings={})
        workflow.include(str(root / "Snakefile"))
        workflow.global_resources = {}
        rule = workflow.get_rule(rule_name)
        job = Job(rule, DAG(workflow, rules=[rule]), wildcards)
        for io in (job.input, job.output, job.log):
            for i, path in enumerate(io):
                io[i] = str(root / path)
        return Snakemake(job.input, job.output, job.params, job.wildcards, job.threads, job.resources, job.log,
                         workflow.config, rule.name, None)
    finally:
        os.chdir(here)


def snakemake_object(script_globals: dict[str, Any], argv: list[str] | None = None) -> Any:
    """Snakemake's injected object, or (run by hand) :func:`mock_snakemake` from ``RULE key=value ...``."""
    if "snakemake" in script_globals:
        return script_globals["snakemake"]
    argv = sys.argv[1:] if argv is None else argv
    if not argv or "=" in argv[0]:
        raise SystemExit("usage: python scripts/<script>.py RULE [wildcard=value ...] [scale=ci ...]")
    words = dict(a.split("=", 1) for a in argv[1:])
    config = {k: words.pop(k) for k in CONFIG_WORDS if k in words}
    if "base_seed" in config:
        config["base_seed"] = int(config["base_seed"])
    return mock_snakemake(argv[0], root=Path.cwd(), config=config, **words)
