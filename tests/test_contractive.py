"""ContractiveAutoEncoder: the Jacobian penalty."""

import numpy as np
import pytest
import tensorflow as tf
from sklearn.datasets import load_digits

from skae import AutoEncoder, ContractiveAutoEncoder

X = load_digits().data[:200] / 16.0
X_train, X_test = X[:150], X[150:]
SETTINGS = {
    "n_components": 4,
    "hidden_layer_sizes": (8,),
    "max_iter": 3,
    "learning_rate": 1e-2,
    "early_stopping": False,
    "n_iter_no_change": None,
    "random_state": 0,
}


def jacobian_norm(est, X) -> float:
    """Mean squared Frobenius norm of d transform / d x over the rows of X."""
    x = tf.constant(X, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        codes = est.encoder_(x)
    return float(tf.reduce_mean(tf.reduce_sum(tf.square(tape.batch_jacobian(codes, x)), (1, 2))))


@pytest.mark.parametrize("init", ["pca", "random"])
def test_penalty_lowers_the_jacobian_on_held_out_rows(init):
    plain = AutoEncoder(init=init, **SETTINGS).fit(X_train)
    contractive = ContractiveAutoEncoder(contraction=1.0, init=init, **SETTINGS).fit(X_train)
    assert jacobian_norm(contractive, X_test) < 0.7 * jacobian_norm(plain, X_test)


def test_zero_contraction_is_the_autoencoder():
    plain = AutoEncoder(**SETTINGS).fit(X_train)
    contractive = ContractiveAutoEncoder(contraction=0.0, **SETTINGS).fit(X_train)
    np.testing.assert_allclose(contractive.transform(X_test), plain.transform(X_test), atol=1e-5)


def test_negative_contraction_is_rejected():
    with pytest.raises(ValueError, match="contraction"):
        ContractiveAutoEncoder(contraction=-1.0).fit(X_train)
