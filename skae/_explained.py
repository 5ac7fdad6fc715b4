"""PCA's explained-variance surface, measured on a fitted network.

PCA's ``explained_variance_[j]`` is the variance of X its ``j``-th
component accounts for, so the first ``j`` entries sum to the variance that
its ``j``-code reconstruction explains. The same holds here with the
network's own reconstructions: the codes of each row after the first ``j``
are set to their mean over the rows, the codes are decoded, and
``explained_variance_[j]`` is what code ``j`` adds to the variance so
explained. For PCA (an ``init="pca"`` network before training) this gives
PCA's figures exactly; the sum over all codes is the model's explained
variance, which can exceed PCA's at the same width.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._linear import column_moments, rows_sample

# The prefixes cost one decoder pass each over the rows: on at most this many
# rows, a seeded random subset of larger data. On the MNIST network at 30
# codes that is 60,000 row decodes, about 4 s on 2 cores beside a fit of
# several minutes; small tables use every row.
MAX_EXPLAINED_ROWS = 2000
# Rows decoded at once, which bounds the memory of wide (text) rows.
_CHUNK_ROWS = 512


def _dense(rows) -> np.ndarray:
    return np.asarray(rows.toarray() if sp.issparse(rows) else rows, dtype=np.float64)


def prefix_errors(network, X, code_mean: np.ndarray) -> tuple[np.ndarray, float]:
    """Squared errors of the reconstructions from each prefix of the codes.

    Returns ``sse`` of shape ``(n_components,)``, where ``sse[j - 1]`` sums
    over X's rows and features the squared error of decoding codes whose
    entries after the first ``j`` are ``code_mean``, and ``sst``, the sum of
    squares of X about its own column means.
    """
    width = len(code_mean)
    sse = np.zeros(width)
    mean = column_moments(X)[0]
    sst = 0.0
    for start in range(0, X.shape[0], _CHUNK_ROWS):
        rows = _dense(X[start : start + _CHUNK_ROWS])
        sst += float(np.square(rows - mean).sum())
        codes = network.apply("encode", rows, np.float32)
        for j in range(1, width + 1):
            truncated = codes.copy()
            truncated[:, j:] = code_mean[j:]
            decoded = network.apply("decode", truncated, np.float64)
            sse[j - 1] += float(np.square(rows - decoded).sum())
    return sse, sst


def code_mean(network, X) -> np.ndarray:
    """Mean code over the rows of X."""
    return network.apply("encode", X, np.float64).mean(axis=0)


def explained_variance(network, X, seed: int) -> tuple[np.ndarray, float, int]:
    """Per-code explained variance of the network on (at most
    ``MAX_EXPLAINED_ROWS`` of) the rows of X.

    Returns ``explained`` of shape ``(n_components,)``, the total variance
    of those rows (``ddof=1``, as PCA's) and their number.
    """
    rows = rows_sample(X, MAX_EXPLAINED_ROWS, seed)
    sse, sst = prefix_errors(network, rows, code_mean(network, rows))
    n_rows = rows.shape[0]
    denominator = max(n_rows - 1, 1)
    explained = (np.concatenate([[sst], sse[:-1]]) - sse) / denominator
    return explained, sst / denominator, n_rows


def explained_shares(network, X, code_mean: np.ndarray) -> np.ndarray:
    """Share of the variance of X's rows explained by each prefix of 1..k codes."""
    sse, sst = prefix_errors(network, X, code_mean)
    return 1.0 - sse / sst if sst > 0 else np.ones(len(code_mean))
