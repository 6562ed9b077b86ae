"""Random numbers as arrays of a backend's namespace: one stream per replica, seeded from a ``SeedSequence``.

NumPy and array_api_strict draw with NumPy's PCG64 (bit-identical on every CPU); CuPy draws on the device with
its own generator (reproducible per seed, but other numbers than the CPU's) unless a kernel asks for host
streams (``device=False``), which give a GPU exactly the CPU's numbers.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from overparam.backend import Backend

DEVICE_RNG_STATES = 2**16  # cuRAND states per device generator (48 B each; a draw's threads stride over them)
GPU_RNG_VAR = "OVERPARAM_GPU_RNG"  # "device" (default: CUDA generators) or "host" (NumPy streams, for parity tests)


class ArrayRNG:
    """Random numbers as arrays of the backend's namespace, seeded from a ``SeedSequence``.

    NumPy and array_api_strict draw with NumPy's PCG64 (bit-identical on every CPU); CuPy draws on the
    device with its own generator, so GPU streams differ from CPU streams but are reproducible per seed
    (``device=False``, or ``$OVERPARAM_GPU_RNG=host``, keeps NumPy's streams and copies the draws over).
    """

    def __init__(self, seed: np.random.SeedSequence, backend: Backend, *, device: bool = True) -> None:
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

    def __init__(self, seeds: list[np.random.SeedSequence], backend: Backend, *, device: bool = True) -> None:
        self._backend = backend
        self._rngs = [ArrayRNG(s, backend, device=device) for s in seeds]
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
