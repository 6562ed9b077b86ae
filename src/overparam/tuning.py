"""Block sizes of the kernels: how many rows or random numbers one block holds, per backend.

A block size never changes a replica's numbers (every kernel is tested for that); it only trades cache or device
memory against the per-block overhead.
"""

from __future__ import annotations

from overparam.backend import Backend


def block_rows(row_length: int, backend: Backend) -> int:
    """Rows of ``row_length`` doubles per block of an elementwise pipeline: blocks of ≥ 256 KB that stay in a
    CPU core's L2 cache between passes, and never fewer than 64 rows (thinner blocks make BLAS repack its
    other operand for every block); on a GPU one block (all rows), as kernels want large arrays."""
    return 2**62 if backend.name == "cupy" else max(64, 2**15 // max(1, row_length))


def draw_budget(backend: Backend) -> int:
    """How many float64 random numbers one block of draws may hold: a cache-sized block on the CPU, ~1 GB on a
    GPU, where each block costs one generator launch per replica and large blocks amortise them."""
    return 2**27 if backend.name == "cupy" else 4_000_000
