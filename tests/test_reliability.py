"""Bad input, failed refits, long runs and threads (issue: reliability).

Every failing call is made on an already fitted estimator, which must come
out of it exactly as it went in: same fitted attributes, same weights,
bit-identical ``transform`` output.
"""

import copy
import gc
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.sparse as sp
from _registry import ESTIMATORS
from sklearn.base import clone

from skae import (
    AutoEncoder,
    DenseArchitecture,
    DivergenceError,
    ResidualArchitecture,
)

# 16 features: also a 4x4 image for the residual network.
X = np.random.default_rng(0).random((48, 16))


@pytest.fixture(scope="module")
def fitted():
    """``fitted(name)``: the estimator fitted on X, shared by the module's tests."""
    models = {}

    def get(name):
        if name not in models:
            models[name] = clone(ESTIMATORS[name]).fit(X)
        return models[name]

    return get


def _state(est) -> dict:
    """Everything a failed call must leave unchanged."""
    return {
        "attributes": copy.deepcopy(
            {k: v for k, v in vars(est).items() if k.endswith("_") and not k.startswith("_")}
        ),
        "network": est._network,
        "weights": est._network.get_weights(),
        "transform": est.transform(X),
    }


def _assert_unchanged(est, before: dict) -> None:
    after = _state(est)
    assert after["network"] is before["network"]
    np.testing.assert_equal(after["attributes"], before["attributes"])
    for new, old in zip(after["weights"], before["weights"], strict=True):
        np.testing.assert_array_equal(new, old)
    np.testing.assert_array_equal(after["transform"], before["transform"])


def _with(value, row=0, col=0):
    bad = X.copy().astype(np.result_type(X, type(value)))
    bad[row, col] = value
    return bad


def _sparse_with_nan():
    bad = sp.csr_matrix(X * (X > 0.5))
    bad.data[0] = np.nan
    return bad


def _object_column():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(16)])
    frame["f3"] = frame["f3"].astype(str).where(frame.index % 2 == 0, "n/a")
    return frame


# (bad X, message); all have 16 columns where they have columns at all.
# NaN in dense X is a missing value, not bad data (see test_missing.py).
BAD_DATA = {
    "+inf": (lambda: _with(np.inf), "infinity"),
    "-inf": (lambda: _with(-np.inf), "infinity"),
    "strings": (lambda: np.full((4, 16), "a", dtype=object), "could not convert"),
    "object column": (_object_column, "could not convert"),
    "complex": (lambda: X + 1j, "Complex data not supported"),
    "no samples": (lambda: np.empty((0, 16)), "0 sample"),
    "no features": (lambda: np.empty((4, 0)), "0 feature"),
    "1-D": (lambda: X[0], "Expected 2D array"),
    "3-D": (lambda: X.reshape(48, 4, 4), "dim 3"),
    "sparse with NaN": (_sparse_with_nan, "NaN"),
    "beyond float32": (lambda: _with(1e300), "float32"),
}
BAD_FEATURE_COUNT = r"X has 10 features, but .* is expecting 16 features"


@pytest.mark.filterwarnings("ignore:X has feature names")
@pytest.mark.parametrize("method", ["fit", "partial_fit", "transform"])
@pytest.mark.parametrize("case", list(BAD_DATA))
@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_bad_data_is_rejected_and_leaves_the_model_intact(fitted, name, case, method):
    est = fitted(name)
    make_bad, message = BAD_DATA[case]
    bad = make_bad()
    before = _state(est)
    with pytest.raises(ValueError, match=message):
        getattr(est, method)(bad)
    _assert_unchanged(est, before)


@pytest.mark.parametrize("method", ["partial_fit", "transform", "score_samples", "score"])
@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_wrong_feature_count_is_rejected(fitted, name, method):
    est = fitted(name)
    before = _state(est)
    with pytest.raises(ValueError, match=BAD_FEATURE_COUNT):
        getattr(est, method)(X[:, :10])
    _assert_unchanged(est, before)


BAD_CODES = {
    "wrong width": (np.zeros((3, 3)), "n_components_=2"),
    "nan": (np.array([[0.0, np.nan]]), "NaN"),
    "inf": (np.array([[0.0, np.inf]]), "infinity"),
    "strings": (np.array([["a", "b"]], dtype=object), "could not convert"),
    "complex": (np.array([[1j, 0.0]]), "Complex data not supported"),
    "no samples": (np.empty((0, 2)), "0 sample"),
    "1-D": (np.zeros(2), "Expected 2D array"),
    "3-D": (np.zeros((2, 2, 2)), "dim 3"),
    "beyond float32": (np.array([[0.0, 1e300]]), "float32"),
}


@pytest.mark.parametrize("case", list(BAD_CODES))
@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_bad_codes_are_rejected_by_inverse_transform(fitted, name, case):
    est = fitted(name)
    codes, message = BAD_CODES[case]
    before = _state(est)
    with pytest.raises(ValueError, match=message):
        est.inverse_transform(codes)
    _assert_unchanged(est, before)


# (parameter, invalid value, message); each estimator gets the ones it has.
INVALID_PARAMETERS = [
    ("n_components", 0, "n_components"),
    ("n_components", -1, "n_components"),
    ("n_components", 2.5, "n_components"),
    ("batch_size", 0, "batch_size"),
    ("max_iter", 0, "max_iter"),
    ("learning_rate", 0.0, "learning_rate"),
    ("learning_rate", -1.0, "learning_rate"),
    ("learning_rate_decay", 0.0, "learning_rate_decay"),
    ("optimizer", "lbfgs", "optimizer"),
    ("alpha", -1.0, "alpha"),
    ("validation_fraction", 1.5, "validation_fraction"),
    ("n_iter_no_change", 0, "n_iter_no_change"),
    ("tol", -1.0, "tol"),
    ("random_state", "seed", "random_state"),
    ("hidden_layer_sizes", (0,), "hidden_layer_sizes"),
    ("hidden_layer_sizes", (8, -4), "hidden_layer_sizes"),
    ("hidden_layer_sizes", "wide", "hidden_layer_sizes"),
    ("activation", "softmax", "activation"),
    ("dropout", 1.0, "dropout"),
    ("architecture", "dense", "architecture"),
    ("architecture", DenseArchitecture(hidden_layer_sizes=(0,)), "hidden_layer_sizes"),
    ("architecture", ResidualArchitecture(filters=0), "filters"),
    ("loss", "mae", "loss"),
    ("noise_type", "blur", "noise_type"),
    ("noise_level", -0.1, "noise_level"),
    ("clip", (1.0, 0.0), "clip"),
    ("sparsity", "l2", "sparsity"),
    ("sparsity_target", 0.0, "sparsity_target"),
    ("likelihood", "poisson", "likelihood"),
    ("beta", -1.0, "beta"),
    ("kl_warmup", -1, "kl_warmup"),
    ("n_levels", 0, "n_levels"),
    ("filters", 0, "filters"),
    ("latent_channels", 0, "latent_channels"),
    ("block", "huge", "block"),
    ("kernel_size", 0, "kernel_size"),
    ("image_shape", (3, 3, 1), "image_shape"),
]
PARAMETER_CASES = [
    pytest.param(name, param, value, message, id=f"{name}-{param}={value!r}")
    for name, est in ESTIMATORS.items()
    for param, value, message in INVALID_PARAMETERS
    if param in est.get_params(deep=False)
]


@pytest.mark.parametrize("name, param, value, message", PARAMETER_CASES)
def test_invalid_hyperparameter_is_named_and_refit_fails_cleanly(
    fitted, name, param, value, message
):
    est = fitted(name)
    original = est.get_params(deep=False)[param]
    before = _state(est)
    est.set_params(**{param: value})
    try:
        with pytest.raises((ValueError, TypeError), match=message):
            est.fit(X)
    finally:
        est.set_params(**{param: original})
    _assert_unchanged(est, before)


def test_flat_parameters_conflicting_with_an_architecture_are_named(fitted):
    est = fitted("DenoisingAutoEncoder")
    before = _state(est)
    est.set_params(hidden_layer_sizes=(4,), architecture=DenseArchitecture())
    try:
        with pytest.raises(ValueError, match=r"hidden_layer_sizes.*cannot be combined"):
            est.fit(X)
    finally:
        est.set_params(hidden_layer_sizes=(8,), architecture=None)
    _assert_unchanged(est, before)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_batch_larger_than_data_and_single_sample(fitted, name):
    est = clone(ESTIMATORS[name]).set_params(batch_size=1000, n_iter_no_change=None)
    codes = est.fit(X[:5]).transform(X)
    assert est.n_iter_ == est.max_iter
    assert np.isfinite(est.loss_curve_).all() and np.isfinite(codes).all()
    # One row is enough to train on, and transforms like it does in a batch.
    est.fit(X[:1])
    np.testing.assert_array_equal(est.transform(X[:1]), est.transform(X[:6])[:1])
    # A one-row validation split is impossible: a clear error, model intact.
    shared = fitted(name)
    before = _state(shared)
    shared.set_params(early_stopping=True)
    try:
        with pytest.raises(ValueError, match="validation_fraction"):
            shared.fit(X[:1])
    finally:
        shared.set_params(early_stopping=False)
    _assert_unchanged(shared, before)


@pytest.mark.parametrize("scale", [1e6, 1e30])
@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_huge_inputs_train_or_diverge_clearly(fitted, name, scale):
    est = copy.deepcopy(fitted(name))
    before = _state(est)
    try:
        est.fit(X * scale)
    except DivergenceError as exc:
        assert "diverged" in str(exc)
        _assert_unchanged(est, before)
    else:
        weights = est._network.get_weights()
        assert all(np.isfinite(w).all() for w in weights), "a fit left a NaN model"
        assert np.isfinite(est.transform(X * scale)).all()


@pytest.mark.parametrize("name", ["AutoEncoder", "VariationalAutoEncoder"])
def test_failed_partial_fit_keeps_weights_and_optimiser_state(name):
    """A diverging ``partial_fit`` leaves the model as if it was never called.

    Restoring the weights alone is not enough: the optimiser's NaN moments
    would make every later ``partial_fit`` diverge too.
    """
    reference = clone(ESTIMATORS[name])
    reference.partial_fit(X)
    reference.partial_fit(X)
    est = clone(ESTIMATORS[name])
    est.partial_fit(X)
    before = _state(est)
    with pytest.raises(DivergenceError):
        est.partial_fit(X * 1e30)
    _assert_unchanged(est, before)
    est.partial_fit(X)
    np.testing.assert_array_equal(est.transform(X), reference.transform(X))
    assert est.loss_curve_ == reference.loss_curve_


def test_transform_from_several_threads_matches_serial():
    # A fresh model, so that the threads also race to trace the compiled
    # inference functions.
    est = clone(ESTIMATORS["VariationalAutoEncoder"]).fit(X)
    chunks = [X[:1], X[3:40], X, X[7:8]] * 2
    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(est.transform, chunks))
        stds = list(pool.map(lambda c: est.transform(c, return_std=True)[1], chunks))
        scores = list(pool.map(est.score_samples, chunks))
        recon = list(pool.map(est.inverse_transform, codes))
    for i, chunk in enumerate(chunks):
        np.testing.assert_array_equal(codes[i], est.transform(chunk))
        np.testing.assert_array_equal(stds[i], est.transform(chunk, return_std=True)[1])
        np.testing.assert_array_equal(scores[i], est.score_samples(chunk))
        np.testing.assert_array_equal(recon[i], est.inverse_transform(codes[i]))


def _resident_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS line in /proc/self/status")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_fifty_fits_do_not_accumulate_memory_or_graphs():
    from tensorflow.python.eager import context

    data = X[:32, :8]
    est = AutoEncoder(
        n_components=2, hidden_layer_sizes=(4,), max_iter=1, n_iter_no_change=None, random_state=0
    )
    measurements = {}
    for i in range(1, 51):
        # A new estimator per fit, as in cross-validation.
        clone(est).set_params(random_state=i).fit(data).transform(data)
        if i in (10, 50):
            gc.collect()
            # Every compiled function the TensorFlow runtime still holds.
            functions = len(context.context().list_function_names())
            measurements[i] = (_resident_mib(), functions)
    (rss_10, functions_10), (rss_50, functions_50) = measurements[10], measurements[50]
    assert functions_50 <= functions_10, "compiled functions pile up across fits"
    assert rss_50 - rss_10 < 100, f"resident memory grew {rss_50 - rss_10:.0f} MiB"
