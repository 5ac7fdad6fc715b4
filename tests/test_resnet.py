"""Behaviour of ResNetAutoEncoder and ResidualArchitecture (issue 4)."""

import pickle
from pathlib import Path

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline

from skae import (
    AutoEncoder,
    DenoisingAutoEncoder,
    ResidualArchitecture,
    ResNetAutoEncoder,
    SparseAutoEncoder,
    VariationalAutoEncoder,
    load,
)

# Tiny networks and two epochs, all of them (n_iter_no_change=None): these
# tests check wiring and shapes; every fit costs seconds of graph tracing,
# so fitted models are shared.
# The classical network: layer counts below are the architecture's alone
# (init="pca" adds the linear path's layers; test_linear_start.py covers it).
TINY = {
    "n_levels": 1,
    "filters": 4,
    "latent_channels": 2,
    "max_iter": 2,
    "n_iter_no_change": None,
    "init": "random",
    "random_state": 0,
}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


@pytest.fixture(scope="module")
def fitted(digits):
    """Basic blocks with batch normalisation, dropout and L2, on 8x8 digits."""
    params = {**TINY, "n_levels": 2, "batch_normalization": True, "dropout": 0.2}
    return ResNetAutoEncoder(n_components=4, alpha=1e-3, **params).fit(digits[0][:200])


def _layers(est):
    return [layer for model in (est.encoder_, est.decoder_) for layer in model.layers]


def _count(est, layer_type):
    return sum(isinstance(layer, layer_type) for layer in _layers(est))


def _n_pointwise(est):
    convs = [layer for layer in _layers(est) if isinstance(layer, keras.layers.Conv2D)]
    return sum(layer.kernel_size == (1, 1) for layer in convs)


def _mse(est, X):
    return float(np.mean((est.inverse_transform(est.transform(X)) - X) ** 2))


# A few epochs on purpose: this test does not check convergence.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_digits_reconstruction_well_below_training_mean(digits):
    X_train, X_test = train_test_split(digits[0], test_size=0.25, random_state=0)
    ae = ResNetAutoEncoder(
        n_components=16,
        image_shape=(8, 8, 1),
        n_levels=1,
        filters=8,
        batch_size=32,
        learning_rate=3e-3,
        max_iter=15,
        random_state=0,
    ).fit(X_train)
    baseline = float(np.mean((X_test - X_train.mean(axis=0)) ** 2))
    assert _mse(ae, X_test) < 0.5 * baseline


def test_pipeline_and_grid_search(digits):
    X, y = digits[0][:300], digits[1][:300]
    pipe = make_pipeline(
        ResNetAutoEncoder(n_components=8, **TINY), LogisticRegression(max_iter=200)
    )
    search = GridSearchCV(pipe, {"resnetautoencoder__n_levels": [1, 2]}, cv=2).fit(X, y)
    assert search.best_params_["resnetautoencoder__n_levels"] in (1, 2)
    assert search.predict(X).shape == (300,)


@pytest.mark.parametrize(
    "layout, n_features, conv",
    [
        ({}, 13, keras.layers.Conv1D),  # odd-length 1-D signal
        ({}, 49, keras.layers.Conv2D),  # perfect square: 7x7 image
        ({"image_shape": (7, 9, 2)}, 126, keras.layers.Conv2D),  # odd sizes, two channels
        ({"image_shape": (3, 11)}, 33, keras.layers.Conv2D),  # (height, width): one channel
        ({"signal_shape": (11, 3)}, 33, keras.layers.Conv1D),  # multichannel 1-D signal
        ({"signal_shape": (33,)}, 33, keras.layers.Conv1D),  # one-channel 1-D signal
    ],
)
def test_odd_sizes_round_trip(layout, n_features, conv):
    X = np.random.default_rng(0).random((40, n_features))
    ae = ResNetAutoEncoder(n_components=3, **layout, **TINY).fit(X)
    codes = ae.transform(X)
    assert codes.shape == (40, 3)
    assert ae.inverse_transform(codes).shape == (40, n_features)
    assert _count(ae, conv) > 0
    # Padding to a multiple of 2**n_levels happens inside the network only.
    assert _count(ae, keras.layers.ZeroPadding1D | keras.layers.ZeroPadding2D) == 1


def test_a_two_value_image_shape_is_a_one_channel_image(digits):
    """(height, width) reads rows as the image (height, width, 1) does."""
    X = digits[0][:60]
    two = ResNetAutoEncoder(image_shape=(8, 8), **TINY).fit(X)
    three = ResNetAutoEncoder(image_shape=(8, 8, 1), **TINY).fit(X)
    np.testing.assert_array_equal(two.transform(X), three.transform(X))


def test_default_layers(fitted):
    # One basic block per level and side, each ending in an addition.
    assert _count(fitted, keras.layers.Add) == 4
    assert _n_pointwise(fitted) == 0
    assert _count(fitted, keras.layers.MaxPooling2D) == 2
    assert _count(fitted, keras.layers.UpSampling2D) == 2
    assert _count(fitted, keras.layers.Dropout) == 4
    convs = [layer for layer in _layers(fitted) if isinstance(layer, keras.layers.Conv2D)]
    assert convs and all(layer.kernel_regularizer is not None for layer in convs)


def test_no_residual_blocks_is_a_plain_convolutional_autoencoder(digits):
    plain = ResNetAutoEncoder(n_residual_blocks=0, **TINY).fit(digits[0][:100])
    assert _count(plain, keras.layers.Add) == 0
    assert _count(plain, keras.layers.MaxPooling2D) == 1
    assert _count(plain, keras.layers.UpSampling2D) == 1


def test_bottleneck_blocks(digits):
    X = digits[0][:100]
    ae = ResNetAutoEncoder(block="bottleneck", n_residual_blocks=2, **TINY).fit(X)
    # Two blocks on each side, each with two 1x1 convolutions.
    assert _count(ae, keras.layers.Add) == 4
    assert _n_pointwise(ae) == 2 * 4
    assert np.all(np.isfinite(ae.transform(X)))


def test_skip_connections_with_binary_crossentropy(digits):
    X = digits[0][:100]
    params = {**TINY, "n_levels": 2}
    ae = ResNetAutoEncoder(skip_connections=True, loss="binary_crossentropy", **params).fit(X)
    # Every level is projected onto the latent map and onto the output.
    assert _count(ae, keras.layers.Conv2DTranspose) == 2
    strided = [
        layer.strides
        for layer in ae.encoder_.layers
        if isinstance(layer, keras.layers.Conv2D) and layer.strides != (1, 1)
    ]
    assert strided == [(4, 4), (2, 2)]
    reconstruction = ae.inverse_transform(ae.transform(X))
    assert reconstruction.shape == X.shape
    assert reconstruction.min() >= 0 and reconstruction.max() <= 1


# A few epochs on purpose: this test does not check convergence.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_front_door_matches_the_composed_architecture(digits):
    X = digits[0][:200]
    settings = {"n_levels": 1, "filters": 4, "latent_channels": 2, "skip_connections": True}
    flat = ResNetAutoEncoder(n_components=3, max_iter=2, random_state=0, **settings)
    composed = AutoEncoder(
        n_components=3,
        architecture=ResidualArchitecture(**settings),
        max_iter=2,
        random_state=0,
    )
    np.testing.assert_array_equal(flat.fit_transform(X), composed.fit_transform(X))
    assert set(ResidualArchitecture().get_params()) <= set(ResNetAutoEncoder().get_params())


def test_pickle_round_trip_keeps_batch_norm_statistics(fitted, digits):
    X = digits[0][:200]
    assert _count(fitted, keras.layers.BatchNormalization) > 0
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.transform(X), fitted.transform(X))
    # Dropout is off at inference: transform is deterministic.
    np.testing.assert_array_equal(fitted.transform(X), fitted.transform(X))


@pytest.mark.parametrize(
    "layout, message",
    [
        ({"image_shape": (8, 8, 2)}, "holds 128 values per row, but X has 64 features"),
        ({"image_shape": (8, 0, 1)}, "positive integers"),
        ({"image_shape": (64,)}, r"\(height, width\) or \(height, width, channels\)"),
        ({"signal_shape": (8, 8, 1)}, r"\(length,\) or \(length, channels\)"),
        ({"signal_shape": (32,)}, "holds 32 values per row, but X has 64 features"),
        ({"image_shape": (8, 8), "signal_shape": (64,)}, "set one of them"),
    ],
)
def test_bad_layout(digits, layout, message):
    with pytest.raises(ValueError, match=message):
        ResNetAutoEncoder(**layout, **TINY).fit(digits[0][:20])


def test_invalid_parameters_are_rejected(digits):
    with pytest.raises(ValueError, match="block"):
        ResNetAutoEncoder(block="wide", **TINY).fit(digits[0][:20])
    with pytest.raises(ValueError, match="n_levels"):
        AutoEncoder(architecture=ResidualArchitecture(n_levels=0)).fit(digits[0][:20])


# A few epochs on purpose: this test does not check convergence.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_grid_search_over_architecture_levels(digits):
    estimator = DenoisingAutoEncoder(
        n_components=4,
        architecture=ResidualArchitecture(filters=4, latent_channels=2),
        noise_level=0.3,
        max_iter=2,
        random_state=0,
    )
    search = GridSearchCV(estimator, {"architecture__n_levels": [1, 2]}, cv=2)
    search.fit(digits[0][:200])
    assert search.best_estimator_.architecture.n_levels in (1, 2)
    assert search.best_estimator_.transform(digits[0][:5]).shape == (5, 4)


# A few epochs on purpose: this test does not check convergence.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "estimator",
    [
        AutoEncoder(),
        DenoisingAutoEncoder(noise_type="masking", noise_level=0.3),
        SparseAutoEncoder(sparsity="kl"),
        VariationalAutoEncoder(likelihood="bernoulli"),
    ],
    ids=lambda est: type(est).__name__,
)
def test_residual_architecture_combines_with_every_objective(digits, estimator):
    X = digits[0][:200]
    estimator = clone(estimator).set_params(
        n_components=4,
        architecture=ResidualArchitecture(n_levels=2, filters=4, latent_channels=2),
        architecture__n_levels=1,  # the nested spelling that grid search uses
        max_iter=2,
        random_state=0,
    )
    assert clone(estimator).get_params()["architecture__n_levels"] == 1
    estimator.fit(X)
    assert estimator.transform(X).shape == (200, 4)
    assert estimator.inverse_transform(estimator.transform(X)).shape == X.shape
    assert _count(estimator, keras.layers.Conv2D) > 0
    assert np.isfinite(estimator.score(X))


DATA = Path(__file__).with_name("data")


@pytest.mark.parametrize("name", ["resnet", "denoising"])
def test_models_saved_when_two_values_meant_a_signal_still_load(name):
    """Before signal_shape existed, image_shape=(16, 2) meant a 1-D signal of
    length 16 with 2 channels. Files and pickles from then (written by skae
    at commit a07cdf1) load as that network and return what they returned."""
    X = np.random.default_rng(1).normal(size=(40, 32))
    with np.load(DATA / "signal-2tuple-outputs.npz") as arrays:
        expected = arrays[name]
    with open(DATA / f"{name}-signal-2tuple.pkl", "rb") as file:
        unpickled = pickle.load(file)
    for est in (load(DATA / f"{name}-signal-2tuple.skae"), unpickled):
        np.testing.assert_array_equal(est.transform(X), expected)
        architecture = est._architecture()
        assert (architecture.image_shape, architecture.signal_shape) == (None, (16, 2))
        # The upgraded parameters refit as the same network.
        refit = clone(est).set_params(max_iter=1, n_iter_no_change=None).fit(X)
        assert refit.transform(X).shape == (40, 2)
        # And the loaded network continues training: its recorded
        # image_shape=(16, 2) is read as the signal it meant, not as a change.
        trained = est.n_iter_
        est.set_params(max_iter=1, n_iter_no_change=None).partial_fit(X)
        est.set_params(warm_start=True).fit(X)
        assert est.n_iter_ == trained + 2


def test_signal_shape_survives_clone_pickle_and_save(tmp_path):
    X = np.random.default_rng(2).normal(size=(40, 32))
    est = ResNetAutoEncoder(n_components=2, signal_shape=(16, 2), **TINY).fit(X)
    assert clone(est).get_params()["signal_shape"] == (16, 2)
    est.save(tmp_path / "signal.skae")
    for restored in (load(tmp_path / "signal.skae"), pickle.loads(pickle.dumps(est))):
        assert (restored.image_shape, restored.signal_shape) == (None, (16, 2))
        np.testing.assert_array_equal(restored.transform(X), est.transform(X))
