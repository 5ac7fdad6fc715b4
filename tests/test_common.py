"""scikit-learn's estimator contract, run over every public estimator."""

import pytest
from _registry import (
    ARCHITECTURES,
    CONFIGURATIONS,
    ESTIMATORS,
    META_ESTIMATORS,
    SKLEARN_CHECKED,
    public_classes,
)
from sklearn.base import MetaEstimatorMixin
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import BaseArchitecture, BaseAutoEncoder

# Every public estimator and meta-estimator, and the configurations that
# work for any width.
CHECKED = [
    *ESTIMATORS.values(),
    *META_ESTIMATORS.values(),
    *(CONFIGURATIONS[name] for name in SKLEARN_CHECKED),
]


@parametrize_with_checks(CHECKED)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "base", [BaseAutoEncoder, BaseArchitecture, MetaEstimatorMixin], ids=lambda c: c.__name__
)
def test_registry_covers_every_public_class(base):
    registered = {
        type(est)
        for est in [*ESTIMATORS.values(), *ARCHITECTURES.values(), *META_ESTIMATORS.values()]
    }
    missing = public_classes(base) - registered
    assert not missing, f"add {sorted(c.__name__ for c in missing)} to tests/_registry.py"
