"""Paper C's claim C2 ``init_ratio`` (the paper's own Figure 1), declared (a leaf module)."""

from __future__ import annotations

from overparam.claim import Claim, RecordSet
from overparam.papers import SONG_2021

CLAIMS = [
    Claim(
        claim_id="init_ratio",
        paper=SONG_2021,
        package="overparam.initratio",
        statement="With ω1·ω2 held at the He value, every init ratio ω2/ω1 fits the training set (training accuracy "
                  "≈ 1) and test accuracy rises with ω2/ω1",
        caption="The authors' Figure 1 protocol: a two-layer ReLU teacher with biases (He init weights), trained by "
                "cross-entropy SGD to training accuracy 1.0 on the true labels, labels the data by its argmax with "
                "the weights evaluated with GELU (as the authors do); GELU students Linear(d0, d1)–GELU–Linear(d1, 10) "
                "with biases, weights W ~ N(0, ω1²), V ~ N(0, ω2²), ω1·ω2 = √(2/d0)·√(2/d1), trained by plain "
                "cross-entropy SGD (lr 0.01, batch 128). Training and test accuracy against ω2 (means over seeds, "
                "±2σ bars), ω2/ω1 on the top axis, the He point dotted, the paper's test accuracies 0.9645 and "
                "0.9902 (full MNIST, d1 = 1000, 300 epochs) as stars at the smallest and largest ω2, the fits bound "
                "(mean training accuracy ≥ 0.999) dashed; the box gives the data set, each sub-test's statistic "
                "(smallest per-ω2 mean training accuracy; Spearman ρ of test accuracy with ω2/ω1) with its 95% "
                "seed-bootstrap CI and outcome, and the claim's outcome.",
        records={"records": (RecordSet("init_ratio/omega{i}.csv",
                                       lambda s: [{"i": i} for i in range(s["init_ratio"]["omega2_num"])]),)},
        analyse="overparam.initratio.verdicts:init_ratio",
        figure="overparam.initratio.figures:init_ratio",
        figure_sources=("src/overparam/plotting.py", "src/overparam/initratio/figures.py"),
        check="overparam.initratio.checks:init_ratio",
    ),
]
