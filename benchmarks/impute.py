"""Imputation of held-out entries: skae's imputer against scikit-learn's.

Each table is scaled (tables: each column standardised; images: every
pixel divided by one number, the standard deviation of all pixels, so that
rarely inked pixels do not dominate), then entries are removed and every
imputer fills them:

* **MCAR 10 / 30 / 50 %**: entries removed completely at random;
* **MNAR 80 %**: every value above its column's 80 % quantile removed
  (missing *not* at random: the holes hold the large values, which no
  imputer sees; a stress test, not the case the imputers are built for).

The first table reports the RMSE over the removed entries (in the scaled
units) of ``SimpleImputer(strategy="mean")``, ``KNNImputer()``,
``IterativeImputer(random_state=0)`` (on at most 50 nearest features for
wide images) and :class:`skae.AutoEncoderImputer` with its defaults, each
fitted to the whole incomplete table. The second reports, for the
classification tables, the test accuracy of ``LogisticRegression`` trained
on codes of the incomplete rows (2/3 of the rows train, 1/3 test, stratified;
with ``--probe-splits K`` the mean over K such splits, and the range of the
differences):
:class:`skae.AutoEncoder` a quarter of the features wide (the imputer's
default width before it was chosen from the data) against
``SimpleImputer -> PCA`` at the same width.

Tables: scikit-learn's bundled digits, wine, breast cancer and diabetes,
and 2,000 MNIST training images from ``../shared/data/mnist`` (skipped with
a message when absent). Nothing is downloaded.

Run::

    python benchmarks/impute.py            # every table, MCAR 10/30/50 % and MNAR
    python benchmarks/impute.py --quick    # no MNIST; MCAR 30 % and MNAR
    python benchmarks/impute.py --tables wine breast_cancer --probe-splits 5

See docs/benchmarks.md.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse
import time
import warnings

import numpy as np
from _data import load_mnist, mnist_available
from _measure import machine_description
from outliers import markdown_table
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import skae
from skae._outlier import default_n_components

MNIST_ROWS = 2000
# IterativeImputer regresses each column on this many others at most on
# wide tables: on all 784 MNIST pixels one round takes minutes.
ITERATIVE_MAX_FEATURES = 50
RATES = (0.1, 0.3, 0.5)
MNAR_QUANTILE = 0.8
IMPUTERS = ("mean", "KNN", "Iterative", "skae")


def load_tables(quick: bool) -> dict:
    """``{name: (X scaled, y or None)}``."""
    tables = {}
    for name, loader, image in (
        ("digits", load_digits, True),
        ("wine", load_wine, False),
        ("breast_cancer", load_breast_cancer, False),
        ("diabetes", load_diabetes, False),
    ):
        X, y = loader(return_X_y=True)
        classes = None if name == "diabetes" else y
        tables[name] = (_scaled(X.astype(np.float64), image), classes)
    if not quick:
        if mnist_available():
            X, y = load_mnist("train")
            tables["mnist"] = (_scaled(X[:MNIST_ROWS].astype(np.float64), True), y[:MNIST_ROWS])
        else:
            print("MNIST IDX files not found; skipping the MNIST table.")
    return tables


def _scaled(X: np.ndarray, image: bool) -> np.ndarray:
    if image:
        return X / X.std()
    return StandardScaler().fit_transform(X)


def remove(X: np.ndarray, pattern: str, seed: int = 0) -> np.ndarray:
    """Where entries are removed: ``"mcar <rate>"`` or ``"mnar"``."""
    if pattern == "mnar":
        return X > np.quantile(X, MNAR_QUANTILE, axis=0)
    rate = float(pattern.split()[1])
    return np.random.default_rng(seed).random(X.shape) < rate


def imputers(n_features: int) -> dict:
    nearest = None if n_features <= ITERATIVE_MAX_FEATURES else ITERATIVE_MAX_FEATURES
    return {
        "mean": SimpleImputer(keep_empty_features=True),
        "KNN": KNNImputer(keep_empty_features=True),
        "Iterative": IterativeImputer(
            random_state=0, n_nearest_features=nearest, keep_empty_features=True
        ),
        "skae": skae.AutoEncoderImputer(random_state=0, keep_empty_features=True),
    }


def probe(X_holed: np.ndarray, y: np.ndarray, width: int, split: int = 0) -> dict:
    """Test accuracy of a logistic regression on codes of incomplete rows
    (split ``split`` of the rows)."""
    X_train, X_test, y_train, y_test = train_test_split(
        X_holed, y, test_size=1 / 3, random_state=split, stratify=y
    )
    # Columns empty among the training rows carry nothing to learn.
    kept = ~np.isnan(X_train).all(axis=0)
    X_train, X_test = X_train[:, kept], X_test[:, kept]
    encoders = {
        "skae": skae.AutoEncoder(n_components=width, random_state=0),
        "mean->PCA": make_pipeline(SimpleImputer(), PCA(width, random_state=0)),
    }
    accuracy = {}
    for name, encoder in encoders.items():
        codes_train = encoder.fit_transform(X_train)
        classifier = LogisticRegression(max_iter=2000).fit(codes_train, y_train)
        accuracy[name] = classifier.score(encoder.transform(X_test), y_test)
    return accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="no MNIST; MCAR 30 %% and MNAR")
    parser.add_argument(
        "--probe-splits",
        type=int,
        default=1,
        help="average the probe over this many train/test splits (wine's 60 test rows "
        "resolve 1.7 points each)",
    )
    parser.add_argument("--tables", nargs="+", help="only these tables (e.g. wine breast_cancer)")
    args = parser.parse_args()
    tables = load_tables(args.quick)
    if args.tables:
        tables = {name: tables[name] for name in args.tables}
    rates = (0.3,) if args.quick else RATES
    patterns = [f"mcar {rate}" for rate in rates] + ["mnar"]
    print(machine_description())

    rmse_rows, probe_rows, seconds = [], [], dict.fromkeys(IMPUTERS, 0.0)
    cells = {"mcar": [0, 0, 0], "mnar": [0, 0, 0]}  # cells, <= Iterative, <= mean
    for table, (X, y) in tables.items():
        width = default_n_components(X.shape[1])
        for pattern in patterns:
            holes = remove(X, pattern)
            X_holed = np.where(holes, np.nan, X)
            errors = {}
            for name, imputer in imputers(X.shape[1]).items():
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    filled = imputer.fit_transform(X_holed)
                seconds[name] += time.perf_counter() - start
                errors[name] = float(np.sqrt(np.mean(np.square(filled[holes] - X[holes]))))
            kind = pattern.split()[0]
            cells[kind][0] += 1
            cells[kind][1] += errors["skae"] <= errors["Iterative"]
            cells[kind][2] += errors["skae"] <= errors["mean"]
            label = f"MCAR {float(pattern.split()[1]):.0%}" if kind == "mcar" else "MNAR 80 %"
            rmse_rows.append(
                [table, f"{X.shape[0]} x {X.shape[1]}", label]
                + [f"{errors[name]:.3f}" for name in IMPUTERS]
            )
            if y is not None and kind == "mcar":
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    splits = [probe(X_holed, y, width, k) for k in range(args.probe_splits)]
                accuracy = {name: np.mean([s[name] for s in splits]) for name in splits[0]}
                points = [100 * (s["skae"] - s["mean->PCA"]) for s in splits]
                spread = f" ({min(points):+.1f} to {max(points):+.1f})" if len(splits) > 1 else ""
                probe_rows.append(
                    [table, str(width), label]
                    + [f"{accuracy[name]:.3f}" for name in ("skae", "mean->PCA")]
                    + [f"{np.mean(points):+.1f}{spread}"]
                )
            print(f"{table} {label}: done", flush=True)

    print(
        markdown_table(
            "RMSE on the removed entries (scaled units; lower is better)",
            ["table", "rows x features", "holes", *IMPUTERS],
            rmse_rows,
        )
    )
    print(
        markdown_table(
            "Probe: LogisticRegression test accuracy on codes of incomplete rows",
            ["table", "width", "holes", "skae AutoEncoder", "mean -> PCA", "points"],
            probe_rows,
        )
    )
    print(
        "\nSeconds of fit_transform, all cells: "
        + ", ".join(f"{name} {seconds[name]:.1f}" for name in IMPUTERS)
    )
    for kind, (n_cells, below_iterative, below_mean) in cells.items():
        if n_cells:
            print(
                f"{kind.upper()}: skae's RMSE <= IterativeImputer's in {below_iterative} of "
                f"{n_cells} cells, <= the mean fill's in {below_mean} of {n_cells}"
            )


if __name__ == "__main__":
    # One BLAS thread: on 2 shared cores, BLAS threads competing with
    # TensorFlow's made IterativeImputer about ten times slower (695 s for
    # the quick run's cells against 20 s for one of them on one thread).
    with threadpool_limits(1):
        main()
