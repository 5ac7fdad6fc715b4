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


def mnist_images_or_skip(data_dir: str | Path | None = None):
    """``(X_train, X_test)`` MNIST images, or None after saying they are absent."""
    if not mnist_available(data_dir):
        directory = data_dir or DEFAULT_MNIST_DIR
        print(f"MNIST IDX files not found in {directory}; skipping this benchmark.")
        return None
    return load_mnist("train", data_dir)[0], load_mnist("test", data_dir)[0]


def make_sparse_corpus(
    n_samples: int = 12000,
    n_features: int = 5000,
    n_topics: int = 20,
    words_per_document: int = 80,
    random_state: int = 0,
):
    """Synthetic TF-IDF bag-of-words matrix (CSR) drawn from a topic model.

    Each document mixes a few of ``n_topics`` topics (Dirichlet weights
    0.1); each topic is a Dirichlet(0.05) distribution over the vocabulary.
    Word counts are drawn token by token and turned into l2-normalised
    TF-IDF rows, as text pipelines produce. About 1% of the entries are
    non-zero for the defaults. Nothing is downloaded.
    """
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfTransformer

    rng = np.random.default_rng(random_state)
    topic_words = rng.dirichlet(np.full(n_features, 0.05), size=n_topics).cumsum(axis=1)
    doc_topics = rng.dirichlet(np.full(n_topics, 0.1), size=n_samples).cumsum(axis=1)
    lengths = rng.poisson(words_per_document, size=n_samples) + 1
    docs = np.repeat(np.arange(n_samples), lengths)
    draws = rng.random(docs.size)[:, None]
    topics = np.minimum((draws > doc_topics[docs]).sum(axis=1), n_topics - 1)
    words = np.empty(docs.size, dtype=np.int64)
    uniform = rng.random(docs.size)
    for topic in range(n_topics):
        hit = topics == topic
        words[hit] = np.searchsorted(topic_words[topic], uniform[hit])
    words = np.minimum(words, n_features - 1)
    counts = sparse.csr_matrix((np.ones(docs.size), (docs, words)), shape=(n_samples, n_features))
    counts.sum_duplicates()
    return TfidfTransformer().fit_transform(counts).tocsr()
