"""LayerFactory seeding and the fixed layers of the PCA path."""

import keras
import numpy as np
import pytest

from skae import LayerFactory
from skae._layers import (
    FixedProjection,
    FixedScale,
    LinearReconstruction,
    RateDropout,
    Standardize,
)


def _dense_kernel(factory, **kwargs):
    layer = factory.dense(3, **kwargs)
    layer.build((None, 4))
    return layer.kernel.numpy()


def test_same_seed_same_layers_and_no_global_state():
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (the global state)
    a = _dense_kernel(LayerFactory(7))
    b = _dense_kernel(LayerFactory(7))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    assert not np.array_equal(a, _dense_kernel(LayerFactory(8)))


def test_every_layer_gets_its_own_seed():
    factory = LayerFactory(0)
    assert not np.array_equal(_dense_kernel(factory), _dense_kernel(factory))
    assert factory.seed() != factory.seed()


@pytest.mark.parametrize("zero_outputs", [True, False])
def test_output_layers_start_at_zero_only_with_a_pca_path(zero_outputs):
    kernel = _dense_kernel(LayerFactory(0, zero_outputs=zero_outputs), output=True)
    assert (not kernel.any()) is zero_outputs
    initializer = LayerFactory(0, zero_outputs=zero_outputs).initializer(output=True)
    assert isinstance(initializer, keras.initializers.Zeros) is zero_outputs


def test_initializer_and_regularizer_serve_any_keras_layer():
    factory = LayerFactory(3, l2=0.5)
    lstm = keras.layers.LSTM(2, kernel_initializer=factory.initializer(), seed=factory.seed())
    lstm.build((None, 5, 1))
    again = LayerFactory(3, l2=0.5)
    twin = keras.layers.LSTM(2, kernel_initializer=again.initializer(), seed=again.seed())
    twin.build((None, 5, 1))
    np.testing.assert_array_equal(lstm.cell.kernel.numpy(), twin.cell.kernel.numpy())
    assert float(factory.regularizer(np.ones((2, 2), np.float32))) == pytest.approx(2.0)
    assert LayerFactory(0).regularizer is None


def test_dropout_is_seeded():
    x = np.ones((4, 8), np.float32)
    a = LayerFactory(1).dropout(0.5)(x, training=True)
    b = LayerFactory(1).dropout(0.5)(x, training=True)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("rate", [0.1, 0.37, 0.5, 0.123456789])
def test_rate_dropout_is_keras_dropout_bit_for_bit(rate):
    # Same random draws and operations as keras.layers.Dropout, first at the
    # rate it was built with, then at another one set into its variables;
    # its weights are Dropout's (the seed generator), so files keep their
    # layout.
    x = keras.ops.convert_to_tensor(np.random.default_rng(0).standard_normal((65, 13)))
    x = keras.ops.cast(x, "float32")
    ours = RateDropout(0.2, seed=7)
    assert [v.path.split("/")[-1] for v in ours.variables] == ["seed_generator_state"]
    for current in (0.2, rate):
        ours.set_rate(current)
        theirs = keras.layers.Dropout(current, seed=7)
        ours.seed_generator.state.assign(theirs.seed_generator.state)
        for _ in range(3):
            np.testing.assert_array_equal(ours(x, training=True), theirs(x, training=True))
        np.testing.assert_array_equal(ours(x), x)


def test_fixed_layers_compute_the_pca_path_and_are_not_trained():
    x = np.array([[1.0, 3.0]], np.float32)
    standardize = Standardize(2, mean=np.array([1.0, 1.0]), scale=2.0)
    np.testing.assert_allclose(standardize(x), [[0.0, 1.0]])
    projection = FixedProjection(2, 1, kernel=np.array([[1.0], [2.0]]))
    np.testing.assert_allclose(projection(x), [[7.0]])
    scale = FixedScale(2, factor=np.array([2.0, 4.0]))
    np.testing.assert_allclose(scale(x), [[2.0, 12.0]])
    np.testing.assert_allclose(FixedScale(2, np.array([2.0, 4.0]), inverse=True)(x), [[0.5, 0.75]])
    output = LinearReconstruction(2, "linear", mean=np.zeros(2), scale=2.0)
    np.testing.assert_allclose(output(x, x), [[4.0, 12.0]])
    for layer in (standardize, projection, scale, output):
        assert layer.trainable_weights == [] and layer.non_trainable_weights


def test_fixed_layers_without_values_start_at_zero():
    assert not FixedProjection(3, 2).kernel.numpy().any()
