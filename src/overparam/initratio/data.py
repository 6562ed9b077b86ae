"""The data of claim C2: scikit-learn's bundled handwritten digits by default, MNIST from local IDX files.

Digits (default; no download: the 1,797 8×8 images ship inside scikit-learn, ``sklearn.datasets.load_digits``).
Fixed split, independent of any random generator or library version: image ``i`` (in the file's order) is a
*test* image iff ``i % 3 == 2`` — 599 test images, 1,198 training images, every class 54–63 times in the test
set. d0 = 64.

MNIST (when ``mnist_path`` names a folder): the four standard IDX files (``train-images-idx3-ubyte``,
``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``; gzipped ``.gz`` or the
``train-images.idx3-ubyte`` spelling are accepted too), with the standard 60,000/10,000 split. d0 = 784.
The IDX reader (:func:`read_idx`) is written here: two zero bytes, a dtype code, the number of dimensions,
big-endian uint32 sizes, then the big-endian data; a missing, truncated or malformed file is a
``ValueError`` that names the path.

Normalisation (both data sets): pixels scaled to [0, 1] (÷16 for digits, ÷255 for MNIST), then every image
(row) scaled to unit Euclidean norm. Why unit norm: (i) it is the data assumption of the paper's theory
(‖x_i‖ = 1; claim C1 uses the unit sphere too), and (ii) it makes ω1 the pre-activation scale itself —
w_j·x ~ N(0, ω1²) for every input — so the grid of (ω1, ω2) means the same thing whatever the image size or
pixel range (with raw [0, 1] pixels ‖x‖ is ≈ 9 on MNIST and ≈ 5 on digits, and the same ω1 would put the
GELU in different regimes on the two). Standardising each pixel was rejected: it gives ‖x‖² ≈ d0, which
couples the regime to d0 again, and it divides by near-zero variances of always-blank border pixels.
Centring is not applied (the paper's network has no biases and the theory's inputs are not centred).
"""

from __future__ import annotations

import gzip
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DIGITS_TEST_EVERY = 3  # image i is a test image iff i % 3 == 2
N_CLASSES = 10

IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

MNIST_FILES = {
    "train_images": ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
    "train_labels": ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    "test_images": ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    "test_labels": ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
}


@dataclass(frozen=True)
class Dataset:
    """Normalised inputs (rows, float64, unit norm) and integer class labels, train and test."""

    name: str
    x_train: np.ndarray  # (n_train, d0)
    y_train: np.ndarray  # (n_train,) int64 in [0, n_classes)
    x_test: np.ndarray  # (n_test, d0)
    y_test: np.ndarray  # (n_test,)
    n_classes: int
    source: str  # where the images came from, for the records

    @property
    def d0(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def n_train(self) -> int:
        return int(self.x_train.shape[0])

    @property
    def n_test(self) -> int:
        return int(self.x_test.shape[0])


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (optionally gzipped) into a NumPy array of its native shape and dtype.

    Raises ``ValueError`` naming ``path`` when the file is missing or unreadable, the magic number is wrong
    (first two bytes not zero, unknown dtype code, no dimensions), or the data length does not match the
    header's sizes.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ValueError(f"IDX file {path}: cannot be read ({err.strerror or err})") from err
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise ValueError(f"IDX file {path}: corrupt gzip stream ({err})") from err
    if len(raw) < 4:
        raise ValueError(f"IDX file {path}: {len(raw)} bytes, too short for the 4-byte magic number")
    if raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"IDX file {path}: bad magic number {raw[:4].hex()} (the first two bytes must be zero)")
    code, ndim = raw[2], raw[3]
    if code not in IDX_DTYPES:
        raise ValueError(f"IDX file {path}: unknown dtype code 0x{code:02x} in the magic number")
    if ndim == 0:
        raise ValueError(f"IDX file {path}: the magic number declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"IDX file {path}: truncated header ({len(raw)} bytes, {header} needed for {ndim} sizes)")
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_DTYPES[code]
    expected = math.prod(dims) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(f"IDX file {path}: {len(raw) - header} data bytes, but the header's sizes {dims} "
                         f"of {dtype.name} need {expected}")
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(dims)
    return data.astype(dtype.newbyteorder("="))


def normalise_rows(x: np.ndarray, pixel_max: float) -> np.ndarray:
    """Pixels to [0, 1] (÷ ``pixel_max``), then every row to unit Euclidean norm (float64).

    A blank image (norm 0) cannot be normalised: ``ValueError``.
    """
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1) / float(pixel_max)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise ValueError(f"data: {int(np.sum(norms == 0))} blank image(s) cannot be scaled to unit norm")
    return x / norms


def load_digits_split() -> Dataset:
    """scikit-learn's bundled digits with the fixed split (``i % 3 == 2`` → test), normalised."""
    from sklearn.datasets import load_digits

    d = load_digits()
    x = normalise_rows(d.data, 16.0)
    y = np.asarray(d.target, dtype=np.int64)
    test = np.arange(len(y)) % DIGITS_TEST_EVERY == DIGITS_TEST_EVERY - 1
    return Dataset("digits", x[~test], y[~test], x[test], y[test], N_CLASSES,
                   "sklearn.datasets.load_digits (bundled), split i % 3 == 2 -> test")


def _mnist_file(folder: Path, key: str) -> Path:
    for stem in MNIST_FILES[key]:
        for name in (stem, stem + ".gz"):
            if (folder / name).is_file():
                return folder / name
    raise ValueError(f"MNIST: {folder / MNIST_FILES[key][0]} not found (nor .gz, nor {MNIST_FILES[key][1]})")


def _labels(path: Path, n_images: int) -> np.ndarray:
    y = read_idx(path)
    if y.ndim != 1 or y.shape[0] != n_images:
        raise ValueError(f"IDX file {path}: labels of shape {y.shape}, expected ({n_images},)")
    y = y.astype(np.int64)
    if y.min() < 0 or y.max() >= N_CLASSES:
        raise ValueError(f"IDX file {path}: labels outside 0..{N_CLASSES - 1}")
    return y


def _images(path: Path) -> np.ndarray:
    x = read_idx(path)
    if x.ndim != 3:
        raise ValueError(f"IDX file {path}: images must have 3 dimensions (n, rows, cols), got shape {x.shape}")
    return x


def load_mnist(folder: str | Path) -> Dataset:
    """MNIST from the four standard IDX files in ``folder`` (60,000 train / 10,000 test), normalised."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"MNIST: {folder} is not a folder (mnist_path must name the folder of the IDX files)")
    xtr = _images(_mnist_file(folder, "train_images"))
    xte = _images(_mnist_file(folder, "test_images"))
    ytr = _labels(_mnist_file(folder, "train_labels"), xtr.shape[0])
    yte = _labels(_mnist_file(folder, "test_labels"), xte.shape[0])
    if xtr.shape[1:] != xte.shape[1:]:
        raise ValueError(f"MNIST: train images {xtr.shape[1:]} and test images {xte.shape[1:]} differ in size "
                         f"({folder})")
    pixel_max = 255.0 if xtr.dtype == np.uint8 else float(max(np.abs(xtr).max(), 1e-300))
    return Dataset("mnist", normalise_rows(xtr, pixel_max), ytr, normalise_rows(xte, pixel_max), yte, N_CLASSES,
                   f"MNIST IDX files in {folder}")


def load_dataset(params: dict[str, Any]) -> Dataset:
    """MNIST if ``params["mnist_path"]`` is set (not None/empty), else the bundled digits."""
    path = params.get("mnist_path")
    if path:
        return load_mnist(path)
    return load_digits_split()


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Integer labels (n,) to one-hot targets (n, n_classes), float64."""
    labels = np.asarray(labels, dtype=np.int64)
    out = np.zeros((labels.size, n_classes), dtype=np.float64)
    out[np.arange(labels.size), labels] = 1.0
    return out
