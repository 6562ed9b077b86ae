"""Paper C's claim C1 ``subquadratic_width``, declared (a leaf module)."""

from __future__ import annotations

from overparam.claim import Claim, RecordSet
from overparam.papers import SONG_2021

CLAIMS = [
    Claim(
        claim_id="subquadratic_width",
        paper=SONG_2021,
        package="overparam.width",
        statement="GD on both layers with standard init reaches zero loss once d0·d1 = Ω̃(n^1.5), not n^2",
        caption="d0·d1*, the smallest width on a √2 grid where ≥ 4 of 5 seeds reach h ≤ 1e-4 within T = 150·n GD "
                "steps, against n for d0 = ⌈2√n⌉ and d0 = 64, with the pooled log–log fit (95% seed-bootstrap CI) "
                "and the n^1.5 (theory, sufficient) and n^2 (older bound) guides dashed. The second figure tracks "
                "λ_min(K_t)/λ_min(K_0), the PL ratio and ‖θ_t − θ_0‖ along training for a narrow and a wide net.",
        records={
            "records": (RecordSet("subquadratic_width/{series}_n{n}.csv",
                                  lambda s: [{"series": sr["series"], "n": n}
                                             for sr in s["subquadratic_width"]["series"] for n in sr["n"]]),),
            "tracking": (RecordSet("subquadratic_width/tracking.csv"),),
        },
        analyse="overparam.width.verdicts:subquadratic_width",
        figure="overparam.width.figures:subquadratic_width",
        figure_sources=("src/overparam/plotting.py", "src/overparam/width/figures.py"),
        extra_figures=("tracking",),
        check="overparam.width.checks:subquadratic_width",
    ),
]
