"""skops.io round trips of fitted estimators (issue #14)."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits

from skae import (
    AutoEncoder,
    DenoisingAutoEncoder,
    DenseArchitecture,
    ResNetAutoEncoder,
    SparseAutoEncoder,
    VariationalAutoEncoder,
)

sio = pytest.importorskip("skops.io")

X = load_digits().data[:120] / 16.0
# Two epochs, all of them (n_iter_no_change=None): no ConvergenceWarning.
TINY = {"max_iter": 2, "n_iter_no_change": None, "batch_size": 32, "random_state": 0}
ESTIMATORS = {
    "dense": AutoEncoder(n_components=3, hidden_layer_sizes=(8,), **TINY),
    "denoising": DenoisingAutoEncoder(
        n_components=3, hidden_layer_sizes=(8,), noise_type="masking", clip=(0.0, 1.0), **TINY
    ),
    "sparse-early-stopping": SparseAutoEncoder(
        n_components=3, hidden_layer_sizes=(8,), sparsity="kl", early_stopping=True, **TINY
    ),
    "variational": VariationalAutoEncoder(n_components=2, hidden_layer_sizes=(8,), **TINY),
    # Batch normalisation: moving statistics are weights too.
    "resnet": ResNetAutoEncoder(
        n_components=2,
        image_shape=(8, 8, 1),
        n_levels=1,
        filters=2,
        latent_channels=2,
        batch_normalization=True,
        **TINY,
    ),
    "architecture": AutoEncoder(
        n_components=2, architecture=DenseArchitecture(hidden_layer_sizes=(8,)), **TINY
    ),
}
# What get_untrusted_types lists beyond the estimator's own class.
NESTED = {"architecture": {"skae._architectures.DenseArchitecture"}}


def _qualname(obj) -> str:
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


def _round_trip(est):
    data = sio.dumps(est)
    untrusted = sio.get_untrusted_types(data=data)
    return sio.loads(data, trusted=untrusted), untrusted


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_fitted_round_trip_is_exact_and_trusts_only_skae_types(name):
    est = clone(ESTIMATORS[name]).fit(X)
    restored, untrusted = _round_trip(est)

    # Only skae's own classes need trusting: the weights travel as NumPy arrays
    # and the rest as built-in types skops trusts by default.
    assert set(untrusted) == {_qualname(est)} | NESTED.get(name, set())
    assert all(t.startswith("skae.") for t in untrusted)

    assert type(restored) is type(est)
    assert repr(restored) == repr(est)
    np.testing.assert_array_equal(restored.transform(X), est.transform(X))
    codes = est.transform(X)
    np.testing.assert_array_equal(restored.inverse_transform(codes), est.inverse_transform(codes))
    np.testing.assert_array_equal(restored.score_samples(X), est.score_samples(X))
    assert restored.n_iter_ == est.n_iter_
    assert restored.loss_curve_ == est.loss_curve_
    # The restored estimator keeps training (partial_fit refuses
    # early_stopping=True, as scikit-learn's MLPs do).
    restored.set_params(early_stopping=False).partial_fit(X)


def test_unfitted_round_trip_keeps_parameters():
    est = ESTIMATORS["architecture"]
    restored, untrusted = _round_trip(est)
    assert repr(restored) == repr(est)
    assert restored.get_params()["architecture__hidden_layer_sizes"] == (8,)
    assert set(untrusted) == {_qualname(est), "skae._architectures.DenseArchitecture"}
    assert not hasattr(restored, "n_features_in_")


def test_loading_refuses_types_that_were_not_trusted():
    data = sio.dumps(clone(ESTIMATORS["dense"]).fit(X))
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException, match="AutoEncoder"):
        sio.loads(data)


def test_pipeline_round_trip_trusts_only_skae_types():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler

    y = load_digits().target[: len(X)]
    pipe = make_pipeline(
        MinMaxScaler(), clone(ESTIMATORS["dense"]), LogisticRegression(max_iter=200)
    ).fit(X, y)
    restored, untrusted = _round_trip(pipe)
    # scikit-learn's own types are trusted by skops by default.
    assert untrusted == ["skae._autoencoder.AutoEncoder"]
    np.testing.assert_array_equal(restored.predict_proba(X), pipe.predict_proba(X))


def test_outlier_detector_round_trip_trusts_only_skae_types():
    from skae import AutoEncoderOutlierDetector

    detector = AutoEncoderOutlierDetector(clone(ESTIMATORS["dense"]), random_state=0).fit(X)
    restored, untrusted = _round_trip(detector)
    assert set(untrusted) == {_qualname(detector), _qualname(detector.estimator_)}
    np.testing.assert_array_equal(restored.score_samples(X), detector.score_samples(X))
    np.testing.assert_array_equal(restored.predict(X), detector.predict(X))
