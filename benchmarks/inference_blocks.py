"""What the fixed 64-row inference block costs, and why it stays.

Usage::

    python benchmarks/inference_blocks.py [--repeats 7]

skae runs every row through a zero-padded block of exactly
``INFERENCE_BLOCK_ROWS`` (64) rows, so a row's codes do not depend on the
other rows of the call (scikit-learn's subset and sample-order invariance
checks); calls of at most ``SMALL_BLOCK_ROWS`` (4) rows take a 4-row block
instead where that gives the 64-row block's rows bit for bit. For two
fitted networks, the default digits network (64-128-64-8) and the MNIST
784-1000-500-250-30 encoder, this prints:

* for calls of 1, 4, 16 and 64 rows through the fitted encoder (the same
  compiled Keras graph that a block runs), the time of one call and whether
  its rows equal, bit for bit, those of 64-row blocks of the same rows at
  every position: a smaller block can serve few rows only if they do;
* one ``transform`` of 1 row (and whether it took the small block), the
  same row through ``encoder_.predict_on_batch`` and through a PCA of as
  many components;
* 10,000 rows: ``transform`` (64-row blocks) against one direct call of the
  encoder on all rows, rows per second and their ratio, and whether that one
  call's rows equal the blocks'.

Every ratio compares measurements taken side by side in this run.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse
import warnings
from collections.abc import Iterator

import keras
import numpy as np
import tensorflow as tf
from _measure import machine_description, matmul_gflops, seconds_per_call
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning

from skae import AutoEncoder, DenseArchitecture
from skae._network import INFERENCE_BLOCK_ROWS, SMALL_BLOCK_ROWS, gives_block_rows

CALL_ROWS = (1, SMALL_BLOCK_ROWS, 16, INFERENCE_BLOCK_ROWS)
BULK_ROWS = 10_000


def _networks() -> Iterator[tuple[str, AutoEncoder, np.ndarray]]:
    """(label, fitted estimator, rows to transform) of each network measured."""
    rng = np.random.default_rng(0)
    digits = load_digits().data / 16.0
    # Weights of one epoch are enough: the cost of a call and the order of
    # its sums do not depend on how well the network is trained.
    mnist_like = rng.random((2_000, 784), dtype=np.float32)
    mnist = AutoEncoder(
        n_components=30,
        architecture=DenseArchitecture((1000, 500, 250), batch_normalization=True),
        max_iter=1,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield (
            "digits 64-128-64-8",
            AutoEncoder(n_components=8, max_iter=1, random_state=0).fit(digits),
            digits,
        )
        yield "MNIST 784-1000-500-250-30", mnist.fit(mnist_like), mnist_like


def _compiled(encoder: keras.Model, n_rows: int, n_features: int):
    spec = tf.TensorSpec([n_rows, n_features], tf.float32)
    function = tf.function(lambda x: encoder(x, training=False), autograph=False)
    return function.get_concrete_function(spec)


def _rows(X, n_rows: int) -> np.ndarray:
    rng = np.random.default_rng(1)
    return np.asarray(X[rng.integers(0, len(X), n_rows)], dtype=np.float32)


def measure(label: str, estimator: AutoEncoder, X: np.ndarray, repeats: int) -> list[str]:
    encoder = estimator.encoder_
    n_features = X.shape[1]
    block = _compiled(encoder, INFERENCE_BLOCK_ROWS, n_features)
    probe = _rows(X, INFERENCE_BLOCK_ROWS)
    lines = []
    for n_rows in CALL_ROWS:
        call = block if n_rows == INFERENCE_BLOCK_ROWS else _compiled(encoder, n_rows, n_features)
        same = gives_block_rows(call, n_rows, block, probe)
        rows = tf.constant(probe[:n_rows])
        ms = seconds_per_call(lambda c=call, r=rows: c(r).numpy(), repeats=repeats) * 1e3
        lines.append(
            f"| {label} | compiled call, {n_rows} row{'s' * (n_rows > 1)} | {ms:.3f} ms | "
            f"{'yes' if same else 'no'} |"
        )
    one = _rows(X, 1)
    transform_ms = seconds_per_call(estimator.transform, one, repeats=repeats) * 1e3
    keras_ms = seconds_per_call(encoder.predict_on_batch, one, repeats=repeats) * 1e3
    small = estimator._network._function("encode")._small_block_matches
    lines.append(
        f"| {label} | `transform`, 1 row ({SMALL_BLOCK_ROWS if small else INFERENCE_BLOCK_ROWS}"
        f"-row block) | {transform_ms:.3f} ms | - |"
    )
    pca = PCA(estimator.n_components_).fit(X)
    pca_ms = seconds_per_call(pca.transform, one, repeats=repeats) * 1e3
    lines.append(
        f"| {label} | `encoder_.predict_on_batch`, 1 row | {keras_ms:.3f} ms "
        f"({keras_ms / transform_ms:.2f}x of transform's) | - |"
    )
    lines.append(
        f"| {label} | PCA({estimator.n_components_}) `transform`, 1 row | {pca_ms:.3f} ms "
        f"(skae's transform {transform_ms / pca_ms:.2f}x) | - |"
    )
    bulk = _rows(X, BULK_ROWS)
    blocked = estimator.transform(bulk)
    direct = encoder.predict_on_batch(bulk)
    blocked_s = seconds_per_call(estimator.transform, bulk, repeats=repeats)
    direct_s = seconds_per_call(encoder.predict_on_batch, bulk, repeats=repeats)
    lines.append(
        f"| {label} | `transform`, {BULK_ROWS:,} rows (64-row blocks) | "
        f"{BULK_ROWS / blocked_s:,.0f} rows/s ({direct_s / blocked_s:.2f}x of one direct call's "
        f"{BULK_ROWS / direct_s:,.0f}) | "
        f"{'yes' if np.array_equal(blocked, direct) else 'no'} |"
    )
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    print(machine_description())
    print(f"float32 matrix product: {matmul_gflops():.0f} GFLOP/s\n")
    print("| network | call | time or rate | rows equal 64-row blocks' |")
    print("|---|---|---|---|")
    for label, estimator, X in _networks():
        for line in measure(label, estimator, X, args.repeats):
            print(line, flush=True)


if __name__ == "__main__":
    main()
