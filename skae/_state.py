"""What an estimator's fitted state is, written once.

Used by the failed-fit rollback (``BaseAutoEncoder._fit``), pickling
(``__getstate__``) and ``save`` (``_persistence``).
"""

from __future__ import annotations

# Attributes of the fitted state without a trailing underscore: the network
# (weights, objective), the trainer (optimiser, seed generator) that
# partial_fit continues with, and the lease that returns the trainer to the
# pool of compiled trainers (_reuse.py) when the estimator is collected.
PRIVATE_FITTED = (
    "_network",
    "_trainer",
    "_lease",
    "_linear_start",
    "_chunks_seen",
    "_explained_sample",
)
# Of those, what neither pickle nor save stores: partial_fit after loading
# starts a fresh optimiser, and a copy's network is its own. Pickle keeps
# the PCA start partial_fit updates, the digests of the rows it has seen
# and its sample of those rows (as plain values); save does not, so after
# skae.load partial_fit keeps the linear path where it is and samples
# afresh.
TRANSIENT = ("_trainer", "_lease")


# Public fitted attributes that partial_fit leaves to their first read,
# which measures and stores them (skae._base._MeasuredOnRead).
MEASURED_ON_READ = (
    "explained_variance_",
    "explained_variance_ratio_",
    "singular_values_",
    "noise_variance_",
)


def is_public_fitted(name: str) -> bool:
    """Whether attribute ``name`` is a public fitted attribute (``n_iter_``)."""
    return name.endswith("_") and not name.startswith("_")


def fitted_attributes(estimator) -> dict:
    """The public fitted attributes (``loss_curve_``, ``n_features_in_``, ...),
    those ``MEASURED_ON_READ`` measured first."""
    for name in MEASURED_ON_READ:
        getattr(estimator, name, None)
    return {key: value for key, value in vars(estimator).items() if is_public_fitted(key)}


def fitted_state(estimator) -> dict:
    """Everything a fit sets: the public fitted attributes and ``PRIVATE_FITTED``."""
    return {
        key: value
        for key, value in vars(estimator).items()
        if is_public_fitted(key) or key in PRIVATE_FITTED
    }


def is_fitted(estimator) -> bool:
    """Whether the estimator holds a fitted network."""
    return "_network" in vars(estimator)
