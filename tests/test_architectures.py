"""Architectures: the BaseArchitecture contract, built-in and user-built ones."""

import pickle

import numpy as np
import pytest
from _checks import check_autoencoder
from _registry import ARCHITECTURES, COMPOSABLE, TINY, Conv1DArchitecture
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

import skae
from skae import AutoEncoder, BaseArchitecture, DenseArchitecture
from skae._acquire import build_network, network_params

# 64 features: also an 8x8 image for the residual architecture.
X = load_digits().data[:96] / 16.0


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_every_architecture_passes_the_check_suite(name, tmp_path):
    est = AutoEncoder(n_components=2, architecture=ARCHITECTURES[name], **TINY)
    check_autoencoder(est, X, tmp_path)


@pytest.mark.parametrize("name", list(ARCHITECTURES))
@pytest.mark.parametrize("estimator_class", COMPOSABLE, ids=lambda c: c.__name__)
def test_every_architecture_builds_with_every_objective(name, estimator_class):
    est = estimator_class(n_components=2, architecture=ARCHITECTURES[name], **TINY)
    network = build_network(type(est), network_params(est, 2), X.shape[1])
    codes = network.encoder(X[:5].astype(np.float32))["code"]
    assert codes.shape == (5, 2)
    assert network.decoder(codes).shape == (5, X.shape[1])


def test_base_architecture_is_abstract():
    with pytest.raises(TypeError, match="abstract"):
        BaseArchitecture()

    class EncoderOnly(BaseArchitecture):
        def encode(self, inputs, layers):
            return inputs

    with pytest.raises(TypeError, match="decode"):
        EncoderOnly()


class _DuckArchitecture:
    """No base class and no _validate_params: only the documented methods."""

    def encode(self, inputs, layers):
        return layers.dense(8, activation="relu")(inputs)

    def decode(self, code, n_features, layers):
        return layers.dense(n_features, output=True)(code)


def test_any_object_with_encode_and_decode_is_an_architecture():
    est = AutoEncoder(n_components=2, architecture=_DuckArchitecture(), **TINY).fit(X)
    assert est.transform(X).shape == (X.shape[0], 2)
    # Pickle works; save needs a BaseArchitecture (it stores the parameters).
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.transform(X), est.transform(X))


def test_architecture_parameters_are_validated_before_building():
    est = AutoEncoder(architecture=DenseArchitecture(activation="nope"), **TINY)
    with pytest.raises(ValueError, match="activation"):
        est.fit(X)
    with pytest.raises(ValueError, match="hidden_layer_sizes must contain positive"):
        AutoEncoder(architecture=DenseArchitecture((0,)), **TINY).fit(X)


def test_user_architecture_grid_searches_as_nested_parameters():
    est = AutoEncoder(n_components=2, architecture=Conv1DArchitecture(), **TINY)
    search = GridSearchCV(est, {"architecture__filters": [1, 3]}, cv=2).fit(X)
    assert search.best_params_["architecture__filters"] in (1, 3)
    assert clone(est).get_params()["architecture__kernel_size"] == 3


def test_user_architecture_loads_only_when_trusted(tmp_path):
    est = AutoEncoder(n_components=2, architecture=Conv1DArchitecture(filters=3), **TINY).fit(X)
    path = tmp_path / "model.skae"
    est.save(path)
    with pytest.raises(ValueError, match=r"trusted=\[Conv1DArchitecture\]"):
        skae.load(path)
    with pytest.raises(TypeError, match="BaseArchitecture subclasses"):
        skae.load(path, trusted=[dict])

    class Conv1DArchitecture2(Conv1DArchitecture):
        pass

    # A class under another import path does not stand in for the saved one.
    with pytest.raises(ValueError, match="unknown class"):
        skae.load(path, trusted=[Conv1DArchitecture2])
    restored = skae.load(path, trusted=[Conv1DArchitecture])
    assert restored.architecture.filters == 3
    np.testing.assert_array_equal(restored.transform(X), est.transform(X))
