"""Array backends: the one place that knows whether NumPy, CuPy or array_api_strict is in use.

Kernels receive a :class:`Backend` as their last positional argument and never import an array library
themselves, so the same code runs on the CPU, on a GPU, and under the strict namespace in the tests. Random
streams live in :mod:`overparam.rng`, block-size choices in :mod:`overparam.tuning`.
On a GPU the namespace is ``array_api_compat.cupy``: CuPy arrays, with the standard's functions that CuPy's
own namespace lacks (``tests/test_gpu_namespace.py`` checks every name the kernels use, without a GPU).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

BACKEND_CHOICES = ("auto", "numpy", "cupy", "array_api_strict")
ENV_VAR = "OVERPARAM_BACKEND"


class BackendError(RuntimeError):
    """A backend was asked for that this machine cannot give."""


@dataclass(frozen=True)
class Backend:
    """An array namespace plus what the pipeline needs around it (RNG, host transfer, device name)."""

    name: str
    xp: ModuleType = field(repr=False)
    device: str

    def asarray(self, a: Any) -> Any:
        """Host data (NumPy or Python numbers) to a float64 array of this namespace."""
        if self.name == "numpy":
            return np.asarray(a, dtype=np.float64)
        return self.xp.asarray(np.asarray(a, dtype=np.float64))

    def index_array(self, a: np.ndarray) -> Any:
        """Host integers to an int64 array of this namespace (for take, where, comparisons)."""
        a = np.asarray(a, dtype=np.int64)
        return a if self.name == "numpy" else self.xp.asarray(a)

    def to_numpy(self, a: Any) -> np.ndarray:
        """Array of this namespace to a host NumPy array (one copy, at the end of a kernel)."""
        if self.name == "cupy":
            return a.get()
        if self.name == "array_api_strict":
            return np.from_dlpack(a)  # explicit, as on a GPU (the tests forbid implicit conversion)
        return np.asarray(a)

    def synchronize(self) -> None:
        """Wait for queued device work (a no-op on the CPU), so that wall times are honest."""
        if self.name == "cupy":
            import cupy

            cupy.cuda.get_current_stream().synchronize()

    def erf(self, a: Any) -> Any:
        """The error function, elementwise (not in the array API standard)."""
        if self.name == "cupy":
            import cupyx.scipy.special

            return cupyx.scipy.special.erf(a)
        import scipy.special

        if self.name == "array_api_strict":
            return self.xp.asarray(scipy.special.erf(np.from_dlpack(a)))  # strict has no erf: via the host
        return scipy.special.erf(a)


@contextlib.contextmanager
def linalg_errors_raise(xp: ModuleType) -> Iterator[None]:
    """Inside: a failed factorisation (Cholesky of a matrix that is not positive definite) raises, as NumPy's
    always does. CuPy by default returns whatever cuSOLVER left behind, which need not contain a NaN."""
    if getattr(xp, "__name__", "").startswith("array_api_compat.cupy"):
        import cupyx

        with cupyx.errstate(linalg="raise"):
            yield
    else:
        yield


def cuda_available() -> bool:
    """True when CuPy imports and a CUDA device answers."""
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def get_backend(choice: str | None = None) -> Backend:
    """Resolve ``auto|numpy|cupy|array_api_strict`` (argument, else ``$OVERPARAM_BACKEND``, else auto)."""
    choice = choice or os.environ.get(ENV_VAR) or "auto"
    if choice not in BACKEND_CHOICES:
        raise BackendError(f"backend: {choice!r} is not one of {', '.join(BACKEND_CHOICES)}")
    if choice == "auto":
        choice = "cupy" if cuda_available() else "numpy"
    if choice == "cupy":
        if not cuda_available():
            raise BackendError(
                "backend: 'cupy' was asked for but no CUDA device answers "
                "(install the gpu extra on a GPU machine, or use backend: auto|numpy)"
            )
        import cupy

        try:  # CuPy's own namespace lacks parts of the array API standard (vecdot, linalg.vector_norm, ...)
            import array_api_compat.cupy as cupy_standard
        except ImportError as err:
            raise BackendError("backend: 'cupy' needs array-api-compat (pip install -e '.[gpu]')") from err
        props = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)
        return Backend("cupy", cupy_standard, props["name"].decode())
    if choice == "array_api_strict":
        import array_api_strict

        return Backend("array_api_strict", array_api_strict, "cpu")
    import platform

    return Backend("numpy", np, f"cpu ({platform.processor() or platform.machine()})")
