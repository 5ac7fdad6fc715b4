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

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._linear import column_moments, dense_row_blocks, rows_sample
from ._shared import rows_per_block

# The prefixes cost one decoder pass each over the rows: on at most this many
# rows, a seeded random subset of larger data. On the MNIST network at 30
# codes that is 60,000 row decodes, about 4 s on 2 cores beside a fit of
# several minutes; small tables use every row.
MAX_EXPLAINED_ROWS = 2000
# The explained variance is measured on at most MAX_EXPLAINED_ROWS rows
# and one block of them (_shared.BLOCK_BYTES), which bounds both the copy
# and the decoding: fit's seeded subset, partial_fit's sample of the rows it
# is given (kept with the model). 167 dense rows of 50,000 float64 features;
# MNIST keeps 2,000 rows, 6 MB as float32, 12.5 MB as float64.
# Truncated codes decoded in one call (rows times prefixes): one call per
# chunk instead of one per prefix, at most a block of float64
# reconstructions (8,192 rows up to 1,024 features).
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
    decoded_per_call = rows_per_block(8 * X.shape[1], _DECODED_PER_CALL)
    # At least one row a call, with all its prefixes.
    chunk_rows = max(1, decoded_per_call // width)
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


def explained_variance(network, rows) -> tuple[np.ndarray, float]:
    """Per-code explained variance of the network on ``rows`` (fit's
    :func:`explained_rows`, or partial_fit's :func:`stream_sample`).

    Returns ``explained`` of shape ``(n_components,)`` and the total
    variance of those rows (``ddof=1``, as PCA's).
    """
    sse, sst = prefix_errors(network, rows)
    denominator = max(rows.shape[0] - 1, 1)
    explained = (np.concatenate([[sst], sse[:-1]]) - sse) / denominator
    return explained, sst / denominator


def explained_shares(network, X, mean_code: np.ndarray | None = None) -> np.ndarray:
    """Share of the variance of X's rows explained by each prefix of 1..k codes
    (the codes after it at ``mean_code``, by default the rows' own mean code)."""
    sse, sst = prefix_errors(network, X, mean_code)
    return 1.0 - sse / sst if sst > 0 else np.ones(len(sse))


@dataclass(frozen=True)
class RowSample:
    """A uniform random sample of the rows of a stream of chunks
    (:func:`stream_sample`)."""

    # Dense rows (an ndarray) or sparse ones (CSR).
    rows: object
    # Each row's key: the rows kept are those with the smallest.
    keys: np.ndarray
    # The most rows kept. It only shrinks along the stream: a bottom-k
    # sample cut to fewer rows stays uniform, one allowed more would not
    # (the rows it dropped earlier are gone).
    size: int
    # Rows in the stream so far, repeats included.
    n_rows: int


def explained_rows(X, seed: int):
    """The rows of X the explained variance is measured on, in memory: all
    of them, or a seeded random subset of :func:`sample_size` rows, sized
    before any row is copied (from the first rows of a view that reads rows
    when indexed, ``skae._training.RowView``)."""
    in_memory = sp.issparse(X) or isinstance(X, np.ndarray)
    return rows_sample(X, sample_size(X if in_memory else X[:64]), seed)


def sample_size(X) -> int:
    """The most rows of X's kind a sample keeps: ``MAX_EXPLAINED_ROWS``,
    fewer where that many would pass a block of rows."""
    if sp.issparse(X):
        # A CSR row costs its values and column indices.
        row_bytes = (X.data.itemsize + X.indices.itemsize) * X.nnz / max(X.shape[0], 1)
    else:
        row_bytes = X.shape[1] * X.dtype.itemsize
    return rows_per_block(row_bytes, MAX_EXPLAINED_ROWS)


def _stacked(kept, new):
    """Two blocks of rows as one, dense if either is dense with missing
    values (NaN), which a sparse matrix may not hold, else sparse if either
    is sparse."""
    if sp.issparse(kept) == sp.issparse(new):
        return sp.vstack([kept, new]).tocsr() if sp.issparse(new) else np.concatenate([kept, new])
    dense = new if sp.issparse(kept) else kept
    if np.isnan(dense).any():
        return np.concatenate(
            [block.toarray() if sp.issparse(block) else block for block in (kept, new)]
        )
    return sp.vstack([sp.csr_matrix(kept), sp.csr_matrix(new)]).tocsr()


def stream_sample(sample: RowSample | None, X, seed: int) -> RowSample:
    """``sample`` with chunk X added: a uniform random sample of at most
    ``MAX_EXPLAINED_ROWS`` of every row of the stream (fewer for wide
    rows, see :func:`sample_size`).

    Every row draws a key, uniform in [0, 1), and the rows with the
    smallest keys are kept (bottom-k sampling), so the sample is uniform
    over every row of the stream whatever the sizes of its chunks. The keys
    of X come from ``seed`` and the number of rows before it, so a chunk's
    keys do not repeat an earlier chunk's. Only the candidates of X are
    copied, never X whole (it may be memory-mapped).
    """
    n_before = sample.n_rows if sample is not None else 0
    size = sample_size(X) if sample is None else min(sample.size, sample_size(X))
    keys = np.random.default_rng([seed, n_before]).random(X.shape[0])
    candidates = _smallest(keys, size)
    rows, keys = X[candidates], keys[candidates]
    rows = rows.tocsr() if sp.issparse(rows) else np.asarray(rows)
    if sample is not None:
        rows, keys = _stacked(sample.rows, rows), np.concatenate([sample.keys, keys])
        # Densified (missing values beside sparse rows): dense rows cost more.
        size = min(size, sample_size(rows))
    kept = _smallest(keys, size)
    return RowSample(rows[kept], keys[kept], size, n_before + X.shape[0])


def _smallest(keys: np.ndarray, size: int) -> np.ndarray:
    """Positions of the ``size`` smallest keys, in their order."""
    if len(keys) > size:
        positions = np.argpartition(keys, size - 1)[:size]
        return positions[np.argsort(keys[positions])]
    return np.argsort(keys)


def sample_fields(sample: RowSample) -> dict:
    """A :class:`RowSample` as NumPy arrays and ints only, which pickle and
    skops keep without trusting a SciPy type (sparse rows as CSR's
    arrays)."""
    fields = {"keys": sample.keys, "size": sample.size, "n_rows": sample.n_rows}
    if not sp.issparse(sample.rows):
        return {**fields, "rows": sample.rows}
    rows = sample.rows
    return {
        **fields,
        "data": rows.data,
        "indices": rows.indices,
        "indptr": rows.indptr,
        "shape": list(rows.shape),
    }


def sample_from_fields(fields: dict) -> RowSample:
    """The :class:`RowSample` that :func:`sample_fields` stored."""
    rows = fields.get("rows")
    if rows is None:
        rows = sp.csr_matrix(
            (fields["data"], fields["indices"], fields["indptr"]), shape=tuple(fields["shape"])
        )
    return RowSample(rows, fields["keys"], fields["size"], fields["n_rows"])
