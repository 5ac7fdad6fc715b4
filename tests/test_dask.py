"""Hyperparameter searches through joblib's Dask backend.

A ``LocalCluster`` of two worker processes (one thread each) stands in for
a cluster: the estimators travel to the workers pickled, exactly as to
remote machines.
"""

import os
import sys

import joblib
import psutil
import pytest
from dask.distributed import Client, LocalCluster
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

from skae import AutoEncoder

X = load_digits().data[:240] / 16
ESTIMATOR = AutoEncoder(
    hidden_layer_sizes=(16,), batch_size=32, max_iter=3, n_iter_no_change=None, random_state=0
)
GRID = {"n_components": [2, 4]}
# Worker memory may grow this much over two searches (2 fits per worker
# each); benchmarks/scaling.py --dask measured about 2.2 MiB per fit once
# workers reuse compiled trainers (about 4 MiB before).
MAX_GROWTH_MIB = 50


def worker_state() -> tuple[int, bool, float]:
    """PID, whether TensorFlow is imported, and resident MiB of this process."""
    return os.getpid(), "tensorflow" in sys.modules, psutil.Process().memory_info().rss / 2**20


@pytest.fixture(scope="module")
def client():
    with (
        LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def assert_same_search(distributed, serial) -> None:
    assert distributed.best_params_ == serial.best_params_
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        assert_allclose(distributed.cv_results_[key], serial.cv_results_[key], rtol=1e-6)


def test_grid_search_on_dask_matches_serial(client):
    serial = GridSearchCV(ESTIMATOR, GRID, cv=2).fit(X)
    with joblib.parallel_config(backend="dask"):
        distributed = GridSearchCV(ESTIMATOR, GRID, cv=2).fit(X)
    assert_same_search(distributed, serial)


def test_dask_workers_import_tensorflow_once_and_grow_little(client):
    grid = {"learning_rate": [1e-3, 1e-2, 3e-2]}
    search = RandomizedSearchCV(ESTIMATOR, grid, n_iter=2, cv=2, random_state=0, refit=False)
    with joblib.parallel_config(backend="dask"):
        search.fit(X)
        before = client.run(worker_state)
        for _ in range(2):
            search.fit(X)
        after = client.run(worker_state)
    assert_same_search(search, clone(search).set_params(n_jobs=1).fit(X))
    assert len(before) == 2
    for address, (pid, has_tensorflow, rss) in before.items():
        assert has_tensorflow
        # The same process: TensorFlow was not imported again.
        assert after[address][0] == pid
        assert after[address][2] - rss < MAX_GROWTH_MIB, (rss, after[address][2])
