"""AutoEncoderImputer: scikit-learn's imputer conventions, search, persistence."""

import warnings

import numpy as np
import pytest
from _registry import META_ESTIMATORS, TINY
from sklearn.base import clone
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

import skae
from skae import AutoEncoder, AutoEncoderImputer

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

IMPUTER = META_ESTIMATORS["AutoEncoderImputer"]


def _data(n_samples=120, n_features=6, share=0.2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, 2)) @ rng.normal(size=(2, n_features))
    holed = X.copy()
    holed[rng.random(X.shape) < share] = np.nan
    return X, holed


def _imputer(**params):
    estimator = AutoEncoder(n_components=2, hidden_layer_sizes=(8,), **TINY)
    return AutoEncoderImputer(estimator, random_state=0, **params)


def test_fills_holes_and_keeps_observed_values():
    X, holed = _data()
    filled = _imputer().fit_transform(holed)
    observed = ~np.isnan(holed)
    assert not np.isnan(filled).any()
    assert np.array_equal(filled[observed], holed[observed])
    missing = ~observed
    error = np.sqrt(np.mean(np.square(filled[missing] - X[missing])))
    mean_fill = SimpleImputer().fit_transform(holed)[missing]
    assert error < np.sqrt(np.mean(np.square(mean_fill - X[missing])))


def _noisy_rank(rank, n_samples=200, n_features=10, share=0.2, seed=0):
    """Rows of a rank-``rank`` table plus a little noise, and the rows with holes."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, rank)) @ rng.normal(size=(rank, n_features))
    X += 0.05 * rng.normal(size=X.shape)
    holed = X.copy()
    holed[rng.random(X.shape) < share] = np.nan
    return X, holed


def test_default_width_is_chosen_from_held_out_entries():
    # Rank 3 plus noise: the EM PCA fills hidden entries best at width 3.
    _, holed = _noisy_rank(3)
    imputer = AutoEncoderImputer(random_state=0).fit(holed)
    assert imputer.estimator_.n_components == 3
    assert imputer.estimator_.nested_dropout == 0.0


@pytest.mark.parametrize("weight", [0.0, 0.5, 1.0])
def test_default_blends_the_network_and_the_em_pca(monkeypatch, weight):
    # _blend_weight is the EM PCA's share of the fill, chosen on hidden
    # entries; with 0 the imputer keeps no EM PCA.
    import skae._imputer as module

    monkeypatch.setattr(module, "_blend_weight", lambda *a: weight)
    X, holed = _noisy_rank(2, n_samples=120, n_features=6)
    imputer = AutoEncoderImputer(random_state=0).fit(holed)
    assert imputer.pca_weight_ == weight
    assert (imputer.pca_mean_ is None) == (weight == 0.0)
    filled = imputer.transform(holed)
    observed = ~np.isnan(holed)
    assert np.array_equal(filled[observed], holed[observed])
    missing = ~observed
    error = np.sqrt(np.mean(np.square(filled[missing] - X[missing])))
    mean_fill = SimpleImputer().fit_transform(holed)[missing]
    assert error < 0.5 * np.sqrt(np.mean(np.square(mean_fill - X[missing])))
    if weight == 1.0:
        # The EM PCA fills a row on its own: the same alone as among others.
        alone = imputer.transform(holed[:1])
        np.testing.assert_allclose(alone[0], filled[0], rtol=1e-12, atol=1e-12)


def test_blend_weight_is_the_least_squares_weight():
    from skae._imputer import _blend_weight

    truth = np.array([1.0, 2.0, 3.0])
    assert _blend_weight(truth, truth + 1.0, truth) == 1.0
    assert _blend_weight(truth + 1.0, truth, truth) == 0.0
    assert _blend_weight(truth + 1.0, truth - 1.0, truth) == pytest.approx(0.5)
    assert _blend_weight(truth + 1.0, truth + 2.0, truth) == 1.0  # clipped
    assert _blend_weight(truth, truth, truth) == 0.0


def test_default_with_pca_fill_saves_and_loads(monkeypatch, tmp_path):
    import skae._imputer as module

    monkeypatch.setattr(module, "_blend_weight", lambda *a: 0.25)
    _, holed = _noisy_rank(2, n_samples=80, n_features=5)
    imputer = AutoEncoderImputer(random_state=0).fit(holed)
    assert imputer.pca_mean_ is not None
    imputer.save(tmp_path / "imputer.skae")
    restored = skae.load(tmp_path / "imputer.skae")
    assert restored.pca_weight_ == 0.25
    assert np.array_equal(restored.transform(holed), imputer.transform(holed))


def test_other_missing_value_marker():
    _, holed = _data()
    marked = np.where(np.isnan(holed), -1.0, holed)
    by_nan = _imputer().fit_transform(holed)
    by_marker = _imputer(missing_values=-1.0).fit_transform(marked)
    assert np.array_equal(by_nan, by_marker)
    with pytest.raises(ValueError, match="NaN"):
        _imputer(missing_values=-1.0).fit(holed)


def test_indicator_and_feature_names():
    _, holed = _data()
    holed[:, 5] = 1.0
    imputer = _imputer(add_indicator=True).fit(holed)
    out = imputer.transform(holed)
    assert out.shape == (holed.shape[0], 6 + 5)
    assert np.array_equal(out[:, 6:], np.isnan(holed[:, :5]).astype(float))
    names = imputer.get_feature_names_out()
    assert list(names[:6]) == [f"x{i}" for i in range(6)]
    assert list(names[6:]) == [f"missingindicator_x{i}" for i in range(5)]


@pytest.mark.filterwarnings("ignore:Skipping features without any observed values")
@pytest.mark.parametrize("keep", [False, True])
def test_empty_features_as_simple_imputer(keep):
    _, holed = _data()
    holed[:, 2] = np.nan
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ours = _imputer(keep_empty_features=keep).fit(holed)
    assert any("Skipping features" in str(w.message) for w in caught) != keep
    theirs = SimpleImputer(keep_empty_features=keep).fit(holed)
    out = ours.transform(holed)
    assert out.shape == theirs.transform(holed).shape
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())
    if keep:
        assert (out[:, 2] == 0).all()


def test_set_output_pandas():
    pd = pytest.importorskip("pandas")
    _, holed = _data()
    frame = pd.DataFrame(holed, columns=list("abcdef"))
    out = _imputer().set_output(transform="pandas").fit_transform(frame)
    assert list(out.columns) == list("abcdef")
    assert not out.isna().any().any()


def test_pipeline_and_grid_search():
    X, holed = _data(n_samples=120)
    y = (X[:, 0] > np.median(X[:, 0])).astype(int)
    pipeline = make_pipeline(_imputer(), LogisticRegression())
    search = GridSearchCV(
        pipeline, {"autoencoderimputer__estimator__learning_rate": [1e-3, 1e-2]}, cv=2
    ).fit(holed, y)
    assert search.best_score_ > 0.6


def test_save_and_load(tmp_path):
    _, holed = _data()
    imputer = clone(IMPUTER).set_params(add_indicator=True).fit(holed)
    path = tmp_path / "imputer.skae"
    imputer.save(path)
    restored = skae.load(path)
    assert isinstance(restored, AutoEncoderImputer)
    assert np.array_equal(restored.transform(holed), imputer.transform(holed))


@pytest.mark.parametrize(
    "n_components, shape, codes",
    [(None, (120, 6), "every code"), (6, (120, 6), "6 codes"), (0.999999, (12, 30), "11 codes")],
)
def test_a_code_that_reconstructs_every_row_is_an_error(n_components, shape, codes):
    # AutoEncoder() keeps every code, as PCA(): it would copy the observed
    # entries and learn nothing about the holes. With fewer rows than
    # features, n_samples - 1 codes already reconstruct every row; a share
    # is checked once the fit has chosen its width.
    _, holed = _data(*shape)
    estimator = AutoEncoder(n_components=n_components, hidden_layer_sizes=(8,), **TINY)
    imputer = AutoEncoderImputer(estimator, random_state=0)
    n_samples, n_features = shape
    with pytest.raises(
        ValueError,
        match=rf"keeps {codes} for n_samples={n_samples}, n_features={n_features} "
        rf"\(n_components={n_components}\)",
    ):
        imputer.fit(holed)
    assert not hasattr(imputer, "estimator_")


@pytest.mark.parametrize("estimator", [None, AutoEncoder(n_components=2)])
def test_parameters_are_validated_before_any_work(estimator):
    with pytest.raises(InvalidParameterError, match="add_indicator"):
        AutoEncoderImputer(estimator, add_indicator="yes").fit(_data()[1])


def test_every_column_empty_is_an_error():
    with pytest.raises(ValueError, match="Every column of X is missing"):
        _imputer().fit(np.full((10, 3), np.nan))


def test_failed_refit_keeps_the_previous_model():
    _, holed = _data()
    imputer = _imputer().fit(holed)
    filled = imputer.transform(holed)
    with pytest.raises(ValueError):
        imputer.fit(np.full((10, 6), np.nan))
    assert np.array_equal(imputer.transform(holed), filled)
