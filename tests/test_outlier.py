"""AutoEncoderOutlierDetector: trimming, scores, thresholds, persistence (issue #26)."""

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from _registry import ESTIMATORS, META_ESTIMATORS, TINY
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.utils import check_random_state

import skae
from skae import AutoEncoder, AutoEncoderOutlierDetector
from skae._linear import LinearStart
from skae._outlier import _start_outlyingness, default_n_components
from skae._shared import MAX_SEED

DETECTOR = META_ESTIMATORS["AutoEncoderOutlierDetector"]
N_INLIERS = 190


def _planted(n_features: int = 8, seed: int = 0):
    """Rows near a 2-D plane, then 5 rows far off it and 5 far out along it."""
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(rng.normal(size=(n_features, 2)))[0].T
    noise = 0.05 * rng.normal(size=(N_INLIERS, n_features))
    inliers = rng.normal(size=(N_INLIERS, 2)) @ basis + noise
    off_plane = inliers[:5] + 4.0 * np.linalg.qr(rng.normal(size=(n_features, n_features)))[0][:5]
    directions = rng.normal(size=(5, 2))
    along_plane = 10.0 * (directions / np.linalg.norm(directions, axis=1, keepdims=True)) @ basis
    return np.vstack([inliers, off_plane, along_plane])


X = _planted()
IS_OUTLIER = np.r_[np.zeros(N_INLIERS), np.ones(10)]
SMALL = AutoEncoder(n_components=2, hidden_layer_sizes=(8,), **TINY)


def _network_seed(random_state: int) -> int:
    return int(check_random_state(random_state).randint(MAX_SEED, size=2)[1])


def test_the_start_ranks_rows_off_and_along_its_subspace_farthest():
    start = LinearStart.fit(X, 2, seed=0)
    outlyingness = _start_outlyingness(start, X)
    # Both kinds of planted outlier, and only they, lead the ranking.
    assert set(np.argsort(outlyingness)[-10:]) == set(range(N_INLIERS, N_INLIERS + 10))


def test_the_network_learns_only_from_the_rows_kept():
    detector = AutoEncoderOutlierDetector(SMALL, trim=0.05, random_state=0).fit(X)
    assert detector.n_trimmed_ == 10
    alone = clone(SMALL).set_params(random_state=_network_seed(0)).fit(X[:N_INLIERS])
    np.testing.assert_array_equal(detector.estimator_.transform(X), alone.transform(X))


def test_trim_zero_learns_from_every_row():
    detector = AutoEncoderOutlierDetector(SMALL, trim=0.0, random_state=0).fit(X)
    assert detector.n_trimmed_ == 0
    every_row = clone(SMALL).set_params(random_state=_network_seed(0)).fit(X)
    np.testing.assert_array_equal(detector.estimator_.transform(X), every_row.transform(X))


@pytest.mark.parametrize(
    ("contamination", "trim", "n_trimmed"),
    [
        ("auto", "auto", 20),
        (0.25, "auto", 50),
        (0.05, "auto", 20),
        ("auto", 0.05, 10),
        (0.25, 0.0, 0),
    ],
)
def test_auto_shares(contamination, trim, n_trimmed):
    detector = AutoEncoderOutlierDetector(
        SMALL, contamination=contamination, trim=trim, random_state=0
    ).fit(X)
    assert detector.n_trimmed_ == n_trimmed
    share = 0.1 if contamination == "auto" else contamination
    assert np.mean(detector.predict(X) == -1) == pytest.approx(share, abs=0.01)


def test_scores_follow_isolation_forest_conventions():
    # The inliers and the rows off their plane: 5 outliers in 195 rows.
    rows, is_outlier = X[: N_INLIERS + 5], IS_OUTLIER[: N_INLIERS + 5]
    detector = AutoEncoderOutlierDetector(SMALL, contamination=5 / 195, random_state=0)
    labels = detector.fit_predict(rows)
    scores = detector.score_samples(rows)
    assert roc_auc_score(is_outlier, -scores) == 1.0
    np.testing.assert_array_equal(labels, np.where(is_outlier == 1, -1, 1))
    np.testing.assert_array_equal(labels, detector.predict(rows))
    np.testing.assert_allclose(detector.decision_function(rows), scores - detector.offset_)
    assert detector.offset_ == np.percentile(scores, 100 * 5 / 195)
    # Scores are minus the error over the median error of the rows learnt from.
    kept_error = -scores[:N_INLIERS] * detector.reference_error_
    assert np.median(kept_error) == pytest.approx(detector.reference_error_)


def test_rows_far_out_along_the_principal_directions_are_not_flagged():
    # A known limit, stated in the user guide: they are left out of
    # training, but the network's linear path still reconstructs them.
    detector = AutoEncoderOutlierDetector(SMALL, contamination=0.05, random_state=0).fit(X)
    along = detector.score_samples(X[N_INLIERS + 5 :])
    assert (along > np.median(detector.score_samples(X[:N_INLIERS]))).any()


def test_default_estimator_is_an_autoencoder_a_quarter_of_the_features_wide():
    assert [default_n_components(n) for n in (1, 2, 6, 8, 9, 10, 36, 166)] == [
        1, 1, 2, 2, 2, 3, 9, 42,
    ]  # fmt: skip
    detector = AutoEncoderOutlierDetector(random_state=0).fit(X)
    assert type(detector.estimator_) is AutoEncoder
    assert detector.estimator_.n_components_ == 2
    assert detector.estimator is None


def test_a_code_as_wide_as_the_rows_is_refused_with_the_fix():
    detector = AutoEncoderOutlierDetector(clone(SMALL).set_params(n_components=8))
    with pytest.raises(ValueError, match=r"n_components < n_features; got n_components=8"):
        detector.fit(X)


def test_a_failed_refit_leaves_the_previous_model():
    detector = AutoEncoderOutlierDetector(clone(SMALL), random_state=0).fit(X)
    before = dict(vars(detector))
    scores = detector.score_samples(X)
    detector.set_params(estimator__n_components=8)
    with pytest.raises(ValueError):
        detector.fit(X)
    assert {key: vars(detector)[key] for key in before if key != "estimator"} == {
        key: value for key, value in before.items() if key != "estimator"
    }
    np.testing.assert_array_equal(detector.score_samples(X), scores)


def test_same_random_state_gives_identical_scores():
    first = clone(DETECTOR).fit(X).score_samples(X)
    np.testing.assert_array_equal(clone(DETECTOR).fit(X).score_samples(X), first)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_every_estimator_serves_inside(name):
    X16 = _planted(n_features=16)  # 4x4 images for the residual network
    detector = AutoEncoderOutlierDetector(ESTIMATORS[name], random_state=0).fit(X16)
    scores = detector.score_samples(X16)
    assert scores.shape == (len(X16),) and np.isfinite(scores).all()
    assert type(detector.estimator_) is type(ESTIMATORS[name])


def test_sparse_and_dataframe_input():
    detector = clone(DETECTOR).fit(X)
    scores = detector.score_samples(X)
    sparse = clone(DETECTOR).fit(sp.csr_matrix(X))
    np.testing.assert_allclose(sparse.score_samples(sp.csr_matrix(X)), scores, rtol=1e-5)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    named = clone(DETECTOR).fit(frame)
    assert list(named.feature_names_in_) == list(frame.columns)
    np.testing.assert_allclose(named.score_samples(frame), scores, rtol=1e-6)


def test_grid_search_with_labels_and_a_supervised_scorer():
    # roc_auc reads decision_function, which is higher for inliers.
    is_inlier = 1 - IS_OUTLIER
    search = GridSearchCV(
        clone(DETECTOR),
        {"estimator__n_components": [1, 2]},
        scoring="roc_auc",
        cv=StratifiedKFold(2, shuffle=True, random_state=0),
    ).fit(X, is_inlier)
    assert search.best_params_["estimator__n_components"] in (1, 2)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_pickle_and_save_load_reproduce_the_detector(tmp_path):
    detector = AutoEncoderOutlierDetector(SMALL, contamination=0.05, random_state=0).fit(X)
    path = tmp_path / "detector.skae"
    detector.save(path)
    for restored in (skae.load(path), pickle.loads(pickle.dumps(detector))):
        assert type(restored) is AutoEncoderOutlierDetector
        assert repr(restored) == repr(detector)
        assert restored.offset_ == detector.offset_
        assert restored.n_trimmed_ == detector.n_trimmed_
        np.testing.assert_array_equal(restored.score_samples(X), detector.score_samples(X))
        np.testing.assert_array_equal(restored.predict(X), detector.predict(X))


def test_unfitted_detector_saves_its_parameters(tmp_path):
    path = tmp_path / "detector.skae"
    AutoEncoderOutlierDetector(SMALL, trim=0.2).save(path)
    restored = skae.load(path)
    assert repr(restored) == repr(AutoEncoderOutlierDetector(SMALL, trim=0.2))
    assert not hasattr(restored, "estimator_")


def test_a_file_missing_its_nested_estimator_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "detector.skae"
    clone(DETECTOR).fit(X).save(path)
    broken = tmp_path / "broken.skae"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as target:
        for member in source.namelist():
            if member != "estimator_.skae":
                target.writestr(member, source.read(member))
    with pytest.raises(ValueError, match=r"it has no estimator_\.skae"):
        skae.load(broken)
