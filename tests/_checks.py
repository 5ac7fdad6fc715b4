"""skae's check suite: what every architecture and every objective must pass.

Like Keras' ``run_layer_test``, one function runs the whole contract on one
configured estimator, so a new architecture or objective is covered by
adding one line to ``tests/_registry.py``.
"""

import pickle
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.decomposition import PCA

import skae
from skae import BaseArchitecture

# Settings that leave the fitted network exactly at its start: a step of
# about 1e-30 changes no float32 output.
FROZEN = {
    "init": "pca",
    "learning_rate": 1e-30,
    "max_iter": 1,
    "n_iter_no_change": None,
    "early_stopping": False,
}


def user_architectures(estimator) -> list[type]:
    """Architecture classes of ``estimator`` defined outside skae (for ``trusted=``)."""
    architecture = estimator.get_params().get("architecture")
    if isinstance(architecture, BaseArchitecture) and not type(architecture).__module__.startswith(
        "skae"
    ):
        return [type(architecture)]
    return []


def _assert_same_outputs(restored, est, X) -> None:
    np.testing.assert_array_equal(restored.transform(X), est.transform(X))
    np.testing.assert_array_equal(restored.score_samples(X), est.score_samples(X))


def check_autoencoder(estimator, X, tmp_path) -> None:
    """Build, fit, transform, round-trip, reproduce and start at PCA.

    ``X`` is a small float64 matrix in [0, 1]; ``estimator`` is unfitted.
    """
    n_samples, n_features = X.shape
    est = clone(estimator).set_params(max_iter=2, n_iter_no_change=None, random_state=0)

    # Build and fit 1-2 epochs; every output has the documented shape (a
    # share of variance as n_components chooses the width).
    est.fit(X)
    k = est.n_components_
    assert est.n_iter_ == 2 and len(est.loss_curve_) == 2
    assert np.isfinite(est.loss_curve_).all()
    codes = est.transform(X)
    assert codes.shape == (n_samples, k) and codes.dtype == np.float64
    assert est.transform(X.astype(np.float32)).dtype == np.float32
    assert est.inverse_transform(codes).shape == (n_samples, n_features)
    assert est.score_samples(X).shape == (n_samples,)
    assert est.encoder_(X[:3].astype(np.float32)).shape == (3, k)
    assert est.decoder_(codes[:3].astype(np.float32)).shape == (3, n_features)
    assert list(est.get_feature_names_out()) == [
        f"{type(est).__name__.lower()}{i}" for i in range(k)
    ]

    # Clone: same parameters, nested architecture included, unfitted.
    twin = clone(est)
    assert repr(twin) == repr(est) and not hasattr(twin, "n_iter_")

    # Pickle and save/load give the same outputs.
    _assert_same_outputs(pickle.loads(pickle.dumps(est)), est, X)
    path = tmp_path / "model.skae"
    est.save(path)
    _assert_same_outputs(skae.load(path, trusted=user_architectures(est)), est, X)

    # The same random_state gives the same model.
    np.testing.assert_array_equal(twin.fit(X).transform(X), codes)

    # Before its first (tiny) step the network is PCA.
    start = clone(estimator).set_params(**FROZEN).fit(X)
    pca = PCA(start.n_components_, whiten=start.whiten).fit(X)
    reconstruction = pca.inverse_transform(pca.transform(X))
    objective = start._network.objective
    if objective.output_space == "logit":
        reconstruction = np.clip(reconstruction, 1e-3, 1 - 1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rebuilt = start.inverse_transform(start.transform(X))
    np.testing.assert_allclose(rebuilt, reconstruction, atol=2e-4)
    if not objective.whiten_codes:
        np.testing.assert_allclose(start.transform(X), pca.transform(X), atol=2e-4)
