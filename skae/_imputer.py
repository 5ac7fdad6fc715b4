"""AutoEncoderImputer: fill missing values with a skae autoencoder's reconstruction.

A use of any skae estimator, not a new autoencoder: the estimator learns
from the observed entries only (see :mod:`skae._missing`), and the imputer
replaces each hole with the reconstruction of its row, leaving the
observed entries as they are.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, TransformerMixin, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted, validate_data

from ._autoencoder import AutoEncoder
from ._docs import fill_doc
from ._missing import held_out_width, hide_observed, ppca_fill, ppca_filled, ppca_model
from ._outlier import default_n_components
from ._persistence import NestedSaveMixin
from ._saveable import saveable
from ._shared import MAX_SEED
from ._warnings import warn

_FLOAT_DTYPES = (np.float64, np.float32)


@saveable
@fill_doc
class AutoEncoderImputer(NestedSaveMixin, TransformerMixin, MetaEstimatorMixin, BaseEstimator):
    """Impute missing values with an autoencoder trained on the observed entries.

    Fits a clone of ``estimator`` to the rows with their holes as NaN: it
    learns from the observed entries only (a masked loss; its PCA start is
    the EM PCA of the incomplete rows). :meth:`transform` encodes each row
    with holes (the column means, refined by a few passes through the
    network), decodes it, and puts the reconstruction in the holes. The
    observed entries are returned unchanged.

    The conventions are those of :class:`~sklearn.impute.SimpleImputer`:
    ``missing_values``, ``add_indicator``, ``keep_empty_features``,
    :meth:`get_feature_names_out` and ``set_output``; it fits in a
    :class:`~sklearn.pipeline.Pipeline` and its estimator's parameters
    grid-search as ``estimator__<name>``.

    Parameters
    ----------
    estimator : skae estimator or None, default=None
        The autoencoder to fit (cloned), for example
        ``AutoEncoder(n_components=8)``. It needs a code narrower than
        ``min(n_samples - 1, n_features)``: a code that reconstructs every
        row copies the observed entries and learns nothing about the holes,
        so it raises a ``ValueError`` (``AutoEncoder()`` keeps every code,
        as ``PCA()``). ``None``: the width is chosen from
        the data and the network is blended with a linear model. A tenth
        of the observed entries is hidden; the width (1, 2, 3, 4, 6, 8, 12,
        ...) whose EM PCA fills them best becomes the code width of an
        :class:`AutoEncoder` with its defaults but ``nested_dropout=0``
        (imputation reads the full code), fitted to the other entries; the
        holes get ``w`` times the EM PCA's fill (refitted to every observed
        entry) plus ``1 - w`` times the network's, with the ``w`` in [0, 1]
        that fills the hidden entries best.
    missing_values : float, default=np.nan
        The placeholder of a missing value. Every entry equal to it (or NaN
        when it is NaN) is imputed.
    add_indicator : bool, default=False
        Append one 0/1 column per feature that had a missing value in
        ``fit``, 1 where the entry was missing, as
        :class:`~sklearn.impute.MissingIndicator` does.
    keep_empty_features : bool, default=False
        A column with no observed value in ``fit`` is dropped from the
        output (with a ``UserWarning``); with ``True`` it is kept and filled
        with 0, as :class:`~sklearn.impute.SimpleImputer` does.
    random_state : int, RandomState instance or None, default=None
        Seeds the estimator (it replaces the estimator's own
        ``random_state``). An int gives reproducible fits.

    Attributes
    ----------
    estimator_ : skae estimator
        The fitted clone of ``estimator``, fitted to the columns with an
        observed value (with ``estimator=None``, to nine tenths of their
        observed entries).
    pca_weight_ : float
        The EM PCA's share of the fill: 0 with an ``estimator`` given.
    pca_mean_, pca_components_, pca_shrinkage_ : ndarray or None
        The EM PCA (column means, principal axes as rows, and the factor of
        probabilistic PCA's expected scores along each); None when
        ``pca_weight_`` is 0.
    empty_features_ : ndarray of shape (n_empty,)
        Indices of the columns with no observed value in ``fit``.
    indicator_features_ : ndarray of shape (n_indicated,)
        Indices of the columns that get an indicator column
        (``add_indicator=True``; empty otherwise).
    {input_attributes}

    See Also
    --------
    sklearn.impute.SimpleImputer : Fills with a column statistic.
    sklearn.impute.KNNImputer : Fills from the nearest rows.
    sklearn.impute.IterativeImputer : Regresses each column on the others.

    Notes
    -----
    Entries are assumed missing at random: a hole whose value made it
    missing (large values left out, say) is filled with a typical value.
    ``docs/benchmarks.md`` compares it with scikit-learn's imputers, and the
    user guide says when to prefer them.

    Examples
    --------
    >>> import numpy as np
    >>> from skae import AutoEncoder, AutoEncoderImputer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2)) @ rng.normal(size=(2, 6))
    >>> X_missing = X.copy()
    >>> X_missing[rng.random(X.shape) < 0.2] = np.nan
    >>> imputer = AutoEncoderImputer(
    ...     AutoEncoder(n_components=2, hidden_layer_sizes=(16,), max_iter=5,
    ...                 n_iter_no_change=None),
    ...     random_state=0)
    >>> X_filled = imputer.fit_transform(X_missing)
    >>> bool(np.isnan(X_filled).any())
    False
    >>> observed = ~np.isnan(X_missing)
    >>> bool((X_filled[observed] == X_missing[observed]).all())
    True
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "transform", "inverse_transform"]), None],
        "missing_values": [Real],
        "add_indicator": ["boolean"],
        "keep_empty_features": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        missing_values: float = np.nan,
        add_indicator: bool = False,
        keep_empty_features: bool = False,
        random_state=None,
    ) -> None:
        self.estimator = estimator
        self.missing_values = missing_values
        self.add_indicator = add_indicator
        self.keep_empty_features = keep_empty_features
        self.random_state = random_state

    def _holes(self, X, *, reset: bool):
        """Checked X as floats with its missing values as NaN, and where they are."""
        nan_marks = np.isnan(self.missing_values)
        X = validate_data(
            self,
            X,
            reset=reset,
            dtype=_FLOAT_DTYPES,
            ensure_all_finite="allow-nan" if nan_marks else True,
            copy=True,
        )
        missing = np.isnan(X) if nan_marks else X == self.missing_values
        X[missing] = np.nan
        return X, missing

    def _check_narrower(self, width: int | None, shape: tuple[int, int]) -> None:
        """Raise unless a code of ``width`` (``None``: every code) is narrower
        than the rank the rows can have, ``min(n_samples - 1, n_features)``."""
        n_samples, n_features = shape
        if width is None or width >= min(n_samples - 1, n_features):
            codes = "every code" if width is None else f"{width} codes"
            raise ValueError(
                f"{type(self).__name__} fills holes from a code narrower than the "
                f"rows, but the estimator keeps {codes} for n_samples={n_samples}, "
                f"n_features={n_features} "
                f"(n_components={self.estimator.get_params().get('n_components')!r}): "
                "a code that reconstructs every row copies the observed entries and "
                "learns nothing about the holes. Give the estimator a narrower code "
                "(for example AutoEncoder(n_components=8)), or estimator=None to "
                "choose one."
            )

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the estimator to the observed entries of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows with missing values.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted imputer.
        """
        X, missing = self._holes(X, reset=True)
        empty = missing.all(axis=0)
        if empty.all():
            raise ValueError(
                "Every column of X is missing entirely: there is nothing to learn "
                "from. Provide observed values."
            )
        if empty.any() and not self.keep_empty_features:
            warn(
                f"Skipping features without any observed values: {np.flatnonzero(empty)}. "
                "They are left out of the output; keep_empty_features=True keeps them, "
                "filled with 0.",
                UserWarning,
            )
        seed = int(check_random_state(self.random_state).randint(MAX_SEED))
        values = X[:, ~empty]
        pca, pca_weight = None, 0.0
        if self.estimator is None:
            estimator, pca, pca_weight = _default_fit(values, seed)
        else:
            requested = self.estimator.get_params().get("n_components")
            # An int or None is checked before the fit, a share or "mle"
            # once the fit has chosen its width.
            if requested is None or isinstance(requested, Integral):
                self._check_narrower(requested, values.shape)
            estimator = clone(self.estimator).set_params(random_state=seed).fit(values)
            self._check_narrower(getattr(estimator, "n_components_", 0), values.shape)

        # Nothing is set on self before the fit succeeded, so a failed refit
        # leaves the previous model in place.
        self.estimator_ = estimator
        self.pca_mean_, self.pca_components_, self.pca_shrinkage_ = pca or (None, None, None)
        self.pca_weight_ = pca_weight
        self.empty_features_ = np.flatnonzero(empty)
        self.indicator_features_ = (
            np.flatnonzero(missing.any(axis=0)) if self.add_indicator else np.zeros(0, int)
        )
        return self

    def transform(self, X):
        """Fill the missing values of X with the estimator's reconstruction.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows with missing values.

        Returns
        -------
        X_imputed : ndarray of shape (n_samples, n_features_out)
            X with its holes filled and its observed entries unchanged:
            without the columns that were empty in ``fit`` (unless
            ``keep_empty_features``, which fills them with 0), followed by
            the indicator columns with ``add_indicator``.
        """
        check_is_fitted(self)
        X, missing = self._holes(X, reset=False)
        kept = np.ones(X.shape[1], dtype=bool)
        kept[self.empty_features_] = False
        values = X[:, kept]
        rows = np.flatnonzero(np.isnan(values).any(axis=1))
        if rows.size:
            holes = np.isnan(values[rows])
            weight = self.pca_weight_
            rebuilt = 0.0
            if weight < 1.0:
                estimator = self.estimator_
                rebuilt = (1.0 - weight) * estimator.inverse_transform(
                    estimator.transform(values[rows])
                )
            if weight > 0.0:
                pca = (self.pca_mean_, self.pca_components_, self.pca_shrinkage_)
                rebuilt = rebuilt + weight * ppca_filled(values[rows], *pca)
            values[rows] = np.where(holes, rebuilt, values[rows])
        if self.keep_empty_features:
            X[:, kept] = values
            X[:, ~kept] = 0.0
            values = X
        if self.add_indicator:
            indicator = missing[:, self.indicator_features_].astype(values.dtype)
            values = np.hstack([values, indicator])
        return values

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Names of the output columns.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names; by default ``feature_names_in_``, or
            ``x0``, ``x1``, ... when fit saw none.

        Returns
        -------
        feature_names_out : ndarray of str objects
            The imputed columns' names, then ``missingindicator_<name>`` for
            each indicator column.
        """
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        kept = np.ones(len(names), dtype=bool)
        if not self.keep_empty_features:
            kept[self.empty_features_] = False
        indicated = [f"missingindicator_{name}" for name in names[self.indicator_features_]]
        return np.asarray([*names[kept], *indicated], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = bool(np.isnan(self.missing_values))
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _default_fit(X: np.ndarray, seed: int):
    """The default imputer's model of X (float, holes as NaN): a fitted
    :class:`AutoEncoder`, the EM PCA ``(mean, components, shrinkage)`` (None
    when it has no share), and the EM PCA's share of the fill.

    Hides a tenth of the observed entries (:func:`hide_observed`), picks the
    code width whose EM PCA fills them best (:func:`held_out_width`), fits
    the network at that width to the rest, and blends the two fills with
    the weight that fills the hidden entries best (:func:`_blend_weight`).
    The network is kept as fitted (on nine tenths of the observed entries:
    a second fit would double the time); the EM PCA is refitted to every
    observed entry.

    Why: the network's early stopping scores the reconstruction of observed
    entries, which a wide code can copy, so it may keep a network that
    fills holes worse than its own PCA start; and on small tables neither
    fill is best everywhere. With a code a quarter of the columns wide and
    the network alone, the imputer lost to ``IterativeImputer`` on MNIST
    with 30 and 50 % of the pixels removed (0.507 and 0.669 against 0.380
    and 0.420) and on breast cancer at 10 % (0.459 against 0.395). At the
    held-out width, RMSE on the removed entries of breast cancer with 10 /
    30 / 50 % removed: network 0.537 / 0.582 / 0.616, EM PCA 0.415 / 0.482
    / 0.658, half and half 0.433 / 0.470 / 0.561; on the digits the network
    was best (0.374 / 0.431 / 0.514 against 0.449 / 0.508 / 0.596 for the
    EM PCA). With the fitted blend, ``benchmarks/impute.py`` measured
    0.410 / 0.460 / 0.559 on breast cancer, 0.367 / 0.425 / 0.508 on the
    digits and 0.323 / 0.367 / 0.432 on MNIST (``IterativeImputer``: 0.395
    / 0.452 / 0.573, 0.394 / 0.544 / 0.567, 0.359 / 0.380 / 0.420).
    """
    hidden_X, hidden = hide_observed(X, seed)
    if not hidden.any():
        return _network(default_n_components(X.shape[1]), seed).fit(X), None, 0.0
    truth = X[hidden]
    width, _, completed = held_out_width(hidden_X, hidden, truth, seed)
    rows = np.flatnonzero(hidden.any(axis=1))
    pca_values = ppca_filled(hidden_X[rows], *ppca_model(completed, seed, width))[hidden[rows]]
    estimator = _network(width, seed).fit(hidden_X.astype(X.dtype))
    rebuilt = estimator.inverse_transform(estimator.transform(hidden_X[rows].astype(X.dtype)))
    weight = _blend_weight(pca_values, rebuilt[hidden[rows]], truth)
    if weight == 0.0:
        return estimator, None, 0.0
    return estimator, ppca_fill(X, seed, width), weight


def _network(width: int, seed: int) -> AutoEncoder:
    """The default imputer's network. Holes are filled from the full code,
    as the outlier detector scores with it: nested dropout orders codes for
    truncation."""
    return AutoEncoder(n_components=width, nested_dropout=0.0, random_state=seed)


def _blend_weight(pca_values, network_values, truth) -> float:
    """The weight ``w`` in [0, 1] for which ``w * pca_values + (1 - w) *
    network_values`` is closest to ``truth`` in squared error."""
    difference = np.asarray(pca_values, np.float64) - network_values
    scale = float(np.dot(difference, difference))
    if scale == 0.0:
        return 0.0
    return float(np.clip(np.dot(difference, truth - network_values) / scale, 0.0, 1.0))
