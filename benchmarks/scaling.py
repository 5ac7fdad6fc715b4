"""Fit on data larger than memory: a float32 memory map streamed from disk.

Usage::

    python benchmarks/scaling.py [--gib 4] [--features 256] [--dir /tmp]
    python benchmarks/scaling.py --dask

Writes a ``--gib`` GiB float32 matrix to a temporary file in ``--dir``
(checking the free disk space first, and skipping with a message when it is
short), then fits a small ``AutoEncoder`` for one epoch three ways and prints,
for each, the seconds, the rows per second and the peak growth of anonymous
resident memory (``RssAnon``, sampled by a thread; the memory map's own
pages are file-backed and not counted):

* the memory map with ``init="random"`` and ``early_stopping=False``
  (streamed in chunks);
* a 1 GiB slice copied into memory, same settings (held in TensorFlow);
* the memory map with the defaults (``init="pca"``, ``early_stopping="auto"``),
  to check that the PCA start and the validation split do not copy it.

Ratios compare measurements of this run. The file is deleted at the end.

``--dask`` instead runs a ``GridSearchCV`` on digits serially and through
joblib's Dask backend on a two-process ``LocalCluster``, and prints the
seconds of each and the workers' resident memory after each of five
searches. See docs/scaling.md.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse
import shutil
import tempfile
import warnings

import numpy as np
from _measure import machine_description, peak_anon_growth, seconds

from skae import AutoEncoder

SEED = 0
# Free disk space wanted beyond the file itself.
DISK_MARGIN_BYTES = 2**30
# Rows written per block: 64 MiB of float32 at 256 features.
WRITE_ROWS = 65_536


def write_memmap(path: str, n_rows: int, n_features: int) -> np.memmap:
    """Low-rank rows plus noise, written block by block (never all in memory)."""
    rng = np.random.default_rng(SEED)
    mixing = rng.standard_normal((8, n_features)).astype(np.float32)
    X = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n_rows, n_features))
    for start in range(0, n_rows, WRITE_ROWS):
        stop = min(start + WRITE_ROWS, n_rows)
        block = np.tanh(rng.standard_normal((stop - start, 8), dtype=np.float32) @ mixing)
        X[start:stop] = block + 0.1 * rng.standard_normal(block.shape, dtype=np.float32)
    X.flush()
    del X
    return np.load(path, mmap_mode="r")


def measure(label: str, X, **params) -> dict:
    estimator = AutoEncoder(
        n_components=8,
        hidden_layer_sizes=(32,),
        batch_size=256,
        max_iter=1,
        n_iter_no_change=None,
        random_state=SEED,
        **params,
    )
    growth, (elapsed, _) = peak_anon_growth(lambda: seconds(estimator.fit, X))
    row = {"label": label, "rows": X.shape[0], "gib": X.nbytes / 2**30, "seconds": elapsed}
    row["rows_per_s"] = X.shape[0] / elapsed
    row["anon_mib"] = growth
    print(
        f"{label}: {X.shape[0]:,} x {X.shape[1]} ({row['gib']:.2f} GiB), {elapsed:.1f} s, "
        f"{row['rows_per_s']:,.0f} rows/s, peak RssAnon growth "
        + ("n/a" if growth is None else f"{growth:,.0f} MiB"),
        flush=True,
    )
    return row


def dask_search(n_searches: int = 5) -> None:
    """Serial and Dask grid searches; worker RSS after each Dask search."""
    import joblib
    import psutil
    from dask.distributed import Client, LocalCluster
    from sklearn.datasets import load_digits
    from sklearn.model_selection import GridSearchCV

    X = load_digits().data / 16
    search = GridSearchCV(
        AutoEncoder(hidden_layer_sizes=(32,), max_iter=10, n_iter_no_change=None, random_state=0),
        {"n_components": [2, 4, 8], "learning_rate": [1e-3, 1e-2]},
        cv=3,
    )
    serial_s, serial = seconds(search.fit, X)
    print(f"n_jobs=1: {serial_s:.1f} s, best {serial.best_params_}", flush=True)
    with (
        LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
        joblib.parallel_config(backend="dask"),
    ):
        for index in range(n_searches):
            elapsed, distributed = seconds(search.fit, X)
            rss = client.run(lambda: psutil.Process().memory_info().rss / 2**20)
            print(
                f"dask search {index + 1}: {elapsed:.1f} s (serial / dask "
                f"{serial_s / elapsed:.2f}), same best_params_: "
                f"{distributed.best_params_ == serial.best_params_}, worker RSS MiB: "
                + ", ".join(f"{value:.0f}" for value in rss.values()),
                flush=True,
            )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=4.0, help="size of the memory map")
    parser.add_argument("--features", type=int, default=256)
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="where to write it")
    parser.add_argument("--dask", action="store_true", help="grid searches on Dask instead")
    args = parser.parse_args(argv)
    if args.dask:
        print(machine_description())
        dask_search()
        return

    n_rows = int(args.gib * 2**30) // (4 * args.features)
    needed = n_rows * args.features * 4 + DISK_MARGIN_BYTES
    free = shutil.disk_usage(args.dir).free
    if free < needed:
        print(
            f"Skipped: {args.dir} has {free / 2**30:.1f} GiB free, the benchmark needs "
            f"{needed / 2**30:.1f} GiB. Pass --dir with more space or a smaller --gib."
        )
        return
    print(machine_description())
    print(f"{args.dir}: {free / 2**30:.1f} GiB free before writing")
    warnings.simplefilter("ignore", UserWarning)
    folder = tempfile.mkdtemp(dir=args.dir)
    try:
        path = os.path.join(folder, "X.npy")
        elapsed, X = seconds(write_memmap, path, n_rows, args.features)
        print(f"wrote {X.nbytes / 2**30:.2f} GiB in {elapsed:.1f} s", flush=True)
        classical = {"init": "random", "early_stopping": False}
        # TensorFlow's one-time start-up (about 0.5 GiB) is not the fit's.
        AutoEncoder(n_components=8, max_iter=1, **classical).fit(np.array(X[:1024]))
        streamed = measure("memory map, streamed", X, **classical)
        in_memory_rows = 2**30 // (4 * args.features)
        in_memory = measure("1 GiB slice in memory", np.array(X[:in_memory_rows]), **classical)
        defaults = measure("memory map, init='pca', early_stopping='auto'", X)
    finally:
        shutil.rmtree(folder)
    print(
        f"streamed / in-memory rows/s: {streamed['rows_per_s'] / in_memory['rows_per_s']:.2f}; "
        f"defaults / streamed seconds per row: "
        f"{streamed['rows_per_s'] / defaults['rows_per_s']:.2f}"
    )


if __name__ == "__main__":
    main()
