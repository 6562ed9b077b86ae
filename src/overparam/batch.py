"""The bookkeeping of a batch of replicas that finish at different times: which are still running, and the
arrays cut down to them.

Batched kernels advance many replicas together and drop the finished ones between blocks; since every replica
draws from its own stream, dropping others never changes a replica's numbers. Each kernel keeps only its own
step and calls :meth:`LiveRows.keep` with the host mask of the replicas that go on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from overparam.backend import Backend


class LiveRows:
    """The replicas of a batch still running, as indices into the batch they started in."""

    def __init__(self, n: int, backend: Backend) -> None:
        self.backend = backend
        self.rows = np.arange(n)

    @property
    def size(self) -> int:
        return int(self.rows.size)

    def keep(self, keep: np.ndarray) -> Callable[..., Any]:
        """Keep the rows where the host mask ``keep`` is True; return ``take(array, axis=0)`` that cuts any
        per-row array the same way (host NumPy arrays on the host, device arrays with one ``take``; ``None``
        passes through). When every row is kept, ``take`` returns its array unchanged (no copy)."""
        keep = np.asarray(keep, dtype=bool)
        if keep.all():
            return lambda a, axis=0: a
        idx = self.backend.index_array(np.nonzero(keep)[0])
        self.rows = self.rows[keep]
        xp = self.backend.xp

        def take(a: Any, axis: int = 0) -> Any:
            if a is None:
                return None
            if isinstance(a, np.ndarray) and self.backend.name != "numpy":
                return np.compress(keep, a, axis=axis)
            return xp.take(a, idx, axis=axis)

        return take
