"""The linear path every ``init="pca"`` network starts from.

A network built from a :class:`LinearStart` computes, for a row ``x``::

    u     = (x - mean) / scale                      standardised input
    w     = U u / sqrt(nu)  +  g(u)                 whitened code, g starts at 0
    x_hat = mean + scale * (U.T (sqrt(nu) w) + h(w)) reconstruction, h starts at 0

where ``U`` holds the top principal directions and ``nu`` their variances
in standardised units. Before the first update ``g`` and ``h`` are exactly
zero, so the network *is* PCA: its codes are PCA's scores (or whitened
scores) and its reconstructions PCA's reconstructions. The nonlinear parts
then only learn what PCA misses, and early stopping that counts the start as
a candidate keeps the result at least as good as PCA on held-out rows.

``scale`` is one number for the whole matrix (the root mean variance of the
features), so PCA's geometry is unchanged, and every quantity the optimiser
sees is free of the units of ``X``: multiplying ``X`` by 1000 leaves the
training run the same and multiplies the codes by 1000, as PCA's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import PCA
from sklearn.utils.extmath import svd_flip

from ._shared import rows_per_block

# PCA is fitted on at most this many rows (a seeded random subset beyond):
# a randomized SVD of 100,000 x 784 float32 rows takes about 5 s on 2 cores,
# and the directions barely move with more rows.
MAX_PCA_ROWS = 100_000
# Rows per chunk when reading large or memory-mapped X (column moments, the
# digest), fewer for wide dense rows (_shared.rows_per_block: 8,192 rows of
# 50,000 float64 features are 3.3 GB, 167 rows a block).
_CHUNK_ROWS = 8192
# Variances (as a share of the total) below this are treated as this when
# whitening, so that directions with no variance do not amplify rounding.
_MIN_VARIANCE_SHARE = 1e-6


def column_moments(X) -> tuple[np.ndarray, float]:
    """Column means and the mean column variance (``ddof=1``) of X, in float64.

    Reads dense, memory-mapped and sparse X in row chunks, so the working
    set stays bounded. NaN entries (missing values) are left out: each
    column's moments are those of its observed entries.
    """
    n_samples, n_features = X.shape
    total = np.zeros(n_features)
    total_sq = np.zeros(n_features)
    counts = np.full(n_features, n_samples)
    # Sparse chunks stay sparse: their size is their stored values.
    chunk_rows = _CHUNK_ROWS if sp.issparse(X) else rows_per_block(8 * n_features, _CHUNK_ROWS)
    for first in range(0, n_samples, chunk_rows):
        chunk = X[first : first + chunk_rows]
        if sp.issparse(chunk):
            total += np.asarray(chunk.sum(axis=0), dtype=np.float64).ravel()
            total_sq += np.asarray(chunk.multiply(chunk).sum(axis=0), dtype=np.float64).ravel()
        else:
            chunk = np.asarray(chunk, dtype=np.float64)
            missing = np.isnan(chunk)
            if missing.any():
                counts -= missing.sum(axis=0)
                chunk = np.where(missing, 0.0, chunk)
            total += chunk.sum(axis=0)
            total_sq += np.square(chunk).sum(axis=0)
    # The same operations as with n_samples when nothing is missing.
    mean = total / counts
    variance = np.maximum(total_sq - counts * np.square(mean), 0.0) / np.maximum(counts - 1, 1)
    return mean, float(variance.mean())


def _scale(variance: float) -> float:
    """Root of a mean column variance; 1.0 for constant data."""
    return float(np.sqrt(variance)) if variance > 0 else 1.0


def data_scale(X) -> float:
    """Root mean column variance of X; 1.0 for constant data."""
    return _scale(column_moments(X)[1])


@dataclass(frozen=True)
class LinearStart:
    """PCA of the training rows, in the form the network needs.

    Attributes
    ----------
    mean : ndarray of shape (n_features,)
        Column means.
    scale : float
        Root mean column variance (1.0 for constant data).
    components : ndarray of shape (n_components, n_features)
        Orthonormal principal directions; rows beyond the rank of the data
        are zero (those code units start at zero and are learnt).
    variances : ndarray of shape (n_components,)
        Variance along each direction divided by ``scale**2``; the rows
        without a direction get ``residual_variance``.
    residual_variance : float
        Mean variance (over ``scale**2``) of the directions PCA discards:
        the noise variance of probabilistic PCA.
    explained_variance : ndarray of shape (n_components,)
        PCA's ``explained_variance_``, in the units of X (``ddof=1``); 0
        for the rows without a direction.
    total_variance : float
        Sum of the column variances (``ddof=1``) of the rows the SVD saw.
    n_samples : int
        The rows it describes.
    """

    mean: np.ndarray
    scale: float
    components: np.ndarray
    variances: np.ndarray
    residual_variance: float
    explained_variance: np.ndarray
    total_variance: float
    n_samples: int

    @classmethod
    def fit(cls, X, n_components: int, seed: int, svd_options: dict | None = None) -> LinearStart:
        """PCA of X (dense, sparse or memory-mapped) with ``n_components`` rows.

        Sparse X is centred implicitly (ARPACK unless ``svd_options`` names
        another solver), never densified. More than ``MAX_PCA_ROWS`` rows
        are subsampled with ``seed``. ``svd_options`` are
        :class:`~sklearn.decomposition.PCA`'s ``svd_solver``,
        ``iterated_power``, ``n_oversamples`` and
        ``power_iteration_normalizer``.
        """
        n_samples, n_features = X.shape
        mean, variance = column_moments(X)
        rank = min(n_components, n_samples - 1, n_features)
        components = np.zeros((n_components, n_features))
        explained = np.zeros(n_components)
        total_variance = variance * n_features
        if rank > 0 and variance > 0:
            rows = rows_sample(X, MAX_PCA_ROWS, seed)
            pca = _pca(rows, rank, seed, svd_options or {})
            components[:rank] = pca.components_
            explained[:rank] = pca.explained_variance_
            if rows is not X:
                # The total of the rows the SVD saw, which PCA computed
                # already, so that the explained shares of a sample add up
                # as PCA's do.
                total_variance = explained.sum() / pca.explained_variance_ratio_.sum()
        return cls._of_spectrum(
            mean, variance, n_samples, rank, components, explained, total_variance
        )

    def updated(self, X, n_seen: int) -> LinearStart:
        """The start of the ``n_seen`` rows this one describes and the rows
        ``X`` together, without the first rows: the update of
        :class:`~sklearn.decomposition.IncrementalPCA` (the SVD of the top
        directions scaled by their singular values, the new rows centred,
        and the shift between the two means; Ross et al., 2008).

        ``partial_fit`` calls this for each new chunk, so the linear path
        follows every row seen, as IncrementalPCA's components do, instead
        of the first chunk's PCA. Missing values (NaN) count at the column
        means so far. The rows are taken in dense float64 blocks of rows
        (``skae._shared.rows_per_block``, at least as many rows as codes;
        one update each, as IncrementalPCA's ``fit`` takes batches), so a
        sparse chunk of wide rows is never densified whole: 1,000 rows of
        100,000 features are 800 MB dense.
        """
        block_rows = max(
            len(self.explained_variance), rows_per_block(8 * X.shape[1], max(X.shape[0], 1))
        )
        start = self
        for block in dense_row_blocks(X, block_rows):
            start = start._updated_by(block, n_seen)
            n_seen += len(block)
        return start

    def _updated_by(self, X: np.ndarray, n_seen: int) -> LinearStart:
        """:meth:`updated` with one dense float64 block of rows."""
        X = np.where(np.isnan(X), self.mean, X)
        n_rows, n_features = X.shape
        n_samples = n_seen + n_rows
        chunk_mean = X.mean(axis=0)
        centred = X - chunk_mean
        shift = np.sqrt(n_seen * n_rows / n_samples) * (self.mean - chunk_mean)
        singular = np.sqrt(np.maximum(self.explained_variance, 0.0) * max(n_seen - 1, 0))
        stacked = np.vstack([singular[:, None] * self.components, centred, shift])
        singular, vt = _right_singular(stacked)
        n_components = len(self.explained_variance)
        rank = min(n_components, n_samples - 1, n_features, len(singular))
        components = np.zeros((n_components, n_features))
        explained = np.zeros(n_components)
        components[:rank] = vt[:rank]
        explained[:rank] = singular[:rank] ** 2 / (n_samples - 1)
        # The sum of squares around the new mean: both parts' own and the shift's.
        squares = (
            self.total_variance * max(n_seen - 1, 0) + np.square(centred).sum() + shift @ shift
        )
        total_variance = squares / (n_samples - 1)
        return self._of_spectrum(
            self.mean + (chunk_mean - self.mean) * n_rows / n_samples,
            total_variance / n_features,
            n_samples,
            rank,
            components,
            explained,
            total_variance,
        )

    @classmethod
    def _of_spectrum(
        cls, mean, variance, n_samples, rank, components, explained, total_variance
    ) -> LinearStart:
        """The start of ``n_samples`` rows of mean column variance ``variance``
        whose first ``rank`` principal directions ``components`` explain
        ``explained`` of their ``total_variance``."""
        n_features = len(mean)
        scale = _scale(variance)
        total = variance * n_features / scale**2
        variances = explained / scale**2
        n_discarded = min(n_samples - 1, n_features) - rank
        residual = (total - variances.sum()) / n_discarded if n_discarded > 0 else 0.0
        floor = _MIN_VARIANCE_SHARE * max(total, 1.0)
        residual = max(residual, floor)
        variances[rank:] = residual
        return cls(
            mean,
            scale,
            components,
            np.maximum(variances, floor),
            residual,
            explained,
            total_variance,
            n_samples,
        )

    @property
    def encoding_matrix(self) -> np.ndarray:
        """``(n_features, n_components)``: standardised row to whitened scores."""
        return (self.components / np.sqrt(self.variances)[:, None]).T

    @property
    def decoding_matrix(self) -> np.ndarray:
        """``(n_components, n_features)``: whitened scores to standardised row."""
        return self.components * np.sqrt(self.variances)[:, None]

    def code_scale(self, whiten: bool) -> np.ndarray:
        """Per-unit factor from whitened scores to the codes ``transform`` returns.

        PCA's own scores (in the units of X) unless ``whiten``.
        """
        if whiten:
            return np.ones_like(self.variances)
        return self.scale * np.sqrt(self.variances)


def _right_singular(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Singular values (largest first) and right singular vectors of
    ``matrix``, with PCA's signs (``svd_flip``).

    A matrix wider than tall (a chunk of wide rows, such as text) goes
    through the eigenvectors of its small Gram matrix: for 177 x 50,000,
    0.1 s against 3.6 s for the SVD (busy cores). Directions without
    variance come out as zero rows.
    """
    if matrix.shape[0] >= matrix.shape[1]:
        u, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    else:
        eigenvalues, u = np.linalg.eigh(matrix @ matrix.T)
        eigenvalues, u = eigenvalues[::-1], u[:, ::-1]
        singular = np.sqrt(np.maximum(eigenvalues, 0.0))
        # Below this, an eigenvalue is rounding: its direction is noise.
        kept = singular > singular[0] * np.sqrt(matrix.shape[0] * np.finfo(float).eps)
        vt = np.zeros((len(singular), matrix.shape[1]))
        vt[kept] = (u[:, kept].T @ matrix) / singular[kept, None]
        singular = np.where(kept, singular, 0.0)
    _, vt = svd_flip(u, vt, u_based_decision=False)
    return singular, vt


def chunk_digest(X) -> str:
    """Identifies the rows of X by their values: partial_fit updates the
    PCA start with a chunk only the first time it sees it."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((X.shape, X.dtype.str, X.format if sp.issparse(X) else None)).encode())
    if sp.issparse(X):
        parts = (X.data, X.indices, X.indptr)
    else:
        # In row blocks: the same bytes in the same order as X whole (C
        # order), with a bounded copy where X is not C-contiguous (a
        # Fortran-ordered or strided memmap would be copied whole).
        rows = rows_per_block(X.shape[1] * X.dtype.itemsize, _CHUNK_ROWS)
        parts = (X[first : first + rows] for first in range(0, X.shape[0], rows))
    for part in parts:
        digest.update(np.ascontiguousarray(part))
    return digest.hexdigest()


def _pca(X, n_components: int, seed: int, svd_options: dict) -> PCA:
    if sp.issparse(X):
        solver = svd_options.get("svd_solver", "auto")
        if solver not in ("auto", "arpack", "covariance_eigh"):
            raise ValueError(
                f"svd_solver={solver!r} cannot compute the PCA start of sparse X without "
                "densifying it; use 'arpack' (what 'auto' picks) or 'covariance_eigh', or "
                "init='random'."
            )
        if n_components < min(X.shape):
            if solver == "auto":
                svd_options = {**svd_options, "svd_solver": "arpack"}
            return PCA(n_components, random_state=seed, **svd_options).fit(X)
        X = X.toarray()
    if n_components >= min(X.shape) and svd_options.get("svd_solver") == "arpack":
        # ARPACK cannot return every component; PCA's own choice can.
        svd_options = {**svd_options, "svd_solver": "auto"}
    return PCA(n_components, random_state=seed, **svd_options).fit(np.asarray(X, dtype=np.float64))


def dense_row_blocks(X, block_rows: int):
    """X as dense float64 blocks of at most ``block_rows`` rows, in order, so
    that sparse or memory-mapped X is never densified as a whole."""
    for first in range(0, X.shape[0], block_rows):
        block = X[first : first + block_rows]
        yield np.asarray(block.toarray() if sp.issparse(block) else block, dtype=np.float64)


def rows_sample(X, max_rows: int, seed: int):
    """At most ``max_rows`` rows of X (a seeded random subset, in order),
    as an array or sparse matrix: a view that reads rows when indexed
    (``skae._training.RowView``, which streamed fits hold out) is read."""
    if X.shape[0] <= max_rows:
        return X if sp.issparse(X) or isinstance(X, np.ndarray) else X[:]
    chosen = np.random.default_rng(seed).choice(X.shape[0], max_rows, replace=False)
    return X[np.sort(chosen)]


def pca_width(X, n_components, seed: int) -> int:
    """The width :class:`~sklearn.decomposition.PCA` chooses for X when
    ``n_components`` is a share of variance in (0, 1) or ``"mle"``.

    Both need the whole spectrum: the full SVD of at most ``MAX_PCA_ROWS``
    rows, or for sparse X the eigendecomposition of its covariance. Missing
    values (NaN) stand at their column's mean.
    """
    X = rows_sample(X, MAX_PCA_ROWS, seed)
    solver = "covariance_eigh" if sp.issparse(X) else "full"
    if not sp.issparse(X):
        X = np.asarray(X, dtype=np.float64)
        # Missing values (NaN) count at their column's mean: the spectrum
        # of the observed entries, shrunk where they are missing.
        missing = np.isnan(X)
        if missing.any():
            X = np.where(missing, np.nanmean(X, axis=0), X)
    return max(1, int(PCA(n_components, svd_solver=solver).fit(X).n_components_))
