"""CITATION.cff cites the three papers exactly as the claims' declarations do (one place: overparam.papers)."""

from __future__ import annotations

from pathlib import Path

import yaml

from overparam.papers import PAPERS

ROOT = Path(__file__).resolve().parents[1]


def test_citation_file_names_every_paper_as_the_declarations_do():
    refs = yaml.safe_load((ROOT / "CITATION.cff").read_text())["references"]
    assert len(refs) == len(PAPERS)
    by_title = {r["title"]: r for r in refs}
    for paper in PAPERS.values():
        ref = by_title[paper.title]
        assert ref["year"] == paper.year
        assert [a["family-names"] for a in ref["authors"]] == paper.authors.split(", ")
        assert {"type": "other", "value": f"arXiv:{paper.arxiv}"} in ref["identifiers"]
