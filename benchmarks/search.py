"""The cost of many small fits: one fit's fixed cost, and a grid search.

Usage::

    python benchmarks/search.py [--repeats 3]

Prints one Markdown table. Every ratio compares measurements taken side by
side in this run:

* **Fixed cost**: one fit of 100 x 10 rows for one epoch, the first in the
  process and then the median of ten repeat fits of the same structure
  (each a new estimator, as in cross-validation). ``compiled afresh`` turns
  the reuse of compiled trainers off (``skae._reuse.POOL.max_idle = 0``),
  which is how every fit ran before it existed.
* **Search**: ``GridSearchCV`` over 4 values of ``n_components`` x 5 folds on
  ``load_digits``, 20 epochs of 200-row batches, no early stopping, against
  the same search with scikit-learn's ``MLPRegressor`` fitted X -> X (hidden
  layers ``(128, 64, k, 64, 128)``, its default batch of 200 rows), and
  against skae with reuse turned off. Each search's best-of-``--repeats``
  wall time is reported; the MLP search runs with ``n_jobs=1`` like skae's.
* **Parallel searches**: the 4 x 5 search with 200-row batches, with
  ``n_jobs=1`` and twice with ``n_jobs=2`` (the first starts joblib's
  worker processes, which import TensorFlow; the second reuses them), and
  whether the three give the same ``mean_test_score``.
* **A search as people write it**: ``GridSearchCV`` over 2 ``n_components``
  x 2 learning rates x 2 ``alpha`` x 5 folds on ``load_digits``, every
  other parameter at its default (skae: ``max_iter="auto"``, early
  stopping as ``"auto"`` decides; ``MLPRegressor``: its defaults, the same
  learning rates and ``alpha`` values), once each: the learning rate and
  ``alpha`` are variables of skae's compiled epoch, so the grid traces one
  trainer per width and penalty (``alpha`` 0 has no penalty). skae's
  search also runs with ``n_jobs=2`` first, in new joblib worker
  processes (each imports TensorFlow and compiles its trainers), and the
  table says whether its ``cv_results_`` equal those of ``n_jobs=1``.
* **A 50-epoch fit**: ``AutoEncoder(n_components=8, max_iter=50,
  batch_size=256)`` on 1,347 rows of ``load_digits`` (the other 450 held
  out), the first fit of its structure in the process (it traces its
  compiled functions) and the median of ``--repeats`` repeat fits, against
  ``MLPRegressor`` with the same layers (64-128-64-8-64-128-64), batch and
  epochs, with the held-out mean squared error of each.
* **A search over a noise level**: ``GridSearchCV`` over 4
  ``noise_level`` values of ``DenoisingAutoEncoder(n_components=8)`` x 5
  folds, 20 epochs of 200-row batches, with reuse off and on: the level is
  a variable of the compiled epoch, so the grid traces one trainer.

``--only`` runs some of these: ``fixed``, ``search``, ``parallel``,
``realistic``, ``fit50``, ``noise``. Run it with ``OMP_NUM_THREADS=1`` in
the environment to size TensorFlow's thread pools (and numpy's BLAS) at
one thread, as joblib does in the workers of ``n_jobs=2``.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse
import statistics
import warnings

import numpy as np
from _measure import machine_description, seconds
from joblib.externals.loky import get_reusable_executor
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPRegressor

from skae import AutoEncoder, DenoisingAutoEncoder
from skae._reuse import MAX_IDLE, POOL

SEED = 0
COMPONENTS = [2, 4, 8, 16]
# The grid of the search as people write it.
REALISTIC = {"n_components": [4, 16], "learning_rate": [1e-3, 1e-2], "alpha": [0.0, 1e-4]}
EPOCHS = 20
BATCH = 200


def _reuse(enabled: bool) -> None:
    POOL.clear()
    POOL.max_idle = MAX_IDLE if enabled else 0


def fixed_cost(params: dict, reuse: bool, repeats: int = 10) -> tuple[float, float]:
    """Seconds of the first fit in this configuration and the median repeat fit."""
    X = np.random.default_rng(SEED).random((100, 10))
    _reuse(reuse)
    times = [
        seconds(AutoEncoder(n_components=2, max_iter=1, random_state=SEED, **params).fit, X)[0]
        for _ in range(repeats + 1)
    ]
    return times[0], statistics.median(times[1:])


def skae_search(X, reuse: bool, batch_size, n_jobs: int = 1) -> float:
    return _skae_search(X, reuse, batch_size, n_jobs)[0]


def _skae_search(X, reuse: bool, batch_size, n_jobs: int = 1) -> tuple[float, np.ndarray]:
    """Seconds of the 4 x 5 search and its mean test scores."""
    _reuse(reuse)
    search = GridSearchCV(
        AutoEncoder(
            max_iter=EPOCHS, batch_size=batch_size, early_stopping=False, random_state=SEED
        ),
        {"n_components": COMPONENTS},
        cv=5,
        n_jobs=n_jobs,
    )
    return seconds(search.fit, X)[0], search.cv_results_["mean_test_score"]


def mlp_search(X) -> float:
    search = GridSearchCV(
        MLPRegressor(max_iter=EPOCHS, random_state=SEED),
        {"hidden_layer_sizes": [(128, 64, k, 64, 128) for k in COMPONENTS]},
        cv=5,
    )
    return seconds(search.fit, X, X)[0]


def realistic_searches(X) -> dict:
    """Seconds and best held-out score (negative mean squared error of the
    reconstructions, scikit-learn's scorer for X -> X) of the skae and MLP
    searches with defaults otherwise, and of skae's with ``n_jobs=2`` in
    new worker processes (they import TensorFlow and compile)."""
    _reuse(True)
    get_reusable_executor().shutdown(wait=True)
    searches = {}
    for n_jobs in (2, 1):
        searches[n_jobs] = GridSearchCV(
            AutoEncoder(random_state=SEED),
            REALISTIC,
            cv=5,
            scoring=_reconstruction_score,
            n_jobs=n_jobs,
        )
    parallel_time = seconds(searches[2].fit, X)[0]
    skae_time = seconds(searches[1].fit, X)[0]
    mlp_search = GridSearchCV(
        MLPRegressor(random_state=SEED),
        {
            "hidden_layer_sizes": [(128, 64, k, 64, 128) for k in REALISTIC["n_components"]],
            "learning_rate_init": REALISTIC["learning_rate"],
            "alpha": REALISTIC["alpha"],
        },
        cv=5,
        scoring="neg_mean_squared_error",
    )
    mlp_time = seconds(mlp_search.fit, X, X)[0]
    return {
        "skae": skae_time,
        "skae_score": searches[1].best_score_,
        "parallel": parallel_time,
        "same": np.array_equal(
            searches[1].cv_results_["mean_test_score"], searches[2].cv_results_["mean_test_score"]
        ),
        "mlp": mlp_time,
        "mlp_score": mlp_search.best_score_,
    }


def fifty_epoch_fits(X, repeats: int) -> dict:
    """Seconds and held-out MSE of the 50-epoch fits (see the module docstring)."""
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=SEED)
    params = {"n_components": 8, "max_iter": 50, "batch_size": 256}

    def skae_fit(seed: int) -> tuple[float, float]:
        est = AutoEncoder(random_state=seed, **params)
        elapsed = seconds(est.fit, X_train)[0]
        return elapsed, -_reconstruction_score(est, X_test)

    _reuse(True)
    POOL.clear()
    first, first_mse = skae_fit(SEED)
    repeat = statistics.median(skae_fit(SEED + 1 + i)[0] for i in range(repeats))
    mlp = MLPRegressor(
        hidden_layer_sizes=(128, 64, 8, 64, 128), batch_size=256, max_iter=50, random_state=SEED
    )
    mlp_times = [seconds(mlp.fit, X_train, X_train)[0] for _ in range(repeats)]
    mlp_mse = float(np.mean((mlp.predict(X_test) - X_test) ** 2))
    return {
        "first": first,
        "repeat": repeat,
        "mlp": statistics.median(mlp_times),
        "mse": first_mse,
        "mlp_mse": mlp_mse,
    }


def noise_search(X, reuse: bool) -> float:
    """Seconds of the search over ``noise_level`` (see the module docstring)."""
    _reuse(reuse)
    search = GridSearchCV(
        DenoisingAutoEncoder(
            n_components=8,
            max_iter=EPOCHS,
            batch_size=BATCH,
            early_stopping=False,
            random_state=SEED,
        ),
        {"noise_level": [0.02, 0.05, 0.1, 0.2]},
        cv=5,
    )
    return seconds(search.fit, X)[0]


def _reconstruction_score(estimator, X, y=None) -> float:
    """Minus the mean squared error of ``estimator``'s reconstructions of X."""
    return -float(np.mean((estimator.inverse_transform(estimator.transform(X)) - X) ** 2))


PARTS = ("fixed", "search", "parallel", "realistic", "fit50", "noise")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="searches per row (best kept)")
    parser.add_argument("--only", nargs="+", choices=PARTS, default=PARTS)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(machine_description())
    X = load_digits().data / 16.0

    rows = []
    if "fixed" in args.only:
        for label, params in [
            ("defaults (PCA start, early stopping)", {}),
            ("init='random', early_stopping=False", {"init": "random", "early_stopping": False}),
        ]:
            first, fresh = fixed_cost(params, reuse=False)
            _, reused = fixed_cost(params, reuse=True)
            rows.append(
                (f"fixed cost of one fit, {label}", f"first {first:.2f} s", fresh, reused, None)
            )

    if "search" in args.only:
        mlp = min(mlp_search(X) for _ in range(args.repeats))
        for batch_size in (BATCH, "auto"):
            fresh = min(skae_search(X, False, batch_size) for _ in range(args.repeats))
            reused = min(skae_search(X, True, batch_size) for _ in range(args.repeats))
            rows.append(
                (
                    f"GridSearchCV 4 x 5 folds, {EPOCHS} epochs, batch_size={batch_size!r}",
                    "",
                    fresh,
                    reused,
                    mlp,
                )
            )

    if "noise" in args.only:
        fresh = min(noise_search(X, False) for _ in range(args.repeats))
        reused = min(noise_search(X, True) for _ in range(args.repeats))
        rows.append(
            (f"GridSearchCV 4 noise_level x 5 folds, {EPOCHS} epochs", "", fresh, reused, None)
        )

    if "parallel" in args.only:
        # joblib's process workers start (and import TensorFlow) in the
        # first parallel search; the second reuses them and their pooled
        # trainers.
        serial, serial_scores = _skae_search(X, True, BATCH, n_jobs=1)
        first, first_scores = _skae_search(X, True, BATCH, n_jobs=2)
        again, again_scores = _skae_search(X, True, BATCH, n_jobs=2)
        same = np.array_equal(serial_scores, first_scores) and np.array_equal(
            serial_scores, again_scores
        )
        print()
        print(
            "| 4 x 5 search, 200-row batches | n_jobs=1 (s) | n_jobs=2, first (s) "
            "| n_jobs=2, again (s) | again / n_jobs=1 | same cv_results_ |"
        )
        print("|---|---|---|---|---|---|")
        print(
            f"| GridSearchCV | {serial:.2f} | {first:.2f} | {again:.2f} "
            f"| {again / serial:.2f}x | {same} |"
        )

    if "realistic" in args.only:
        result = realistic_searches(X)
        print()
        print(
            "| search as people write it (8 settings x 5 folds, defaults otherwise) "
            "| skae (s) | MLPRegressor (s) | skae / MLPRegressor | held-out MSE skae | MSE MLP "
            "| skae n_jobs=2, new workers (s) | n_jobs=2 / n_jobs=1 | same cv_results_ |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        print(
            f"| GridSearchCV, n_jobs=1 | {result['skae']:.1f} | {result['mlp']:.1f} | "
            f"{result['skae'] / result['mlp']:.2f}x | {-result['skae_score']:.4f} "
            f"| {-result['mlp_score']:.4f} | {result['parallel']:.1f} "
            f"| {result['parallel'] / result['skae']:.2f}x | {result['same']} |"
        )

    if "fit50" in args.only:
        fit = fifty_epoch_fits(X, args.repeats)
        print()
        print(
            "| 50-epoch fit, 1,347 digits rows, batch 256 | skae first fit (s) "
            "| skae repeat fit (s) | MLPRegressor (s) | first / MLP | repeat / MLP "
            "| held-out MSE skae | MSE MLP |"
        )
        print("|---|---|---|---|---|---|---|---|")
        print(
            f"| AutoEncoder(n_components=8) | {fit['first']:.3f} | {fit['repeat']:.3f} "
            f"| {fit['mlp']:.3f} | {fit['first'] / fit['mlp']:.2f}x "
            f"| {fit['repeat'] / fit['mlp']:.2f}x | {fit['mse']:.4f} | {fit['mlp_mse']:.4f} |"
        )

    if rows:
        print()
        print(
            "| what | note | compiled afresh (s) | reused (s) | speed-up | MLPRegressor (s) "
            "| reused / MLPRegressor |"
        )
        print("|---|---|---|---|---|---|---|")
        for what, note, fresh, reused, mlp_time in rows:
            versus = f"{mlp_time:.2f} | {reused / mlp_time:.2f}x" if mlp_time else "- | -"
            print(
                f"| {what} | {note} | {fresh:.3f} | {reused:.3f} "
                f"| {fresh / reused:.1f}x | {versus} |"
            )


if __name__ == "__main__":
    main()
