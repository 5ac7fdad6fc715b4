"""Benchmark skae's AutoEncoder against PCA / TruncatedSVD and plain Keras.

Usage::

    python benchmarks/run.py [--data-dir ../shared/data/mnist] [--quick] [--skip-memory]

Prints the machine, the measured matmul rate and one Markdown table. Every
ratio in the table compares two measurements taken side by side in this run.
Datasets: ``load_digits``; a synthetic sparse TF-IDF corpus; MNIST (the
784-1000-500-250-30 network of Hinton & Salakhutdinov 2006) when its IDX
files are in ``--data-dir``, skipped with a note otherwise. Then the peak
memory of transforming 1,000,000 x 784 float32 rows. ``--quick`` shrinks
every case (one to two minutes in all). See docs/benchmarks.md.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from _data import DEFAULT_MNIST_DIR, load_mnist, make_sparse_corpus, mnist_available
from _keras_baseline import PlainKerasAutoEncoder
from _measure import (
    dense_training_flops,
    machine_description,
    matmul_gflops,
    peak_rss_growth,
    seconds,
    seconds_per_call,
)
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.model_selection import train_test_split

from skae import AutoEncoder, DenseArchitecture

SEED = 0
BULK_ROWS = 10_000
MEMORY_ROWS = 1_000_000

# The MNIST training recipe (full mode). Batch normalisation before each
# hidden activation roughly halves the epochs this deep network needs
# (test error 4.33 after 10 epochs against 5.50 without it), batches of 128
# take twice the steps per epoch for about 1.3x the time, and the learning
# rate decays by learning_rate_decay per epoch, which removes the
# epoch-to-epoch jitter of a constant rate and lets the last epochs settle.
# docs/benchmarks.md has the runs behind these choices.
MNIST_RECIPE = {
    "batch_normalization": True,
    "loss": "binary_crossentropy",
    "batch_size": 128,
    "learning_rate": 2e-3,
    "learning_rate_decay": 0.93,
    "max_iter": 40,
}


@dataclass
class Case:
    """One dataset with the network, the linear baseline and the data."""

    name: str
    X_train: object
    X_test: object
    n_components: int
    network: dict
    linear: Callable
    linear_name: str
    bulk: object = field(init=False)

    def __post_init__(self):
        # BULK_ROWS rows for the throughput measurement, repeating the
        # test rows when there are fewer.
        index = np.resize(np.arange(self.X_test.shape[0]), BULK_ROWS)
        self.bulk = self.X_test[index]


def _digits_case(quick: bool) -> Case:
    X, _ = load_digits(return_X_y=True)
    X_train, X_test = train_test_split(X / 16.0, test_size=0.25, random_state=SEED)
    network = {
        "hidden_layer_sizes": (128, 64),
        "loss": "mse",
        "batch_size": 32,
        "learning_rate": 1e-3,
        "max_iter": 50,
    }
    return Case("digits 1797x64", X_train, X_test, 8, network, PCA, "PCA")


def _sparse_case(quick: bool) -> Case:
    n_samples = 4000 if quick else 12000
    X = make_sparse_corpus(n_samples=n_samples, random_state=SEED)
    X_train, X_test = train_test_split(X, test_size=1 / 6, random_state=SEED)
    network = {
        "hidden_layer_sizes": (256,),
        "loss": "mse",
        "batch_size": 128,
        "learning_rate": 1e-3,
        "max_iter": 5 if quick else 20,
    }
    name = f"sparse TF-IDF {n_samples}x{X.shape[1]} ({X.nnz / np.prod(X.shape):.1%} nnz)"
    return Case(
        name, X_train, X_test, 20, network, lambda k: TruncatedSVD(k, random_state=SEED), "SVD"
    )


def _mnist_case(quick: bool, data_dir) -> Case:
    X_train, _ = load_mnist("train", data_dir)
    X_test, _ = load_mnist("test", data_dir)
    network = {"hidden_layer_sizes": (1000, 500, 250), **MNIST_RECIPE}
    if quick:
        X_train, X_test = X_train[:6000], X_test[:2000]
        network.update(learning_rate_decay=1.0, max_iter=3)
    name = f"MNIST {X_train.shape[0]}x784, 784-1000-500-250-30"
    return Case(name, X_train, X_test, 30, network, PCA, "PCA")


def _dense_rows(X):
    return X.toarray() if hasattr(X, "toarray") else np.asarray(X)


def _measure(label: str, estimator, case: Case, flops_per_sample: int | None) -> dict:
    """Fit, then time transform / inverse_transform and score on held-out rows."""
    repeats = 3
    fit_seconds, _ = seconds(estimator.fit, case.X_train)
    row = case.X_test[:1]
    code = estimator.transform(row)
    codes = estimator.transform(case.X_test)
    error = np.sum((_dense_rows(case.X_test) - estimator.inverse_transform(codes)) ** 2, axis=1)
    result = {
        "label": label,
        "fit": fit_seconds,
        "transform_1": seconds_per_call(estimator.transform, row, repeats=repeats),
        "inverse_1": seconds_per_call(estimator.inverse_transform, code, repeats=repeats),
        "rows_per_s": BULK_ROWS
        / seconds_per_call(estimator.transform, case.bulk, repeats=repeats),
        "error": float(np.mean(error)),
        "loss": None,
        "gflops": None,
    }
    if hasattr(estimator, "loss_curve_"):
        result["loss"] = estimator.loss_curve_[-1]
        epochs = len(estimator.loss_curve_)
        result["epochs"] = epochs
        samples = case.X_train.shape[0] * epochs
        result["gflops"] = flops_per_sample * samples / fit_seconds / 1e9
    return result


def run_case(case: Case) -> list[dict]:
    n_features = case.X_train.shape[1]
    hidden = case.network["hidden_layer_sizes"]
    widths = [n_features, *hidden, case.n_components, *hidden[::-1], n_features]
    flops = dense_training_flops(widths)
    common = dict(n_components=case.n_components, **case.network)
    skae_params = dict(common)
    skae_params["architecture"] = DenseArchitecture(
        skae_params.pop("hidden_layer_sizes"),
        batch_normalization=skae_params.pop("batch_normalization", False),
    )
    # The same network and epochs as plain Keras: Glorot start, no held-out
    # rows, no early stop, no nested dropout.
    skae_model = AutoEncoder(
        **skae_params,
        init="random",
        early_stopping=False,
        nested_dropout=0.0,
        n_iter_no_change=None,
        random_state=SEED,
    )
    # Keras densifies sparse input itself; hand it the dense matrix, as a
    # user of plain Keras would.
    keras_model = PlainKerasAutoEncoder(**common, seed=SEED)
    keras_case = Case(
        case.name,
        _dense_rows(case.X_train),
        _dense_rows(case.X_test),
        case.n_components,
        case.network,
        case.linear,
        case.linear_name,
    )
    rows = [
        _measure("skae AutoEncoder", skae_model, case, flops),
        _measure("plain Keras fit", keras_model, keras_case, flops),
        _measure(
            f"{case.linear_name}({case.n_components})",
            case.linear(case.n_components),
            case,
            None,
        ),
    ]
    for row in rows:
        row["dataset"] = case.name
        row["keras"] = rows[1]
        row["linear"] = rows[2]
    return rows


def memory_probe(quick: bool) -> str:
    """Peak RSS growth while transforming MEMORY_ROWS x 784 float32 rows."""
    rng = np.random.default_rng(SEED)
    hidden = (128, 64) if quick else (1000, 500, 250)
    estimator = AutoEncoder(
        n_components=30, hidden_layer_sizes=hidden, max_iter=1, random_state=SEED
    ).fit(rng.random((2048, 784), dtype=np.float32))
    X = np.empty((MEMORY_ROWS, 784), dtype=np.float32)
    rng.random(out=X, dtype=np.float32)
    estimator.transform(X[:100])
    growth, (elapsed, codes) = peak_rss_growth(lambda: seconds(estimator.transform, X))
    working = "n/a (needs Linux /proc)"
    if growth is not None:
        working = f"{growth - codes.nbytes / 2**20:.0f} MiB"
    return (
        f"Transforming {MEMORY_ROWS:,} x 784 float32 rows (input {X.nbytes / 2**30:.2f} GiB, "
        f"output {codes.nbytes / 2**20:.0f} MiB) with a 784-{'-'.join(map(str, hidden))}-30 "
        f"encoder took {elapsed:.1f} s ({MEMORY_ROWS / elapsed:,.0f} rows/s); peak memory "
        f"beyond input and output: {working} (growth of VmHWM over VmRSS, "
        "/proc/self/status, high-water mark reset via /proc/self/clear_refs)."
    )


def _fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _ratio(value, reference) -> str:
    if value is None or reference is None or reference == 0:
        return "-"
    return f"{value / reference:.2f}"


def format_table(rows: list[dict]) -> str:
    header = [
        "dataset",
        "method",
        "epochs",
        "fit s",
        "fit / Keras",
        "train GFLOP/s",
        "final loss",
        "1 row ms (transform / inverse)",
        "1 row / PCA transform",
        "rows/s (10k)",
        "rows/s / Keras",
        "test error",
        "error / PCA",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        keras_row, linear = row["keras"], row["linear"]
        one_row = f"{row['transform_1'] * 1e3:.3f} / {row['inverse_1'] * 1e3:.3f}"
        one_row_ratio = (
            f"{_ratio(row['transform_1'], linear['transform_1'])} / "
            f"{_ratio(row['inverse_1'], linear['transform_1'])}"
        )
        cells = [
            row["dataset"],
            row["label"],
            str(row.get("epochs", "-")),
            f"{row['fit']:.2f}",
            _ratio(row["fit"], keras_row["fit"]),
            _fmt(row["gflops"], ".1f"),
            _fmt(row["loss"], ".5f"),
            one_row,
            one_row_ratio,
            f"{row['rows_per_s']:,.0f}",
            _ratio(row["rows_per_s"], keras_row["rows_per_s"]),
            f"{row['error']:.4g}",
            _ratio(row["error"], linear["error"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _load() -> str:
    """1, 5 and 15 minute load averages: other processes skew timings."""
    if not hasattr(os, "getloadavg"):
        return "n/a"
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir",
        default=str(DEFAULT_MNIST_DIR),
        help="folder with the four MNIST IDX .gz files (default: %(default)s)",
    )
    parser.add_argument("--quick", action="store_true", help="small, fast version")
    parser.add_argument(
        "--skip-memory", action="store_true", help="skip the 1,000,000-row memory probe"
    )
    args = parser.parse_args(argv)

    print(f"Command: python {' '.join(sys.argv)}")
    print(f"Machine: {machine_description()}")
    print(f"Load average at start: {_load()}")
    print(f"TensorFlow float32 matmul (2048 x 2048): {matmul_gflops():.0f} GFLOP/s")
    print(f"Mode: {'quick' if args.quick else 'full'}\n", flush=True)

    cases = [_digits_case(args.quick), _sparse_case(args.quick)]
    if mnist_available(args.data_dir):
        cases.append(_mnist_case(args.quick, args.data_dir))
    else:
        print(f"MNIST skipped: no IDX files in {args.data_dir}\n")
    rows = []
    for case in cases:
        print(f"running {case.name} ...", flush=True)
        rows += run_case(case)
    print()
    print(format_table(rows))
    if not args.skip_memory:
        print()
        print(memory_probe(args.quick))
    print(f"\nLoad average at end: {_load()}")


if __name__ == "__main__":
    main()
