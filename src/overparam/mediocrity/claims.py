"""Paper B's claims, declared: B1 ``escape_dlogd``, B2 ``width_constant_factor``, B3 ``ode_matches_sgd``.

A leaf module: the rules, the verdict, the figure and the seeds read these declarations.
"""

from __future__ import annotations

from overparam.claim import Claim, RecordSet
from overparam.papers import ARNABOLDI_2023

FIGURES = ("src/overparam/plotting.py", "src/overparam/mediocrity/figures.py", "src/overparam/mediocrity/theory.py")

CLAIMS = [
    Claim(
        claim_id="escape_dlogd",
        paper=ARNABOLDI_2023,
        package="overparam.mediocrity",
        statement="one-pass SGD escapes the mediocre plateau of a phase-retrieval target after n = Θ(d log d) samples",
        caption="Left: mean escape time t (95% bootstrap CI over seeds; band: 10–90% of seeds) against ln d for each "
                "rate γ' at p = 1, with the linearised ODE's prediction ln(0.01·d·R0/2)/(2a) dashed; the verdict "
                "tests the slope. Right: samples n/(d ln d) approaching the prefactor 1/(8γ'−4γ'²C_p). Exact "
                "overlap chain.",
        records={"records": (RecordSet("escape_dlogd/gamma{i}.csv",
                                       lambda s: [{"i": i} for i in range(len(s["escape_dlogd"]["gamma_p"]))]),)},
        analyse="overparam.mediocrity.verdicts:escape_dlogd",
        figure="overparam.mediocrity.figures:escape_dlogd",
        figure_sources=FIGURES,
        check="overparam.mediocrity.checks:escape_dlogd",
    ),
    Claim(
        claim_id="width_constant_factor",
        paper=ARNABOLDI_2023,
        package="overparam.mediocrity",
        statement="width helps only by a constant factor: the prefactor κ_p of d ln d saturates in p",
        caption="κ_p, the fitted slope of n/d against ln d over the d grid (95% bootstrap CI), against the number of "
                "hidden units p for three rate protocols (γ' = 0.1, γ' = 1/C_p, γ' = 0.01); dashed: "
                "1/(8γ'−4γ'²C_p).",
        records={"records": (RecordSet("width_constant_factor/{protocol}_p{p}.csv",
                                       lambda s: [{"protocol": pr, "p": p}
                                                  for pr in s["width_constant_factor"]["protocols"]
                                                  for p in s["width_constant_factor"]["p"]]),)},
        analyse="overparam.mediocrity.verdicts:width_constant_factor",
        figure="overparam.mediocrity.figures:width_constant_factor",
        figure_sources=FIGURES,
        check="overparam.mediocrity.checks:width_constant_factor",
    ),
    Claim(
        claim_id="ode_matches_sgd",
        paper=ARNABOLDI_2023,
        package="overparam.mediocrity",
        statement="a deterministic ODE of the order parameters, started where SGD starts, predicts the escape time",
        caption="Left: mean t_exit(SGD)/mean t_exit(ODE) over the same random starts, per p and d (95% paired "
                "bootstrap CI), grey band = tolerance. Middle: risk against t for a few direct-SGD seeds (solid) and "
                "the ODE from each seed's start (dashed). Right: validation of the exact chain against direct SGD "
                "(mean exit time, 95% CI).",
        records={
            "records": (RecordSet("ode_matches_sgd/p{p}.csv",
                                  lambda s: [{"p": p} for p in s["ode_matches_sgd"]["p"]]),),
            "validation": (RecordSet("ode_matches_sgd/validation_p{p}.csv",
                                     lambda s: [{"p": p} for p in s["ode_matches_sgd"]["validation"]["p"]]),),
            "trace": (RecordSet("ode_matches_sgd/trace.csv"),),
        },
        analyse="overparam.mediocrity.verdicts:ode_matches_sgd",
        figure="overparam.mediocrity.figures:ode_matches_sgd",
        figure_sources=FIGURES,
        check="overparam.mediocrity.checks:ode_matches_sgd",
    ),
]
