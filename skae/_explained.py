"""PCA's explained-variance surface, measured on a fitted network.

PCA's ``explained_variance_[j]`` is the variance of X its ``j``-th
component accounts for, so the first ``j`` entries sum to the variance that
its ``j``-code reconstruction explains. The same holds here with the
network's own reconstructions: the codes of each row after the first ``j``
are set to their mean over the rows, the codes are decoded, and
``explained_variance_[j]`` is what code ``j`` adds to the variance so
explained. For PCA (an ``init="pca"`` network before training) this gives
PCA's figures, up to the row sample below; the sum over all codes is the
model's explained variance, which can exceed PCA's at the same width.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._linear import column_moments, dense_row_blocks, rows_sample

# The prefixes cost one decoder pass each over the rows: on at most this many
# rows, a seeded random subset of larger data. On the MNIST network at 30
# codes that is 60,000 row decodes, about 4 s on 2 cores beside a fit of
# several minutes; small tables use every row.
MAX_EXPLAINED_ROWS = 2000
# What partial_fit keeps of the rows it is given to measure the explained
# variance on: at most MAX_EXPLAINED_ROWS rows and, for dense rows, this many
# bytes (167 rows of 50,000 float64 features; MNIST keeps 2,000 in 6 MB).
_SAMPLE_BYTES = 64 * 2**20
# Truncated codes decoded in one call (rows times prefixes): one call per
# chunk instead of one per prefix, with the working set of wide rows bounded.
_DECODED_PER_CALL = 8192


def prefix_errors(network, X, mean_code: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Squared errors of the reconstructions from each prefix of the codes.

    Returns ``sse`` of shape ``(n_components,)``, where ``sse[j - 1]`` sums
    over X's rows and features the squared error of decoding codes whose
    entries after the first ``j`` are ``mean_code`` (by default the mean
    code of X's own rows), and ``sst``, the sum of squares of X about its
    own column means. X's rows are encoded once.
    """
    codes = network.apply("encode", X, np.float32)
    if mean_code is None:
        mean_code = codes.mean(axis=0, dtype=np.float64)
    width = codes.shape[1]
    # keep[j - 1, i]: whether prefix j keeps code i.
    keep = np.tri(width, dtype=bool)
    sse = np.zeros(width)
    mean = column_moments(X)[0]
    sst = 0.0
    chunk_rows = max(1, _DECODED_PER_CALL // width)
    for start, rows in zip(
        range(0, X.shape[0], chunk_rows), dense_row_blocks(X, chunk_rows), strict=True
    ):
        sst += float(np.square(rows - mean).sum())
        chunk = codes[start : start + len(rows)]
        # (prefix, row, code): every truncation of every row, decoded at once.
        truncated = np.where(keep[:, None, :], chunk[None], mean_code.astype(np.float32))
        decoded = network.apply("decode", truncated.reshape(-1, width), np.float64)
        errors = np.square(decoded.reshape(width, len(rows), -1) - rows[None])
        sse += errors.sum(axis=(1, 2))
    return sse, sst


def code_mean(network, X) -> np.ndarray:
    """Mean code over the rows of X."""
    return network.apply("encode", X, np.float64).mean(axis=0)


def explained_variance(network, X, seed: int) -> tuple[np.ndarray, float]:
    """Per-code explained variance of the network on (at most
    ``MAX_EXPLAINED_ROWS`` of) the rows of X.

    Returns ``explained`` of shape ``(n_components,)`` and the total
    variance of those rows (``ddof=1``, as PCA's).
    """
    rows = rows_sample(X, MAX_EXPLAINED_ROWS, seed)
    sse, sst = prefix_errors(network, rows)
    denominator = max(rows.shape[0] - 1, 1)
    explained = (np.concatenate([[sst], sse[:-1]]) - sse) / denominator
    return explained, sst / denominator


def explained_shares(network, X, mean_code: np.ndarray | None = None) -> np.ndarray:
    """Share of the variance of X's rows explained by each prefix of 1..k codes
    (the codes after it at ``mean_code``, by default the rows' own mean code)."""
    sse, sst = prefix_errors(network, X, mean_code)
    return 1.0 - sse / sst if sst > 0 else np.ones(len(sse))


def stream_sample(sample: tuple | None, X, seed: int, n_seen: int) -> tuple:
    """A uniform random sample of the rows of a stream of chunks, with chunk
    X added: ``(rows, keys)``, at most ``MAX_EXPLAINED_ROWS`` rows (fewer
    for wide dense rows, see ``_SAMPLE_BYTES``).

    Every row draws a key, uniform in [0, 1), and the rows with the
    smallest keys are kept (bottom-k sampling), so the sample is uniform
    over every row of the stream whatever the sizes of its chunks. The keys
    of X come from ``seed`` and ``n_seen``, the number of rows before it,
    so a chunk's keys do not repeat an earlier chunk's. Only the candidates
    of X are copied, never X whole (it may be memory-mapped).
    """
    size = MAX_EXPLAINED_ROWS
    if not sp.issparse(X):
        size = min(size, max(1, _SAMPLE_BYTES // (X.shape[1] * X.dtype.itemsize)))
    keys = np.random.default_rng([seed, n_seen]).random(X.shape[0])
    candidates = np.argsort(keys, kind="stable")[:size]
    rows, keys = X[candidates], keys[candidates]
    if sample is not None:
        kept_rows, kept_keys = sample
        stack = sp.vstack if sp.issparse(rows) or sp.issparse(kept_rows) else np.concatenate
        rows, keys = stack([kept_rows, rows]), np.concatenate([kept_keys, keys])
    kept = np.argsort(keys, kind="stable")[:size]
    rows = rows.tocsr() if sp.issparse(rows) else np.asarray(rows)
    return rows[kept], keys[kept]


def sample_fields(sample: tuple) -> dict:
    """A :func:`stream_sample` as NumPy arrays and ints only, which pickle
    and skops keep without trusting a SciPy type (sparse rows as CSR's
    arrays)."""
    rows, keys = sample
    if not sp.issparse(rows):
        return {"rows": rows, "keys": keys}
    return {
        "data": rows.data,
        "indices": rows.indices,
        "indptr": rows.indptr,
        "shape": list(rows.shape),
        "keys": keys,
    }


def sample_from_fields(fields: dict) -> tuple:
    """The :func:`stream_sample` that :func:`sample_fields` stored."""
    if "rows" in fields:
        return fields["rows"], fields["keys"]
    rows = sp.csr_matrix(
        (fields["data"], fields["indices"], fields["indptr"]), shape=tuple(fields["shape"])
    )
    return rows, fields["keys"]
