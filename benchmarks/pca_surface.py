"""PCA's surface on real data: ordered codes and widths chosen by a share of variance.

For each dataset and estimator (defaults, only ``n_components`` and
``random_state`` set), fitted on the training rows and measured on held-out
rows, as in ``vs_pca.py``:

* ``full``: held-out squared error of the k-code model over PCA(k)'s;
* ``worst prefix (j)``: the largest, over j = 1..k, of the held-out error of
  the codes truncated to their first j (the others set to their mean over
  the training rows, then decoded) over PCA(j)'s, and the j where it occurs;
* ``EVR sum (PCA)``: ``explained_variance_ratio_.sum()`` on the training
  rows, and PCA's at the same width;
* ``EVR ordered``: whether ``explained_variance_ratio_`` never increases
  along the codes (the first code where it does, if not);
* for each of ``--shares`` (0.9 and 0.95 by default; a bare ``--shares``
  runs none): the width ``n_components=share`` chooses, beside PCA's, and
  the share of the test rows' variance the chosen model explains.

With ``--spectrum``, instead: each estimator with its defaults
(``n_components=None``, every code, as ``PCA()``) beside ``PCA()`` on
the training rows, as code that reads the whole spectrum fits them: fit
seconds and their ratio, the largest difference between the two
``explained_variance_ratio_``, and the width each cumulative sum gives for
95 %.

Run::

    python benchmarks/pca_surface.py
    python benchmarks/pca_surface.py --spectrum --estimators AE VAE
    python benchmarks/pca_surface.py --only digits --estimators AE VAE --shares 0.9 0.95
    python benchmarks/pca_surface.py --nested-dropout 0 --shares   # codes not ordered
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import vs_pca
from _data import mnist_available
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine, make_s_curve
from sklearn.decomposition import PCA

DATASETS = {
    "digits": (vs_pca._digits, 8),
    "MNIST 300": (lambda: vs_pca._mnist(300), 8),
    "S curve": (lambda: vs_pca.manifold(make_s_curve), 2),
    "image patches": (vs_pca._image_patches, 8),
    "wine": (lambda: vs_pca._table(load_wine, True), 5),
    "breast cancer": (lambda: vs_pca._table(load_breast_cancer, True), 8),
    "diabetes": (lambda: vs_pca._table(load_diabetes, False, labelled=False), 5),
}


def _pca_error(j: int, X_train, X_test) -> float:
    pca = PCA(j).fit(X_train)
    return float(np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2))


def prefix_ratios(est, X_train, X_test) -> np.ndarray:
    """Held-out error of each prefix of the codes over PCA's at that width."""
    mean = est.transform(X_train).mean(axis=0)
    codes = est.transform(X_test)
    ratios = []
    for j in range(1, est.n_components_ + 1):
        truncated = codes.copy()
        truncated[:, j:] = mean[j:]
        error = np.mean((est.inverse_transform(truncated) - X_test) ** 2)
        ratios.append(error / _pca_error(j, X_train, X_test))
    return np.array(ratios)


def _ordered(ratios: np.ndarray) -> str:
    rises = np.flatnonzero(np.diff(ratios) > 1e-6)
    return "yes" if rises.size == 0 else f"no (code {rises[0] + 2})"


def spectrum(datasets, estimators) -> None:
    """The defaults (every code) beside ``PCA()``, as PCA code reads them."""
    print(
        "| data | rows x features | estimator | fit s (PCA's) | ratio "
        "| max EVR diff | k for 95 % (PCA's) |"
    )
    print("|---|---|---|---|---|---|---|")
    # TensorFlow's import and start-up belong to no row.
    vs_pca.ESTIMATORS["AE"](2, max_iter=1).fit(np.random.default_rng(0).random((50, 4)))
    for name, X_train in datasets:
        start = time.perf_counter()
        pca = PCA().fit(X_train)
        pca_seconds = time.perf_counter() - start
        pca_k = int(np.argmax(np.cumsum(pca.explained_variance_ratio_) >= 0.95)) + 1
        for label in estimators:
            start = time.perf_counter()
            est = vs_pca.ESTIMATORS[label](random_state=0).fit(X_train)
            seconds = time.perf_counter() - start
            evr = est.explained_variance_ratio_
            k = int(np.argmax(np.cumsum(evr) >= 0.95)) + 1
            print(
                f"| {name} | {X_train.shape[0]} x {X_train.shape[1]} | {label} | "
                f"{seconds:.2f} ({pca_seconds:.3f}) | {seconds / pca_seconds:.0f}x | "
                f"{np.abs(evr - pca.explained_variance_ratio_).max():.1e} | {k} ({pca_k}) |",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", help="dataset names (default: all)")
    parser.add_argument("--estimators", nargs="*", default=list(vs_pca.ESTIMATORS))
    parser.add_argument("--shares", nargs="*", type=float, default=[0.9, 0.95])
    parser.add_argument(
        "--nested-dropout", type=float, help="set on every estimator (default: its default)"
    )
    parser.add_argument(
        "--spectrum", action="store_true", help="the defaults (every code) beside PCA()"
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.spectrum:
        spectrum(_spectrum_datasets(args.only), args.estimators)
        return
    extra = {} if args.nested_dropout is None else {"nested_dropout": args.nested_dropout}
    print(
        "| data | k | estimator | full | worst prefix (j) | EVR sum (PCA) | EVR ordered | fit s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    widths = []
    for name, (load, k) in DATASETS.items():
        if args.only and name not in args.only:
            continue
        if name.startswith("MNIST") and not mnist_available():
            print(f"| {name} | skipped: ../shared/data/mnist not found | | | | | | |")
            continue
        X_train, X_test, *_ = load()
        X_train, X_test = (np.asarray(vs_pca._dense(X)) for X in (X_train, X_test))
        pca_evr = PCA(k).fit(X_train).explained_variance_ratio_.sum()
        for label in args.estimators:
            start = time.perf_counter()
            est = vs_pca.ESTIMATORS[label](n_components=k, random_state=0, **extra).fit(X_train)
            seconds = time.perf_counter() - start
            ratios = prefix_ratios(est, X_train, X_test)
            evr = est.explained_variance_ratio_
            print(
                f"| {name} | {k} | {label} | {ratios[-1]:.3f} | {ratios.max():.3f} "
                f"({ratios.argmax() + 1}) | {evr.sum():.3f} ({pca_evr:.3f}) | "
                f"{_ordered(evr)} | {seconds:.1f} |",
                flush=True,
            )
            for share in args.shares:
                est = vs_pca.ESTIMATORS[label](n_components=share, random_state=0, **extra)
                est.fit(X_train)
                pca = PCA(share).fit(X_train)
                error = np.mean((est.inverse_transform(est.transform(X_test)) - X_test) ** 2)
                variance = X_test.var(axis=0).mean()
                held_out = 1 - error / variance
                pca_held_out = 1 - _pca_error(pca.n_components_, X_train, X_test) / variance
                widths.append(
                    f"| {name} | {share} | {label} | {est.n_components_} "
                    f"({pca.n_components_}) | {held_out:.3f} ({pca_held_out:.3f}) |"
                )
    if widths:
        print("\n| data | share | estimator | width (PCA's) | held-out share (PCA's) |")
        print("|---|---|---|---|---|")
        print("\n".join(widths))


def _spectrum_datasets(only):
    """Training rows of the datasets, and MNIST's 60,000 (``--only "MNIST 60000"``)."""
    for name in [*DATASETS, "MNIST 60000"]:
        if (only and name not in only) or (not only and name == "MNIST 60000"):
            continue
        if name.startswith("MNIST") and not mnist_available():
            print(f"{name}: skipped, ../shared/data/mnist not found")
            continue
        load = (lambda: vs_pca._mnist(60000)) if name == "MNIST 60000" else DATASETS[name][0]
        yield name, np.asarray(vs_pca._dense(load()[0]))


if __name__ == "__main__":
    main()
