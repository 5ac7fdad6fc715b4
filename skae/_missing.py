"""Missing values: NaN entries of dense X, in training and in inference.

Every estimator accepts NaN in dense X (``allow_nan``). A hole is an entry
the model knows nothing about, so nothing depends on what stands in it:

* **moments**: column means and variances count observed entries only
  (:func:`skae._linear.column_moments`);
* **PCA start**: the principal axes of incomplete rows come from
  :func:`svd_completed`, the EM / iterative SVD of the rows (fill the holes
  with the column means, take the SVD at the network's width, refill the
  holes with its reconstruction, repeat);
* **training**: each batch's holes are filled with the column means and the
  loss counts observed entries only (``observed=`` of the objectives'
  losses); a fit whose training rows have no hole runs exactly the ops it
  always did, so its weights are bit for bit those of a fit before this
  module existed;
* **inference**: a row with holes is filled by :func:`refined` (the column
  means, then a few passes of encode, decode and refill), and its scores
  count observed entries only (:func:`apply_observed`). A row with no
  observed entry keeps the means: its code is the code of the mean row.

Sparse input with NaN is rejected: the implicit zeros of a sparse matrix are
values, so a hole would have to be a stored NaN, and every batch would need
its own mask. Densify it, or impute it first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import tensorflow as tf
from sklearn.utils.extmath import randomized_svd

from ._linear import dense_row_blocks

# Rows read at a time when looking for holes in large or memory-mapped X.
_BLOCK_ROWS = 8192
# Passes of encode, decode and refill for a row with holes. Each pass moves
# the filled entries towards values the model finds consistent with the
# observed ones, so the code stops depending on the first fill.
REFINE_PASSES = 5
TRAINING_REFINE_PASSES = 2
# The EM / iterative SVD of the PCA start stops when an iteration moves the
# filled entries by less than this share of the observed entries' sum of
# squares about their means, or after _SVD_MAX_ITER iterations.
_SVD_TOL = 1e-6
_SVD_MAX_ITER = 100
_EIGH_WIDTH = 1000
_POWER_ITERATIONS = 2


def has_missing(X) -> bool:
    """Whether X has a NaN entry.

    Raises
    ------
    ValueError
        If sparse X stores a NaN (see the module docstring).
    """
    if sp.issparse(X):
        if np.isnan(X.data).any():
            raise ValueError(
                "X is a sparse matrix with NaN entries. skae reads missing values in "
                "dense input only (the implicit zeros of a sparse matrix are values, "
                "not holes): pass X.toarray(), or impute the NaN first."
            )
        return False
    return any(np.isnan(block).any() for block in dense_row_blocks(X, _BLOCK_ROWS))


def check_observed_columns(X, feature_names=None) -> None:
    """Raise unless each column of dense X has at least one observed entry.

    A column without one gives the network nothing to learn or to
    reconstruct: its mean, its variance and its share of the loss are
    undefined.
    """
    counts = sum((~np.isnan(block)).sum(axis=0) for block in dense_row_blocks(X, _BLOCK_ROWS))
    empty = np.flatnonzero(np.asarray(counts) == 0)
    if empty.size:
        names = [str(feature_names[i]) for i in empty] if feature_names is not None else empty
        shown = ", ".join(str(name) for name in names[:10])
        more = f" and {empty.size - 10} more" if empty.size > 10 else ""
        raise ValueError(
            f"X has no observed (non-NaN) value in column(s) {shown}{more}: a column "
            "needs at least one to be learnt. Drop those columns, or use "
            "skae.AutoEncoderImputer, which leaves them out (keep_empty_features=False) "
            "or fills them with 0 (keep_empty_features=True)."
        )


def svd_completed(X, width: int, seed: int) -> np.ndarray:
    """X (float64, dense) with its holes filled by the rank-``width`` EM PCA.

    Fill the holes with the column means, then repeat: centre, take the
    truncated SVD at ``width``, refill the holes with its reconstruction.
    Each iteration lowers the squared error of the observed entries, so the
    filled rows' PCA is the maximum-likelihood PCA of the observed entries
    (with isotropic noise), not the PCA of mean-filled rows, whose holes
    shrink every direction's variance towards the means.
    """
    filled = np.vstack(list(dense_row_blocks(X, _BLOCK_ROWS)))
    missing = np.isnan(filled)
    filled[missing] = np.take(np.nanmean(filled, axis=0), np.nonzero(missing)[1])
    rank = min(width, filled.shape[0] - 1, filled.shape[1])
    if rank < 1:
        return filled
    total = float(np.square(filled - filled.mean(axis=0))[~missing].sum())
    for _ in range(_SVD_MAX_ITER):
        mean = filled.mean(axis=0)
        centred = filled - mean
        axes = _principal_axes(centred, rank, seed)
        reconstructed = (centred @ axes) @ axes.T + mean
        change = float(np.square(reconstructed[missing] - filled[missing]).sum())
        filled[missing] = reconstructed[missing]
        if change <= _SVD_TOL * max(total, np.finfo(float).tiny):
            break
    return filled


def _principal_axes(X: np.ndarray, rank: int, seed: int) -> np.ndarray:
    """The top ``rank`` right singular vectors of centred X, as columns.

    From the eigendecomposition of ``X.T @ X`` when X has at most
    ``_EIGH_WIDTH`` columns: on the digits (1,797 x 64) it took 5 ms on 2
    loaded cores, LAPACK's SVD 240 ms to 1.4 s. Wider X takes the
    randomized SVD.
    """
    if X.shape[1] <= _EIGH_WIDTH:
        _, vectors = scipy.linalg.eigh(X.T @ X, check_finite=False)
        return vectors[:, ::-1][:, :rank]
    _, _, vt = randomized_svd(X, rank, n_iter=_POWER_ITERATIONS, random_state=seed)
    return vt.T


def refined(network, X, fill: np.ndarray, passes: int = REFINE_PASSES) -> np.ndarray:
    """A copy of dense X with each hole filled: ``fill`` (the column means),
    then ``passes`` rounds of encode, decode and refill of the holes.

    Rows without holes are returned as they are; rows without an observed
    entry keep ``fill``.
    """
    X = np.array(X, dtype=np.result_type(X.dtype, np.float32))
    missing = np.isnan(X)
    X[missing] = np.take(np.asarray(fill, dtype=X.dtype), np.nonzero(missing)[1])
    refinable = np.flatnonzero(missing.any(axis=1) & ~missing.all(axis=1))
    if refinable.size:
        rows, holes = X[refinable], missing[refinable]
        for _ in range(passes):
            codes = network.apply("encode", rows, np.float32)
            rows = np.where(holes, network.apply("decode", codes, X.dtype), rows)
        X[refinable] = rows
    return X


def apply_observed(network, name: str, X, fill: np.ndarray, dtype) -> np.ndarray:
    """Per-row result of ``network.apply(name, ...)`` (``"score"`` or
    ``"reconstruction"``) over the observed entries of dense X.

    Rows without holes take the plain function, so their results are those
    of complete data; rows with holes are :func:`refined` and scored by the
    ``"<name>|observed"`` function on the filled row and its mask.
    """
    missing = np.isnan(X)
    incomplete = missing.any(axis=1)
    out = np.empty(X.shape[0], dtype=dtype)
    if not incomplete.all():
        out[~incomplete] = network.apply(name, X[~incomplete], dtype)
    if incomplete.any():
        filled = refined(network, X[incomplete], fill)
        packed = np.hstack([filled, ~missing[incomplete]]).astype(np.float32)
        out[incomplete] = network.apply(f"{name}|observed", packed, dtype)
    return out


def filled_batch(network, x, present, fill, passes: int):
    """Training batch ``x`` (in-graph) with its holes (``present`` False)
    filled as :func:`refined` fills them, with ``passes`` refinements that
    gradients do not flow through."""
    x = tf.where(present, x, fill)
    for _ in range(passes):
        code = network.encoder(x, training=False)["code"]
        decoded = network.objective.to_input_space(network.decoder(code, training=False))
        x = tf.where(present, x, tf.stop_gradient(decoded))
    return x


@dataclass
class IncompleteRows:
    """Held-out rows with holes: early stopping scores their observed entries."""

    X: np.ndarray
    fill: np.ndarray

    def apply(self, network, name: str, dtype) -> np.ndarray:
        return apply_observed(network, name, self.X, self.fill, dtype)
