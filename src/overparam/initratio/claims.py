"""Paper C's claim C2 ``init_ratio`` (the paper's own Figure 1), declared (a leaf module)."""

from __future__ import annotations

from overparam.claim import Claim, RecordSet
from overparam.papers import SONG_2021

CLAIMS = [
    Claim(
        claim_id="init_ratio",
        paper=SONG_2021,
        package="overparam.initratio",
        statement="With ω1·ω2 held at the He value, a larger init ratio ω2/ω1 keeps training loss low and raises "
                  "test accuracy",
        caption="Teacher–student sweep of the paper's Figure 1: a two-layer ReLU teacher (He init, trained to zero "
                "error on the true labels) relabels the inputs; GELU students V φ(W x), W ~ N(0, ω1²), V ~ N(0, ω2²), "
                "ω1·ω2 = √(2/d0)·√(2/d1), are trained by minibatch SGD on the MSE. Left: final training loss (log), "
                "with the claim's threshold dashed; right: test accuracy against the teacher's labels; both against "
                "ω2/ω1 (log), means over seeds with 95% bootstrap CIs, single runs as grey dots, the He point "
                "dotted. Paper (MNIST): training error 0 at every ω2, test accuracy 0.9645 → 0.9902 from ω2 = 0.002 "
                "to 0.0782.",
        records={"records": (RecordSet("init_ratio/omega{i}.csv",
                                       lambda s: [{"i": i} for i in range(s["init_ratio"]["omega2_num"])]),)},
        analyse="overparam.initratio.verdicts:init_ratio",
        figure="overparam.initratio.figures:init_ratio",
        figure_sources=("src/overparam/plotting.py", "src/overparam/initratio/figures.py"),
    ),
]
