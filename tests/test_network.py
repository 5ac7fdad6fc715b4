"""Network: building from an architecture and an objective, batched inference."""

import numpy as np
import pytest
import tensorflow as tf
from sklearn.datasets import load_digits

from skae import AutoEncoder, DenseArchitecture
from skae._linear import LinearStart
from skae._network import (
    INFERENCE_BLOCK_ROWS,
    SMALL_BLOCK_ROWS,
    Network,
    _BlockFunction,
    _padded_blocks,
)
from skae._objectives import BaseObjective, Reconstruction, Variational

X = load_digits().data[:150] / 16.0


def _network(objective=None, pca_path=True, seed=0):
    start = LinearStart.fit(X, 3, seed) if pca_path else None
    return Network.build(
        DenseArchitecture((8,)),
        objective or Reconstruction(),
        X.shape[1],
        3,
        seed,
        pca_path=pca_path,
        start=start,
    )


def test_objectives_implement_the_base_contract():
    with pytest.raises(TypeError, match="abstract"):
        BaseObjective()
    for objective in (Reconstruction(), Variational("gaussian", 1.0, 0)):
        assert isinstance(objective, BaseObjective)
    # The VAE inherits the default decoder input instead of borrowing it.
    assert Variational.decoder_input is BaseObjective.decoder_input


def test_pca_path_network_adds_the_latent_head():
    heads = _network().encoder(X[:4].astype(np.float32))
    assert set(heads) == {"code", "latent"}
    heads = _network(pca_path=False).encoder(X[:4].astype(np.float32))
    assert set(heads) == {"code"}


def test_same_seed_same_weights():
    for a, b in zip(_network().get_weights(), _network().get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_set_weights_checks_the_count():
    network = _network()
    with pytest.raises(ValueError, match="weight arrays"):
        network.set_weights(network.get_weights()[:-1])


def test_inference_is_independent_of_the_other_rows():
    network = _network()
    n = 2 * INFERENCE_BLOCK_ROWS + 5
    codes = network.apply("encode", X[:n], np.float64)
    assert codes.shape == (n, 3) and codes.dtype == np.float64
    np.testing.assert_array_equal(network.apply("encode", X[7:8], np.float64), codes[7:8])
    assert network.apply("encode", X[:0], np.float32).shape == (0, 3)


def test_one_block_takes_the_flat_entry_point_with_the_public_calls_result():
    # The one-block path calls TensorFlow's private ConcreteFunction._call_flat
    # when it checks out, else the public call: fail first if a TensorFlow
    # release changes it, and check the two compute the same thing.
    network = _network()
    spec = tf.TensorSpec([INFERENCE_BLOCK_ROWS, X.shape[1]], tf.float32)
    public = tf.function(
        lambda x: network.encoder(x, training=False)["code"]
    ).get_concrete_function(spec)
    entry = network._function("encode")._block_call()
    assert not isinstance(entry, type(public)), "ConcreteFunction._call_flat changed"
    block = np.zeros((INFERENCE_BLOCK_ROWS, X.shape[1]), np.float32)
    block[:7] = X[:7]
    np.testing.assert_array_equal(
        network.apply("encode", X[:7], np.float32), public(tf.constant(block)).numpy()[:7]
    )


@pytest.mark.parametrize(
    "body, small",
    [
        # Row by row: every block size gives the full block's rows.
        (lambda x: 2.0 * x, True),
        # One value per row, as the scores are.
        (lambda x: tf.reduce_sum(x, axis=1), True),
        # Depends on how many rows share the call: the small block would
        # give other rows, so few rows must still go through the full block.
        (lambda x: x + tf.cast(tf.shape(x)[0], tf.float32), False),
        # Non-finite everywhere: the check proves nothing, so it fails.
        (lambda x: x / 0.0, False),
    ],
)
def test_few_rows_take_the_small_block_only_where_it_gives_the_full_blocks_rows(body, small):
    function = _BlockFunction(body, X.shape[1])
    block = tf.function(body)(tf.constant(X[:INFERENCE_BLOCK_ROWS], tf.float32)).numpy()
    for n_rows in (0, 1, SMALL_BLOCK_ROWS, SMALL_BLOCK_ROWS + 1):
        rows = function(_padded_blocks(X, 0, n_rows), n_rows)[:n_rows]
        np.testing.assert_array_equal(rows, block[:n_rows])
    assert function._small_block_matches == small


def test_new_weights_check_the_small_block_again():
    # A check can pass on weights that hide rounding differences (output
    # layers at zero, as at the PCA start), so it must not outlive them.
    network = _network()
    network.apply("encode", X[:1], np.float32)
    function = network._function("encode")
    assert function._small_block_matches is not None
    network.set_weights(network.get_weights())
    assert function._small_block_matches is None
    network.apply("encode", X[:1], np.float32)
    assert function._small_block_matches is not None
    # Training changes the weights too.
    estimator = AutoEncoder(n_components=3, hidden_layer_sizes=(8,), random_state=0)
    estimator.partial_fit(X)
    estimator.transform(X[:1])
    function = estimator._network._function("encode")
    assert function._small_block_matches is not None
    estimator.partial_fit(X)
    assert function._small_block_matches is None


def test_code_statistics_come_from_the_objective():
    vae = _network(Variational("gaussian", 1.0, 0))
    std = vae.apply("code:std", X[:5], np.float64)
    assert std.shape == (5, 3) and (std > 0).all()
    with pytest.raises(KeyError):
        _network().apply("code:std", X[:5], np.float64)
    with pytest.raises(ValueError, match="unknown inference function"):
        _network().apply("nope", X[:5], np.float64)


@pytest.mark.parametrize("objective", [Reconstruction(), Variational("gaussian", 1.0, 0)])
def test_get_weights_reads_what_keras_reads_and_copies_it(objective):
    network = _network(objective)
    keras_read = network.encoder.get_weights() + network.decoder.get_weights()
    network.get_weights()  # The first read is Keras's own; later ones are compiled.
    read = network.get_weights()
    assert network._read_weights is not None
    assert len(read) == len(keras_read) == len(network.weights)
    for ours, theirs in zip(read, keras_read, strict=True):
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)
    # A later change of the variables leaves the copy as it was, and the
    # next read sees the change.
    network.set_weights([value + 1.0 for value in read])
    for ours, theirs in zip(read, keras_read, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    for changed, before in zip(network.get_weights(), read, strict=True):
        np.testing.assert_array_equal(changed, before + 1.0)
