"""Shared fixtures: every kernel test runs under NumPy and under array_api_strict (CuPy on a GPU)."""

from __future__ import annotations

import numpy as np
import pytest

from overparam.backend import Backend, cuda_available, get_backend

KERNEL_BACKENDS = ["numpy", "array_api_strict"] + (["cupy"] if cuda_available() else [])


@pytest.fixture(params=KERNEL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each backend a kernel must run under."""
    return get_backend(request.param)


@pytest.fixture
def numpy_backend() -> Backend:
    return get_backend("numpy")


@pytest.fixture
def seed() -> np.random.SeedSequence:
    return np.random.SeedSequence(12345)
