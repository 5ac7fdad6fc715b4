"""How much a code-probe cell of ``vs_pca.py`` moves with the split and the seed.

Usage::

    python benchmarks/probe_spread.py [--splits 3] [--seeds 3]

``vs_pca.py`` fits each cell once, on one train/test split, with
``random_state=0``. This refits the cells where a probe fell more than
one point below PCA's, at the time on a text corpus that still changed
between processes (text TF-IDF at k = 8, the autoencoder and the denoising
one, with logistic regression; wine at k = 2, the autoencoder and the
sparse one, with 1-nearest-neighbour), on ``--splits`` splits
(``train_test_split``'s ``random_state`` 0, 1, ...) with ``--seeds``
estimator seeds each, and prints every run, then per estimator the mean,
smallest and largest probe accuracy minus PCA's (TruncatedSVD's for text)
on the same split, in points, and what one test row is worth in points.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
from sklearn.datasets import load_wine
from vs_pca import ESTIMATORS, _baseline, _error, _probe, _table, _text

# (data, loader of one split, k, estimators, sparse input)
CELLS = [
    ("text TF-IDF", _text, 8, ("AE", "DAE"), True),
    (
        "wine",
        lambda split_seed: _table(load_wine, True, split_seed=split_seed),
        2,
        ("AE", "SAE"),
        False,
    ),
]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    print("| data | k | estimator | split | seed | probe (PCA) | error/PCA |")
    print("|---|---|---|---|---|---|---|")
    summary = []
    for name, load, k, labels, sparse in CELLS:
        differences = {label: [] for label in labels}
        for split in range(args.splits):
            X_train, X_test, y_train, y_test = load(split_seed=split)
            baseline = _baseline(k, sparse).fit(X_train)
            codes = baseline.transform(X_train), baseline.transform(X_test)
            base_probe = _probe(*codes, y_train, y_test, sparse)
            base_error = _error(baseline, X_test)
            row_points = 100 / X_test.shape[0]
            for label in labels:
                for seed in range(args.seeds):
                    estimator = ESTIMATORS[label](n_components=k, random_state=seed).fit(X_train)
                    codes = estimator.transform(X_train), estimator.transform(X_test)
                    probe = _probe(*codes, y_train, y_test, sparse)
                    differences[label].append(100 * (probe - base_probe))
                    print(
                        f"| {name} | {k} | {label} | {split} | {seed} | {probe:.3f} "
                        f"({base_probe:.3f}) | {_error(estimator, X_test) / base_error:.3f} |",
                        flush=True,
                    )
        for label, points in differences.items():
            summary.append(
                f"| {name} | {k} | {label} | {len(points)} | {np.mean(points) + 0.0:+.2f} | "
                f"{min(points):+.1f} | {max(points):+.1f} | {row_points:.2f} |"
            )
    print(
        "\n| data | k | estimator | runs | mean probe - PCA's (points) | smallest | largest "
        "| one test row |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
