"""scikit-learn's estimator contract, run over every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import AutoEncoder

# Tiny networks and few epochs: the checks fit hundreds of times.
FAST = {"max_iter": 3, "batch_size": 32, "random_state": 0}

ESTIMATORS = [
    AutoEncoder(n_components=2, hidden_layer_sizes=(8,), **FAST),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
