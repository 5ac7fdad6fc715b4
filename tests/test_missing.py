"""Missing values (NaN) in every estimator: training, encoding, scoring, bad input."""

import numpy as np
import pytest
import scipy.sparse as sp
from _registry import ESTIMATORS, TINY
from sklearn.base import clone

from skae import AutoEncoder, VariationalAutoEncoder
from skae._linear import column_moments
from skae._missing import (
    _width_candidates,
    held_out_width,
    hide_observed,
    ppca_fill,
    ppca_filled,
    svd_completed,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _low_rank(n_samples=80, n_features=16, rank=2, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n_samples, rank)) @ rng.normal(size=(rank, n_features))


def _with_holes(X, share=0.2, seed=1):
    X = X.copy()
    X[np.random.default_rng(seed).random(X.shape) < share] = np.nan
    return X


def _graph_ops(concrete_function) -> set:
    """Op types of a concrete function, the bodies of its loops included."""
    graph_def = concrete_function.graph.as_graph_def()
    return {node.op for node in graph_def.node} | {
        node.op for function in graph_def.library.function for node in function.node_def
    }


def test_complete_data_trains_without_mask_ops():
    # Fits on complete data run the ops they ran before missing values were
    # supported: no NaN test, no mask, so their weights are bit-identical.
    X = _low_rank()
    complete = AutoEncoder(n_components=2, hidden_layer_sizes=(8,), **TINY).fit(X)
    trainer = complete._trainer
    assert not trainer.masked
    assert "_masked_dense_epoch" not in vars(trainer)
    assert "IsNan" not in _graph_ops(trainer._dense_epoch)
    # The test would see a mask: the masked epoch has one.
    incomplete = AutoEncoder(n_components=2, hidden_layer_sizes=(8,), **TINY)
    incomplete.fit(_with_holes(X))
    assert incomplete._trainer.masked
    assert "IsNan" in _graph_ops(incomplete._trainer._masked_dense_epoch)


def test_column_moments_of_complete_data_are_unchanged():
    # The formula before missing values were supported, bit for bit.
    X = np.random.default_rng(0).normal(size=(50, 7))
    n_samples = X.shape[0]
    mean = X.sum(axis=0) / n_samples
    variance = np.maximum(np.square(X).sum(axis=0) - n_samples * np.square(mean), 0.0) / (
        n_samples - 1
    )
    got_mean, got_variance = column_moments(X)
    assert np.array_equal(got_mean, mean)
    assert got_variance == float(variance.mean())


def test_column_moments_count_observed_entries():
    X = _with_holes(np.random.default_rng(0).normal(size=(50, 5)))
    mean, variance = column_moments(X)
    np.testing.assert_allclose(mean, np.nanmean(X, axis=0))
    np.testing.assert_allclose(variance, np.nanvar(X, axis=0, ddof=1).mean())


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_every_estimator_fits_and_encodes_rows_with_holes(name):
    X = _with_holes(_low_rank())
    estimator = clone(ESTIMATORS[name]).set_params(early_stopping=True)
    estimator.fit(X)
    codes = estimator.transform(X)
    assert np.isfinite(codes).all()
    assert np.isfinite(estimator.score_samples(X)).all()
    assert np.isfinite(estimator.inverse_transform(codes)).all()
    assert np.isfinite(estimator.validation_scores_).all()
    assert np.isfinite(estimator.explained_variance_).all()
    estimator.set_params(early_stopping=False).partial_fit(X)
    assert np.isfinite(estimator.transform(X)).all()
    assert estimator.__sklearn_tags__().input_tags.allow_nan


def test_refits_with_holes_are_bit_identical():
    X = _with_holes(_low_rank())
    first = AutoEncoder(n_components=2, hidden_layer_sizes=(8,), **TINY).fit(X)
    second = AutoEncoder(n_components=2, hidden_layer_sizes=(8,), **TINY).fit(X)
    assert np.array_equal(first.transform(X), second.transform(X))


def test_code_of_a_row_does_not_depend_on_other_rows():
    X = _with_holes(_low_rank())
    estimator = AutoEncoder(n_components=2, hidden_layer_sizes=(8,), **TINY).fit(X)
    codes = estimator.transform(X)
    assert np.array_equal(estimator.transform(X[5:9]), codes[5:9])


def test_row_without_observed_values_gets_the_code_of_the_mean_row():
    X = _with_holes(_low_rank())
    estimator = AutoEncoder(n_components=2, hidden_layer_sizes=(8,), **TINY).fit(X)
    empty = np.full((1, X.shape[1]), np.nan)
    assert np.array_equal(estimator.transform(empty), estimator.transform(estimator.mean_[None]))
    assert np.isfinite(estimator.score_samples(empty)).all()


def test_scores_count_observed_entries_only():
    # A row's score does not depend on which value stood in its holes, and
    # a complete row scores as before.
    X = _low_rank()
    estimator = AutoEncoder(n_components=2, hidden_layer_sizes=(8,), **TINY).fit(X)
    holed = X[:3].copy()
    holed[0, :4] = np.nan
    scores = estimator.score_samples(holed)
    assert np.array_equal(scores[1:], estimator.score_samples(X[1:3]))
    reconstruction = estimator.inverse_transform(estimator.transform(holed[:1]))
    error = np.square(reconstruction[0, 4:] - X[0, 4:]).mean()
    np.testing.assert_allclose(-scores[0], error, rtol=1e-4)


def test_variational_score_counts_observed_entries():
    X = _low_rank()
    estimator = VariationalAutoEncoder(n_components=2, hidden_layer_sizes=(8,), **TINY).fit(X)
    holed = X[:2].copy()
    holed[0, ::2] = np.nan
    assert np.isfinite(estimator.score_samples(holed)).all()
    mean, std = estimator.transform(holed, return_std=True)
    assert np.isfinite(mean).all() and np.isfinite(std).all()


def test_em_start_recovers_low_rank_holes():
    X = _low_rank(n_samples=200, rank=2)
    holed = _with_holes(X, share=0.3)
    missing = np.isnan(holed)
    filled = svd_completed(holed, 2, seed=0)
    assert np.array_equal(filled[~missing], X[~missing])
    mean_fill = np.nanmean(holed, axis=0)[np.nonzero(missing)[1]]
    em_error = np.sqrt(np.mean(np.square(filled[missing] - X[missing])))
    mean_error = np.sqrt(np.mean(np.square(mean_fill - X[missing])))
    assert em_error < 0.05 * mean_error


def test_training_on_holes_beats_the_mean_fill():
    X = _low_rank(n_samples=200, rank=2)
    holed = _with_holes(X, share=0.3)
    missing = np.isnan(holed)
    estimator = AutoEncoder(n_components=2, hidden_layer_sizes=(8,), **TINY).fit(holed)
    rebuilt = estimator.inverse_transform(estimator.transform(holed))
    error = np.sqrt(np.mean(np.square(rebuilt[missing] - X[missing])))
    mean_fill = np.nanmean(holed, axis=0)[np.nonzero(missing)[1]]
    assert error < 0.2 * np.sqrt(np.mean(np.square(mean_fill - X[missing])))


def test_inf_is_rejected():
    X = _low_rank()
    X[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        AutoEncoder(n_components=2, **TINY).fit(X)


def test_column_without_observed_values_is_named():
    pd = pytest.importorskip("pandas")
    X = _low_rank()
    X[:, 3] = np.nan
    frame = pd.DataFrame(X, columns=[f"c{i}" for i in range(X.shape[1])])
    with pytest.raises(ValueError, match="column\\(s\\) c3: a column needs at least one"):
        AutoEncoder(n_components=2, **TINY).fit(frame)
    with pytest.raises(ValueError, match="column\\(s\\) 3:"):
        AutoEncoder(n_components=2, **TINY).fit(X)


def test_failed_fit_on_holes_keeps_the_previous_model():
    X = _low_rank()
    estimator = AutoEncoder(n_components=2, hidden_layer_sizes=(8,), **TINY).fit(X)
    codes = estimator.transform(X)
    bad = X.copy()
    bad[:, 0] = np.nan
    with pytest.raises(ValueError, match="no observed"):
        estimator.fit(bad)
    assert np.array_equal(estimator.transform(X), codes)


def test_sparse_nan_is_rejected():
    X = sp.csr_matrix(np.abs(_low_rank()))
    X.data[0] = np.nan
    with pytest.raises(ValueError, match="sparse matrix with NaN"):
        AutoEncoder(n_components=2, **TINY).fit(X)


@pytest.mark.parametrize("n_components", [0.9, "mle"])
def test_width_from_the_spectrum_of_rows_with_holes(n_components):
    # The spectrum of the mean-filled rows chooses the width; the share is
    # then measured on rows the network filled.
    X = _with_holes(_low_rank(rank=3))
    estimator = AutoEncoder(n_components=n_components, hidden_layer_sizes=(8,), **TINY)
    estimator.fit(X)
    assert 1 <= estimator.n_components_ <= X.shape[1]
    assert np.isfinite(estimator.transform(X)).all()


def test_width_candidates():
    assert _width_candidates(1) == [1]
    assert _width_candidates(9) == [1, 2, 3, 4, 6, 8]
    assert _width_candidates(100) == [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96]


def test_hide_observed_hides_observed_entries_only():
    X = np.random.default_rng(0).normal(size=(50, 4))
    X[np.random.default_rng(1).random(X.shape) < 0.3] = np.nan
    X[1:, 3] = np.nan  # one observed entry left in the last column
    hidden_X, hidden = hide_observed(X, seed=0)
    assert hidden.any()
    assert not np.isnan(X[hidden]).any()
    assert np.isnan(hidden_X[hidden]).all()
    assert np.array_equal(hidden_X[~hidden], X[~hidden], equal_nan=True)
    assert (~np.isnan(hidden_X)).any(axis=0).all()


@pytest.mark.parametrize("rank", [1, 3, 6])  # candidate widths
def test_held_out_width_finds_the_rank(rank):
    rng = np.random.default_rng(rank)
    X = rng.normal(size=(300, rank)) @ rng.normal(size=(rank, 16))
    X += 0.05 * rng.normal(size=X.shape)
    X[rng.random(X.shape) < 0.2] = np.nan
    hidden_X, hidden = hide_observed(X, seed=0)
    width, error, _ = held_out_width(hidden_X, hidden, X[hidden], seed=0)
    assert width == rank
    assert error < 0.01 * np.nanvar(X)


def test_ppca_filled_is_the_fixed_point_of_the_refill():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2)) @ rng.normal(size=(2, 8)) + 0.1 * rng.normal(size=(100, 8))
    X[rng.random(X.shape) < 0.3] = np.nan
    mean, components, shrinkage = ppca_fill(X, seed=0, width=2)
    assert components.shape == (2, 8)
    filled = ppca_filled(X, mean, components, shrinkage)
    observed = ~np.isnan(X)
    assert np.array_equal(filled[observed], X[observed])
    # Reconstructing the filled rows leaves their holes where they are.
    rebuilt = ((filled - mean) @ components.T) * shrinkage @ components + mean
    np.testing.assert_allclose(rebuilt[~observed], filled[~observed], atol=1e-10)
    # A row without an observed entry keeps the means.
    empty = ppca_filled(np.full((1, 8), np.nan), mean, components, shrinkage)
    np.testing.assert_allclose(empty[0], mean)
