"""scikit-learn's estimator contract, run over every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import (
    AutoEncoder,
    DenoisingAutoEncoder,
    DenseArchitecture,
    ResNetAutoEncoder,
    SparseAutoEncoder,
    VariationalAutoEncoder,
)

# Tiny networks and few epochs: the checks fit hundreds of times.
FAST = {"max_iter": 3, "batch_size": 32, "random_state": 0}

ESTIMATORS = [
    AutoEncoder(n_components=2, hidden_layer_sizes=(8,), **FAST),
    DenoisingAutoEncoder(n_components=2, hidden_layer_sizes=(8,), **FAST),
    SparseAutoEncoder(n_components=2, hidden_layer_sizes=(8,), sparsity="kl", **FAST),
    # A nested architecture object, with batch norm and dropout in the graph.
    SparseAutoEncoder(
        n_components=3,
        architecture=DenseArchitecture((8,), batch_normalization=True, dropout=0.1),
        **FAST,
    ),
    VariationalAutoEncoder(n_components=2, hidden_layer_sizes=(8,), **FAST),
    ResNetAutoEncoder(n_components=2, n_levels=1, filters=2, latent_channels=2, **FAST),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
