"""How long a default fit takes on 10,000 x 1,000 dense rows.

Usage::

    python benchmarks/default_fit_time.py [--estimators AE VAE ...] [--n-components 8]

Each estimator is fitted with its defaults (only ``n_components`` and
``random_state`` set) on 10,000 rows of a swiss roll lifted to 1,000
features (``vs_pca.manifold``), and scored on 2,000 held-out rows. Prints
the fit's wall time, epochs, whether it stopped early or at ``max_iter``
(with a ``ConvergenceWarning``), its held-out error over PCA's, and the
time of a 1,000 x 1,000 float32 matrix product measured before and after
it, so that a reader can tell a slow fit from a busy machine.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse
import time
import warnings

import numpy as np
from _measure import machine_description, seconds
from sklearn.datasets import make_swiss_roll
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from vs_pca import ESTIMATORS, manifold

N_TRAIN, N_TEST, N_FEATURES = 10_000, 2_000, 1_000


def _matmul_ms() -> float:
    """Best of five 1,000 x 1,000 float32 NumPy products, in ms: the machine's pace."""
    a = np.random.default_rng(0).random((1000, 1000), dtype=np.float32)
    return 1000 * min(seconds(np.dot, a, a)[0] for _ in range(5))


def _error(model, X) -> float:
    return float(np.mean((X - model.inverse_transform(model.transform(X))) ** 2))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--estimators", nargs="*", default=list(ESTIMATORS))
    parser.add_argument("--n-components", type=int, default=8)
    args = parser.parse_args(argv)
    X_train, X_test, _, _ = manifold(
        make_swiss_roll, N_TRAIN + N_TEST, N_FEATURES, test_size=N_TEST
    )
    print(machine_description())
    pca_error = _error(PCA(args.n_components, random_state=0).fit(X_train), X_test)
    print("\n| estimator | fit s | n_iter_ | stopped | error/PCA | matmul ms before / after |")
    print("|---|---|---|---|---|---|")
    for name in args.estimators:
        before = _matmul_ms()
        model = ESTIMATORS[name](n_components=args.n_components, random_state=0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(X_train)
            elapsed = time.perf_counter() - start
        at_max_iter = any(issubclass(w.category, ConvergenceWarning) for w in caught)
        after = _matmul_ms()
        print(
            f"| {name} | {elapsed:.1f} | {model.n_iter_} | "
            f"{'max_iter' if at_max_iter else 'early'} | "
            f"{_error(model, X_test) / pca_error:.3f} | {before:.1f} / {after:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
