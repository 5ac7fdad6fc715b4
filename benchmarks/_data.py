"""Benchmark datasets: real MNIST from ``../shared/data/mnist`` when present."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

DEFAULT_MNIST_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"
_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


def _read_idx(path: Path, magic: int) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    header_magic, count = struct.unpack(">II", data[:8])
    if header_magic != magic:
        raise ValueError(f"{path} is not an IDX file with magic {magic}.")
    if magic == 2051:
        rows, cols = struct.unpack(">II", data[8:16])
        return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, rows * cols)
    return np.frombuffer(data, dtype=np.uint8, offset=8)


def mnist_available(data_dir: str | Path | None = None) -> bool:
    """Whether all four MNIST IDX files are in ``data_dir``."""
    directory = Path(data_dir) if data_dir else DEFAULT_MNIST_DIR
    return all((directory / name).exists() for pair in _FILES.values() for name in pair)


def load_mnist(split: str, data_dir: str | Path | None = None):
    """Return ``(X, y)`` with X float32 in [0, 1] of shape (n, 784)."""
    directory = Path(data_dir) if data_dir else DEFAULT_MNIST_DIR
    images, labels = _FILES[split]
    X = _read_idx(directory / images, 2051).astype(np.float32) / 255.0
    y = _read_idx(directory / labels, 2049).astype(np.int64)
    return X, y
