"""The declaration of a claim: the one place that says what a claim is, which the whole pipeline reads.

A leaf module (it imports nothing of the project but :mod:`overparam.papers`, and no plotting or array library),
so that the Snakefile can read every declaration to build the DAG without importing seaborn, and so that the
registry and the papers' declarations never import each other in a cycle.

What reads a declaration:
- the rules (``rules/*.smk``): the path pattern of each group of run records (``RecordSet``), and its wildcard
  values at a scale, so that the simulation rules' outputs and the verdict's inputs are the same strings;
- the verdict (``overparam.assemble``): the statement, the paper, and the ``analyse`` function;
- the figure (``overparam.captions`` and the figure rule): the ``figure`` function, its extra figures, the caption;
- the seeds (``overparam.seeds``): the paper's seed file, from the claim id;
- the config check (``overparam.config``): the claim's cross-field ``check`` of its settings and tolerances.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from overparam.papers import Paper

Settings = Mapping[str, Any]  # one scale's block of config.yaml: claim id -> that claim's settings


@dataclass(frozen=True)
class RecordSet:
    """One kind of run record of a claim: a file pattern under the scale's run folder and its wildcard values.

    ``pattern`` is a Snakemake output pattern such as ``"escape_dlogd/gamma{i}.csv"``; ``values`` maps one scale's
    settings (all claims' blocks, so that a claim may borrow another's records) to the wildcard dicts that exist.
    """

    pattern: str
    values: Callable[[Settings], list[dict[str, Any]]] = field(default=lambda settings: [{}])

    def paths(self, settings: Settings) -> list[str]:
        """Every record file of this set at one scale, relative to the run folder."""
        return [self.pattern.format(**v) for v in self.values(settings)]


def resolve(ref: str) -> Callable[..., Any]:
    """A function from its ``"package.module:function"`` reference (imported only when it is needed)."""
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class Claim:
    """One claimed bound of one paper: what it states, which records it needs, how it is decided and drawn.

    ``analyse`` and ``figure`` are ``"module:function"`` references, imported by the verdict and figure jobs only:
    ``analyse(records: {group: DataFrame}, context) -> (tables: {name: DataFrame}, verdict fields)`` and
    ``figure(tables, verdict: dict) -> Figure | {suffix: Figure}`` ("" the main one). ``check(settings,
    tolerances, paper_block, key)`` raises ``ConfigError`` for an impossible combination of a scale's settings
    (``paper_block``: the paper's own top-level config block, ``mediocrity:`` or ``tensor:``, else empty).
    ``package`` is the Python package of the claim's code (its ``jobs`` module runs the simulation jobs, its
    other modules are the kernels that a simulation rule depends on).
    ``figure_sources`` are the package files that draw this claim (a change reruns its figure, not its verdict).
    """

    claim_id: str
    paper: Paper
    package: str
    statement: str
    caption: str
    records: Mapping[str, tuple[RecordSet, ...]]
    analyse: str
    figure: str
    figure_sources: tuple[str, ...]
    extra_figures: tuple[str, ...] = ()
    check: str | None = None

    @property
    def paper_block(self) -> str:
        """The name of the paper's own top-level config block (``tensor``, ``mediocrity``; the others have none):
        the config check, the work estimate and the verdict's config hash read it."""
        return self.package.rsplit(".", 1)[-1]

    def record_paths(self, settings: Settings) -> dict[str, list[str]]:
        """Each group's record files at one scale (relative to the run folder)."""
        return {group: [p for rs in sets for p in rs.paths(settings)] for group, sets in self.records.items()}

    def figure_suffixes(self) -> tuple[str, ...]:
        """The file-name suffixes of the claim's figures: "" for the main one, then the extra ones."""
        return ("", *self.extra_figures)
