"""``distribute_strategy``: MirroredStrategy over two logical CPU devices.

The fits run in a subprocess (``distributed_runs.py``), because logical
devices can only be configured before TensorFlow initialises.
"""

import json
import os
import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from sklearn.base import clone
from sklearn.datasets import load_digits

from skae import AutoEncoder

# Batch sums of rows are split between replicas: float32 rounding differs.
# Largest code and loss difference against one device. Codes of the PCA
# start are PCA's scores (values up to about 3 here, against about 1 for the
# classical network), so float rounding shows at a larger absolute size.
TOLERANCE = {"dense": 1e-5, "resnet": 1e-5, "batch_norm": 1e-3, "pca_start": 2e-3}


@pytest.fixture(scope="module")
def results():
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore::UserWarning"}
    script = Path(__file__).with_name("distributed_runs.py")
    completed = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=900
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    line = next(line for line in completed.stdout.splitlines() if line.startswith("RESULTS "))
    return json.loads(line.removeprefix("RESULTS "))


def test_two_replicas(results):
    assert results["replicas"] == 2


@pytest.mark.parametrize("case", sorted(TOLERANCE))
def test_mirrored_training_matches_one_device(results, case):
    assert results[case]["codes"] < TOLERANCE[case]
    assert results[case]["losses"] < TOLERANCE[case]


def test_replicas_draw_different_noise(results):
    first, second = results["replica_draws"]
    assert not np.allclose(first, second)
    # Different noise per replica, so the denoising fit differs slightly
    # from one device's but trains as well.
    assert results["denoising"]["losses"] < 0.01 * results["denoising"]["final_loss"]


def test_strategy_is_dropped_by_pickle_and_save(results):
    assert results["pickled_strategy"] == "None"
    assert results["saved_strategy"] == "None"
    assert results["pickle_codes"] == 0.0
    assert results["save_codes"] == 0.0


def test_training_continues_across_strategy_changes(results):
    # partial_fit, warm-start fit without the strategy, sparse partial_fit.
    assert results["continued_epochs"] == 3
    assert results["continued_loss_finite"]


def test_small_batches(results):
    assert results["one_row_left_finite"]
    assert "2 replicas but there are only 1 training samples" in results["too_few_rows"]


def test_grid_search_with_a_strategy(results):
    assert results["grid_search_best"] in (2, 4)


# -- in-process: the default strategy (one device) -----------------------------
X = load_digits().data[:100] / 16


def test_clone_shares_the_strategy():
    strategy = tf.distribute.get_strategy()
    est = AutoEncoder(2, distribute_strategy=strategy, max_iter=1)
    copy = clone(est)
    assert copy.distribute_strategy is strategy
    assert est.distribute_strategy is strategy
    assert copy is not est


def test_pickling_a_strategy_warns():
    est = AutoEncoder(2, max_iter=2, n_iter_no_change=None, random_state=0).fit(X)
    est.set_params(distribute_strategy=tf.distribute.get_strategy())
    with pytest.warns(UserWarning, match="distribute_strategy is not stored") as caught:
        restored = pickle.loads(pickle.dumps(est))
    assert caught[0].filename == __file__
    assert restored.distribute_strategy is None
    np.testing.assert_array_equal(restored.transform(X), est.transform(X))
    est.set_params(distribute_strategy=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pickle.dumps(est)


def test_strategy_must_be_a_strategy():
    with pytest.raises(ValueError, match="distribute_strategy"):
        AutoEncoder(2, distribute_strategy="mirrored").fit(X)
