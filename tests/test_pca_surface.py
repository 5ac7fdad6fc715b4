"""PCA's surface: code written for PCA runs with every estimator in its place.

Each test is a piece of typical PCA code (loadings, ``KMeans(init=
components_)``, ``np.cumsum(explained_variance_ratio_) >= 0.95``,
``PCA(0.95)``, ``whiten=True``, a grid search over ``n_components``) with
the PCA swapped for a skae estimator, plus the definitions behind the
attributes.
"""

import keras
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from _registry import ESTIMATORS
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

import skae
from skae import AutoEncoder, SparseAutoEncoder
from skae._layers import NestedDropout

# These tests read PCA's attributes off fits of a few epochs, not
# convergence: stopping at max_iter is expected.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X_DIGITS, Y_DIGITS = load_digits(return_X_y=True)
X_DIGITS = X_DIGITS[:400] / 16.0
Y_DIGITS = Y_DIGITS[:400]
# Adam's first steps move every weight by about the learning rate: at
# 1e-12 the network stays PCA to float32 precision.
AT_START = {
    "max_iter": 1,
    "n_iter_no_change": None,
    "learning_rate": 1e-12,
    "early_stopping": False,
}


def _estimator(name, **params):
    return clone(ESTIMATORS[name]).set_params(**params)


@pytest.mark.parametrize("name", list(ESTIMATORS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pca_attributes_have_pcas_shapes_and_dtypes(name, dtype):
    X = X_DIGITS.astype(dtype)
    est = _estimator(name, n_components=3).fit(X)
    pca = PCA(3).fit(X)
    for attribute in (
        "mean_",
        "components_",
        "explained_variance_",
        "explained_variance_ratio_",
        "singular_values_",
    ):
        value = getattr(est, attribute)
        assert value.shape == getattr(pca, attribute).shape, attribute
        assert value.dtype == dtype, attribute
    assert np.ndim(est.noise_variance_) == 0 and est.noise_variance_ >= 0
    assert est.n_samples_ == X.shape[0]
    np.testing.assert_allclose(est.mean_, pca.mean_, rtol=1e-5, atol=1e-6)
    # Orthonormal principal axes, PCA's up to sign.
    np.testing.assert_allclose(est.components_ @ est.components_.T, np.eye(3), atol=1e-5)
    np.testing.assert_allclose(np.abs(est.components_ @ pca.components_.T), np.eye(3), atol=1e-3)
    np.testing.assert_allclose(
        est.singular_values_**2, est.explained_variance_ * (X.shape[0] - 1), rtol=1e-4
    )


@pytest.mark.parametrize("name", ["AutoEncoder", "DenoisingAutoEncoder", "ResNetAutoEncoder"])
def test_at_the_pca_start_the_attributes_are_pcas(name):
    est = _estimator(name, n_components=4, **AT_START).fit(X_DIGITS)
    pca = PCA(4).fit(X_DIGITS)
    np.testing.assert_allclose(est.explained_variance_, pca.explained_variance_, rtol=1e-3)
    np.testing.assert_allclose(
        est.explained_variance_ratio_, pca.explained_variance_ratio_, rtol=1e-3
    )
    np.testing.assert_allclose(est.singular_values_, pca.singular_values_, rtol=1e-3)
    np.testing.assert_allclose(est.noise_variance_, pca.noise_variance_, rtol=1e-3)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_by_default_every_code_is_kept_and_the_spectrum_is_pcas(name, monkeypatch):
    # PCA() code: fit with the default n_components, read the whole
    # spectrum, choose k from its cumulative sum.
    default = type(ESTIMATORS[name])().get_params()["n_components"]
    assert default is None
    est = _estimator(name, n_components=default, random_state=0)
    # Every code: the PCA start reconstructs every row exactly, early
    # stopping keeps it, and its spectrum is read off the start, not decoded.
    monkeypatch.setattr(skae._base, "explained_variance", _must_not_decode)
    est.fit(X_DIGITS)
    pca = PCA().fit(X_DIGITS)
    assert est.n_components_ == pca.n_components_ == 64
    np.testing.assert_allclose(est.explained_variance_, pca.explained_variance_, rtol=1e-6)
    np.testing.assert_allclose(
        est.explained_variance_ratio_, pca.explained_variance_ratio_, rtol=1e-6
    )
    k = int(np.argmax(np.cumsum(est.explained_variance_ratio_) >= 0.95)) + 1
    assert k == int(np.argmax(np.cumsum(pca.explained_variance_ratio_) >= 0.95)) + 1
    # What the start's figures stand for: the network's own reconstructions
    # from each prefix of the codes, decoded.
    monkeypatch.undo()
    decoded, total = skae._explained.explained_variance(est._network, X_DIGITS)
    np.testing.assert_allclose(decoded, est.explained_variance_, rtol=1e-3, atol=1e-6)
    np.testing.assert_allclose(total, X_DIGITS.var(axis=0, ddof=1).sum(), rtol=1e-6)


def _must_not_decode(*args, **kwargs):
    raise AssertionError("explained_variance decoded the codes")


@pytest.mark.parametrize(
    "estimator",
    [
        # A callback may restore other weights (Keras' EarlyStopping).
        AutoEncoder(random_state=0, callbacks=[keras.callbacks.Callback()]),
        # Logit outputs clip PCA's reconstruction into (0, 1).
        AutoEncoder(random_state=0, loss="binary_crossentropy"),
        skae.VariationalAutoEncoder(random_state=0, likelihood="bernoulli"),
        # Sigmoid activity codes do not truncate as PCA's scores do.
        SparseAutoEncoder(random_state=0, sparsity="kl"),
    ],
    ids=["callback", "binary_crossentropy", "bernoulli", "kl_sparsity"],
)
def test_the_spectrum_is_decoded_unless_the_network_ends_as_pca(estimator, monkeypatch):
    decoded = []

    def spy(*args, **kwargs):
        decoded.append(True)
        return skae._explained.explained_variance(*args, **kwargs)

    monkeypatch.setattr(skae._base, "explained_variance", spy)
    AutoEncoder(random_state=0).fit(X_DIGITS)
    assert not decoded
    clone(estimator).fit(X_DIGITS)
    assert decoded


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_pcas_printed_parameters_are_accepted_and_x_is_left_alone(name):
    # Code often pastes the repr older scikit-learn printed for PCA, copy
    # included; copy=False only permits overwriting X, which skae never does.
    est = _estimator(
        name,
        copy=False,
        iterated_power="auto",
        n_components=2,
        random_state=None,
        svd_solver="auto",
        tol=0.0,
        whiten=False,
    )
    X = X_DIGITS.copy()
    codes = est.fit(X).transform(X)
    np.testing.assert_array_equal(X, X_DIGITS)
    assert codes.shape == (len(X), 2)


def test_a_trained_network_explains_at_least_pcas_share_of_the_fit_rows():
    X = load_digits().data / 16.0
    ae = AutoEncoder(n_components=4, random_state=0).fit(X)
    pca = PCA(4).fit(X)
    assert ae.explained_variance_ratio_.sum() >= pca.explained_variance_ratio_.sum()
    # The parts add up to the model's explained share of the same rows.
    residual = np.square(X - ae.inverse_transform(ae.transform(X))).sum() / (len(X) - 1)
    total = X.var(axis=0, ddof=1).sum()
    np.testing.assert_allclose(ae.explained_variance_.sum(), total - residual, rtol=1e-4)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_loadings_and_kmeans_initialised_with_the_components(name):
    X = pd.DataFrame(X_DIGITS, columns=[f"pixel{i}" for i in range(64)])
    est = _estimator(name, n_components=3).fit(X)
    loadings = pd.DataFrame(
        est.components_.T, index=X.columns, columns=est.get_feature_names_out()
    )
    assert loadings.shape == (64, 3)
    top = loadings.iloc[:, 0].abs().sort_values(ascending=False).index[:5]
    assert set(top) <= set(X.columns)
    kmeans = KMeans(n_clusters=3, init=est.components_, n_init=1).fit(X.to_numpy())
    assert kmeans.cluster_centers_.shape == (3, 64)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_choosing_k_from_the_cumulative_explained_variance(name):
    est = _estimator(name, n_components=6).fit(X_DIGITS)
    cumulative = np.cumsum(est.explained_variance_ratio_)
    k = int(np.argmax(cumulative >= 0.5 * cumulative[-1])) + 1
    assert 1 <= k <= 6
    assert 0 < cumulative[-1] <= 1 + 1e-6


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_a_share_of_variance_chooses_at_most_pcas_width(name):
    est = _estimator(name, n_components=0.8).fit(X_DIGITS)
    pca_width = PCA(0.8).fit(X_DIGITS).n_components_
    assert 1 <= est.n_components_ <= pca_width + 1
    assert est.transform(X_DIGITS).shape == (len(X_DIGITS), est.n_components_)
    assert est.components_.shape == (est.n_components_, 64)
    assert est.get_feature_names_out().shape == (est.n_components_,)


def test_a_share_takes_the_narrowest_prefix_that_reaches_it_on_held_out_rows():
    X = load_digits().data / 16.0
    ae = AutoEncoder(n_components=0.9, random_state=0, max_iter=30).fit(X)
    pca = PCA(0.9).fit(X)
    assert ae.n_components_ < pca.n_components_
    # The chosen width is reproducible and needs no refit to read back.
    again = AutoEncoder(n_components=0.9, random_state=0, max_iter=30).fit(X)
    assert again.n_components_ == ae.n_components_
    np.testing.assert_array_equal(again.transform(X), ae.transform(X))


def test_mle_and_none_choose_widths_as_pca_does():
    X = np.random.default_rng(0).standard_normal((200, 6)) @ np.diag([5, 4, 3, 0.1, 0.1, 0.1])
    ae = AutoEncoder(n_components="mle", max_iter=2, random_state=0).fit(X)
    assert ae.n_components_ == PCA("mle").fit(X).n_components_
    ae = AutoEncoder(n_components=None, max_iter=2, random_state=0).fit(X)
    assert ae.n_components_ == 6


@pytest.mark.parametrize("n_components", [3, 0.8, "mle", None])
def test_n_components_has_pcas_type_through_save_and_load(n_components, tmp_path):
    # PCA's n_components_ is a NumPy integer where PCA computes the width (a
    # share, "mle"), else a Python int. Published code leans on it: a label
    # "... MLE" % pca.n_components_ (no placeholder) passes with a NumPy
    # integer and raises TypeError with an int.
    X = X_DIGITS[:200, :12]
    pca_type = type(PCA(n_components).fit(X).n_components_)
    ae = AutoEncoder(n_components=n_components, hidden_layer_sizes=(8,), **AT_START).fit(X)
    assert type(ae.n_components_) is pca_type
    label = "LedoitWolf MLE"
    if pca_type is not int:
        assert label % ae.n_components_ == label
    ae.save(tmp_path / "ae.skae")
    assert type(skae.load(tmp_path / "ae.skae").n_components_) is pca_type
    ae.partial_fit(X)
    assert type(ae.n_components_) is pca_type


def test_partial_fit_takes_pcas_width_for_a_share_and_counts_rows():
    ae = AutoEncoder(n_components=0.8, hidden_layer_sizes=(8,), random_state=0)
    ae.partial_fit(X_DIGITS[:200])
    assert ae.n_components_ == PCA(0.8).fit(X_DIGITS[:200]).n_components_
    ae.partial_fit(X_DIGITS[200:])
    assert ae.n_samples_ == 400


@pytest.mark.parametrize("name", ["AutoEncoder", "VariationalAutoEncoder", "ResNetAutoEncoder"])
def test_whiten_gives_pcas_whitened_codes_at_the_start(name):
    est = _estimator(name, n_components=3, whiten=True, **AT_START).fit(X_DIGITS)
    expected = PCA(3, whiten=True).fit(X_DIGITS).transform(X_DIGITS)
    codes = est.transform(X_DIGITS)
    np.testing.assert_allclose(np.abs(codes), np.abs(expected), rtol=1e-2, atol=1e-3)
    np.testing.assert_allclose(codes.std(axis=0, ddof=1), 1.0, rtol=1e-3)
    # Reconstructions are the same as without whitening: only the code units change.
    plain = _estimator(name, n_components=3, **AT_START).fit(X_DIGITS)
    np.testing.assert_allclose(
        est.inverse_transform(codes),
        plain.inverse_transform(plain.transform(X_DIGITS)),
        rtol=1e-3,
        atol=1e-4,
    )


def test_whiten_needs_pca_scores():
    with pytest.raises(ValueError, match="init='pca'"):
        AutoEncoder(whiten=True, init="random").fit(X_DIGITS)
    with pytest.raises(ValueError, match="whiten=True has no meaning"):
        SparseAutoEncoder(whiten=True, sparsity="kl").fit(X_DIGITS)


@pytest.mark.parametrize("solver", ["full", "randomized", "arpack", "covariance_eigh"])
def test_svd_parameters_reach_the_pca_start(solver):
    options = {"svd_solver": solver, "iterated_power": 3, "n_oversamples": 5}
    if solver != "randomized":
        options = {"svd_solver": solver}
    ae = AutoEncoder(n_components=3, max_iter=1, random_state=0, **options).fit(X_DIGITS)
    pca = PCA(3, random_state=0, **options).fit(X_DIGITS)
    np.testing.assert_allclose(np.abs(ae.components_ @ pca.components_.T), np.eye(3), atol=1e-3)
    with pytest.raises(InvalidParameterError, match="svd_solver"):
        AutoEncoder(svd_solver="lapack").fit(X_DIGITS)


def test_sparse_input_gets_the_attributes_too():
    X = sp.random(150, 40, density=0.2, random_state=0, format="csr")
    ae = AutoEncoder(n_components=0.5, hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    ae.fit(X)
    assert ae.components_.shape == (ae.n_components_, 40)
    assert ae.explained_variance_ratio_.sum() > 0


@pytest.mark.parametrize("sparse", [True, False])
def test_every_code_is_pcas_count_where_arpack_takes_one_fewer(sparse, monkeypatch):
    # PCA() takes min(X.shape) - 1 components with ARPACK, its solver for
    # sparse X, and so never densifies it whole; the default width follows.
    X = sp.random(60, 30, density=0.3, random_state=0, format="csr")
    params = {}
    if sparse:
        monkeypatch.setattr(skae._linear, "PCA", _SparseOnlyPCA)
    else:
        X, params = X.toarray(), {"svd_solver": "arpack"}
    ae = AutoEncoder(hidden_layer_sizes=(8,), max_iter=2, random_state=0, **params).fit(X)
    assert ae.n_components_ == PCA(**params).fit(X).n_components_ == 29


class _SparseOnlyPCA(PCA):
    def fit(self, X, y=None):
        assert sp.issparse(X), "the PCA start densified sparse X"
        return super().fit(X)


def test_names_without_a_meaning_say_why():
    ae = AutoEncoder(init="random", max_iter=1, random_state=0).fit(X_DIGITS)
    with pytest.raises(AttributeError, match="init='random'"):
        ae.components_  # noqa: B018
    assert not hasattr(ae, "components_")
    assert ae.mean_.shape == (64,)
    with pytest.raises(AttributeError, match="not linear"):
        ae.get_covariance()
    assert not hasattr(ae, "get_precision")
    with pytest.raises(AttributeError, match="not fitted"):
        AutoEncoder().mean_  # noqa: B018
    # A refit with init="random" drops the previous fit's components.
    ae = AutoEncoder(max_iter=1, random_state=0).fit(X_DIGITS)
    assert ae.set_params(init="random").fit(X_DIGITS) and not hasattr(ae, "components_")


def test_grid_search_over_n_components_in_a_pipeline():
    pipe = make_pipeline(
        AutoEncoder(hidden_layer_sizes=(16,), max_iter=5, random_state=0),
        LogisticRegression(max_iter=200),
    )
    search = GridSearchCV(pipe, {"autoencoder__n_components": [2, 0.7]}, cv=2)
    search.fit(X_DIGITS, Y_DIGITS)
    assert search.best_params_["autoencoder__n_components"] in (2, 0.7)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_nested_dropout_keeps_a_prefix_and_fills_the_rest_with_the_batch_mean():
    layer = NestedDropout(rate=0.999, seed=0)
    codes = np.arange(40, dtype="float32").reshape(8, 5)
    np.testing.assert_array_equal(np.asarray(layer(codes, training=False)), codes)
    out = np.asarray(layer(codes, training=True))
    mean = codes.mean(axis=0)
    for row, original in zip(out, codes, strict=True):
        kept = int(np.argmax(row != original)) if np.any(row != original) else 5
        assert 1 <= kept <= 4
        np.testing.assert_array_equal(row[:kept], original[:kept])
        np.testing.assert_allclose(row[kept:], mean[kept:])
    # Rate 0 is the identity in training too.
    np.testing.assert_array_equal(
        np.asarray(NestedDropout(rate=0.0, seed=0)(codes, training=True)), codes
    )


def test_no_nested_dropout_builds_no_layer_for_it():
    ae = AutoEncoder(n_components=3, nested_dropout=0.0, max_iter=1, random_state=0)
    ae.fit(X_DIGITS)
    assert not any(isinstance(layer, NestedDropout) for layer in ae.decoder_.layers)
    ae = AutoEncoder(n_components=3, max_iter=1, random_state=0).fit(X_DIGITS)
    assert any(isinstance(layer, NestedDropout) for layer in ae.decoder_.layers)


def _reconstruction_mse(estimator, X) -> float:
    return float(np.mean((estimator.inverse_transform(estimator.transform(X)) - X) ** 2))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", ["AutoEncoder", "VariationalAutoEncoder"])
def test_partial_fit_over_chunks_in_class_order_follows_incremental_pca(name):
    # IncrementalPCA's own use: iris in its class order, 10 rows a chunk.
    # The linear path follows every new chunk as IncrementalPCA's PCA does;
    # before, it stayed the PCA of the first chunk (one species) and the
    # model reconstructed with an MSE of about 2.0 against 0.025.
    from sklearn.datasets import load_iris
    from sklearn.decomposition import IncrementalPCA

    X = load_iris().data
    ipca = IncrementalPCA(n_components=2)
    est = clone(ESTIMATORS[name]).set_params(n_components=2, random_state=0)
    for chunk in np.array_split(X, 15):
        ipca.partial_fit(chunk)
        est.partial_fit(chunk)
    np.testing.assert_allclose(est.mean_, ipca.mean_, atol=1e-12)
    np.testing.assert_allclose(est.components_, ipca.components_, atol=1e-10)
    assert est.n_samples_ == ipca.n_samples_seen_ == 150
    assert _reconstruction_mse(est, X) < 1.1 * _reconstruction_mse(ipca, X)
    # The explained variance covers every row given, as IncrementalPCA's,
    # not the last chunk (one species: 0.178 and 0.291 when it did).
    np.testing.assert_allclose(
        est.explained_variance_ratio_, ipca.explained_variance_ratio_, atol=0.01
    )
    np.testing.assert_allclose(est.singular_values_, ipca.singular_values_, rtol=0.02)
    if name == "VariationalAutoEncoder":
        # The prior follows the start too: PCA's standard deviations.
        np.testing.assert_allclose(
            est._network.objective.prior_std(), np.sqrt(ipca.explained_variance_), rtol=1e-5
        )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_partial_fit_continues_updating_the_start_after_pickling():
    import pickle

    from sklearn.datasets import load_iris

    X = load_iris().data
    chunks = np.array_split(X, 15)
    whole = AutoEncoder(n_components=2, random_state=0)
    resumed = AutoEncoder(n_components=2, random_state=0)
    for chunk in chunks[:3]:
        whole.partial_fit(chunk)
        resumed.partial_fit(chunk)
    resumed = pickle.loads(pickle.dumps(resumed))
    for chunk in chunks[3:]:
        whole.partial_fit(chunk)
        resumed.partial_fit(chunk)
    np.testing.assert_allclose(resumed.components_, whole.components_, atol=1e-12)
    # The pickled chunk digests still recognise a chunk seen before it.
    before = resumed.components_.copy()
    resumed.partial_fit(chunks[0])
    np.testing.assert_array_equal(resumed.components_, before)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_partial_fit_counts_a_chunk_once_in_the_linear_path():
    from sklearn.datasets import load_iris
    from sklearn.decomposition import IncrementalPCA

    X = load_iris().data
    first, second = X[:75], X[75:]
    est = AutoEncoder(n_components=2, random_state=0)
    est.partial_fit(first)
    once = est.components_.copy()
    # The same rows again: another epoch, the same PCA.
    est.partial_fit(first)
    np.testing.assert_array_equal(est.components_, once)
    # New rows move it as IncrementalPCA's PCA of both halves; a second
    # pass over the halves moves it no further.
    est.partial_fit(second)
    both = IncrementalPCA(2).partial_fit(first).partial_fit(second)
    np.testing.assert_allclose(est.components_, both.components_, atol=1e-10)
    np.testing.assert_allclose(est.mean_, both.mean_, atol=1e-12)
    after_pass = est.components_.copy()
    est.partial_fit(first)
    est.partial_fit(second)
    np.testing.assert_array_equal(est.components_, after_pass)
    # n_samples_ counts every row given, as IncrementalPCA's n_samples_seen_.
    assert est.n_samples_ == 375
    # The network's fixed path is the reported one: it reconstructs about as
    # well as that PCA (its corrections have had four epochs).
    assert _reconstruction_mse(est, X) <= 1.05 * _reconstruction_mse(both, X)


def test_stream_sample_keeps_the_rows_with_the_smallest_keys_of_the_whole_stream():
    # Bottom-k sampling over chunks of any sizes is the bottom-k of the
    # whole stream: a uniform sample of every row given, whatever the chunks.
    from skae._explained import stream_sample

    X = np.arange(5000, dtype=np.float64).reshape(-1, 1)
    sizes = [300, 2500, 7, 2193]
    sample, n_seen, keys = None, 0, []
    for chunk in np.split(X, np.cumsum(sizes)[:-1]):
        sample = stream_sample(sample, chunk, 7)
        keys.append(np.random.default_rng([7, n_seen]).random(len(chunk)))
        n_seen += len(chunk)
    expected = np.sort(np.argsort(np.concatenate(keys))[:2000])
    np.testing.assert_array_equal(np.sort(sample.rows[:, 0]), X[expected, 0])
    assert sample.keys.max() < np.sort(np.concatenate(keys))[2000]
    assert sample.n_rows == 5000 and sample.size == 2000
    # Every chunk is represented in proportion to its rows (within sampling noise).
    assert abs(np.mean(sample.rows[:, 0] >= 2807) - 2193 / 5000) < 0.05


def test_stream_sample_bounds_its_bytes_and_never_grows_along_the_stream():
    from skae._explained import stream_sample
    from skae._shared import BLOCK_BYTES

    wide = np.zeros((300, BLOCK_BYTES // (8 * 100)))
    sample = stream_sample(None, wide, 0)
    assert sample.rows.shape == (100, wide.shape[1]) and sample.size == 100
    # Sparse rows cost less, but the sample stays at 100 rows: one allowed
    # more would favour the new rows (those dropped before are gone).
    sample = stream_sample(sample, sp.csr_matrix(wide), 0)
    assert sample.rows.shape[0] == 100 and sp.isspmatrix_csr(sample.rows)
    assert sample.n_rows == 600
    dense = np.eye(50)
    mixed = stream_sample(stream_sample(None, dense, 0), sp.csc_matrix(dense), 0)
    assert sp.isspmatrix_csr(mixed.rows) and mixed.rows.shape == (100, 50)
    # Missing values (NaN), which a sparse matrix may not hold, keep it dense.
    holes = dense.copy()
    holes[0, 0] = np.nan
    mixed = stream_sample(stream_sample(None, holes, 0), sp.csr_matrix(dense), 0)
    assert isinstance(mixed.rows, np.ndarray) and np.isnan(mixed.rows).sum() == 1


@pytest.mark.parametrize("sparse", [False, True])
def test_partial_fit_sample_survives_pickle_and_skops_as_plain_arrays(sparse):
    import pickle

    import skops.io as sio

    est = AutoEncoder(n_components=2, hidden_layer_sizes=(8,), random_state=0)
    for chunk in np.array_split(X_DIGITS, 3):
        est.partial_fit(sp.csr_matrix(chunk) if sparse else chunk)
    sample = est._explained_sample
    rows, keys = sample.rows, sample.keys
    assert rows.shape == (400, 64) and sp.issparse(rows) == sparse
    data = sio.dumps(est)
    assert sio.get_untrusted_types(data=data) == ["skae._autoencoder.AutoEncoder"]
    for restored in (
        pickle.loads(pickle.dumps(est)),
        sio.loads(data, trusted=["skae._autoencoder.AutoEncoder"]),
    ):
        restored_rows, restored_keys = (
            restored._explained_sample.rows,
            restored._explained_sample.keys,
        )
        np.testing.assert_array_equal(restored_keys, keys)
        assert restored._explained_sample.n_rows == 400
        assert sp.issparse(restored_rows) == sparse
        np.testing.assert_array_equal(
            restored_rows.toarray() if sparse else restored_rows,
            rows.toarray() if sparse else rows,
        )
    # fit measures on its own rows and keeps none.
    est.set_params(max_iter=1).fit(X_DIGITS)
    assert "_explained_sample" not in vars(est)


@pytest.mark.parametrize(
    "first",
    ["explained_variance_", "explained_variance_ratio_", "singular_values_", "noise_variance_"],
)
def test_partial_fit_leaves_the_explained_variance_to_its_first_read(first, tmp_path):
    from skae._explained import explained_variance
    from skae._state import MEASURED_ON_READ

    est = AutoEncoder(n_components=3, hidden_layer_sizes=(8,), random_state=0)
    for chunk in np.array_split(X_DIGITS, 4):
        est.partial_fit(chunk)
        assert not set(MEASURED_ON_READ) & set(vars(est))
    # The first read, of any of the four, measures all four on every row
    # given (400, under the sample's 2,000) and stores them.
    explained, total = explained_variance(est._network, X_DIGITS)
    expected = {
        "explained_variance_": explained,
        "explained_variance_ratio_": explained / total,
        "singular_values_": np.sqrt(explained * 399),
        "noise_variance_": (total - explained.sum()) / (64 - 3),
    }
    np.testing.assert_allclose(getattr(est, first), expected[first], rtol=1e-5)
    assert set(MEASURED_ON_READ) <= set(vars(est))
    for name in MEASURED_ON_READ:
        np.testing.assert_allclose(getattr(est, name), expected[name], rtol=1e-5)
    # Another call drops them: the model has changed.
    est.partial_fit(X_DIGITS[:50])
    assert "explained_variance_" not in vars(est)
    # save measures them first, so a loaded model (which keeps no sample) has them.
    est.save(tmp_path / "ae.skae")
    loaded = skae.load(tmp_path / "ae.skae")
    for name in MEASURED_ON_READ:
        np.testing.assert_array_equal(getattr(loaded, name), getattr(est, name))


def test_partial_fit_after_fit_describes_the_rows_given_since():
    # fit keeps no rows, so the figures after it describe the rows given to
    # partial_fit since, singular values included.
    from skae._explained import explained_variance

    est = AutoEncoder(n_components=3, hidden_layer_sizes=(8,), max_iter=2, random_state=0)
    est.fit(X_DIGITS).partial_fit(X_DIGITS[:100])
    explained, _ = explained_variance(est._network, X_DIGITS[:100])
    np.testing.assert_allclose(est.singular_values_, np.sqrt(explained * 99), rtol=1e-5)
    assert est.n_samples_ == 500


def test_prefix_errors_decode_wide_rows_in_bounded_blocks(monkeypatch):
    import tracemalloc

    from skae import _explained, _shared

    X = np.random.default_rng(0).random((300, 5000))
    est = AutoEncoder(n_components=4, hidden_layer_sizes=(8,), max_iter=1, random_state=0).fit(X)
    unbounded = _explained.prefix_errors(est._network, X)
    monkeypatch.setattr(_shared, "BLOCK_BYTES", 4 * 2**20)
    tracemalloc.start()
    bounded = _explained.prefix_errors(est._network, X)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    np.testing.assert_allclose(bounded[0], unbounded[0], rtol=1e-9)
    assert bounded[1] == pytest.approx(unbounded[1], rel=1e-12)
    # By rows alone, the 1,200 truncated codes were decoded at once: 144 MB
    # at the peak, reconstructions and their errors.
    assert peak < 30 * 2**20


def test_explained_variance_rows_are_bounded_in_bytes(monkeypatch):
    from skae import _explained, _shared

    monkeypatch.setattr(_shared, "BLOCK_BYTES", 80_000)
    X = np.random.default_rng(0).random((1000, 100))
    assert _explained.explained_rows(X, 0).shape == (100, 100)
    assert _explained.explained_rows(X.astype(np.float32), 0).shape == (200, 100)
    # A sparse row costs its stored values and their column indices.
    sparse = sp.random(1000, 100, density=0.1, format="csr", random_state=0, dtype=np.float64)
    assert _explained.explained_rows(sparse, 0).shape[0] == 80_000 // (12 * 10)
    # Sized before any row is copied: 100 rows of a taller X, never 2,000.
    import tracemalloc

    tall = np.random.default_rng(0).random((5000, 100))
    tracemalloc.start()
    rows = _explained.explained_rows(tall, 0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert rows.shape == (100, 100) and peak < 2 * 80_000
    # fit measures on those rows: a seeded subset of 100 (the network's
    # seed, the first drawn from random_state).
    from skae._shared import MAX_SEED

    est = AutoEncoder(
        n_components=2, hidden_layer_sizes=(8,), max_iter=2, early_stopping=False, random_state=0
    ).fit(X)
    seed = int(np.random.RandomState(0).randint(MAX_SEED, size=3)[0])
    capped, _ = _explained.explained_variance(est._network, _explained.explained_rows(X, seed))
    np.testing.assert_allclose(est.explained_variance_, capped, rtol=1e-6)
    every_row, _ = _explained.explained_variance(est._network, X)
    assert not np.allclose(est.explained_variance_, every_row, rtol=1e-6)
