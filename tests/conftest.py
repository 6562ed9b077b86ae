"""Shared fixtures: every kernel test runs under NumPy and under array_api_strict (CuPy on a GPU)."""

from __future__ import annotations

import numpy as np
import pytest

from overparam.backend import Backend, cuda_available, get_backend

KERNEL_BACKENDS = ["numpy", "array_api_strict"] + (["cupy"] if cuda_available() else [])


@pytest.fixture(autouse=True)
def no_implicit_host_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under array_api_strict, converting an array to NumPy implicitly (np.asarray, scipy on it) raises, as
    it does for CuPy arrays: only Backend.to_numpy may bring kernel data to the host."""
    from array_api_strict._array_object import Array

    def refuse(self, *args, **kwargs):
        raise TypeError("implicit conversion of a device array to NumPy; use Backend.to_numpy")

    monkeypatch.setattr(Array, "__array__", refuse)


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
