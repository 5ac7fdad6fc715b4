"""``partial_fit`` refuses ``early_stopping=True``, as scikit-learn's MLPs do.

``partial_fit`` trains one epoch on the chunk it is given and holds out no
validation rows, so early stopping cannot apply. Ignoring the parameter
silently would let a user believe the model is protected from overfitting.
"""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.neural_network import MLPRegressor

from skae import (
    AutoEncoder,
    DenoisingAutoEncoder,
    ResNetAutoEncoder,
    SparseAutoEncoder,
    VariationalAutoEncoder,
)

# Two epochs, all of them (n_iter_no_change=None): no ConvergenceWarning.
TINY = {
    "n_components": 2,
    "max_iter": 2,
    "n_iter_no_change": None,
    "batch_size": 32,
    "random_state": 0,
}
ESTIMATORS = [
    AutoEncoder(hidden_layer_sizes=(4,), **TINY),
    DenoisingAutoEncoder(hidden_layer_sizes=(4,), **TINY),
    SparseAutoEncoder(hidden_layer_sizes=(4,), **TINY),
    VariationalAutoEncoder(hidden_layer_sizes=(4,), **TINY),
    ResNetAutoEncoder(
        image_shape=(8, 8, 1),
        n_levels=1,
        n_residual_blocks=0,
        filters=2,
        latent_channels=2,
        **TINY,
    ),
]
MESSAGE = r"partial_fit does not support early_stopping=True.*early_stopping=False.*fit"


@pytest.fixture(scope="module")
def X():
    data, _ = load_digits(return_X_y=True)
    return data[:60] / 16.0


def test_scikit_learn_refuses_it_too(X):
    # The behaviour mirrored here; if scikit-learn changes it, revisit skae's.
    mlp = MLPRegressor(hidden_layer_sizes=(2,), early_stopping=True)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping=True"):
        mlp.partial_fit(X, X[:, 0])


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda est: type(est).__name__)
def test_partial_fit_refuses_early_stopping(estimator, X):
    est = clone(estimator).set_params(early_stopping=True)
    with pytest.raises(ValueError, match=MESSAGE):
        est.partial_fit(X)
    # Refused before anything was built or recorded.
    assert not [key for key in vars(est) if key.endswith("_")]
    assert "_network" not in vars(est)


def test_refused_partial_fit_leaves_a_fitted_model_unchanged(X):
    est = clone(ESTIMATORS[0]).set_params(early_stopping=True).fit(X)
    weights = [w.copy() for w in est._network.get_weights()]
    loss_curve, validation_scores = list(est.loss_curve_), list(est.validation_scores_)
    with pytest.raises(ValueError, match=MESSAGE):
        est.partial_fit(X)
    assert est.loss_curve_ == loss_curve
    assert est.validation_scores_ == validation_scores
    for before, after in zip(weights, est._network.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)
    # Switching early stopping off is the documented way to continue.
    est.set_params(early_stopping=False).partial_fit(X)
    assert est.n_iter_ == len(loss_curve) + 1
