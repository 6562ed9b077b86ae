"""The GPU path's namespace, checked without a GPU: every array function the kernels call exists for CuPy.

CuPy imports on a machine without a CUDA driver (only device work fails), so this runs in CI. It pins the
bug it was written for: CuPy's own namespace lacks ``vecdot``, ``linalg.vector_norm`` and ``linalg.diagonal``,
so handing kernels ``cupy`` itself would fail on the first GPU run; the backend hands them
``array_api_compat.cupy``. Every name must also be in the standard (array_api_strict), so kernels stay portable.
"""

from __future__ import annotations

import functools
import importlib
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "overparam"
XP_ATTR = re.compile(r"\bxp\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)")
CUPY_ATTR = re.compile(r"\b(cupyx?)\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)")


def _names(pattern: re.Pattern[str], files: list[Path]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in files:
        for match in pattern.finditer(path.read_text()):
            name = ".".join(g for g in match.groups() if g) if pattern is CUPY_ATTR else match.group(1)
            found.setdefault(name, set()).add(str(path.relative_to(SRC)))
    return found


def _resolve(root: object, dotted: str) -> object:
    return functools.reduce(getattr, dotted.split("."), root)


def _missing(root: object, names: dict[str, set[str]]) -> list[str]:
    out = []
    for name, where in sorted(names.items()):
        try:
            _resolve(root, name)
        except AttributeError:
            out.append(f"{name} (used in {', '.join(sorted(where))})")
    return out


KERNEL_NAMES = _names(XP_ATTR, sorted(SRC.rglob("*.py")))


def test_the_scan_finds_the_kernels_array_calls():
    assert {"matmul", "vecdot", "linalg.cholesky", "matrix_transpose"} <= set(KERNEL_NAMES)


def test_every_array_function_the_kernels_call_is_in_the_standard():
    strict = pytest.importorskip("array_api_strict")
    assert _missing(strict, KERNEL_NAMES) == []


def test_every_array_function_the_kernels_call_exists_in_the_gpu_namespace():
    pytest.importorskip("cupy", reason="CuPy is not installed (pip install -e '.[test]' brings it)")
    cupy_standard = importlib.import_module("array_api_compat.cupy")
    assert _missing(cupy_standard, KERNEL_NAMES) == []


def test_cupy_itself_would_not_do():
    """Why the backend wraps CuPy: its own namespace misses names the kernels use (if this starts failing,
    CuPy has caught up and the wrapper could go)."""
    cupy = pytest.importorskip("cupy", reason="CuPy is not installed")
    assert _missing(cupy, KERNEL_NAMES) != []


def test_every_cupy_api_the_backend_touches_exists():
    cupy = pytest.importorskip("cupy", reason="CuPy is not installed")
    roots = {"cupy": cupy, "cupyx": importlib.import_module("cupyx")}
    importlib.import_module("cupyx.scipy.special")
    used = _names(CUPY_ATTR, [SRC / "backend.py", SRC / "rng.py"])
    assert {"cupy.random.Generator", "cupy.random.XORWOW", "cupyx.scipy.special.erf"} <= set(used)
    absent = []
    for name in sorted(used):
        root, rest = name.split(".", 1)
        try:
            _resolve(roots[root], rest)
        except AttributeError:
            absent.append(name)
    assert absent == []
