"""Every skae estimator with its defaults against PCA, on several datasets.

Only ``n_components`` and ``random_state`` are set, as a new user would.
Each cell fits on the training rows and measures on held-out rows:

* ``error/PCA``: mean squared reconstruction error over PCA's (TruncatedSVD's
  for sparse input, which PCA-start networks centre implicitly);
* ``probe``: accuracy of a classifier on the codes (1-nearest-neighbour;
  logistic regression for text) minus the same on PCA's codes, in points;
* ``fit s`` and ``n_iter_``.

Run::

    python benchmarks/vs_pca.py               # digits, MNIST 300, text, manifolds, patches, tables
    python benchmarks/vs_pca.py --mnist-full  # adds MNIST with all 60,000 rows
    python benchmarks/vs_pca.py --auto-steps 16   # batch_size="auto" aims at 16 steps an epoch

``--auto-steps`` changes how many steps an epoch ``batch_size="auto"``
aims at (skae's private ``_AUTO_STEPS_PER_EPOCH``, 32), to measure what
larger automatic batches would cost in quality.

MNIST is read from ``../shared/data/mnist``; its rows are skipped with a
message when the files are absent.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
from _data import load_mnist, mnist_available
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_sample_images,
    load_wine,
    make_s_curve,
    make_swiss_roll,
)
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.image import extract_patches_2d
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skae

ESTIMATORS = {
    "AE": skae.AutoEncoder,
    "DAE": skae.DenoisingAutoEncoder,
    "SAE": skae.SparseAutoEncoder,
    "VAE": skae.VariationalAutoEncoder,
    "CAE": skae.ContractiveAutoEncoder,
    "ResNet": skae.ResNetAutoEncoder,
}


# Cells left out, with the reason printed in the table. A convolution
# along a vocabulary has no meaning, and on rows of about 3,900 terms (the
# corpus then kept numbers) one epoch of the default ResNetAutoEncoder took
# 7 s on 489 rows (over 10 minutes a fit);
# on all of MNIST a fit takes about 40 minutes (benchmarks/resnet_mnist.py
# measures ResNetAutoEncoder on MNIST on its own).
NOT_RUN = {
    ("text TF-IDF", "ResNet"): "convolutions along a vocabulary; over 10 min a fit",
    ("MNIST 60000", "ResNet"): "about 40 min a fit; see resnet_mnist.py",
}


def _digits():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    return X_train, X_test, y_train, y_test


def _table(load, standardize: bool, labelled: bool = True, split_seed: int = 0):
    """A small tabular dataset that ships with scikit-learn, optionally standardised."""
    X, y = load(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=split_seed
    )
    if standardize:
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    return (X_train, X_test, y_train, y_test) if labelled else (X_train, X_test, None, None)


def _mnist(n_train: int):
    X_train, y_train = load_mnist("train")
    X_test, y_test = load_mnist("test")
    return X_train[:n_train], X_test, y_train[:n_train], y_test


def _text(split_seed: int = 0):
    """TF-IDF of the docstrings of seven installed modules (label: module)."""
    modules = [
        "scipy.stats",
        "scipy.signal",
        "scipy.optimize",
        "scipy.interpolate",
        "numpy.random",
        "sklearn.metrics",
        "sklearn.linear_model",
    ]
    documents, labels = [], []
    for module_name in modules:
        module = importlib.import_module(module_name)
        for name in sorted(dir(module)):
            doc = None if name.startswith("_") else inspect.getdoc(getattr(module, name))
            if doc and len(doc) > 200 and doc not in documents:
                documents.append(doc)
                labels.append(module_name)
    docs_train, docs_test, y_train, y_test = train_test_split(
        documents, np.asarray(labels), test_size=0.3, stratify=labels, random_state=split_seed
    )
    vectorizer = TfidfVectorizer(
        min_df=3,
        max_df=0.5,
        stop_words="english",
        sublinear_tf=True,
        # Words of two or more letters: some docstrings' examples print
        # numbers drawn at import time ("# may vary"), which would make the
        # vocabulary, and every fit on it, change from one process to the next.
        token_pattern=r"(?u)\b[^\W\d_]{2,}\b",
    )
    return vectorizer.fit_transform(docs_train), vectorizer.transform(docs_test), y_train, y_test


def _image_patches():
    """8 x 8 RGB patches of scikit-learn's two sample photographs, in [0, 1]."""
    rng = np.random.RandomState(0)
    patches = [
        extract_patches_2d(image, (8, 8), max_patches=3000, random_state=rng)
        for image in load_sample_images().images
    ]
    X = np.concatenate(patches)
    X = X.reshape(len(X), -1) / 255.0
    X_train, X_test = train_test_split(X, test_size=0.3, random_state=0)
    return X_train, X_test, None, None


def manifold(make, n_samples: int = 3000, n_features: int = 100, test_size=0.3):
    """A 2-D manifold in 3-D, lifted to ``n_features`` by a random smooth map plus noise."""
    rng = np.random.default_rng(0)
    points, _ = make(n_samples=n_samples, random_state=0)
    points = (points - points.mean(axis=0)) / points.std(axis=0)
    lift = rng.standard_normal((3, n_features))
    X = np.tanh(points @ lift + rng.uniform(-1, 1, n_features))
    X += 0.05 * rng.standard_normal(X.shape)
    X_train, X_test = train_test_split(X, test_size=test_size, random_state=0)
    return X_train, X_test, None, None


def _dense(X):
    return X.toarray() if hasattr(X, "toarray") else np.asarray(X)


def _error(model, X) -> float:
    X_hat = model.inverse_transform(model.transform(X))
    return float(np.mean((_dense(X) - X_hat) ** 2))


def _baseline(k: int, sparse: bool):
    """What skae is compared with: TruncatedSVD for sparse input, else PCA."""
    return (TruncatedSVD if sparse else PCA)(k, random_state=0)


def _probe(codes_train, codes_test, y_train, y_test, linear: bool) -> float:
    if linear:
        probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    else:
        probe = KNeighborsClassifier(1)
    return float(probe.fit(codes_train, y_train).score(codes_test, y_test))


def run(name, data, ks, estimators, sparse: bool) -> list[str]:
    X_train, X_test, y_train, y_test = data
    rows = []
    for k in ks:
        baseline = _baseline(k, sparse).fit(X_train)
        base_error = _error(baseline, X_test)
        base_probe = None
        if y_train is not None:
            base_probe = _probe(
                baseline.transform(X_train), baseline.transform(X_test), y_train, y_test, sparse
            )
        for label in estimators:
            estimator = ESTIMATORS[label](n_components=k, random_state=0)
            start = time.perf_counter()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                estimator.fit(X_train)
            seconds = time.perf_counter() - start
            converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
            ratio = _error(estimator, X_test) / base_error
            probe = ""
            if base_probe is not None:
                codes = estimator.transform(X_train), estimator.transform(X_test)
                probe = f"{_probe(*codes, y_train, y_test, sparse):.3f} ({base_probe:.3f})"
            row = (
                f"| {name} | {k} | {label} | {ratio:.3f} | {probe} | {seconds:.1f} | "
                f"{estimator.n_iter_}{'' if converged else '*'} |"
            )
            print(row, flush=True)
            rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mnist-full", action="store_true", help="add MNIST 60,000 rows")
    parser.add_argument("--only", nargs="*", help="dataset names to run (default: all)")
    parser.add_argument("--estimators", nargs="*", default=list(ESTIMATORS))
    parser.add_argument(
        "--auto-steps", type=int, help="steps an epoch for batch_size='auto' (default: 32)"
    )
    args = parser.parse_args()
    if args.auto_steps is not None:
        skae._base._AUTO_STEPS_PER_EPOCH = args.auto_steps
    datasets = {
        "digits": (_digits, (2, 8, 30), False),
        "MNIST 300": (lambda: _mnist(300), (2, 8, 30), False),
        "text TF-IDF": (_text, (2, 8, 30, 100), True),
        "swiss roll": (lambda: manifold(make_swiss_roll), (2, 8, 30), False),
        "S curve": (lambda: manifold(make_s_curve), (2, 8, 30), False),
        # Natural images: patches of the two photographs that ship with
        # scikit-learn (no labels).
        "image patches": (_image_patches, (2, 8, 30), False),
        # Small real tables, as a new user brings them: wine standardised;
        # breast cancer both standardised and in its raw units (areas near
        # 1,000 beside ratios near 0.1); diabetes as shipped (already
        # scaled; a regression target, so no probe).
        "wine": (lambda: _table(load_wine, True), (2, 8), False),
        "breast cancer": (lambda: _table(load_breast_cancer, True), (2, 8), False),
        "breast cancer raw": (lambda: _table(load_breast_cancer, False), (2, 8), False),
        "diabetes": (lambda: _table(load_diabetes, False, labelled=False), (2, 5), False),
    }
    if args.mnist_full:
        datasets["MNIST 60000"] = (lambda: _mnist(60000), (2, 8, 30), False)
    print("| data | k | estimator | error/PCA | probe (PCA) | fit s | n_iter_ |")
    print("|---|---|---|---|---|---|---|")
    for name, (load, ks, sparse) in datasets.items():
        if args.only and name not in args.only:
            continue
        if name.startswith("MNIST") and not mnist_available():
            print(f"| {name} | skipped: ../shared/data/mnist not found | | | | | |")
            continue
        estimators = [e for e in args.estimators if (name, e) not in NOT_RUN]
        for skipped in set(args.estimators) - set(estimators):
            print(f"| {name} | | {skipped} | not run: {NOT_RUN[name, skipped]} | | | |")
        run(name, load(), ks, estimators, sparse)
    print("\n`*`: stopped at max_iter with a ConvergenceWarning.")


if __name__ == "__main__":
    main()
