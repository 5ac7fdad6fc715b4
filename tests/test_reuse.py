"""Compiled trainers are reused across fits of the same structure (_reuse.py).

A fit that reuses a pooled trainer must give bit-identical results to one
that compiles afresh; a trainer is lent to one estimator at a time and never
goes back to the pool while a user may hold its Keras models.
"""

import gc

import numpy as np
import pytest
from _registry import CONFIGURATIONS, ESTIMATORS
from sklearn.base import clone
from sklearn.model_selection import cross_validate

from skae import (
    AutoEncoder,
    ContractiveAutoEncoder,
    DenoisingAutoEncoder,
    DenseArchitecture,
    ResNetAutoEncoder,
    SparseAutoEncoder,
    VariationalAutoEncoder,
)
from skae._reuse import POOL, TrainerPool

X = np.random.default_rng(0).random((64, 64))
X_OTHER = np.random.default_rng(1).random((64, 64)) * 7.0 + 3.0

CASES = {**ESTIMATORS, **CONFIGURATIONS}


def _outputs(est) -> dict:
    out = {
        "codes": est.transform(X),
        "reconstruction": est.inverse_transform(est.transform(X)),
        "scores": est.score_samples(X),
        "loss_curve": np.array(est.loss_curve_),
    }
    if hasattr(est, "validation_scores_"):
        out["validation_scores"] = np.array(est.validation_scores_)
    return out


def _fit(est, data=X):
    # Early stopping on, so the start's score, the restored weights and the
    # validation function of a reused trainer are compared too.
    return clone(est).set_params(early_stopping=True).fit(data)


def _assert_same(actual: dict, expected: dict) -> None:
    for key, value in expected.items():
        np.testing.assert_array_equal(actual[key], value, err_msg=key)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("seed_between", [0, 1], ids=["same-seed", "other-seed"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_reused_trainer_gives_bit_identical_fits(name, seed_between):
    # Another fit in between, on other data and scale (so another PCA
    # start), with the same seed (the network returns to its remembered
    # initial values, unless the objective's weights depend on the start)
    # or another (it takes those of a new build), and another learning rate
    # and decay (variables of the compiled epoch, not constants).
    between = clone(CASES[name]).set_params(
        random_state=seed_between, learning_rate=3e-3, learning_rate_decay=0.9
    )
    # Fitted estimators give their trainers back when garbage collected,
    # which can wait for the cyclic collector: collect before clearing, so
    # that the pool holds only the trainer this test gives back (take()
    # hands out the least recent one of a key).
    gc.collect()
    POOL.clear()
    expected_between = _outputs(_fit(between, X_OTHER))
    gc.collect()
    POOL.clear()
    fresh = _fit(CASES[name])
    expected = _outputs(fresh)
    trainer = fresh._trainer
    del fresh
    gc.collect()

    other = _fit(between, X_OTHER)
    assert other._trainer is trainer, "the pooled trainer was not reused"
    _assert_same(_outputs(other), expected_between)
    del other
    gc.collect()

    # Everything the fit in between changed is undone.
    reused = _fit(CASES[name])
    assert reused._trainer is trainer
    _assert_same(_outputs(reused), expected)


_SMALL = {"n_components": 2, "hidden_layer_sizes": (8,), "max_iter": 3, "random_state": 0}


class HalfDropoutAutoEncoder(AutoEncoder):
    """An estimator whose stock architecture drops at half its dropout."""

    def _architecture(self):
        return DenseArchitecture(self.hidden_layer_sizes, dropout=self.dropout / 2)


class OwnDenseArchitecture(DenseArchitecture):
    """Not a stock architecture: skae cannot know what its rates are."""


class OwnArchitectureAutoEncoder(AutoEncoder):
    def _architecture(self):
        return OwnDenseArchitecture(self.hidden_layer_sizes, dropout=self.dropout)
_SMALL_RESNET = {k: v for k, v in _SMALL.items() if k != "hidden_layer_sizes"}
# Numbers a search varies that do not change the traced graph: an
# estimator, and the settings of two fits that must share one trainer.
SEARCHED_NUMBERS = {
    "learning rate, decay and alpha": (
        AutoEncoder(**_SMALL),
        {"learning_rate": 1e-3, "alpha": 1e-4},
        {"learning_rate": 1e-2, "learning_rate_decay": 0.8, "alpha": 1e-2},
    ),
    "gaussian noise level": (
        DenoisingAutoEncoder(**_SMALL),
        {"noise_level": 0.3},
        {"noise_level": 0.05},
    ),
    "masking noise level": (
        DenoisingAutoEncoder(noise_type="masking", **_SMALL),
        {"noise_level": 0.2},
        {"noise_level": 0.4},
    ),
    "l1 sparsity weight": (
        SparseAutoEncoder(**_SMALL),
        {"sparsity_weight": 1e-2},
        {"sparsity_weight": 1e-4},
    ),
    "kl sparsity target and weight": (
        SparseAutoEncoder(sparsity="kl", **_SMALL),
        {"sparsity_target": 0.05},
        {"sparsity_target": 0.2, "sparsity_weight": 0.5},
    ),
    "contraction": (
        ContractiveAutoEncoder(**_SMALL),
        {"contraction": 0.3},
        {"contraction": 0.01},
    ),
    "beta and KL warm-up": (
        VariationalAutoEncoder(**_SMALL),
        {"beta": 2.0},
        {"beta": 0.5, "kl_warmup": 2},
    ),
    "dropout and nested dropout": (
        AutoEncoder(**_SMALL),
        {"dropout": 0.2, "nested_dropout": 0.3},
        {"dropout": 0.4, "nested_dropout": 0.1},
    ),
    "dropout of the residual network": (
        ResNetAutoEncoder(image_shape=(8, 8), n_levels=1, filters=2, **_SMALL_RESNET),
        {"dropout": 0.1},
        {"dropout": 0.3},
    ),
    # A pooled network takes the rate the new parameters build, not the
    # dropout parameter itself.
    "dropout of an estimator's own stock architecture": (
        HalfDropoutAutoEncoder(**_SMALL),
        {"dropout": 0.4},
        {"dropout": 0.2},
    ),
    # The architecture object's own rate (part of the key) stays: only the
    # flat dropout parameter sets the rates of a pooled network.
    "learning rate beside an architecture's dropout": (
        AutoEncoder(
            architecture=DenseArchitecture(hidden_layer_sizes=(8,), dropout=0.3),
            **{k: v for k, v in _SMALL.items() if k != "hidden_layer_sizes"},
        ),
        {"learning_rate": 1e-3},
        {"learning_rate": 1e-2},
    ),
}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("case", list(SEARCHED_NUMBERS))
def test_a_search_over_numbers_of_the_loss_reuses_one_trainer(case):
    """The learning rate, its decay, the L2 weight and the objectives'
    numbers are variables of the compiled epoch: fits that differ only in
    them share a trainer, and each is bit-identical to a fit compiled
    afresh."""
    est, first_setting, second_setting = SEARCHED_NUMBERS[case]
    # The second fit has fewer rows: fewer steps per epoch, which its
    # decaying learning rate reads.
    settings = [(first_setting, X), (second_setting, X_OTHER[:48])]
    expected = []
    for setting, data in settings:
        POOL.clear()
        expected.append(_outputs(_fit(clone(est).set_params(**setting), data)))
    POOL.clear()
    first = _fit(clone(est).set_params(**settings[0][0]), settings[0][1])
    trainer = first._trainer
    _assert_same(_outputs(first), expected[0])
    del first
    gc.collect()
    second = _fit(clone(est).set_params(**settings[1][0]), settings[1][1])
    assert second._trainer is trainer, "the pooled trainer was not reused"
    _assert_same(_outputs(second), expected[1])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_rates_of_an_architecture_skae_does_not_know_key_the_pool():
    POOL.clear()
    est = OwnArchitectureAutoEncoder(**_SMALL)
    expected = _outputs(_fit(clone(est).set_params(dropout=0.2)))
    POOL.clear()
    first = _fit(clone(est).set_params(dropout=0.4))
    trainer = first._trainer
    del first
    gc.collect()
    second = _fit(clone(est).set_params(dropout=0.2))
    assert second._trainer is not trainer
    _assert_same(_outputs(second), expected)


def test_auto_noise_and_a_number_are_different_graphs():
    # "auto" scales the noise by the rows' units inside the graph.
    POOL.clear()
    est = DenoisingAutoEncoder(n_iter_no_change=None, **_SMALL)
    first = _fit(clone(est).set_params(noise_level="auto"))
    trainer = first._trainer
    del first
    gc.collect()
    assert _fit(clone(est).set_params(noise_level=0.1))._trainer is not trainer


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_cross_validation_reuses_one_trainer_per_structure():
    POOL.clear()
    est = AutoEncoder(n_components=2, hidden_layer_sizes=(8,), max_iter=2, random_state=0)
    results = cross_validate(est, X, cv=4, return_estimator=True)
    trainers = {id(fold._trainer) for fold in results["estimator"]}
    # return_estimator keeps every fold's estimator alive: no sharing.
    assert len(trainers) == 4
    del results
    gc.collect()
    scores = cross_validate(est, X, cv=4)["test_score"]
    expected = [clone(est).fit(X[train]).score(X[test]) for train, test in _folds(4)]
    np.testing.assert_array_equal(scores, expected)


def _folds(n_splits):
    from sklearn.model_selection import KFold

    return KFold(n_splits).split(X)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_keras_models_handed_out_keep_their_network():
    POOL.clear()
    est = AutoEncoder(n_components=2, hidden_layer_sizes=(8,), max_iter=2, random_state=0)
    first = clone(est).fit(X)
    encoder = first.encoder_
    codes = encoder(X.astype("float32")).numpy()
    trainer = first._trainer
    del first
    gc.collect()
    second = clone(est).set_params(random_state=1).fit(X_OTHER)
    assert second._trainer is not trainer
    np.testing.assert_array_equal(encoder(X.astype("float32")).numpy(), codes)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_refit_returns_the_old_trainer_and_a_failed_fit_keeps_the_model():
    POOL.clear()
    est = AutoEncoder(n_components=2, hidden_layer_sizes=(8,), max_iter=2, random_state=0)
    est.fit(X)
    first_trainer = est._trainer
    codes = est.transform(X)
    with pytest.raises(ValueError, match="NaN"):
        est.fit(np.full_like(X, np.nan))
    assert est._trainer is first_trainer
    np.testing.assert_array_equal(est.transform(X), codes)
    # A successful refit trains a new network; the old trainer is pooled
    # and a third estimator of the same structure gets it.
    est.fit(X)
    assert est._trainer is not first_trainer
    assert clone(est).fit(X)._trainer is first_trainer


def test_pool_keeps_at_most_max_idle_trainers_and_bytes():
    pool = TrainerPool(max_idle=2, max_bytes=100)
    trainers = [object() for _ in range(4)]
    for i, trainer in enumerate(trainers[:3]):
        pool.give_back(f"key{i}", trainer, nbytes=10)
    # The least recently returned one was dropped.
    assert pool.take_idle("key0") is None
    assert pool.take_idle("key2") is trainers[2]
    assert pool.take_idle("key2") is None
    # Beyond the byte budget the older ones go too, and a trainer larger
    # than the budget is not kept at all.
    pool.give_back("key3", trainers[3], nbytes=95)
    assert pool.take_idle("key1") is None
    assert pool.take_idle("key3") is trainers[3]
    pool.give_back("key3", trainers[3], nbytes=101)
    assert pool.take_idle("key3") is None


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_pickled_and_copied_estimators_do_not_share_a_pooled_network():
    import copy
    import pickle

    POOL.clear()
    est = AutoEncoder(n_components=2, hidden_layer_sizes=(8,), max_iter=1, random_state=0)
    est.set_params(early_stopping=False).fit(X)
    for twin in (copy.copy(est), copy.deepcopy(est), pickle.loads(pickle.dumps(est))):
        assert twin._network is not est._network
        assert "_lease" not in vars(twin)
