"""AutoEncoderOutlierDetector: a use of any skae estimator, not a new autoencoder.

An autoencoder fitted on rows that contain outliers learns to reconstruct
them too, and its reconstruction error then misses them. The detector keeps
the outliers out of training instead: it scores the training rows with the
PCA start first, trains the network only on the rows that PCA finds
ordinary, and scores new rows by the network's reconstruction error.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, OutlierMixin, _fit_context, clone
from sklearn.utils import check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._autoencoder import AutoEncoder
from ._docs import fill_doc
from ._linear import LinearStart, dense_row_blocks
from ._persistence import NestedSaveMixin
from ._saveable import saveable
from ._shared import MAX_SEED, rows_per_block

# The share of rows treated as outliers when ``contamination="auto"``, and the
# least share left out of training with ``trim="auto"``. On the nine ODDS
# tables (``benchmarks/outliers.py --quick --trims 0,0.05,0.2``, 2 splits)
# leaving out none, 5 %, 10 % and 20 % of the rows gave mean ROC-AUCs of
# 0.770, 0.828, 0.856 and 0.851: leaving some out matters far more than how
# many.
_AUTO_SHARE = 0.1
# Reconstruction errors are computed in blocks of this many rows (fewer for
# wide rows: _shared.rows_per_block), so that sparse or very long X is never
# densified as a whole.
_BLOCK_ROWS = 8192


def default_n_components(n_features: int) -> int:
    """A quarter of the features, rounded half up, at least 1 (pyod's protocol)."""
    return max(1, (n_features + 2) // 4)


def _per_unit(values: np.ndarray) -> np.ndarray:
    """``values`` over their median (over their mean when the median is 0).

    Makes two kinds of distance comparable, and scores free of X's units.
    """
    return values / _reference(values)


def _reference(values: np.ndarray) -> float:
    """The median of ``values``, or their mean, or 1.0 when both are 0."""
    for reference in (np.median(values), np.mean(values)):
        if reference > 0:
            return float(reference)
    return 1.0


def _start_outlyingness(start: LinearStart, X) -> np.ndarray:
    """How far each row lies from the PCA start: inside and off its subspace.

    The sum of the squared whitened scores (Hotelling's T-squared, large
    for rows far out *along* the principal directions) and the squared
    reconstruction error (large for rows *off* them), each over its median.
    The error alone would keep rows far out along the principal directions,
    which the network then learns to reconstruct, in training.
    """
    hotelling, error = [], []
    for block in dense_row_blocks(X, rows_per_block(8 * X.shape[1], _BLOCK_ROWS)):
        standardised = (block - start.mean) / start.scale
        codes = standardised @ start.encoding_matrix
        residual = standardised - codes @ start.decoding_matrix
        hotelling.append(np.square(codes).sum(axis=1))
        error.append(np.square(residual).sum(axis=1))
    return _per_unit(np.concatenate(hotelling)) + _per_unit(np.concatenate(error))


def _reconstruction_error(estimator, X) -> np.ndarray:
    """Mean squared difference between each row and its reconstruction.

    Computed from ``transform`` and ``inverse_transform``, so it means the
    same for every estimator (the variational one's ``score_samples`` is an
    ELBO, not an error).
    """
    errors = [
        np.square(block - estimator.inverse_transform(estimator.transform(block))).mean(axis=1)
        for block in dense_row_blocks(X, rows_per_block(8 * X.shape[1], _BLOCK_ROWS))
    ]
    return np.concatenate(errors) if errors else np.zeros(0)


def _rows_method(returns: str, *, summary: str):
    """Give a method taking rows ``X`` its docstring: ``summary``, X, ``returns``.

    The three scoring methods share their parameter section, written once.
    """

    def document(method):
        method.__doc__ = (
            f"{summary}\n\n"
            "Parameters\n----------\n"
            "X : {array-like, sparse matrix} of shape (n_samples, n_features)\n"
            "    Rows to score; sparse input is densified one block of rows at a time.\n\n"
            f"Returns\n-------\n{returns}\n"
        )
        return method

    return document


@saveable
@fill_doc
class AutoEncoderOutlierDetector(NestedSaveMixin, OutlierMixin, MetaEstimatorMixin, BaseEstimator):
    """Outlier detection by reconstruction error, with the outliers kept out of training.

    Scores rows by how badly a skae autoencoder reconstructs them. Fitted
    as is on rows that contain outliers, an autoencoder learns to
    reconstruct the outliers too (on the ODDS tables of
    ``benchmarks/outliers.py`` a plain :class:`AutoEncoder`'s error had a
    ROC-AUC of 0.818 on musk, PCA's 0.953). This detector first fits PCA at the
    network's width (the network's own PCA start) and scores every training
    row by its distance to it, along the principal directions (Hotelling's
    T-squared) and off them (PCA's reconstruction error). It then fits a
    clone of ``estimator`` on all rows but the ``trim`` share that scored
    highest, and scores rows by that network's reconstruction error.

    The conventions are those of :class:`~sklearn.ensemble.IsolationForest`:
    :meth:`score_samples` is higher for more normal rows,
    :meth:`decision_function` is negative for outliers and :meth:`predict`
    returns -1 for outliers and 1 for inliers.

    Parameters
    ----------
    estimator : skae estimator or None, default=None
        The autoencoder to fit (cloned), for example
        ``AutoEncoder(n_components=8)``; its parameters grid-search as
        ``estimator__<name>``. ``None``: an :class:`AutoEncoder` with its
        defaults but ``n_components``, a quarter of the features (rounded
        half up, at least 1), the width of pyod's benchmark protocol, and
        ``nested_dropout=0`` (the scores read the full code).
    contamination : "auto" or float, default="auto"
        Expected share of outliers among the training rows, in (0, 0.5]. It
        sets :attr:`offset_`: :meth:`predict` flags that share of the
        training rows. ``"auto"``: 0.1.
    trim : "auto" or float, default="auto"
        Share of the training rows the network does not learn from: those
        farthest from the PCA start. In [0, 0.5); 0 trains on every row.
        ``"auto"``: the ``contamination`` share, but at least 0.1.
    random_state : int, RandomState instance or None, default=None
        Seeds the PCA start and the network (it replaces the estimator's
        own ``random_state``). An int gives reproducible fits.

    Attributes
    ----------
    estimator_ : skae estimator
        The fitted clone of ``estimator``, trained on the rows kept.
    offset_ : float
        Threshold of :meth:`decision_function`: ``score_samples(X) -
        offset_``; the ``contamination`` quantile of the training rows'
        scores.
    reference_error_ : float
        Median reconstruction error of the training rows the network
        learnt from; :meth:`score_samples` is minus the error in this unit,
        so a typical training row scores about -1.
    n_trimmed_ : int
        Number of training rows left out of the network's training.
    {input_attributes}

    See Also
    --------
    sklearn.ensemble.IsolationForest : Isolates rows by random splits.
    sklearn.neighbors.LocalOutlierFactor : Compares local densities.
    sklearn.decomposition.PCA : Its reconstruction error is the linear baseline.

    Notes
    -----
    On the nine ODDS tables of ``benchmarks/outliers.py`` (pyod's protocol,
    5 splits) the defaults had a mean ROC-AUC of 0.843, PCA's
    reconstruction error at the same width 0.763 and
    :class:`~sklearn.ensemble.IsolationForest` 0.810. The isolation forest
    was better on four tables and in mean average precision (0.578 against
    0.510), and fits several times faster: ``docs/benchmarks.md`` has every
    cell, and the user guide says when to use which.

    Examples
    --------
    >>> import numpy as np
    >>> from skae import AutoEncoder, AutoEncoderOutlierDetector
    >>> rng = np.random.default_rng(0)
    >>> plane = rng.normal(size=(300, 2)) @ rng.normal(size=(2, 6))
    >>> X = np.vstack([plane, rng.normal(scale=3.0, size=(10, 6))])
    >>> detector = AutoEncoderOutlierDetector(
    ...     AutoEncoder(n_components=2, hidden_layer_sizes=(16,), max_iter=20),
    ...     contamination=0.05, random_state=0).fit(X)
    >>> labels = detector.predict(X)
    >>> int((labels[-10:] == -1).sum())
    10
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "transform", "inverse_transform"]), None],
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
        "trim": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        contamination: float | str = "auto",
        trim: float | str = "auto",
        random_state=None,
    ) -> None:
        self.estimator = estimator
        self.contamination = contamination
        self.trim = trim
        self.random_state = random_state

    def _contamination(self) -> float:
        return _AUTO_SHARE if self.contamination == "auto" else self.contamination

    def _trim(self) -> float:
        if self.trim != "auto":
            return self.trim
        # The PCA start's ranking is not exact, so leaving out more rows than
        # there are outliers catches more of them: with 40 sevens among 1,658
        # digits (examples/plot_outlier_detection.py), leaving out 10 % ranks
        # the sevens better than leaving out 3 %.
        return max(self._contamination(), _AUTO_SHARE)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the PCA start, trim the rows farthest from it, fit the network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training rows, outliers included. Sparse CSR/CSC input is
            densified one block of rows at a time.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted detector.
        """
        X = validate_data(
            self, X, accept_sparse=("csr", "csc"), dtype=(np.float64, np.float32), reset=True
        )
        n_samples, n_features = X.shape
        rng = check_random_state(self.random_state)
        start_seed, network_seed = (int(seed) for seed in rng.randint(MAX_SEED, size=2))
        if self.estimator is None:
            # Scores read the full code: ordered codes (nested dropout) serve
            # truncation, not reconstruction errors, so the default trains
            # the full code only.
            estimator = AutoEncoder(
                n_components=default_n_components(n_features), nested_dropout=0.0
            )
        else:
            estimator = clone(self.estimator)
        estimator.set_params(random_state=network_seed)
        n_components = estimator.get_params().get("n_components")
        if not isinstance(n_components, Integral) or n_components >= n_features:
            raise ValueError(
                f"{type(self).__name__} scores rows by their reconstruction error, which "
                f"needs n_components < n_features; got n_components={n_components!r} for "
                f"n_features={n_features}. Give the estimator a narrower code."
            )

        n_trimmed = int(self._trim() * n_samples)
        kept = np.arange(n_samples)
        if n_trimmed:
            start = LinearStart.fit(X, n_components, start_seed)
            # A stable sort keeps the same rows among equal scores on every run.
            order = np.argsort(_start_outlyingness(start, X), kind="stable")
            kept = np.sort(order[: n_samples - n_trimmed])
        estimator.fit(X[kept])
        reference = _reference(_reconstruction_error(estimator, X[kept]))

        # Nothing is set on self before every step above succeeded, so a
        # failed refit leaves the previous model in place.
        self.estimator_ = estimator
        self.reference_error_ = reference
        self.n_trimmed_ = n_trimmed
        training_scores = -_reconstruction_error(estimator, X) / reference
        self.offset_ = float(np.percentile(training_scores, 100.0 * self._contamination()))
        return self

    @_rows_method(
        "scores : ndarray of shape (n_samples,)\n    Score of each row (float64).",
        summary="Minus the reconstruction error, in units of :attr:`reference_error_`.\n\n"
        "Higher is more normal: a typical training row scores about -1, a row "
        "reconstructed ten times worse -10.",
    )
    def score_samples(self, X):
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse=("csr", "csc"), dtype=(np.float64, np.float32), reset=False
        )
        return -_reconstruction_error(self.estimator_, X) / self.reference_error_

    @_rows_method(
        "scores : ndarray of shape (n_samples,)\n    Shifted score of each row.",
        summary=":meth:`score_samples` minus :attr:`offset_`: negative for outliers.",
    )
    def decision_function(self, X):
        return self.score_samples(X) - self.offset_

    @_rows_method(
        "labels : ndarray of shape (n_samples,)\n"
        "    -1 where :meth:`decision_function` is negative, else 1.",
        summary="Label each row: -1 for an outlier, 1 for an inlier.",
    )
    def predict(self, X):
        return np.where(self.decision_function(X) < 0, -1, 1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        estimator = AutoEncoder() if self.estimator is None else self.estimator
        tags.input_tags.sparse = get_tags(estimator).input_tags.sparse
        return tags
