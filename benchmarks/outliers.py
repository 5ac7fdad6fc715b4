"""Outlier detection on the ODDS tables: skae's detector against PCA and scikit-learn's.

pyod's benchmark protocol, on every table in ``../shared/data/odds``: each
split puts 60 % of the rows in training and 40 % in testing (seeded
``train_test_split``), features are standardised with the training rows'
statistics, every detector is fitted unsupervised on the training rows
(outliers included) and ranks the test rows. The table reports the mean
ROC-AUC and average precision over the splits of

* ``skae``: :class:`skae.AutoEncoderOutlierDetector` with its defaults;
* ``skae[X]``: the detector around estimator ``X`` (its defaults, at the
  same width, a quarter of the features);
* ``AE plain``: a plain :class:`skae.AutoEncoder`'s ``-score_samples`` at
  that width, fitted on every training row (what the detector improves on);
* ``PCA``: PCA's reconstruction error at that width;
* ``IForest``, ``LOF``, ``OCSVM``: scikit-learn's ``IsolationForest``,
  ``LocalOutlierFactor(novelty=True)`` and ``OneClassSVM`` with their
  defaults;
* ``pyod PCA`` and ``pyod IForest``: the ROC-AUCs pyod published for its
  own PCA and IsolationForest (mean of 10 splits), read from the data
  folder's README, printed beside for reference (pyod's PCA scores weighted
  distances to all components, not the reconstruction error).

Run::

    python benchmarks/outliers.py                 # 5 splits, every detector
    python benchmarks/outliers.py --quick         # 2 splits; skae, PCA, IForest
    python benchmarks/outliers.py --tables glass,pima --splits 3
    python benchmarks/outliers.py --quick --trims 0,0.05,0.2   # other trim shares too

Skips with a message when the tables are absent. See docs/benchmarks.md.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse
import re
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy.io import loadmat
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import LocalOutlierFactor
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM

import skae

DEFAULT_ODDS_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "odds"
ESTIMATORS = {
    "AE": skae.AutoEncoder,
    "DAE": skae.DenoisingAutoEncoder,
    "SAE": skae.SparseAutoEncoder,
    "CAE": skae.ContractiveAutoEncoder,
    "VAE": skae.VariationalAutoEncoder,
    "ResNet": skae.ResNetAutoEncoder,
}
# The done-means of issue #26: no table more than this below PCA's ROC-AUC.
MAX_LOSS_TO_PCA = 0.02


def load_tables(directory: Path, names: list[str] | None):
    """``{name: (X, y)}`` of the ``.mat`` tables in ``directory`` (y: 1 = outlier)."""
    tables = {}
    for path in sorted(directory.glob("*.mat")):
        if names is None or path.stem in names:
            data = loadmat(path)
            tables[path.stem] = (data["X"].astype(np.float64), data["y"].ravel().astype(int))
    return tables


def published_figures(directory: Path) -> dict[str, tuple[float, float]]:
    """pyod's published ROC-AUC (PCA, IsolationForest) per table, from the README."""
    readme = directory / "README.md"
    figures = {}
    if readme.exists():
        for match in re.finditer(
            r"^\| (\S+)\.mat \|.*\| ([\d.]+) / ([\d.]+) \|$",
            readme.read_text(),
            flags=re.MULTILINE,
        ):
            figures[match[1]] = (float(match[2]), float(match[3]))
    return figures


def reconstruction_error(model, X) -> np.ndarray:
    return np.square(X - model.inverse_transform(model.transform(X))).mean(axis=1)


def detectors(
    width: int, seed: int, names: list[str], trims: tuple[float, ...] = ()
) -> dict[str, Callable]:
    """Each detector as ``fit_and_score(X_train, X_test) -> anomaly scores``."""

    def skae_detector(estimator=None, trim="auto"):
        def run(X_train, X_test):
            detector = skae.AutoEncoderOutlierDetector(estimator, trim=trim, random_state=seed)
            return -detector.fit(X_train).score_samples(X_test)

        return run

    def plain_autoencoder(X_train, X_test):
        model = skae.AutoEncoder(n_components=width, random_state=seed).fit(X_train)
        return -model.score_samples(X_test)

    def pca(X_train, X_test):
        return reconstruction_error(PCA(width, random_state=seed).fit(X_train), X_test)

    everything = {
        "skae": skae_detector(),
        **{
            f"skae[{name}]": skae_detector(cls(n_components=width))
            for name, cls in ESTIMATORS.items()
        },
        **{f"skae trim={trim}": skae_detector(trim=trim) for trim in trims},
        "AE plain": plain_autoencoder,
        "PCA": pca,
        "IForest": lambda X_train, X_test: (
            -IsolationForest(random_state=seed).fit(X_train).score_samples(X_test)
        ),
        "LOF": lambda X_train, X_test: (
            -LocalOutlierFactor(novelty=True).fit(X_train).score_samples(X_test)
        ),
        "OCSVM": lambda X_train, X_test: -OneClassSVM().fit(X_train).score_samples(X_test),
    }
    return {name: everything[name] for name in names}


def run_table(X, y, n_splits: int, names: list[str], trims: tuple[float, ...] = ()):
    """Per detector: ROC-AUCs and average precisions over the splits, seconds."""
    width = max(1, (X.shape[1] + 2) // 4)  # as the detector's default
    results = {name: ([], [], 0.0) for name in names}
    for split in range(n_splits):
        X_train, X_test, _, y_test = train_test_split(X, y, test_size=0.4, random_state=split)
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        for name, fit_and_score in detectors(width, split, names, trims).items():
            start = time.perf_counter()
            scores = fit_and_score(X_train, X_test)
            aucs, precisions, seconds = results[name]
            aucs.append(roc_auc_score(y_test, scores))
            precisions.append(average_precision_score(y_test, scores))
            results[name] = (aucs, precisions, seconds + time.perf_counter() - start)
    return width, results


def markdown_table(title: str, header: list[str], rows: list[list[str]]) -> str:
    lines = [f"\n{title}\n", "| " + " | ".join(header) + " |"]
    lines.append("|" + "---|" * len(header))
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_ODDS_DIR)
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--tables", help="comma-separated table names (default: all)")
    parser.add_argument(
        "--quick", action="store_true", help="2 splits; only skae, PCA and IForest"
    )
    parser.add_argument(
        "--trims",
        default="",
        help="comma-separated trim shares to run the default detector with as well",
    )
    args = parser.parse_args()
    trims = tuple(float(trim) for trim in args.trims.split(",") if trim)
    tables = load_tables(args.data_dir, args.tables.split(",") if args.tables else None)
    if not tables:
        print(f"No ODDS .mat tables found in {args.data_dir}; skipping this benchmark.")
        return
    names = [
        "skae",
        *(f"skae[{name}]" for name in ESTIMATORS),
        "AE plain",
        "PCA",
        "IForest",
        "LOF",
        "OCSVM",
    ]
    n_splits = args.splits
    if args.quick:
        names, n_splits = ["skae", "PCA", "IForest"], 2
    names[1:1] = [f"skae trim={trim}" for trim in trims]
    published = published_figures(args.data_dir)

    auc, precision, seconds, widths = {}, {}, dict.fromkeys(names, 0.0), {}
    for table, (X, y) in tables.items():
        with warnings.catch_warnings():
            # Small tables end at max_iter; that is the estimators' default behaviour.
            warnings.simplefilter("ignore", ConvergenceWarning)
            widths[table], results = run_table(X, y, n_splits, names, trims)
        for name, (aucs, precisions, spent) in results.items():
            auc[table, name] = float(np.mean(aucs))
            precision[table, name] = float(np.mean(precisions))
            seconds[name] += spent
        print(f"{table}: done ({X.shape[0]} rows, {X.shape[1]} features)", flush=True)

    header = ["table", "rows x features (width)", *names]
    for title, values in (("ROC-AUC", auc), ("Average precision", precision)):
        rows = [
            [table, f"{X.shape[0]} x {X.shape[1]} ({widths[table]})"]
            + [f"{values[table, name]:.3f}" for name in names]
            for table, (X, y) in tables.items()
        ]
        means = [np.mean([values[table, name] for table in tables]) for name in names]
        rows.append(["**mean**", ""] + [f"**{m:.3f}**" for m in means])
        extra, extra_rows = [], rows
        if title == "ROC-AUC" and published:
            extra = ["pyod PCA", "pyod IForest"]
            extra_rows = [
                row + [f"{f:.3f}" for f in published.get(row[0], (np.nan, np.nan))]
                for row in rows[:-1]
            ]
            extra_rows.append(
                rows[-1]
                + [
                    f"{np.mean([published[t][i] for t in tables if t in published]):.3f}"
                    for i in (0, 1)
                ]
            )
        print(markdown_table(f"{title}, mean of {n_splits} splits", header + extra, extra_rows))

    print(
        "\nSeconds, all tables and splits: "
        + ", ".join(f"{name} {seconds[name]:.1f}" for name in names)
    )
    if {"skae", "PCA", "IForest"} <= set(names):
        mean = {name: np.mean([auc[table, name] for table in tables]) for name in names}
        worst = min(tables, key=lambda table: auc[table, "skae"] - auc[table, "PCA"])
        gap = auc[worst, "skae"] - auc[worst, "PCA"]
        print("\nTargets (ROC-AUC, skae's defaults):")
        for text, met in (
            (f"mean {mean['skae']:.3f} >= PCA's {mean['PCA']:.3f}", mean["skae"] >= mean["PCA"]),
            (
                f"mean {mean['skae']:.3f} >= IsolationForest's {mean['IForest']:.3f}",
                mean["skae"] >= mean["IForest"],
            ),
            (
                f"no table more than {MAX_LOSS_TO_PCA} below PCA's: worst {worst} {gap:+.3f}",
                gap >= -MAX_LOSS_TO_PCA,
            ),
        ):
            print(f"- {text}: {'met' if met else 'NOT met'}")
        losses = [
            f"{table} {name} ({auc[table, 'skae']:.3f} vs {auc[table, name]:.3f})"
            for table in tables
            for name in ("PCA", "IForest", "LOF", "OCSVM")
            if name in names and auc[table, "skae"] < auc[table, name]
        ]
        print("Tables where skae's ROC-AUC is below another's: " + ("; ".join(losses) or "none"))


if __name__ == "__main__":
    main()
