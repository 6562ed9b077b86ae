"""Paper A (Wang, Wu, Lee, Ma, Ge 2020): over-parameterised tensor decomposition, lazy against rich training.

Modules:
    gram        inner products, losses and gradients of symmetric rank-one sums through Gram matrices only
    lazy        A1: the lazy (tangent-space) projection, m*_lazy, and lazy GD with Chizat's alpha-scaling
    rich        A2: the paper's GD variant (2-homogeneous components, re-initialisation) and its ablations
    dense       the dense d^l reference (NumPy, tests and benchmark only)
    experiment  one point of a claim -> flat JSON records
    analysis    records -> m* tables, fits with bootstrap CIs, verdict fields
    figures     aggregates -> seaborn figures
"""
