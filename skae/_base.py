"""The shared base estimator: all scikit-learn plumbing lives here."""

from __future__ import annotations

import contextlib
import copy
import inspect
import os
import sys
from dataclasses import asdict, dataclass
from numbers import Integral, Real
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array, check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, RealNotInt, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _persistence
from ._acquire import (
    TrainerRequest,
    acquire_trainer,
    build_network,
    configured_estimator,
    give_params,
    network_params,
)
from ._architectures import _ACTIVATIONS, DenseArchitecture, saved_params
from ._explained import (
    code_mean,
    explained_rows,
    explained_shares,
    explained_variance,
    sample_fields,
    sample_from_fields,
    stream_sample,
)
from ._lazy import LazyModule, keras
from ._linear import (
    LinearStart,
    chunk_digest,
    column_moments,
    data_scale,
    pca_width,
)
from ._missing import (
    IncompleteRows,
    apply_observed,
    check_observed_columns,
    has_missing,
    refined,
    svd_completed,
)
from ._reuse import POOL
from ._shared import DTYPE_POLICIES, MAX_SEED, OPTIMIZERS
from ._state import MEASURED_ON_READ, TRANSIENT, fitted_state, is_fitted
from ._warnings import warn

if TYPE_CHECKING:
    from ._network import Network
    from ._training import History, Trainer

_callbacks = LazyModule("skae._callbacks")
_network = LazyModule("skae._network")
_training = LazyModule("skae._training")

# PCA's parameters that control the SVD of the PCA start.
_SVD_OPTIONS = ("svd_solver", "iterated_power", "n_oversamples", "power_iteration_normalizer")
_FLOAT_DTYPES = (np.float64, np.float32)
# early_stopping="auto" holds out rows only when at least this many would
# be scored: fewer make the choice of the best epoch a coin toss.
_AUTO_MIN_VALIDATION_ROWS = 10
# batch_size="auto": about _AUTO_STEPS_PER_EPOCH steps per epoch, within
# [_AUTO_MIN_BATCH, _AUTO_MAX_BATCH] rows.
_AUTO_STEPS_PER_EPOCH = 32
_AUTO_MIN_BATCH = 16
_AUTO_MAX_BATCH = 256
# max_iter="auto": epochs for about this many row passes, within
# [_AUTO_MIN_EPOCHS, _AUTO_MAX_EPOCHS]: a 10,000 x 1,000 fit gets at most
# 112 epochs (on 2 idle cores the AutoEncoder stopped early at 31 in
# 13.8 s; a VariationalAutoEncoder with monitor="elbo", whose ELBO keeps
# improving, used all 112 in 59.6 s, and 200 epochs took it 161 s on busy
# cores), while small data keeps 200 epochs (about 3,000 steps of 16 to
# 256 rows).
_AUTO_ROW_PASSES = 1_000_000
_AUTO_MIN_EPOCHS = 10
_AUTO_MAX_EPOCHS = 200


def store_init_params(estimator, arguments: dict) -> None:
    """Store ``__init__`` arguments unchanged, as scikit-learn requires.

    Called as ``store_init_params(self, locals())`` first thing in an
    ``__init__`` whose signature lists every parameter explicitly.
    """
    for name, value in arguments.items():
        if name != "self":
            setattr(estimator, name, value)


def _check_replicas(n_train: int) -> None:
    """Raise unless every replica of the active strategy gets a training row."""
    # Also a strategy whose scope the caller entered.
    strategy = _network.active_strategy()
    if strategy is not None and n_train < strategy.num_replicas_in_sync:
        raise ValueError(
            f"distribute_strategy has {strategy.num_replicas_in_sync} replicas "
            f"but there are only {n_train} training samples; every "
            "replica needs at least one."
        )


def _check_float32_range(X):
    """Return X, or raise if a value would overflow to inf in float32.

    The networks compute in float32; validation only rejects values that
    are not finite in X's own dtype.
    """
    values = X.data if sp.issparse(X) else X
    limit = np.finfo(np.float32).max
    # nanmax and nanmin: the largest observed value, when some are missing.
    if (
        values.dtype == np.float64
        and values.size
        and not np.isnan(values).all()
        and max(np.nanmax(values), -np.nanmin(values)) > limit
    ):
        raise ValueError(
            f"X contains values beyond float32's range (+/-{limit:.3g}), in which "
            "the network computes. Scale the inputs, for example with "
            "StandardScaler or MaxAbsScaler."
        )
    return X


# Why some of PCA's names have no value on a fitted model.
_COVARIANCE = (
    "PCA's is the covariance of its linear Gaussian model, and this network's "
    "reconstruction is not linear. For an estimate of the covariance of X, fit "
    "sklearn.covariance.EmpiricalCovariance (or LedoitWolf) to X; for PCA's model, "
    "use sklearn.decomposition.PCA."
)
_NO_LINEAR_PATH = (
    "it was fitted with init='random', so its network has no fixed linear path "
    "of principal axes. Fit with init='pca' (the default), or read encoder_ and "
    "decoder_ for the network itself."
)


class _DistributeStrategies(HasMethods):
    """Constraint: a ``tf.distribute.Strategy``, checked without importing
    TensorFlow (a strategy can only exist once the user has imported it).

    A ``HasMethods`` because scikit-learn's parameter validation takes
    constraint objects of its own kinds only.
    """

    def __init__(self) -> None:
        super().__init__(["scope"])

    def is_satisfied_by(self, val) -> bool:
        tensorflow = sys.modules.get("tensorflow")
        return tensorflow is not None and isinstance(val, tensorflow.distribute.Strategy)

    def __str__(self) -> str:
        return "an instance of 'tf.distribute.Strategy'"


class _PCAName:
    """Stands in for one of PCA's attributes or methods on the estimator class.

    A non-data descriptor: once ``fit`` stores the attribute in the
    instance's ``__dict__`` that value is returned. Otherwise reading it
    raises an ``AttributeError`` (so ``hasattr`` is False) that says why:
    not fitted, fitted by a skae without PCA's attributes, or ``reason``
    (a name with no honest meaning for this model).
    """

    def __init__(self, reason: str | None = None) -> None:
        self.reason = reason

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        estimator = type(instance).__name__
        if self.reason is not None and (self.name != "components_" or "mean_" in vars(instance)):
            raise AttributeError(f"{estimator} has no {self.name}: {self.reason}")
        if not is_fitted(instance):
            raise AttributeError(
                f"{estimator} has no {self.name} before fit: this {estimator} instance "
                "is not fitted yet."
            )
        raise AttributeError(
            f"{estimator} has no {self.name}: it was fitted or saved by a version of "
            "skae without PCA's attributes. Fit it again to get them."
        )


class _MeasuredOnRead(_PCAName):
    """One of PCA's explained-variance attributes (``MEASURED_ON_READ``).

    ``fit`` stores them. ``partial_fit`` leaves them to the first read,
    which measures all four on the model's sample of the rows it has been
    given and stores them: measuring at every call cost 11 to 110 ms a
    call on the tables of ``benchmarks/partial_fit.py``, against 6 to 16
    ms for the call itself.
    """

    def __get__(self, instance, owner=None):
        if instance is not None and "_explained_sample" in vars(instance):
            measured = instance._measured_spectrum()
            vars(instance).update(measured)
            return measured[self.name]
        return super().__get__(instance, owner)


class BaseAutoEncoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Base class of all skae autoencoders.

    It validates parameters and data, runs training (see ``_training.py``),
    implements ``transform``/``inverse_transform``/``score_samples`` with
    batched compiled inference, and handles persistence. A subclass only
    says which architecture and which objective it combines, through
    ``_architecture()`` and ``_objective()``, and declares its own
    ``__init__`` and ``_parameter_constraints``.

    Do not use this class directly; use a derived estimator.
    """

    _parameter_constraints: dict = {
        "n_components": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="neither"),
            StrOptions({"mle"}),
            None,
        ],
        "copy": ["boolean"],
        "whiten": ["boolean"],
        "svd_solver": [StrOptions({"auto", "full", "covariance_eigh", "arpack", "randomized"})],
        "iterated_power": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
        "n_oversamples": [Interval(Integral, 1, None, closed="left")],
        "power_iteration_normalizer": [StrOptions({"auto", "QR", "LU", "none"})],
        "nested_dropout": [Interval(Real, 0, 1, closed="left")],
        "optimizer": [StrOptions(OPTIMIZERS)],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "learning_rate_decay": [Interval(Real, 0, 1, closed="right")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "init": [StrOptions({"pca", "random"})],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "max_iter": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "shuffle": ["boolean"],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "restore_best_weights": ["boolean"],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "callbacks": [list, tuple, None],
        "distribute_strategy": [_DistributeStrategies(), None],
        "dtype_policy": [StrOptions(set(DTYPE_POLICIES))],
    }

    # -- extension points ------------------------------------------------------
    def _architecture(self):
        """Return the architecture object that builds encoder and decoder."""
        raise NotImplementedError

    def _objective(self):
        """Return a fresh objective object built from the parameters."""
        raise NotImplementedError

    # -- fitting -----------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the autoencoder to X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. Sparse CSR/CSC input is densified one batch at a
            time, never as a whole.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train for one pass (epoch) over X, keeping the optimiser state.

        The first call builds the network; later calls continue training it,
        so data that does not fit in memory can be streamed in chunks, as
        with :class:`~sklearn.decomposition.IncrementalPCA`. With
        ``early_stopping=True`` it raises a ``ValueError``, as
        :meth:`sklearn.neural_network.MLPRegressor.partial_fit` does;
        ``"auto"`` holds out nothing here.

        With ``init="pca"`` the first call starts the network at the PCA of
        its chunk, and each new chunk updates that linear path as
        IncrementalPCA updates its PCA, so ``mean_`` and ``components_``
        are IncrementalPCA's of every row seen, while the nonlinear part
        trains one epoch on the chunk. A chunk seen before (the same
        values) leaves the linear path as it is, so passes over the same
        chunks count each row once there, and N calls on the same rows are
        N epochs of ``fit``, bit for bit. ``fit`` counts its rows as seen
        too. (Iris in its class order, in 10-row chunks: a reconstruction
        MSE of 0.0258 against 0.0254 for IncrementalPCA; 2.0 while the
        start stayed the first chunk's.) After :func:`skae.load` the linear
        path stays where it is (a pickled model goes on updating it).

        ``explained_variance_`` (and the ratio, ``singular_values_``,
        ``noise_variance_``) describe every row ``partial_fit`` has been
        given since the last ``fit`` or :func:`skae.load`, repeats counted
        as IncrementalPCA counts them (iris in class order: 0.924 and 0.053
        of the variance, IncrementalPCA's 0.924 and 0.053; the last chunk
        alone gave 0.178 and 0.291). The first read after a call measures
        them on a uniform random sample of at most 2,000 of those rows (and
        64 MiB), which the model keeps and pickles. ``fit`` keeps no rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A batch of training data.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The updated estimator.
        """
        if self.early_stopping is True:
            raise ValueError(
                "partial_fit does not support early_stopping=True: each call trains one "
                "epoch on the chunk it is given and holds out no validation rows. Set "
                "early_stopping=False to train incrementally, or call fit to stop early."
            )
        return self._fit(X, incremental=True)

    def _fit(self, X, incremental: bool):
        saved_state = fitted_state(self)
        continuing = is_fitted(self) and (incremental or self.warm_start)
        # Every variable, not only the weights: the layers' seed generators
        # (dropout, nested dropout) must not advance either.
        network_variables = self._network.variables if continuing else []
        # partial_fit continues with the same optimiser: a failed call must
        # not leave its moments (NaN after a divergence) or step count behind.
        trainer = vars(self).get("_trainer") if continuing and incremental else None
        trainer_variables = (
            [*trainer.optimizer.variables, trainer.seed_generator.state] if trainer else []
        )
        saved_variables = [variable.numpy() for variable in network_variables + trainer_variables]
        # A continuation gives the network its own numbers (_acquire.give_params).
        params_before = self._network.params if continuing else None
        try:
            self._train(X, incremental=incremental, continuing=continuing, held=trainer)
        except BaseException:
            # A failed (re)fit leaves the previous model exactly as it was.
            for key in fitted_state(self):
                delattr(self, key)
            vars(self).update(saved_state)
            for variable, value in zip(
                network_variables + trainer_variables, saved_variables, strict=True
            ):
                variable.assign(value)
            if continuing:
                give_params(
                    self._network, params_before, configured_estimator(type(self), params_before)
                )
                self._network.weights_changed()
            raise
        return self

    def _train(self, X, *, incremental: bool, continuing: bool, held: Trainer | None) -> None:
        """One fit, partial_fit or warm-started fit, in named steps.

        Validate X, draw the seeds, hold out validation rows, choose the
        code width, acquire a trainer (of a new network, or of the fitted
        one: :func:`skae._acquire.acquire_trainer`), train, then commit the
        fitted attributes.
        """
        X = validate_data(
            self,
            X,
            reset=not continuing,
            accept_sparse=("csr", "csc"),
            dtype=_FLOAT_DTYPES,
            ensure_all_finite="allow-nan",
        )
        _check_float32_range(X)
        missing = self._check_missing(X)
        self._check_whiten()
        rng = check_random_state(self.random_state)
        network_seed, training_seed, split_seed = (int(s) for s in rng.randint(MAX_SEED, size=3))
        early_stopping = self._uses_early_stopping(X.shape[0], incremental)
        X_train, X_val = X, None
        if early_stopping:
            X_train, X_val = self._validation_split(X, split_seed)
        data = _FitData(
            X,
            X_train,
            X_val,
            data_scale(X_train),
            network_seed,
            training_seed,
            incremental,
            held,
            missing,
            # Only where a start is computed or updated: fit, or partial_fit.
            chunk_digest(X) if self.init == "pca" and (incremental or not continuing) else None,
        )

        if continuing:
            run = self._run(data, self._continued_width(), continuing=True)
        elif _is_share(self.n_components) and not incremental:
            run = self._run_for_share(data, self.n_components)
        else:
            run = self._run(data, self._code_width(X, network_seed), continuing=False)
        history = run.history
        stopped = history.converged or history.interrupted or history.stopped
        if run.n_iter_no_change is not None and not stopped:
            self._warn_not_converged(run.max_iter, run.n_iter_no_change)

        previous_losses = list(self.loss_curve_) if continuing else []
        previous_scores = list(getattr(self, "validation_scores_", [])) if continuing else []
        # partial_fit measures the explained variance on a sample of every
        # row it has been given, not on its chunk alone.
        sample = (
            stream_sample(
                vars(self).get("_explained_sample") if continuing else None, X, network_seed
            )
            if incremental
            else None
        )
        # Computed before anything is committed: it decodes many rows, and a
        # failure here must leave the previous model (and its lease) intact.
        pca_attributes = self._pca_attributes(data, run, continuing)
        self._keep_trainer(run.trainer)
        self.n_components_ = pca_count(self.n_components, run.network.n_components)
        self.loss_curve_ = previous_losses + history.losses
        self.n_iter_ = len(self.loss_curve_)
        if early_stopping:
            self.validation_scores_ = previous_scores + history.validation_scores
            self.best_validation_score_ = max(self.validation_scores_)
        if not continuing:
            vars(self).pop("components_", None)
        vars(self).update(pca_attributes)
        self._commit_start(run.start, data.chunk, continuing)
        if sample is None:
            vars(self).pop("_explained_sample", None)
        else:
            # The figures of the model before this call no longer hold; the
            # next read measures them (_MeasuredOnRead).
            for name in MEASURED_ON_READ:
                vars(self).pop(name, None)
            self._explained_sample = sample

    def _commit_start(self, start, chunk: str | None, continuing: bool) -> None:
        """Keep the PCA start that partial_fit updates, and the digests of
        the rows it has seen (those of a fit's X too: partial_fit on the
        same rows then adds nothing, and fit(max_iter=1) followed by
        partial_fit(X) stays fit(max_iter=2), bit for bit)."""
        if not continuing:
            for key in ("_linear_start", "_chunks_seen"):
                vars(self).pop(key, None)
        if start is not None:
            self._linear_start = start
        if chunk is not None:
            self._chunks_seen = vars(self).get("_chunks_seen", frozenset()) | {chunk}

    def _updated_start(self, X, chunk: str) -> LinearStart | None:
        """The PCA start of the rows partial_fit has seen, with chunk ``X``
        (digest ``chunk``) added, as IncrementalPCA updates its PCA; None
        when there is no start (``init="random"``, or a model loaded from a
        file) or the same rows came before: another pass over them leaves
        their PCA as it is, so N passes over the same rows stay N epochs
        of ``fit``, bit for bit."""
        start = vars(self).get("_linear_start")
        if start is None or chunk in vars(self).get("_chunks_seen", ()):
            return None
        return start.updated(X, start.n_samples)

    def _continued_width(self) -> int:
        """The fitted width, which a continuation keeps (an integer
        ``n_components`` set since must be it)."""
        if isinstance(self.n_components, Integral) and self.n_components != self.n_components_:
            raise ValueError(
                f"n_components={self.n_components}, but warm_start and partial_fit "
                f"continue the fitted network of n_components_={self.n_components_} "
                "codes. Set it back, or fit a new network (warm_start=False, or a "
                "clone for partial_fit)."
            )
        return int(self.n_components_)

    def _run(self, data: _FitData, width: int, *, continuing: bool) -> _Run:
        """Acquire the trainer of a network of ``width`` codes (the fitted
        one when ``continuing``), and train it."""
        X, X_train = data.X, data.X_train
        strategy = self.distribute_strategy
        start = None
        with strategy.scope() if strategy is not None else contextlib.nullcontext():
            _check_replicas(X_train.shape[0])
            # The PCA start sees every row, the held-out ones too: at the
            # start the network is then exactly the PCA a user would fit.
            if not continuing and self.init == "pca":
                rows = svd_completed(X, width, data.network_seed) if data.missing else X
                start = LinearStart.fit(rows, width, data.network_seed, self._svd_options())
            elif continuing and data.incremental and data.chunk is not None:
                start = self._updated_start(X, data.chunk)
            trainer = acquire_trainer(
                TrainerRequest(
                    type(self),
                    network_params(self, width),
                    X.shape[1],
                    X_train.shape[0],
                    self._batch_size(X_train.shape[0]),
                    data.scale,
                    data.network_seed,
                    data.training_seed,
                ),
                start=start,
                fitted=self._network if continuing else None,
                held=data.held,
            )
            network = trainer.network
            if continuing and start is not None:
                network.set_start(start, network.params.get("whiten", False))
        fill = self._hole_fill(X, start, continuing) if data.missing else None
        trainer.set_fill(fill)
        validation_data = data.X_val
        if fill is not None and validation_data is not None and has_missing(validation_data):
            validation_data = IncompleteRows(validation_data[:], fill)

        epoch_offset = len(self.loss_curve_) if continuing else 0
        n_iter_no_change = None if data.incremental else self.n_iter_no_change
        max_iter = 1 if data.incremental else self._max_iter(X_train.shape[0])
        # tol is relative to the unit of what is monitored: the held-out
        # score with early stopping, else the training loss.
        tol_unit = trainer.loss_unit
        if data.X_val is not None:
            tol_unit = network.objective.validation_unit(X.shape[1], data.scale)
        history = _training.train(
            trainer,
            _training.to_training_data(X_train),
            max_iter=max_iter,
            epoch_offset=epoch_offset,
            validation_data=validation_data,
            tol=self.tol * tol_unit,
            n_iter_no_change=n_iter_no_change,
            restore_best_weights=data.X_val is not None and self.restore_best_weights,
            record_start=not continuing,
            verbose=self.verbose,
            callbacks=_callbacks.check_callbacks(self.callbacks),
        )
        return _Run(trainer, history, start, max_iter, n_iter_no_change, fill)

    def _run_for_share(self, data: _FitData, share: float) -> _Run:
        """Train at the smallest width whose codes explain ``share`` of the
        variance of both the training rows and the held-out rows.

        A first network gets PCA's width for the share of the training rows.
        Its codes are ordered, so each prefix is a narrower model: the
        narrowest prefix that reaches the share is fitted on its own, and
        kept if it reaches the share too (else one code more is tried, then
        the first network is kept). A nonlinear network usually needs fewer
        codes than PCA; it never gets more.
        """
        upper = pca_width(data.X_train, share, data.network_seed)
        first = self._run(data, upper, continuing=False)
        if first.history.interrupted or first.history.stopped:
            # The user (Ctrl-C or a callback) ended training: no more runs.
            return first
        shares = first.explained_shares(data)
        reached = np.flatnonzero(shares >= share)
        width = int(reached[0]) + 1 if reached.size else upper
        try:
            for candidate in range(width, min(width + 2, upper)):
                run = self._run(data, candidate, continuing=False)
                if run.history.interrupted or run.explained_shares(data)[-1] >= share:
                    first.release()
                    return run
                run.release()
        except BaseException:
            first.release()
            raise
        return first

    def _code_width(self, X, seed: int) -> int:
        """The number of codes a new network gets for ``n_components``.

        An int is the width itself; ``None`` keeps every component PCA
        would (``min(n_samples, n_features)``, one fewer where its solver is
        ARPACK: ``svd_solver="arpack"``, or ``"auto"`` on sparse X, which is
        then never densified); ``"mle"`` is the width
        Minka's MLE picks for PCA; a share of variance, in ``partial_fit``
        (which holds out no rows to measure it on), is PCA's width for that
        share of the first chunk.
        """
        if self.n_components is None:
            arpack = self.svd_solver == "arpack" or (self.svd_solver == "auto" and sp.issparse(X))
            return min(X.shape) - 1 if arpack else min(X.shape)
        if isinstance(self.n_components, Integral):
            return int(self.n_components)
        return pca_width(X, self.n_components, seed)

    def _svd_options(self) -> dict:
        """PCA's SVD parameters for the PCA start."""
        return {name: getattr(self, name) for name in _SVD_OPTIONS}

    def _check_whiten(self) -> None:
        if not self.whiten:
            return
        if self.init != "pca":
            raise ValueError(
                "whiten=True scales the codes by the variances of the PCA start, "
                "which init='random' does not have. Use init='pca' (the default), or "
                "scale the codes afterwards (for example with StandardScaler)."
            )
        if self._objective().whiten_codes:
            raise ValueError(
                f"{type(self).__name__} with these parameters returns code activities "
                "in (0, 1), not PCA scores, so whiten=True has no meaning; leave "
                "whiten=False."
            )

    def _check_missing(self, X) -> bool:
        """Whether X has missing values (NaN), which every column must not
        lack entirely."""
        if not has_missing(X):
            return False
        check_observed_columns(X, getattr(self, "feature_names_in_", None))
        return True

    def _hole_fill(self, X, start, continuing: bool) -> np.ndarray:
        """What stands in for a missing value before the network refines it:
        the column means of the model (those of the PCA start, or of the
        observed entries)."""
        if continuing:
            return self.mean_
        return start.mean if start is not None else column_moments(X)[0]

    def _pca_attributes(self, data: _FitData, run: _Run, continuing: bool) -> dict:
        """PCA's fitted attributes, with PCA's names, shapes and dtypes
        (see the class docstring and :mod:`skae._explained`); rows with
        missing values count with their holes filled by the fitted model.
        After ``partial_fit`` the explained variance is left to the first
        read (see ``_MeasuredOnRead``)."""
        X, seed, incremental = data.X, data.network_seed, data.incremental
        dtype = X.dtype
        attributes = {}
        if run.start is not None:
            attributes["mean_"] = run.start.mean.astype(dtype)
            attributes["components_"] = run.start.components.astype(dtype)
        elif not continuing:
            attributes["mean_"] = column_moments(X)[0].astype(dtype)
        # partial_fit counts every row it has seen, as IncrementalPCA's
        # n_samples_seen_ (a model saved before n_samples_ existed counts
        # from here); fit counts the rows of its X.
        seen = vars(self).get("n_samples_", 0) if continuing and incremental else 0
        attributes["n_samples_"] = seen + X.shape[0]
        if incremental:
            return attributes
        if run.ends_as_pca:
            # Then PCA's own figures, ordered and from the rows the start's
            # SVD saw, without decoding (one decode per code and row took 33
            # s of a 44 s fit at 784 codes on 10,000 MNIST rows, busy cores).
            explained, total = run.start.explained_variance, run.start.total_variance
        else:
            # The rows explained_variance reads, filled (not all of X: it
            # may be memory-mapped).
            rows = run.completed(explained_rows(X, seed))
            explained, total = explained_variance(run.network, rows)
        return {**attributes, **_spectrum(explained, total, X.shape[0], X.shape[1], dtype)}

    def _measured_spectrum(self) -> dict:
        """The explained-variance attributes of the network after
        ``partial_fit``, measured on its sample of the rows given since it
        was fitted or loaded (holes filled by the model, from ``mean_``, as
        ``transform`` fills them), with as many rows as that stream."""
        sample = self._explained_sample
        rows = sample.rows
        if has_missing(rows):
            rows = refined(self._network, rows, self.mean_)
        explained, total = explained_variance(self._network, rows)
        return _spectrum(explained, total, sample.n_rows, self.n_features_in_, self.mean_.dtype)

    def _keep_trainer(self, trainer: Trainer) -> None:
        """Keep the fitted trainer and its network; a replaced network's
        pooled trainer goes back to the pool, and a new pooled one is leased
        until this estimator is collected or refitted."""
        network = trainer.network
        if vars(self).get("_network") is not network:
            previous = vars(self).get("_lease")
            if previous is not None:
                previous()
            self._lease = POOL.lend(self, trainer.pool_key, trainer) if trainer.pool_key else None
        self._network = network
        self._trainer = trainer

    def _pin_network(self) -> Network:
        """The fitted network, kept by this estimator for good: a user may
        hold its Keras models, so it never goes back to the pool."""
        check_is_fitted(self)
        lease = vars(self).get("_lease")
        if lease is not None:
            lease.detach()
        return self._network

    def _warn_not_converged(self, max_iter: int, n_iter_no_change: int) -> None:
        warn(
            f"{type(self).__name__} stopped at max_iter={max_iter} epochs before "
            f"n_iter_no_change={n_iter_no_change} epochs in a row went without an "
            f"improvement of at least tol={self.tol} in its monitored score. Increase "
            "max_iter, or fit again with warm_start=True to continue; "
            "n_iter_no_change=None runs exactly max_iter epochs.",
            ConvergenceWarning,
        )

    def _uses_early_stopping(self, n_samples: int, incremental: bool) -> bool:
        if incremental:
            return False
        if self.early_stopping == "auto":
            n_val = round(self.validation_fraction * n_samples)
            return n_val >= _AUTO_MIN_VALIDATION_ROWS and n_val < n_samples
        return self.early_stopping

    def _max_iter(self, n_train: int) -> int:
        if self.max_iter != "auto":
            return self.max_iter
        epochs = -(-_AUTO_ROW_PASSES // n_train)
        return min(max(epochs, _AUTO_MIN_EPOCHS), _AUTO_MAX_EPOCHS)

    def _batch_size(self, n_train: int) -> int:
        if self.batch_size != "auto":
            return min(self.batch_size, n_train)
        return min(
            max(_AUTO_MIN_BATCH, n_train // _AUTO_STEPS_PER_EPOCH), _AUTO_MAX_BATCH, n_train
        )

    def _validation_split(self, X, seed):
        n_samples = X.shape[0]
        n_val = round(self.validation_fraction * n_samples)
        if n_val < 1 or n_val >= n_samples:
            raise ValueError(
                f"early_stopping with validation_fraction={self.validation_fraction} "
                f"leaves {n_val} validation and {n_samples - n_val} training samples "
                f"out of {n_samples}; both need at least one. Provide more samples, "
                "change validation_fraction or set early_stopping=False."
            )
        order = np.random.default_rng(seed).permutation(n_samples)
        train_rows, val_rows = np.sort(order[n_val:]), np.sort(order[:n_val])
        if _training.is_streamed(X):
            # Data too large to copy (a memory map, say) stays where it is.
            return _training.RowView(X, train_rows), _training.RowView(X, val_rows)
        return X[train_rows], X[val_rows]

    # -- inference ---------------------------------------------------------------
    def _check_input(self, X):
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            reset=False,
            accept_sparse=("csr", "csc"),
            dtype=_FLOAT_DTYPES,
            ensure_all_finite="allow-nan",
        )
        return _check_float32_range(X)

    def _filled_input(self, X):
        """Checked X, with any missing values (NaN) filled by the model
        (:func:`skae._missing.refined`)."""
        X = self._check_input(X)
        return refined(self._network, X, self.mean_) if has_missing(X) else X

    def transform(self, X):
        """Encode X into codes.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to encode.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            Codes, with the dtype of X (float32 or float64). A row with
            missing values (NaN) is encoded with its holes filled by the
            model (see the user guide); a row with none observed gets the
            code of the mean row.
        """
        X = self._filled_input(X)
        return self._network.apply("encode", X, X.dtype)

    def inverse_transform(self, X):
        """Decode codes back to the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, for example the output of :meth:`transform`.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            Reconstructions, with the dtype of X (float32 or float64).
        """
        check_is_fitted(self)
        X = _check_float32_range(check_array(X, dtype=_FLOAT_DTYPES, input_name="X"))
        if X.shape[1] != self.n_components_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__}."
                f"inverse_transform expects codes of width n_components_="
                f"{self.n_components_}."
            )
        return self._network.apply("decode", X, X.dtype)

    def score_samples(self, X):
        """Per-sample score: the negative reconstruction error.

        The error is the one training minimises: the mean squared error
        over features for ``loss="mse"``, the mean binary cross-entropy for
        ``loss="binary_crossentropy"``. Higher is better, so low scores
        flag anomalies.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Score of each sample; for a row with missing values (NaN), the
            score of its observed entries, in the unit of a complete row.
        """
        X = self._check_input(X)
        if has_missing(X):
            return apply_observed(self._network, "score", X, self.mean_, np.float64)
        return self._network.apply("score", X, np.float64)

    def score(self, X, y=None) -> float:
        """Mean of :meth:`score_samples` over X (higher is better).

        This lets :class:`~sklearn.model_selection.GridSearchCV` tune an
        autoencoder with no target.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to score.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        score : float
            Mean per-sample score.
        """
        return float(np.mean(self.score_samples(X)))

    # -- PCA's surface --------------------------------------------------------
    # Class-level stand-ins for PCA's names: the fitted value in the
    # instance's __dict__ takes precedence; without one they say why.
    components_ = _PCAName(_NO_LINEAR_PATH)
    get_covariance = _PCAName(_COVARIANCE)
    get_precision = _PCAName(_COVARIANCE)
    # One descriptor per name: each learns its own name (__set_name__).
    mean_ = _PCAName()
    n_samples_ = _PCAName()
    explained_variance_ = _MeasuredOnRead()
    explained_variance_ratio_ = _MeasuredOnRead()
    singular_values_ = _MeasuredOnRead()
    noise_variance_ = _MeasuredOnRead()

    # -- Keras access ------------------------------------------------------------
    @property
    def encoder_(self) -> keras.Model:
        """Keras model mapping input rows to codes (shares the fitted weights)."""
        encoder = self._pin_network().encoder
        return keras.Model(encoder.input, encoder.output["code"], name="encoder")

    @property
    def decoder_(self) -> keras.Model:
        """Keras model mapping codes to reconstructions (shares the weights)."""
        network = self._pin_network()
        outputs = network.objective.to_input_space(network.decoder.output)
        return keras.Model(network.decoder.input, outputs, name="decoder")

    # -- persistence -------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Save the estimator to a file without pickle; read it with :func:`skae.load`.

        The file is a zip archive (``.skae`` by convention) with the
        parameters and fitted attributes as JSON and the network weights in
        Keras' weights format, so loading it executes no code from the file.
        It records a file format version that :func:`skae.load` checks. An
        unfitted estimator saves its parameters only. The optimiser state is
        not saved. An existing file at ``path`` is replaced only once the new
        one is complete. Pickle and joblib work too, but only load pickles
        from sources you trust.

        Under a multi-worker ``distribute_strategy`` only the chief writes
        the file and the other workers return without writing: every worker
        holds the same weights, so the same program can run on all of them.

        Parameters
        ----------
        path : str or path-like
            Destination file.

        Raises
        ------
        TypeError
            If a parameter cannot be stored as JSON (for example a
            ``RandomState`` instance as ``random_state``; use an int), or the
            estimator is a subclass defined outside skae.

        See Also
        --------
        skae.load : Read a saved estimator.

        Examples
        --------
        >>> import os, tempfile
        >>> from sklearn.datasets import load_digits
        >>> import skae
        >>> X = load_digits().data / 16.0
        >>> ae = skae.AutoEncoder(n_components=2, hidden_layer_sizes=(16,),
        ...                       max_iter=2, n_iter_no_change=None, random_state=0).fit(X)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "digits.skae")
        ...     ae.save(path)
        ...     restored = skae.load(path)
        >>> restored
        AutoEncoder(hidden_layer_sizes=(16,), max_iter=2, n_components=2,
                    n_iter_no_change=None, random_state=0)
        >>> bool((restored.transform(X) == ae.transform(X)).all())
        True
        """
        strategy = self.distribute_strategy
        if strategy is not None and not strategy.extended.should_checkpoint:
            return
        _persistence.save(self, path)

    def export(
        self,
        path: str | os.PathLike,
        *,
        what: str = "encoder",
        overwrite: bool = False,
        format: str = "tf_saved_model",
    ) -> None:
        """Export the fitted network as a TensorFlow SavedModel or ONNX file for serving.

        The SavedModel is written with Keras' own export
        (:class:`keras.export.ExportArchive`) from :attr:`encoder_` and
        :attr:`decoder_`. It runs in TensorFlow
        Serving, or after ``tf.saved_model.load`` in a process without skae
        or scikit-learn. Each endpoint takes a float32 matrix with a fixed
        width and any number of rows, and returns float32:

        - ``encode``: ``X`` of shape ``(None, n_features_in_)`` to codes of
          shape ``(None, n_components_)``, as :meth:`transform` (the
          posterior mean for a :class:`VariationalAutoEncoder`);
        - ``decode``: ``codes`` of shape ``(None, n_components_)`` to rows
          of shape ``(None, n_features_in_)``, as :meth:`inverse_transform`.

        The first endpoint written is also ``serving_default``, the
        signature that TensorFlow Serving calls when a request names none.
        Only the network is exported: put any preprocessing (a scaler in a
        pipeline, say) in front of the served model yourself.

        Parameters
        ----------
        path : str or path-like
            Destination directory, for example ``models/digits/1`` (TensorFlow
            Serving reads numbered version folders). Missing parent folders
            are created.
        what : {"encoder", "decoder", "both"}, default="encoder"
            Which network to export: ``"encoder"`` writes the ``encode``
            endpoint, ``"decoder"`` writes ``decode``, ``"both"`` writes both
            into one SavedModel (``serving_default`` is then ``encode``).
        overwrite : bool, default=False
            Replace an existing ``path``. The new export is written next to
            it and moved into place once complete.
        format : {"tf_saved_model", "onnx"}, default="tf_saved_model"
            ``"onnx"`` writes one ONNX file (opset 17) of the encoder
            (input ``X``) or the decoder (input ``codes``), converted by
            tf2onnx: ``pip install ".[onnx]"`` in skae's source folder. onnxruntime then runs it
            in C++, C#, Java, JavaScript or on mobile; in the tests its
            outputs equal :meth:`transform` and :meth:`inverse_transform` to
            1e-5. Not convertible: the decoders of a Bernoulli
            :class:`VariationalAutoEncoder` and of ``sparsity="kl"``
            (TensorFlow's ``Log1p`` has no ONNX operator in tf2onnx 1.17),
            and networks fitted with ``dtype_policy="mixed_bfloat16"``
            (onnxruntime has no bfloat16 Conv or MatMul); they raise a
            ``ValueError`` that names the estimator.
            ``what="both"`` is a SavedModel option only.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the estimator is not fitted.
        ValueError
            If ``what``, ``overwrite``, ``format`` or ``path`` is not valid,
            or tf2onnx cannot convert the network (the message names the
            estimator).
        ImportError
            If ``format="onnx"`` and tf2onnx is not installed.
        FileExistsError
            If ``path`` exists and ``overwrite`` is False.

        See Also
        --------
        save : Store the whole estimator, to reload it with :func:`skae.load`.

        Examples
        --------
        >>> import os, tempfile
        >>> import numpy as np
        >>> import tensorflow as tf
        >>> from sklearn.datasets import load_digits
        >>> import skae
        >>> X = load_digits().data / 16.0
        >>> ae = skae.AutoEncoder(n_components=2, hidden_layer_sizes=(16,),
        ...                       max_iter=2, n_iter_no_change=None, random_state=0).fit(X)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "digits", "1")
        ...     ae.export(path, what="both")
        ...     served = tf.saved_model.load(path)  # no skae needed from here on
        ...     codes = served.encode(X.astype(np.float32)).numpy()
        ...     rows = served.decode(codes).numpy()
        ...     signatures = sorted(served.signatures)
        >>> signatures
        ['decode', 'encode', 'serving_default']
        >>> codes.shape, rows.shape
        ((1797, 2), (1797, 64))
        >>> bool(np.allclose(codes, ae.transform(X), rtol=1e-5, atol=1e-6))
        True
        """
        from . import _export

        _export.export(self, path, what=what, overwrite=overwrite, format=format)

    # -- sklearn plumbing --------------------------------------------------------
    @property
    def _n_features_out(self) -> int:
        return self.n_components_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def __sklearn_clone__(self):
        # Clones share the strategy instead of deep-copying it: a copy keeps
        # the original's collective-op counters, so two copies issue colliding
        # collective ops (a shape-mismatch error in the second fold of a
        # search). The parameters are cloned from a bare view of self with
        # no strategy, which leaves self untouched for concurrent clones.
        # Callbacks are copied shallowly: a deep copy of a CSVLogger that
        # wrote its file fails on the closed file, and a callback resets its
        # state in on_train_begin anyway.
        strategy, callbacks = self.distribute_strategy, self.callbacks
        if strategy is None and callbacks is None:
            return super().__sklearn_clone__()
        view = object.__new__(type(self))
        view.__dict__.update(vars(self), distribute_strategy=None, callbacks=None)
        twin = super(BaseAutoEncoder, view).__sklearn_clone__()
        twin.distribute_strategy = strategy
        if callbacks is not None:
            twin.callbacks = type(callbacks)(copy.copy(callback) for callback in callbacks)
        return twin

    def __getstate__(self):
        # object.__getstate__ returns the live __dict__: copy before editing.
        state = _persistence.without_runtime_objects(dict(super().__getstate__()))
        for key in TRANSIENT:
            state.pop(key, None)
        start = state.pop("_linear_start", None)
        if start is not None:
            # As plain values, so that skops needs to trust no skae type.
            state["_linear_start_fields"] = asdict(start)
        if "_chunks_seen" in state:
            state["_chunks_seen"] = sorted(state["_chunks_seen"])
        sample = state.pop("_explained_sample", None)
        if sample is not None:
            state["_explained_sample_fields"] = sample_fields(sample)
        network = state.pop("_network", None)
        if network is not None:
            state["_network_weights"] = network.get_weights()
            state["_network_weights_layout"] = _network.WEIGHTS_LAYOUT
            state["_network_params"] = network.params
        return state

    def __setstate__(self, state):
        weights = state.pop("_network_weights", None)
        # Pickles from before the layout was recorded have layout 1.
        layout = state.pop("_network_weights_layout", 1)
        params = state.pop("_network_params", None)
        start = state.pop("_linear_start_fields", None)
        if start is not None:
            state["_linear_start"] = LinearStart(**start)
        if "_chunks_seen" in state:
            state["_chunks_seen"] = frozenset(state["_chunks_seen"])
        sample = state.pop("_explained_sample_fields", None)
        if sample is not None:
            state["_explained_sample"] = sample_from_fields(sample)
        super().__setstate__(saved_params(state, type(self)))
        if weights is not None:
            self._network = build_network(type(self), params, self.n_features_in_)
            self._network.set_weights(weights, layout=layout)


def _spectrum(explained: np.ndarray, total: float, n_samples: int, n_features: int, dtype) -> dict:
    """PCA's explained-variance attributes from the variance each code
    explains and the total variance of the same rows."""
    dtype = np.dtype(dtype)
    # Probabilistic PCA's noise variance: the variance left unexplained,
    # spread over the directions beyond the codes.
    n_left = min(n_samples, n_features) - len(explained)
    residual = max(total - explained.sum(), 0.0)
    return {
        "explained_variance_": explained.astype(dtype),
        "explained_variance_ratio_": (
            explained / total if total > 0 else np.zeros_like(explained)
        ).astype(dtype),
        # PCA's identity, with every row counted (IncrementalPCA's, after
        # partial_fit).
        "singular_values_": np.sqrt(np.maximum(explained, 0) * (n_samples - 1)).astype(dtype),
        "noise_variance_": dtype.type(residual / n_left if n_left > 0 else 0.0),
    }


def pca_count(n_components, width: int):
    """``width`` as the type PCA gives ``n_components_`` for ``n_components``.

    PCA returns the int it was given (or ``min(n_samples, n_features)`` for
    ``None``) but a NumPy integer where it computes the width, for a share of
    variance or ``"mle"``; code written for PCA can depend on the difference
    (``"..." % n`` formats a NumPy integer without a placeholder, a Python int
    raises).
    """
    if isinstance(n_components, str) or _is_share(n_components):
        return np.int64(width)
    return int(width)


def _is_share(n_components) -> bool:
    """Whether ``n_components`` is a share of variance, as PCA reads a float in (0, 1)."""
    return isinstance(n_components, Real) and not isinstance(n_components, Integral)


@dataclass
class _FitData:
    """The rows and seeds of one fit, as ``_train`` prepared them."""

    X: object
    X_train: object
    X_val: object
    scale: float
    network_seed: int
    training_seed: int
    incremental: bool
    # The trainer partial_fit continues with (see skae._acquire).
    held: Trainer | None
    # Whether X has missing values (NaN).
    missing: bool = False
    # The rows of a fit or partial_fit with a PCA start, identified by their
    # values (see chunk_digest).
    chunk: str | None = None


@dataclass
class _Run:
    """One trained network: its trainer, its training and its PCA start."""

    trainer: Trainer
    history: History
    start: LinearStart | None
    max_iter: int
    n_iter_no_change: int | None
    # What stands in for missing values before the network refines them;
    # None when the rows have none.
    fill: np.ndarray | None = None

    @property
    def network(self) -> Network:
        return self.trainer.network

    @property
    def ends_as_pca(self) -> bool:
        """Whether the network ended at its PCA start and reconstructs, from
        each prefix of its codes, as that PCA does: not with logit outputs
        (binary cross-entropy, a Bernoulli VAE), which clip PCA's
        reconstruction into (0, 1), nor with whitened activity codes (a KL
        sparsity penalty), whose truncation is not PCA's."""
        objective = self.network.objective
        return (
            self.start is not None
            and self.history.kept_start
            and objective.output_space == "linear"
            and not objective.whiten_codes
        )

    def completed(self, rows):
        """``rows`` with any missing values filled by the network."""
        return rows if self.fill is None else refined(self.network, rows, self.fill)

    def explained_shares(self, data: _FitData) -> np.ndarray:
        """Share of the variance that each prefix of the codes explains (the
        codes after it at their mean over the training rows): the smaller
        of the shares of the training rows and of the held-out rows.

        The training rows are PCA's criterion; the held-out rows keep a
        network that fits its training rows too closely from counting as
        enough. On 31 held-out rows of diabetes alone, 0.9 chose 6 codes
        that explained 0.884 of the test rows' variance.
        """
        seed = data.network_seed
        train_rows = self.completed(explained_rows(data.X_train, seed))
        shares = explained_shares(self.network, train_rows)
        if data.X_val is not None:
            held_out = self.completed(explained_rows(data.X_val, seed))
            mean = code_mean(self.network, train_rows)
            shares = np.minimum(shares, explained_shares(self.network, held_out, mean))
        return shares

    def release(self) -> None:
        """Give the trainer of a run that is not kept back to the pool."""
        if self.trainer.pool_key is not None:
            POOL.give_back(self.trainer.pool_key, self.trainer, self.trainer.nbytes())


def _comparable(value):
    """Sequences compare as tuples, so ``[128, 64]`` equals ``(128, 64)``."""
    return tuple(value) if isinstance(value, (list, tuple, np.ndarray)) else value


class DenseFrontDoorMixin:
    """Flat ``hidden_layer_sizes``/``activation``/``dropout`` parameters.

    They configure the default :class:`DenseArchitecture`. Passing an
    ``architecture`` object replaces it; the flat parameters must then keep
    their defaults, so that no setting is silently ignored.
    """

    _dense_constraints: dict = {
        "hidden_layer_sizes": ["array-like"],
        "activation": [StrOptions(_ACTIVATIONS)],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "architecture": [None, HasMethods(["encode", "decode"])],
    }

    def _architecture(self):
        if self.architecture is None:
            return DenseArchitecture(
                hidden_layer_sizes=self.hidden_layer_sizes,
                activation=self.activation,
                dropout=self.dropout,
            )
        defaults = inspect.signature(type(self).__init__).parameters
        changed = [
            name
            for name in ("hidden_layer_sizes", "activation", "dropout")
            if _comparable(getattr(self, name)) != _comparable(defaults[name].default)
        ]
        if changed:
            raise ValueError(
                f"{', '.join(changed)} configure the default dense architecture and "
                f"cannot be combined with architecture={self.architecture!r}; set "
                "them on the architecture object instead."
            )
        return self.architecture
