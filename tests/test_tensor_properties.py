"""Hypothesis property tests of the Gram identity behind every tensor kernel (paper A)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from overparam.backend import get_backend
from overparam.tensor import dense, gram

NUMPY = get_backend("numpy")  # the host backend, for references computed with NumPy


@settings(max_examples=40, deadline=None)
@given(
    l=st.sampled_from([2, 3, 4]),
    d=st.integers(2, 5),
    m=st.integers(1, 4),
    k=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
)
def test_inner_product_of_rank_one_sums_is_the_gram_formula(l, d, m, k, seed):
    """⟨Σ a_i w_i^⊗l, Σ b_j v_j^⊗l⟩ = Σ_ij a_i b_j (w_i·v_j)^l, against the dense d^l tensors."""
    rng = np.random.default_rng(seed)
    a, W = rng.normal(size=m), rng.normal(size=(m, d))
    b, V = rng.normal(size=k), rng.normal(size=(k, d))
    want = float(np.sum(dense.rank_one_sum(a, W, l) * dense.rank_one_sum(b, V, l)))
    got = float(gram.inner(a, W, b, V, l, NUMPY))
    assert abs(got - want) <= 1e-10 * max(1.0, abs(want))


@settings(max_examples=30, deadline=None)
@given(l=st.sampled_from([3, 4]), d=st.integers(2, 5), m=st.integers(1, 4), seed=st.integers(0, 2**32 - 1),
       scale=st.floats(0.1, 10.0))
def test_squared_distance_is_non_negative_and_homogeneous(l, d, m, seed, scale):
    """‖T(a, W) − T(b, V)‖² ≥ 0, = 0 for equal sums, and scales like scale^(2l) when all vectors scale."""
    rng = np.random.default_rng(seed)
    a, W = rng.normal(size=m), rng.normal(size=(m, d))
    b, V = rng.normal(size=m), rng.normal(size=(m, d))
    dist = float(gram.sq_distance(a, W, b, V, l, NUMPY))
    assert dist >= -1e-9 * (1 + float(gram.sq_norm(a, W, l, NUMPY)) + float(gram.sq_norm(b, V, l, NUMPY)))
    assert abs(float(gram.sq_distance(a, W, a, W, l, NUMPY))) <= 1e-9 * (1 + float(gram.sq_norm(a, W, l, NUMPY)))
    scaled = float(gram.sq_distance(a, scale * W, b, scale * V, l, NUMPY))
    assert abs(scaled - scale ** (2 * l) * dist) <= 1e-8 * max(1.0, abs(scaled))
