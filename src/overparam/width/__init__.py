"""Paper C (Song, Ramezani-Kebrya, Pethick, Eftekhari, Cevher 2021): subquadratic width for shallow nets.

The network x ↦ vᵀφ(Wx) with φ = GELU, trained by full-batch GD on W and v together; the question is how
wide (d1) it must be to fit n points in d0 dimensions. The theorem says d0·d1 = Ω̃(n^1.5) suffices; older
bounds needed n². Modules:

- :mod:`network`    forward pass, loss h = ‖vᵀφ(WX) − Y‖², hand-written gradients (seeds batched)
- :mod:`ntk`        the NTK Gram K = AᵀA + (XᵀX)⊙(BᵀB), λ_min, the PL ratio, μ = σ_min(φ(W0X))
- :mod:`train`      full-batch GD with η = 1/(2λ_max(K0)), per-seed step halving, success/failure records
- :mod:`search`     the width search on the √2-geometric grid (per-seed bisection, neighbour confirmation)
- :mod:`experiment` one (n, d0) point of a series: data, seeds, the search, flat records; tracking curves
- :mod:`analysis`   d1*(n) tables, the log–log fit with a bootstrap CI, the verdict fields
- :mod:`figures`    the seaborn figures
"""
