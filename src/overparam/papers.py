"""The three papers the project replicates: citation and seed file, declared once (a leaf module).

Every claim names its paper here; the verdicts, the ledger, the captions and the seeds read the paper from its
claim's declaration (``overparam.claim``), and ``CITATION.cff`` lists the same three works (a test keeps the two
in step).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paper:
    """One replicated paper.

    ``seed_name`` and ``seed_file`` key the paper's random streams (``overparam.seeds``): they are part of every
    replica's entropy and never change, so that a fixed config and seed give the same numbers in every release.
    """

    seed_name: str
    seed_file: int
    authors: str
    year: int
    title: str
    short_title: str
    arxiv: str

    @property
    def citation(self) -> str:
        """The short form every verdict and figure caption carries."""
        return f"{self.authors} {self.year} ({self.short_title})"


WANG_2020 = Paper(
    seed_name="tensor", seed_file=0, authors="Wang, Wu, Lee, Ma, Ge", year=2020,
    title="Beyond Lazy Training for Over-parameterized Tensor Decomposition",
    short_title="beyond lazy training, tensor decomposition", arxiv="2010.11356",
)
ARNABOLDI_2023 = Paper(
    seed_name="mediocrity", seed_file=1, authors="Arnaboldi, Krzakala, Loureiro, Stephan", year=2023,
    title="Escaping mediocrity: how two-layer networks learn hard generalized linear models with SGD",
    short_title="escaping mediocrity", arxiv="2305.18502",
)
SONG_2021 = Paper(
    seed_name="width", seed_file=2, authors="Song, Ramezani-Kebrya, Pethick, Eftekhari, Cevher", year=2021,
    title="Subquadratic Overparameterization for Shallow Neural Networks",
    short_title="subquadratic width", arxiv="2111.01875",
)

PAPERS = {p.seed_name: p for p in (WANG_2020, ARNABOLDI_2023, SONG_2021)}
