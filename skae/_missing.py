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
from sklearn.utils.extmath import randomized_svd

from ._lazy import tf
from ._linear import dense_row_blocks
from ._shared import rows_per_block

# Rows read at a time when looking for holes in large or memory-mapped X
# (fewer for wide rows: _shared.rows_per_block).
_BLOCK_ROWS = 8192
# Passes of encode, decode and refill for a row with holes, in training and
# in inference alike, so that the network trains on rows filled as it will
# fill them. Each pass moves the filled entries towards values the network
# finds consistent with the observed ones; more passes fit the observed
# entries' noise. RMSE of the filled entries with 30 % removed at random
# (benchmarks/impute.py, default imputer) after 0 / 1 / 2 / 3 / 5 / 10
# passes: digits 0.521 / 0.465 / 0.448 / 0.447 / 0.457 / 0.494, wine 0.816 /
# 0.807 / 0.831 / 0.857 / 0.903 / 0.990, breast cancer 0.615 / 0.516 /
# 0.495 / 0.499 / 0.526 / 0.607; with 50 % removed two passes were within
# 0.02 of the best on each table but breast cancer (0.590 against 0.562).
REFINE_PASSES = 2
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
    # Slices in X's own dtype: no float64 copy, so a one-row transform pays
    # microseconds for the test.
    rows = rows_per_block(X.shape[1] * X.dtype.itemsize, _BLOCK_ROWS)
    return any(np.isnan(X[first : first + rows]).any() for first in range(0, X.shape[0], rows))


def check_observed_columns(X, feature_names=None) -> None:
    """Raise unless each column of dense X has at least one observed entry.

    A column without one gives the network nothing to learn or to
    reconstruct: its mean, its variance and its share of the loss are
    undefined.
    """
    blocks = dense_row_blocks(X, rows_per_block(8 * X.shape[1], _BLOCK_ROWS))
    counts = sum((~np.isnan(block)).sum(axis=0) for block in blocks)
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

    Fill the holes with the column means, then repeat: centre, find the top
    ``width`` principal axes, refill the holes with the reconstruction from
    those axes, until the filled entries stop moving. The reconstruction
    shrinks each axis' scores by ``(variance - noise) / variance``, with
    the noise variance of probabilistic PCA (the mean variance of the
    discarded directions): the expected row of probabilistic PCA. Without
    the shrinkage, the iterations fit the observed entries' noise and the
    fill drifts: with 30 % of the entries removed at random
    (``benchmarks/impute.py``'s tables, width a quarter of the columns), the
    RMSE of the filled entries was 1.110 on wine and 0.984 on diabetes
    against 1.031 and 0.993 for the column means; shrunk, 0.802 and 0.785.
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
        axes, shrinkage = _shrunk_axes(centred, rank, seed)
        reconstructed = (centred @ axes) * shrinkage @ axes.T + mean
        change = float(np.square(reconstructed[missing] - filled[missing]).sum())
        filled[missing] = reconstructed[missing]
        if change <= _SVD_TOL * max(total, np.finfo(float).tiny):
            break
    return filled


# Width of the imputer's default code: the candidates _width_candidates
# lists, tried in increasing order until _WIDTH_PATIENCE in a row fail to
# beat the best so far; _HELD_OUT_SHARE of the observed entries are hidden
# to score them. The held-out error is noisy and not always U-shaped in the
# width: mean RMSE of the EM PCA at the chosen width over the 12 MCAR cells
# of benchmarks/impute.py's small tables (digits, wine, breast cancer,
# diabetes at 10 / 30 / 50 %; 3 seeds) was 0.6601 with share 0.1 and
# patience 3, 0.6674 with 0.2 and 3; with patience 2 breast cancer at 30 /
# 50 % got 0.491 / 0.677 against 0.469 / 0.618. (Share 0.2 was better on
# the 4 MNAR cells, 1.418 against 1.470 on average, a case no imputer here
# is built for.)
_HELD_OUT_SHARE = 0.1
_WIDTH_PATIENCE = 3


def _width_candidates(limit: int) -> list[int]:
    """1, 2, 3, 4, 6, 8, 12, 16, ... (powers of two and three times them)
    up to ``limit``."""
    widths, power = set(), 1
    while power <= limit:
        widths.update(w for w in (power, 3 * power // 2) if w <= limit)
        power *= 2
    return sorted(widths)


def hide_observed(X, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Dense float64 X with a random ``_HELD_OUT_SHARE`` of its observed
    entries also NaN (never the last observed entry of a column), and
    where they are."""
    X = np.vstack(list(dense_row_blocks(X, _BLOCK_ROWS))).astype(np.float64)
    observed = ~np.isnan(X)
    rng = np.random.default_rng([seed, 1])
    hidden = observed & (rng.random(X.shape) < _HELD_OUT_SHARE)
    hidden[:, ~(observed & ~hidden).any(axis=0)] = False
    X[hidden] = np.nan
    return X, hidden


def held_out_width(
    X, hidden: np.ndarray, truth: np.ndarray, seed: int
) -> tuple[int, float, np.ndarray]:
    """The width whose EM PCA (:func:`svd_completed`) of dense X best fills
    the ``hidden`` entries (whose values are ``truth``), its mean squared
    error there, and X completed at that width (for :func:`ppca_model`).

    Tries the widths of :func:`_width_candidates` up to one less than the
    rows and the columns, in increasing order, and stops after
    ``_WIDTH_PATIENCE`` in a row that do no better than the best so far.

    The width that fills holes best depends on the rows, the columns and the
    share of holes: on ``benchmarks/impute.py``'s tables with 10 / 30 / 50 %
    of the entries removed, the EM PCA's RMSE on the holes was lowest (of
    the candidate widths) at widths 24 / 12 / 8 on the digits (64
    columns), 16 / 16 / 16 on breast cancer (30), 12 / 3 / 2 on wine (13)
    and 196 / 96 / 64 on 2,000 MNIST images (784): no share of the columns
    fits them all.
    """
    best, best_error, best_filled, misses = 1, np.inf, None, 0
    for width in _width_candidates(max(1, min(X.shape) - 1)):
        filled = svd_completed(X, width, seed)
        error = float(np.mean(np.square(filled[hidden] - truth)))
        if error < best_error:
            best, best_error, best_filled, misses = width, error, filled, 0
        else:
            misses += 1
            if misses >= _WIDTH_PATIENCE:
                break
    return best, best_error, best_filled


def ppca_fill(X, seed: int, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mean, principal axes (rows) and score shrinkage of the rank-``width``
    EM PCA of dense X (:func:`svd_completed`), for :func:`ppca_filled`."""
    return ppca_model(svd_completed(X, width, seed), seed, width)


def ppca_model(
    filled: np.ndarray, seed: int, width: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`ppca_fill` of the X that ``filled`` completes at ``width``."""
    mean = filled.mean(axis=0)
    rank = min(width, filled.shape[0] - 1, filled.shape[1])
    axes, shrinkage = _shrunk_axes(filled - mean, rank, seed)
    return mean, axes.T, shrinkage


def ppca_filled(X, mean: np.ndarray, components: np.ndarray, shrinkage: np.ndarray) -> np.ndarray:
    """A copy of dense X with its holes filled by the fitted EM PCA.

    Each row's holes take the values that the EM PCA's reconstruction
    leaves unchanged (the point that refilling the holes with the
    reconstruction converges to), solved for in the span of the
    components: with ``A = components.T @ diag(shrinkage) @ components``,
    the centred holes ``d_h`` solve ``(I - A_hh) d_h = A_ho d_o``, and by
    Woodbury's identity ``d_h = C_h.T (u + (S^-1 - C_h C_h.T)^-1 C_h C_h.T u)``
    with ``u = S C_o d_o``: a system as wide as the code per row. Iterating
    the refill instead stopped far from that point where the code is wide
    against the columns (breast cancer, 16 of 30 columns, 50 % removed: RMSE
    0.660 after the iterations' tolerance against 0.600 for the EM PCA's own
    fill). A row without an observed entry keeps the means.
    """
    X = np.array(X, dtype=np.float64)
    missing = np.isnan(X)
    X[missing] = np.take(mean, np.nonzero(missing)[1])
    kept = shrinkage > 0
    components, shrinkage = components[kept], shrinkage[kept]
    if not shrinkage.size:
        return X
    inverse = np.diag(1.0 / shrinkage)
    for row in np.flatnonzero(missing.any(axis=1) & ~missing.all(axis=1)):
        holes = missing[row]
        c_h, c_o = components[:, holes], components[:, ~holes]
        u = shrinkage * (c_o @ (X[row, ~holes] - mean[~holes]))
        gram = c_h @ c_h.T
        correction = np.linalg.lstsq(inverse - gram, gram @ u, rcond=None)[0]
        X[row, holes] = mean[holes] + c_h.T @ (u + correction)
    return X


def _shrunk_axes(X: np.ndarray, rank: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The top ``rank`` principal axes of centred X (as columns) and the
    factor of probabilistic PCA's expected scores along each.

    From the eigendecomposition of ``X.T @ X`` when X has at most
    ``_EIGH_WIDTH`` columns: on the digits (1,797 x 64) it took 5 ms on 2
    loaded cores, LAPACK's SVD 240 ms to 1.4 s. Wider X takes the
    randomized SVD.
    """
    if X.shape[1] <= _EIGH_WIDTH:
        eigenvalues, vectors = scipy.linalg.eigh(X.T @ X, check_finite=False)
        axes, top = vectors[:, ::-1][:, :rank], eigenvalues[::-1][:rank]
    else:
        _, singular_values, vt = randomized_svd(
            X, rank, n_iter=_POWER_ITERATIONS, random_state=seed
        )
        axes, top = vt.T, np.square(singular_values)
    n_discarded = min(X.shape) - rank
    noise = max(float(np.square(X).sum()) - top.sum(), 0.0) / n_discarded if n_discarded else 0.0
    return axes, np.maximum(top - noise, 0.0) / np.maximum(top, np.finfo(float).tiny)


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


def filled_batch(network, x, present, fill, passes: int = REFINE_PASSES):
    """Training batch ``x`` (in-graph) with its holes (``present`` False)
    filled as :func:`refined` fills them; gradients do not flow through
    the ``passes`` refinements.

    Without them the network trained on mean-filled holes and was then
    asked to encode refined rows: on the digits with 30 % of the entries
    removed, no epoch beat the PCA start on the held-out rows; with two
    passes the 37th did, and the RMSE of the filled entries fell from
    0.194 to 0.170 (pixels in [0, 1]).
    """
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
