"""Paper B — Arnaboldi, Krzakala, Loureiro, Stephan 2023, *Escaping mediocrity*.

One-pass SGD on a two-layer network with a phase-retrieval teacher: three simulators (direct SGD, the exact
overlap chain, the deterministic ODE), the theory's formulas, and the per-claim experiments and analyses.
"""
