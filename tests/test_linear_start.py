"""The PCA start (init="pca") and the scale-free training defaults."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning

from skae import (
    AutoEncoder,
    ContractiveAutoEncoder,
    DenoisingAutoEncoder,
    ResNetAutoEncoder,
    SparseAutoEncoder,
    VariationalAutoEncoder,
)

SMALL = {"hidden_layer_sizes": (16,)}
# Estimators with everything that changes how the code meets the PCA path.
STARTS = [
    AutoEncoder(**SMALL),
    AutoEncoder(loss="binary_crossentropy", **SMALL),
    DenoisingAutoEncoder(**SMALL),
    SparseAutoEncoder(**SMALL),
    SparseAutoEncoder(sparsity="kl", **SMALL),
    VariationalAutoEncoder(**SMALL),
    VariationalAutoEncoder(likelihood="bernoulli", **SMALL),
    ResNetAutoEncoder(n_levels=1, filters=2, latent_channels=2),
]
# Adam's steps are lr-sized: this one leaves every float32 weight as it was,
# so the fitted network is the network before its first update.
NO_UPDATE = {"learning_rate": 1e-30, "max_iter": 1, "n_iter_no_change": None}


@pytest.fixture(scope="module")
def X():
    return load_digits().data[:300] / 16.0


def _start(estimator, X, n_components=5):
    return estimator.set_params(n_components=n_components, random_state=0, **NO_UPDATE).fit(X)


def _pca_reconstruction(X, n_components):
    pca = PCA(n_components).fit(X)
    return pca, pca.inverse_transform(pca.transform(X))


@pytest.mark.parametrize("estimator", STARTS, ids=lambda e: repr(e)[:60])
def test_network_starts_as_pca(estimator, X):
    est = _start(estimator, X)
    pca, expected = _pca_reconstruction(X, 5)
    reconstruction = est.inverse_transform(est.transform(X))
    if getattr(est, "loss", None) == "binary_crossentropy" or (
        getattr(est, "likelihood", None) == "bernoulli"
    ):
        # Logit outputs start at PCA's reconstruction clipped into (eps, 1 - eps).
        expected = np.clip(expected, 1e-3, 1 - 1e-3)
    assert_allclose(reconstruction, expected, atol=2e-6)
    if getattr(est, "sparsity", None) != "kl":
        # PCA's scores, in the units of X.
        assert_allclose(est.transform(X), pca.transform(X), atol=2e-5)


def test_sparse_input_starts_at_centred_pca(X):
    dense = _start(AutoEncoder(**SMALL), X)
    sparse = _start(AutoEncoder(**SMALL), sp.csr_matrix(X))
    assert_allclose(sparse.transform(X), dense.transform(X), atol=1e-4)
    _, expected = _pca_reconstruction(X, 5)
    assert_allclose(sparse.inverse_transform(sparse.transform(X)), expected, atol=1e-5)


def test_components_beyond_the_rank_start_at_zero():
    # 3 features and 5 code units: the two units PCA cannot fill start at 0.
    X = np.random.default_rng(0).standard_normal((50, 3))
    est = _start(AutoEncoder(**SMALL), X, n_components=5)
    codes = est.transform(X)
    assert_allclose(codes[:, 3:], 0.0, atol=1e-6)
    assert_allclose(est.inverse_transform(codes), X, atol=1e-5)


def test_partial_fit_starts_at_the_first_chunks_pca(X):
    est = AutoEncoder(n_components=4, random_state=0, learning_rate=1e-30, **SMALL)
    est.partial_fit(X[:150])
    pca = PCA(4).fit(X[:150])
    assert_allclose(est.transform(X), pca.transform(X), atol=2e-5)


def test_vae_starts_as_probabilistic_pca(X):
    est = _start(VariationalAutoEncoder(**SMALL), X)
    pca = PCA(5).fit(X)
    _, std = est.transform(X[:3], return_std=True)
    # Probabilistic PCA's posterior standard deviation of a score, sigma.
    assert_allclose(std, np.sqrt(pca.noise_variance_), rtol=1e-3)
    # The prior has PCA's variances: samples spread like PCA's scores.
    samples = est.transform(est.sample(4000, random_state=0))
    assert_allclose(samples.std(axis=0), np.sqrt(pca.explained_variance_), rtol=0.1)


# The same number of epochs at every scale, stopped at max_iter on purpose.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("factor", [2.0**10, 2.0**-10])
@pytest.mark.parametrize(
    "estimator",
    [AutoEncoder, DenoisingAutoEncoder, SparseAutoEncoder, ContractiveAutoEncoder],
    ids=lambda cls: cls.__name__,
)
def test_training_does_not_depend_on_the_scale_of_X(X, factor, estimator):
    # Powers of two scale floats exactly: the whole run must be identical,
    # the denoising noise (in units of the data's spread) included.
    params = {"n_components": 3, "random_state": 0, **SMALL}
    reference = estimator(**params).fit(X)
    scaled = estimator(**params).fit(X * factor)
    assert scaled.n_iter_ == reference.n_iter_
    assert_array_equal(scaled.transform(X * factor), reference.transform(X) * factor)
    assert_allclose(scaled.loss_curve_, np.multiply(reference.loss_curve_, factor**2), rtol=1e-6)


@pytest.mark.parametrize("factor", [1e3, 1e-3])
def test_other_scales_differ_only_by_float_rounding(X, factor):
    # X * 1000 rounds differently in float32; training amplifies those
    # differences slowly (measured: 4e-4 of the code range after 5 epochs).
    params = {"n_components": 3, "max_iter": 5, "random_state": 0, **SMALL}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = AutoEncoder(**params).fit(X)
        scaled = AutoEncoder(**params).fit(X * factor)
    codes = reference.transform(X) * factor
    assert np.abs(scaled.transform(X * factor) - codes).max() < 2e-3 * np.abs(codes).max()


def test_validation_starts_with_the_pca_score_and_restores_it_when_unbeaten(X):
    # A learning rate that ruins the first epoch: the start stays the best.
    est = AutoEncoder(
        n_components=4,
        learning_rate=0.5,
        max_iter=3,
        early_stopping=True,
        random_state=0,
        **SMALL,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X)
    assert len(est.validation_scores_) == est.n_iter_ + 1
    assert est.best_validation_score_ == est.validation_scores_[0]
    assert max(est.validation_scores_[1:]) < est.validation_scores_[0]
    pca = PCA(4).fit(X)
    assert_allclose(est.transform(X), pca.transform(X), atol=2e-5)


@pytest.mark.parametrize("monitor", ["reconstruction", "elbo"])
def test_vae_early_stopping_monitors_what_monitor_names(X, monitor, monkeypatch):
    splits = []
    original = VariationalAutoEncoder._validation_split

    def spy(self, data, seed):
        splits.append(original(self, data, seed))
        return splits[-1]

    monkeypatch.setattr(VariationalAutoEncoder, "_validation_split", spy)
    est = VariationalAutoEncoder(
        n_components=5, monitor=monitor, max_iter=5, early_stopping=True, random_state=0, **SMALL
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X)
    X_val = splits[0][1]

    def reconstruction_score(model):
        return -np.mean((model.inverse_transform(model.transform(X_val)) - X_val) ** 2)

    # The kept model is the best by the monitored score on the held-out rows.
    kept = reconstruction_score(est) if monitor == "reconstruction" else est.score(X_val)
    assert_allclose(est.best_validation_score_, kept, rtol=1e-5)
    if monitor == "reconstruction":
        # The start is scored as PCA's reconstruction, the one to beat.
        assert_allclose(est.validation_scores_[0], reconstruction_score(PCA(5).fit(X)), rtol=1e-4)


def test_stopping_at_max_iter_warns_as_mlp_does(X):
    est = AutoEncoder(n_components=2, max_iter=2, random_state=0, **SMALL)
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        est.fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.set_params(n_iter_no_change=None).fit(X)
        est.partial_fit(X)


def test_auto_batch_size_gives_small_data_enough_steps(X):
    est = AutoEncoder(n_components=2, max_iter=1, early_stopping=False, random_state=0, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert est.fit(X).__dict__["_trainer"].batch_size == 16
        assert est.fit(np.tile(X, (40, 1))).__dict__["_trainer"].batch_size == 256
        assert est.set_params(batch_size=64).fit(X).__dict__["_trainer"].batch_size == 64


@pytest.mark.parametrize(("n_samples", "expected"), [(50, False), (100, True)])
def test_auto_early_stopping_needs_ten_validation_rows(X, n_samples, expected):
    est = AutoEncoder(n_components=2, max_iter=2, random_state=0, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X[:n_samples])
    assert hasattr(est, "validation_scores_") is expected


def test_random_init_is_the_classical_network(X):
    random = AutoEncoder(n_components=3, init="random", random_state=0, **SMALL, **NO_UPDATE)
    random.fit(X)
    layer_names = [layer.name for layer in random._network.encoder.layers]
    assert not any("standardize" in name or "fixed" in name for name in layer_names)
    pca = PCA(3).fit(X)
    assert np.abs(random.transform(X) - pca.transform(X)).max() > 0.1
    assert_array_equal(random.transform(X), random.transform(X))


@pytest.mark.parametrize("sparse", [False, True])
def test_updated_start_is_incremental_pca_of_the_blocks(sparse, monkeypatch):
    # partial_fit's update of the start with a new chunk, taken in blocks of
    # rows (5 here) so that a sparse chunk of wide rows is never densified
    # whole: the same as IncrementalPCA fed those blocks.
    from sklearn.datasets import load_iris
    from sklearn.decomposition import IncrementalPCA

    import skae._linear as linear
    import skae._shared

    X = load_iris().data
    monkeypatch.setattr(skae._shared, "BLOCK_BYTES", 5 * 8 * X.shape[1])
    chunk = sp.csr_matrix(X[10:]) if sparse else X[10:]
    start = linear.LinearStart.fit(X[:10], 3, 0).updated(chunk, 10)
    reference = IncrementalPCA(3).partial_fit(X[:10])
    for first in range(10, 150, 5):
        reference.partial_fit(X[first : first + 5])
    np.testing.assert_allclose(start.components, reference.components_, atol=1e-12)
    np.testing.assert_allclose(start.explained_variance, reference.explained_variance_, rtol=1e-12)
    np.testing.assert_allclose(start.mean, reference.mean_, atol=1e-12)
    assert start.n_samples == 150
    # The total is that of every row, as PCA computes it.
    np.testing.assert_allclose(start.total_variance, X.var(axis=0, ddof=1).sum(), rtol=1e-12)


def test_updated_start_of_wide_rows_matches_incremental_pca():
    # More columns than stacked rows: the update takes the Gram matrix's
    # eigenvectors instead of the SVD (35x faster at 177 x 50,000); the
    # same directions as IncrementalPCA's SVD.
    from sklearn.decomposition import IncrementalPCA

    from skae._linear import LinearStart, _right_singular

    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 500)) * np.linspace(3.0, 0.1, 500)
    start = LinearStart.fit(X[:30], 4, 0).updated(X[30:], 30)
    reference = IncrementalPCA(4).partial_fit(X[:30]).partial_fit(X[30:])
    assert_allclose(start.components, reference.components_, atol=1e-10)
    assert_allclose(start.explained_variance, reference.explained_variance_, rtol=1e-10)
    # Rows that repeat leave directions without variance: zero rows, not NaN.
    singular, vt = _right_singular(np.vstack([X[:3]] * 4))
    assert np.isfinite(vt).all() and np.isfinite(singular).all()
    assert np.count_nonzero(singular) == 3
    assert not vt[3:].any()


def test_chunk_digest_reads_rows_in_bounded_blocks_and_names_values_not_layout():
    import tracemalloc

    from skae._linear import chunk_digest

    X = np.random.default_rng(0).random((40_000, 100))  # 32 MB
    fortran = np.asfortranarray(X)
    # The same values give the same digest whatever the memory layout.
    assert chunk_digest(fortran) == chunk_digest(X)
    changed = X.copy()
    changed[-1, -1] += 1.0
    assert chunk_digest(changed) != chunk_digest(X)
    # A Fortran-ordered (or strided, memory-mapped) X is copied a block of
    # rows at a time, not whole.
    tracemalloc.start()
    chunk_digest(fortran)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < X.nbytes / 3


def test_column_moments_of_wide_rows_read_bounded_blocks(monkeypatch):
    import tracemalloc

    from skae import _linear, _shared

    X = np.random.default_rng(0).random((2000, 2000))  # 32 MB
    whole = _linear.column_moments(X)
    monkeypatch.setattr(_shared, "BLOCK_BYTES", 2 * 2**20)
    tracemalloc.start()
    blocked = _linear.column_moments(X)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert_allclose(blocked[0], whole[0], rtol=1e-12)
    assert blocked[1] == pytest.approx(whole[1], rel=1e-12)
    # By rows alone the whole of X was one chunk, squared into a copy.
    assert peak < X.nbytes / 4
