"""Array backends: the one place that knows whether NumPy, CuPy or array_api_strict is in use.

Kernels receive a :class:`Backend` (or just its ``xp`` and ``rng``) and never import an array library
themselves, so the same code runs on the CPU, on a GPU, and under the strict namespace in the tests.
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
DEVICE_RNG_STATES = 2**16  # cuRAND states per device generator (48 B each; a draw's threads stride over them)
GPU_RNG_VAR = "OVERPARAM_GPU_RNG"  # "device" (default: CUDA generators) or "host" (NumPy streams, for parity tests)


class BackendError(RuntimeError):
    """A backend was asked for that this machine cannot give."""


class ArrayRNG:
    """Random numbers as arrays of the backend's namespace, seeded from a ``SeedSequence``.

    NumPy and array_api_strict draw with NumPy's PCG64 (bit-identical on every CPU); CuPy draws on the
    device with its own generator, so GPU streams differ from CPU streams but are reproducible per seed
    (``device=False``, or ``$OVERPARAM_GPU_RNG=host``, keeps NumPy's streams and copies the draws over).
    """

    def __init__(self, backend: Backend, seed: np.random.SeedSequence, *, device: bool = True) -> None:
        self._backend = backend
        self._device_rng = device and backend.name == "cupy" and os.environ.get(GPU_RNG_VAR, "device") != "host"
        if self._device_rng:
            import cupy

            # a fixed number of generator states: CuPy's default follows the device's SM count, and a draw's
            # numbers depend on it, so the same seed would give other numbers on another GPU model
            bits = cupy.random.XORWOW(int(seed.generate_state(1, np.uint64)[0]), size=DEVICE_RNG_STATES)
            self._gen = cupy.random.Generator(bits)
        else:
            self._gen = np.random.Generator(np.random.PCG64(seed))

    def _wrap(self, a: Any) -> Any:
        if self._backend.name == "cupy" and not self._device_rng:
            return self._backend.xp.asarray(a)
        if self._backend.name == "array_api_strict":
            return self._backend.xp.asarray(np.asarray(a, dtype=np.float64))
        return a

    def raw_normal(self, shape: tuple[int, ...]) -> Any:
        """N(0, 1) draws as the generator's own array type (NumPy on the CPU, CuPy on the GPU)."""
        return self._gen.standard_normal(shape)

    def raw_chisquare(self, df: Any, shape: tuple[int, ...]) -> Any:
        """Chi-square draws as the generator's own array type; ``df`` is a host scalar or array."""
        if self._device_rng:
            return self._gen.standard_gamma(self._backend.xp.asarray(df) / 2.0, size=shape) * 2.0
        return self._gen.chisquare(df, shape)

    def standard_normal(self, shape: tuple[int, ...]) -> Any:
        """Independent N(0, 1) draws in float64."""
        return self._wrap(self.raw_normal(shape))

    def uniform(self, shape: tuple[int, ...]) -> Any:
        """Independent U[0, 1) draws in float64."""
        return self._wrap(self._gen.random(shape))

    def chisquare(self, df: Any, shape: tuple[int, ...]) -> Any:
        """Chi-square draws; ``df`` is a host scalar or a host array broadcastable to ``shape``."""
        return self._wrap(self.raw_chisquare(df, shape))


class ReplicaStreams:
    """One independent random stream per replica, drawn in blocks and stacked along a leading axis.

    Batched kernels advance many replicas together, but each replica's numbers come from its own
    ``SeedSequence`` only: a replica gives the same result alone or beside any others, and finished
    replicas can be dropped from the batch without disturbing the rest.

    ``device=False`` keeps the streams on the host even under CuPy (NumPy's generators, one transfer per
    block): for many replicas with small draws (the overlap chain), where one CUDA generator per replica
    would cost its own launch per draw and ~12 MB of generator state each, and where host streams give the
    GPU exactly the CPU's numbers.
    """

    def __init__(self, backend: Backend, seeds: list[np.random.SeedSequence], *, device: bool = True) -> None:
        self._backend = backend
        self._rngs = [ArrayRNG(backend, s, device=device) for s in seeds]
        self._on_device = bool(self._rngs) and self._rngs[0]._device_rng

    def __len__(self) -> int:
        return len(self._rngs)

    def _stack(self, parts: list[Any]) -> Any:
        if self._on_device:
            return self._backend.xp.stack(parts)
        return self._backend.asarray(np.stack([np.asarray(p) for p in parts]))  # one host-to-device copy

    def standard_normal(self, rows: list[int], shape: tuple[int, ...]) -> Any:
        """N(0, 1) draws of ``shape`` for each replica in ``rows``: an array of shape (len(rows), *shape)."""
        if self._on_device:
            return self._stack([self._rngs[i].raw_normal(shape) for i in rows])
        out = np.empty((len(rows), *shape))
        for j, i in enumerate(rows):
            self._rngs[i]._gen.standard_normal(out=out[j])  # filled in place: no stacking copy
        return out if self._backend.name == "numpy" else self._backend.xp.asarray(out)

    def chisquare(self, rows: list[int], df: np.ndarray, shape: tuple[int, ...]) -> Any:
        """Chi-square draws per replica; ``df[j]`` (scalar or array of ``shape``) is row ``rows[j]``'s."""
        return self._stack([self._rngs[i].raw_chisquare(df[j], shape) for j, i in enumerate(rows)])


@dataclass(frozen=True)
class Backend:
    """An array namespace plus what the pipeline needs around it (RNG, host transfer, device name)."""

    name: str
    xp: ModuleType = field(repr=False)
    device: str

    def rng(self, seed: np.random.SeedSequence) -> ArrayRNG:
        return ArrayRNG(self, seed)

    def streams(self, seeds: list[np.random.SeedSequence], *, device: bool = True) -> ReplicaStreams:
        return ReplicaStreams(self, seeds, device=device)

    def block_rows(self, row_length: int) -> int:
        """Rows of ``row_length`` doubles per block of an elementwise pipeline: blocks of ≥ 256 KB that stay in a
        CPU core's L2 cache between passes, and never fewer than 64 rows (thinner blocks make BLAS repack its
        other operand for every block); on a GPU one block (all rows), as kernels want large arrays."""
        return 2**62 if self.name == "cupy" else max(64, 2**15 // max(1, row_length))

    @property
    def draw_budget(self) -> int:
        """How many float64 random numbers one block of draws may hold: a cache-sized block on the CPU, ~1 GB
        on a GPU, where each block costs one generator launch per replica and large blocks amortise them."""
        return 2**27 if self.name == "cupy" else 4_000_000

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
