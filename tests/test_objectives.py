"""Denoising, sparse and variational objectives (issue: objectives)."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skae import (
    AutoEncoder,
    DenoisingAutoEncoder,
    DenseArchitecture,
    SparseAutoEncoder,
    VariationalAutoEncoder,
)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    return train_test_split(X, y, test_size=0.25, random_state=0)


# The objectives' own behaviour, on the classical network: Glorot start, all
# rows trained on, a fixed number of epochs (init="pca" is tested in
# test_linear_start.py).
COMMON = dict(
    hidden_layer_sizes=(64,),
    batch_size=64,
    init="random",
    early_stopping=False,
    n_iter_no_change=None,
    random_state=0,
)


def test_denoising_cleans_noisy_heldout_digits_better_than_autoencoder(digits):
    X_train, X_test, _, _ = digits
    noisy = np.clip(X_test + np.random.default_rng(1).normal(0, 0.4, X_test.shape), 0, 1)
    params = dict(n_components=16, max_iter=40, loss="binary_crossentropy", **COMMON)
    dae = DenoisingAutoEncoder(noise_level=0.4, clip=(0, 1), **params).fit(X_train)
    ae = AutoEncoder(**params).fit(X_train)

    def error_to_clean(est):
        return np.mean((est.inverse_transform(est.transform(noisy)) - X_test) ** 2)

    assert error_to_clean(dae) < 0.9 * error_to_clean(ae)


@pytest.mark.parametrize("noise_type", ["gaussian", "masking", "salt_and_pepper"])
def test_noise_is_training_only_and_reproducible(digits, noise_type):
    X = digits[0][:300]
    make = lambda: DenoisingAutoEncoder(  # noqa: E731
        n_components=4, noise_type=noise_type, noise_level=0.3, max_iter=3, **COMMON
    )
    dae = make().fit(X)
    np.testing.assert_array_equal(dae.transform(X), dae.transform(X))
    np.testing.assert_array_equal(dae.score_samples(X), dae.score_samples(X))
    np.testing.assert_array_equal(make().fit(X).transform(X), dae.transform(X))
    # Noise-free training would differ: the corruption really is applied.
    clean = DenoisingAutoEncoder(n_components=4, noise_level=0.0, max_iter=3, **COMMON).fit(X)
    assert not np.allclose(clean.transform(X), dae.transform(X))


def test_denoising_rejects_bad_noise_settings(digits):
    X = digits[0][:50]
    with pytest.raises(ValueError, match="noise_level"):
        DenoisingAutoEncoder(noise_type="masking", noise_level=1.5).fit(X)
    with pytest.raises(ValueError, match="clip"):
        DenoisingAutoEncoder(clip=(1, 0)).fit(X)
    with pytest.raises(ValueError, match="noise_type"):
        DenoisingAutoEncoder(noise_type="pink").fit(X)


def _near_zero_fraction(codes):
    """Share of code entries below 1% of the largest absolute code value."""
    return float(np.mean(np.abs(codes) < 0.01 * np.abs(codes).max()))


def test_l1_sparse_codes_are_sparser_than_autoencoder_codes(digits):
    X_train, X_test, _, _ = digits
    params = dict(n_components=32, max_iter=30, **COMMON)
    # The penalty is weighed against the error in units of the error of
    # predicting the mean (0.073 on these pixels), so about ten times the
    # weights used before that change.
    sae = SparseAutoEncoder(sparsity="l1", sparsity_weight=3e-2, **params).fit(X_train)
    ae = AutoEncoder(**params).fit(X_train)
    sparse_codes, dense_codes = sae.transform(X_test), ae.transform(X_test)
    assert _near_zero_fraction(sparse_codes) > 0.5
    assert _near_zero_fraction(sparse_codes) > _near_zero_fraction(dense_codes) + 0.4
    _assert_still_reconstructs(sae, X_train, X_test)


def test_kl_sparse_codes_approach_the_target_activation(digits):
    X_train, X_test, _, _ = digits
    params = dict(n_components=32, sparsity="kl", sparsity_target=0.05, max_iter=30, **COMMON)
    sae = SparseAutoEncoder(sparsity_weight=1e-1, **params).fit(X_train)
    unpenalised = SparseAutoEncoder(sparsity_weight=0.0, **params).fit(X_train)
    codes, free_codes = sae.transform(X_test), unpenalised.transform(X_test)
    # Same sigmoid code with and without the penalty: the penalty drives the
    # mean activation to the target and most entries below it.
    assert codes.mean() < 0.15 < 0.3 < free_codes.mean()
    assert np.mean(codes < 0.05) > 0.4 > 0.1 > np.mean(free_codes < 0.05)
    _assert_still_reconstructs(sae, X_train, X_test)


def _assert_still_reconstructs(est, X_train, X_test):
    baseline = np.mean((X_test - X_train.mean(axis=0)) ** 2)
    recon = est.inverse_transform(est.transform(X_test))
    assert np.mean((recon - X_test) ** 2) < 0.7 * baseline


@pytest.fixture(scope="module")
def fitted_vae(digits):
    X_train = digits[0]
    return VariationalAutoEncoder(
        n_components=2, likelihood="bernoulli", max_iter=40, kl_warmup=5, **COMMON
    ).fit(X_train)


def test_vae_aggregate_posterior_is_standard_normal(fitted_vae, digits):
    mean, std = fitted_vae.transform(digits[0], return_std=True)
    assert mean.shape == std.shape == (len(digits[0]), 2)
    assert np.all(std > 0)
    assert np.all(np.abs(mean.mean(axis=0)) < 0.5)
    # Total variance of the aggregate posterior: Var(mean) + E[std**2].
    spread = np.sqrt(mean.var(axis=0) + (std**2).mean(axis=0))
    assert np.all((spread > 0.5) & (spread < 1.5))


def test_vae_sample_shape_and_range(fitted_vae):
    samples = fitted_vae.sample(25, random_state=0)
    assert samples.shape == (25, 64)
    assert samples.min() >= 0 and samples.max() <= 1
    np.testing.assert_array_equal(samples, fitted_vae.sample(25, random_state=0))
    with pytest.raises(ValueError, match="n_samples"):
        fitted_vae.sample(0)


def test_vae_elbo_prefers_data_over_uniform_noise(fitted_vae, digits):
    X_test = digits[1]
    noise = np.random.default_rng(0).random(X_test.shape).astype(np.float32)
    elbo_data = fitted_vae.score_samples(X_test)
    assert elbo_data.mean() > fitted_vae.score_samples(noise).mean() + 10
    assert fitted_vae.score(X_test) == pytest.approx(elbo_data.mean())
    # Deterministic and per-row: a subset scores the same as within the whole.
    np.testing.assert_array_equal(fitted_vae.score_samples(X_test[:7]), elbo_data[:7])


def test_vae_gaussian_likelihood_learns_output_variance(digits):
    X = digits[0][:500]
    vae = VariationalAutoEncoder(n_components=4, max_iter=15, **COMMON).fit(X)
    assert np.isfinite(vae.score(X))
    assert vae.loss_curve_[-1] < vae.loss_curve_[0]


def test_kl_warmup_changes_training(digits):
    X = digits[0][:300]
    params = dict(n_components=2, likelihood="bernoulli", max_iter=3, **COMMON)
    plain = VariationalAutoEncoder(**params).fit(X)
    warm = VariationalAutoEncoder(kl_warmup=3, **params).fit(X)
    # Lower KL weight early on gives a lower training loss in the first epoch.
    assert warm.loss_curve_[0] < plain.loss_curve_[0]


# A few epochs on purpose: this test does not check convergence.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "estimator, grid",
    [
        (DenoisingAutoEncoder(noise_level=0.2), {"noise_level": [0.1, 0.3]}),
        (SparseAutoEncoder(), {"sparsity_weight": [1e-3, 1e-2]}),
        (VariationalAutoEncoder(likelihood="bernoulli"), {"beta": [0.5, 1.0]}),
    ],
    ids=["denoising", "sparse", "variational"],
)
def test_pipeline_grid_search(digits, estimator, grid):
    X_train = digits[0][:400]
    estimator.set_params(n_components=2, hidden_layer_sizes=(16,), max_iter=3, random_state=0)
    step = type(estimator).__name__.lower()
    pipe = make_pipeline(MinMaxScaler(), estimator)
    search = GridSearchCV(pipe, {f"{step}__{k}": v for k, v in grid.items()}, cv=2)
    search.fit(X_train)
    assert search.best_estimator_.transform(X_train).shape == (400, 2)
    # Architecture parameters grid-search through the nested object too.
    nested = GridSearchCV(
        type(estimator)(
            n_components=2, architecture=DenseArchitecture((8,)), max_iter=2, random_state=0
        ),
        {"architecture__hidden_layer_sizes": [(8,), (16,)]},
        cv=2,
    ).fit(X_train)
    assert nested.best_params_["architecture__hidden_layer_sizes"] in [(8,), (16,)]
