"""Paper A's claims, declared: A1 ``lazy_lower_bound`` and A2 ``rich_upper_bound`` (a leaf module)."""

from __future__ import annotations

from overparam.claim import Claim, RecordSet
from overparam.papers import WANG_2020

LAZY_RECORDS = RecordSet(
    "lazy_lower_bound/l{l}_d{d}.csv",
    lambda s: [{"l": pt["l"], "d": d} for pt in s["lazy_lower_bound"]["points"] for d in pt["d"]],
)
FIGURES = ("src/overparam/plotting.py", "src/overparam/tensor/figures.py")

CLAIMS = [
    Claim(
        claim_id="lazy_lower_bound",
        paper=WANG_2020,
        package="overparam.tensor",
        statement="lazy (NTK) training of an over-parameterised tensor decomposition needs m = Ω(d^(l−1)) components",
        caption="Residual ρ of the best lazy (tangent-space) fit, from the exact md×md Gram solve, against m·d/D "
                "(D = C(d+l−1, l)) for every d: the curves collapse on the dimension count √(1 − md/D) (dashed). The "
                "second figure shows m*_lazy(ε) against d on log–log axes; the verdict fits log m*_lazy against "
                "log(D/d) (slope 1 ⇔ m*_lazy = Θ(d^(l−1))).",
        records={"records": (LAZY_RECORDS,), "gd_check": (RecordSet("lazy_lower_bound/gd_check.csv"),)},
        analyse="overparam.tensor.verdicts:lazy_lower_bound",
        figure="overparam.tensor.figures:lazy_lower_bound",
        figure_sources=FIGURES,
        extra_figures=("mstar",),
        check="overparam.tensor.checks:lazy_lower_bound",
    ),
    Claim(
        claim_id="rich_upper_bound",
        paper=WANG_2020,
        package="overparam.tensor",
        statement="a variant of GD (2-homogeneous components, re-initialisation) succeeds with m = O*(r^(2.5l) log d)",
        caption="m*_rich (smallest m with ≥ 90% of seeds reaching relative error ≤ 0.05) and m*_lazy against d on one "
                "log–log plot with the d^(l−1) and log d guides. The second figure shows the success rate against m "
                "for each d, with the ablations (no re-initialisation; plain c_i u_i^⊗l with m = r). The paper gives "
                "no public code: the variant follows its text.",
        records={
            "records": (
                RecordSet("rich_upper_bound/l{l}_d{d}.csv",
                          lambda s: [{"l": l, "d": d} for l in s["rich_upper_bound"]["ls"]
                                     for d in s["rich_upper_bound"]["d"]]),
                RecordSet("rich_upper_bound/l{l}_r{r}.csv",
                          lambda s: [{"l": l, "r": r} for l in s["rich_upper_bound"]["r_series"]["ls"]
                                     for r in s["rich_upper_bound"]["r_series"]["r"]]),
            ),
            "lazy": (LAZY_RECORDS,),  # m*_lazy at the largest d comes from A1's own runs
        },
        analyse="overparam.tensor.verdicts:rich_upper_bound",
        check="overparam.tensor.checks:rich_upper_bound",
        figure="overparam.tensor.figures:rich_upper_bound",
        figure_sources=FIGURES,
        extra_figures=("success",),
    ),
]
