"""Behaviour of AutoEncoder and the shared base (issue: foundation)."""

import pickle
import re

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import AutoEncoder, DenoisingAutoEncoder, DenseArchitecture, DivergenceError

# These tests check the transformer's behaviour with fits of a few epochs,
# not convergence: stopping at max_iter is expected.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    return train_test_split(X, y, test_size=0.25, random_state=0)


def _mse(est, X):
    return float(np.mean((est.inverse_transform(est.transform(X)) - X) ** 2))


def test_beats_pca_on_heldout_digits(digits):
    X_train, X_test, _, _ = digits
    ae = AutoEncoder(n_components=2, max_iter=60, n_iter_no_change=None, random_state=0)
    ae.fit(X_train)
    pca = PCA(n_components=2).fit(X_train)
    assert _mse(ae, X_test) < _mse(pca, X_test)
    # score is the negative held-out reconstruction error (loss="mse").
    assert ae.score(X_test) == pytest.approx(-_mse(ae, X_test), rel=1e-5)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_pipeline_grid_search_with_classifier(digits, n_jobs):
    X_train, X_test, y_train, y_test = digits
    pipe = make_pipeline(
        StandardScaler(),
        AutoEncoder(hidden_layer_sizes=(32,), max_iter=5, random_state=0),
        LogisticRegression(max_iter=200),
    )
    search = GridSearchCV(pipe, {"autoencoder__n_components": [2, 8]}, cv=2, n_jobs=n_jobs)
    search.fit(X_train[:400], y_train[:400])
    assert search.best_params_["autoencoder__n_components"] in (2, 8)
    assert search.score(X_test, y_test) > 0.3


def test_grid_search_without_y_selects_by_score(digits):
    X_train = digits[0][:600]
    search = GridSearchCV(
        AutoEncoder(hidden_layer_sizes=(32,), max_iter=15, random_state=0),
        {"n_components": [1, 16]},
        cv=2,
    )
    search.fit(X_train)
    # A 16-wide code reconstructs far better than a 1-wide one.
    assert search.best_params_ == {"n_components": 16}
    scores = search.cv_results_["mean_test_score"]
    assert scores[1] > scores[0]


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_matches_dense(fmt):
    rng = np.random.default_rng(0)
    X = rng.random((120, 12)) * (rng.random((120, 12)) < 0.3)
    params = dict(
        n_components=3,
        hidden_layer_sizes=(8,),
        max_iter=4,
        shuffle=False,
        batch_size=32,
        random_state=0,
    )
    dense = AutoEncoder(**params).fit(X)
    sparse = AutoEncoder(**params).fit(sp.csr_matrix(X).asformat(fmt))
    np.testing.assert_allclose(dense.loss_curve_, sparse.loss_curve_, rtol=1e-4)
    np.testing.assert_allclose(
        dense.transform(X), sparse.transform(sp.csr_matrix(X)), rtol=1e-4, atol=1e-5
    )


def test_pickle_clone_deepcopy_roundtrip(digits):
    import copy

    X_test = digits[1]
    ae = AutoEncoder(n_components=3, hidden_layer_sizes=(16,), max_iter=3, random_state=0)
    unfitted = pickle.loads(pickle.dumps(ae))
    assert unfitted.get_params() == ae.get_params()
    ae.fit(digits[0])
    for restored in (pickle.loads(pickle.dumps(ae)), copy.deepcopy(ae)):
        np.testing.assert_array_equal(restored.transform(X_test), ae.transform(X_test))
        np.testing.assert_array_equal(restored.score_samples(X_test), ae.score_samples(X_test))
    assert not hasattr(clone(ae), "n_iter_")


def test_set_output_pandas():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(np.random.default_rng(0).random((50, 4)), columns=list("abcd"))
    ae = AutoEncoder(n_components=3, hidden_layer_sizes=(8,), max_iter=2, random_state=0)
    out = ae.set_output(transform="pandas").fit_transform(X)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["autoencoder0", "autoencoder1", "autoencoder2"]
    assert list(ae.feature_names_in_) == list("abcd")


@pytest.mark.parametrize(
    "X, message",
    [
        (np.array([[0.0, np.nan], [1.0, np.nan]]), "no observed \\(non-NaN\\) value in column"),
        (np.array([[0.0, np.inf], [1.0, 2.0]]), "infinity"),
        (np.array([["a", "b"], ["c", "d"]], dtype=object), "could not convert|string"),
        (np.empty((0, 3)), "0 sample"),
        (np.arange(5.0), "Expected 2D array"),
    ],
)
def test_bad_input_is_rejected_clearly(X, message):
    with pytest.raises(ValueError, match=message):
        AutoEncoder(max_iter=1).fit(X)


def test_wrong_feature_count_at_transform_and_code_width_at_inverse():
    X = np.random.default_rng(0).random((30, 5))
    ae = AutoEncoder(n_components=2, hidden_layer_sizes=(4,), max_iter=1, random_state=0).fit(X)
    with pytest.raises(ValueError, match="X has 4 features, but AutoEncoder is expecting 5"):
        ae.transform(X[:, :4])
    with pytest.raises(ValueError, match="n_components_=2"):
        ae.inverse_transform(np.zeros((3, 3)))


def test_determinism_without_touching_global_random_state(digits):
    import tensorflow as tf

    X = digits[0][:300]
    np_state = np.random.get_state()[1].copy()  # noqa: NPY002 (the global state)
    tf.random.set_seed(123)
    tf_ref = tf.random.uniform(()).numpy()
    tf.random.set_seed(123)
    params = dict(n_components=2, hidden_layer_sizes=(16,), dropout=0.2, max_iter=3)
    a = AutoEncoder(**params, random_state=1).fit(X).transform(X)
    b = AutoEncoder(**params, random_state=1).fit(X).transform(X)
    np.testing.assert_array_equal(a, b)
    assert tf.random.uniform(()).numpy() == tf_ref
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)  # noqa: NPY002
    c = AutoEncoder(**params, random_state=2).fit(X).transform(X)
    assert not np.allclose(a, c)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_output_dtype_follows_input(dtype):
    X = np.random.default_rng(0).random((40, 6)).astype(dtype)
    ae = AutoEncoder(n_components=2, hidden_layer_sizes=(4,), max_iter=1, random_state=0)
    codes = ae.fit_transform(X)
    assert codes.dtype == dtype
    assert ae.inverse_transform(codes).dtype == dtype


def test_partial_fit_and_warm_start_continue_training(digits):
    X = digits[0][:400]
    ae = AutoEncoder(n_components=4, hidden_layer_sizes=(32,), batch_size=50, random_state=0)
    for _ in range(5):
        ae.partial_fit(X)
    assert ae.n_iter_ == 5 and len(ae.loss_curve_) == 5
    assert ae.loss_curve_[-1] < ae.loss_curve_[0]
    with pytest.raises(ValueError, match="features"):
        ae.partial_fit(X[:, :10])

    warm = AutoEncoder(
        n_components=4,
        hidden_layer_sizes=(32,),
        max_iter=3,
        n_iter_no_change=None,
        warm_start=True,
        random_state=0,
    )
    warm.fit(X)
    first_curve = list(warm.loss_curve_)
    warm.fit(X)
    assert warm.n_iter_ == 6
    assert warm.loss_curve_[:3] == first_curve
    assert warm.loss_curve_[3] < first_curve[0]


@pytest.mark.parametrize(
    "estimator, change",
    [
        (AutoEncoder(alpha=1e-4, dropout=0.1), {"alpha": 0.5, "dropout": 0.4}),
        (DenoisingAutoEncoder(noise_level=0.05), {"noise_level": 0.5}),
    ],
)
@pytest.mark.parametrize("method", ["warm_start", "partial_fit"])
def test_a_continuation_trains_with_the_numbers_set_since(digits, estimator, change, method):
    # As MLPRegressor reads its alpha at every fit: a continuation with a
    # changed L2 weight, dropout rate or noise level trains with the new
    # one, not silently with the first fit's.
    X = digits[0][:200]
    est = clone(estimator).set_params(
        n_components=2, hidden_layer_sizes=(8,), max_iter=2, n_iter_no_change=None, random_state=0
    )

    def continued(params):
        model = clone(est)
        if method == "partial_fit":
            model.partial_fit(X)
            return model.set_params(**params).partial_fit(X)
        model.fit(X)
        return model.set_params(warm_start=True, **params).fit(X)

    unchanged, changed = continued({}), continued(change)
    for name, value in change.items():
        assert changed._network.params[name] == value
    # The same first fit (one epoch per partial_fit), then other losses.
    first = 1 if method == "partial_fit" else 2
    assert changed.loss_curve_[:first] == unchanged.loss_curve_[:first]
    assert changed.loss_curve_[first:] != unchanged.loss_curve_[first:]


@pytest.mark.parametrize(
    "change, named",
    [
        ({"hidden_layer_sizes": (16,)}, "hidden_layer_sizes: (8,) -> (16,)"),
        ({"alpha": 0.0}, "alpha: 0.0001 -> 0.0"),
        ({"whiten": True}, "whiten: False -> True"),
        ({"n_components": 3}, "n_components=3"),
    ],
)
def test_a_continuation_refuses_a_change_of_network_and_keeps_the_model(digits, change, named):
    X = digits[0][:200]
    est = AutoEncoder(
        n_components=2, hidden_layer_sizes=(8,), alpha=1e-4, max_iter=2, n_iter_no_change=None
    ).fit(X)
    codes = est.transform(X)
    with pytest.raises(ValueError, match=re.escape(named)):
        est.set_params(warm_start=True, **change).fit(X)
    np.testing.assert_array_equal(est.transform(X), codes)
    assert est.n_iter_ == 2


def test_a_failed_continuation_gives_the_network_its_numbers_back(digits):
    X = digits[0][:200]
    est = AutoEncoder(
        n_components=2, hidden_layer_sizes=(8,), alpha=1e-4, max_iter=2, n_iter_no_change=None
    ).fit(X)
    codes = est.transform(X)
    # A learning rate this large diverges at once, after the network took
    # the new alpha.
    est.set_params(warm_start=True, alpha=0.5, learning_rate=1e12)
    with pytest.raises(DivergenceError):
        est.fit(X)
    np.testing.assert_array_equal(est.transform(X), codes)
    assert est._network.params["alpha"] == 1e-4
    assert float(est._network._penalty.l2.numpy()) == np.float32(1e-4)


def test_explicit_architecture_and_conflicting_flat_parameters(digits):
    X = digits[0][:200]
    ae = AutoEncoder(
        n_components=2,
        architecture=DenseArchitecture((16, 8)),
        init="random",
        max_iter=1,
        random_state=0,
    ).fit(X)
    assert ae.encoder_.count_params() == (64 * 16 + 16) + (16 * 8 + 8) + (8 * 2 + 2)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        AutoEncoder(hidden_layer_sizes=(4,), architecture=DenseArchitecture()).fit(X)


def test_keras_models_reproduce_transform_and_inverse(digits):
    X = digits[1][:20].astype(np.float32)
    ae = AutoEncoder(
        n_components=3,
        hidden_layer_sizes=(16,),
        loss="binary_crossentropy",
        max_iter=2,
        random_state=0,
    ).fit(digits[0])
    codes = ae.transform(X)
    np.testing.assert_allclose(ae.encoder_(X).numpy(), codes, rtol=1e-5, atol=1e-6)
    recon = ae.decoder_(codes).numpy()
    np.testing.assert_allclose(recon, ae.inverse_transform(codes), rtol=1e-5, atol=1e-6)
    assert recon.min() >= 0 and recon.max() <= 1


def test_verbose_prints_one_line_per_epoch(capsys):
    X = np.random.default_rng(0).random((64, 5))
    AutoEncoder(
        hidden_layer_sizes=(4,),
        max_iter=3,
        n_iter_no_change=None,
        verbose=2,
        random_state=0,
        early_stopping=True,
    ).fit(X)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Epoch")]
    # The validation loss before the first epoch, then one line per epoch.
    assert len(lines) == 4
    assert lines[0].startswith("Epoch 0/3 - val_loss:")
    assert "loss:" in lines[1] and "val_loss:" in lines[1] and lines[1].endswith("s")


def test_invalid_hyperparameters_are_named():
    X = np.random.default_rng(0).random((20, 3))
    for params, name in [
        ({"n_components": 0}, "n_components"),
        ({"optimizer": "lbfgs"}, "optimizer"),
        ({"batch_size": -1}, "batch_size"),
        ({"loss": "mae"}, "loss"),
    ]:
        with pytest.raises(ValueError, match=name):
            AutoEncoder(**params).fit(X)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        AutoEncoder(hidden_layer_sizes=(0,)).fit(X)
