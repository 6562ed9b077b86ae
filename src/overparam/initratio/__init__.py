"""Paper C, claim C2 `init_ratio` — the paper's own experiment (Song et al. 2021, Figure 1).

A two-layer ReLU teacher (He init), trained until it fits the true digit labels, relabels the inputs by its
argmax (one-hot targets); students x ↦ V φ(W x) with φ = GELU are trained on those targets with MSE and
minibatch SGD from W ~ N(0, ω1²), V ~ N(0, ω2²), the product ω1·ω2 held at the He value √(2/d0)·√(2/d1)
while ω2 sweeps. The claim: every student fits its training set, and test accuracy rises with ω2/ω1.

Modules:

- :mod:`data`       scikit-learn's bundled digits (default) or MNIST from local IDX files; normalisation
- :mod:`model`      the ω grid, the ReLU teacher, the GELU students (hand-written gradients, seeds batched), SGD
- :mod:`experiment` one ω2 point: data, teacher labels, seeds, batched training, flat run records
- :mod:`analysis`   per-ω2 summary, the Spearman correlation with its seed-bootstrap CI, the verdict fields
- :mod:`figures`    the seaborn figure (training loss and test accuracy against ω2/ω1)
- :mod:`claims`     the registry entry
"""
