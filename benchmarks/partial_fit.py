"""Streaming with ``partial_fit``, beside ``IncrementalPCA`` fed the same chunks.

Each table (scikit-learn's bundled data) is split with ``np.array_split``
into chunks in its stored order, which for iris and wine is class order,
and given chunk by chunk to ``IncrementalPCA`` and to ``AutoEncoder``
(defaults, ``n_components`` and ``random_state=0`` set). Printed per table:

* ``MSE``: the reconstruction error of every row after the last chunk,
  IncrementalPCA's and the AutoEncoder's;
* ``EVR``: the first two ``explained_variance_ratio_`` entries of each,
  which should describe every row seen, not the last chunk;
* ``ms/call``: milliseconds per ``partial_fit`` call over two further
  passes over the chunks (after one untimed pass), for IncrementalPCA,
  for the AutoEncoder, and for the AutoEncoder when the code reads
  ``explained_variance_ratio_`` after every call (which measures it each
  time on the model's sample of up to 2,000 rows), with the ratio of the
  AutoEncoder's time to IncrementalPCA's.

Run::

    python benchmarks/partial_fit.py
    python benchmarks/partial_fit.py --only digits --passes 3
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.decomposition import IncrementalPCA
from sklearn.preprocessing import StandardScaler

# name: (rows, codes, chunks)
TABLES = {
    "iris (class order)": (lambda: load_iris().data, 2, 15),
    "wine (class order)": (lambda: StandardScaler().fit_transform(load_wine().data), 3, 4),
    "breast cancer": (lambda: StandardScaler().fit_transform(load_breast_cancer().data), 5, 5),
    "digits, 20-row chunks": (lambda: load_digits().data / 16.0, 8, 90),
    "digits, 40-row chunks, 32 codes": (lambda: load_digits().data / 16.0, 32, 45),
}


def _mse(model, X) -> float:
    return float(np.mean((model.inverse_transform(model.transform(X)) - X) ** 2))


def _ms_per_call(model, chunks, passes: int, read_evr: bool) -> float:
    start = time.perf_counter()
    for _ in range(passes):
        for chunk in chunks:
            model.partial_fit(chunk)
            if read_evr:
                model.explained_variance_ratio_  # noqa: B018 (the read is what is timed)
    return 1000 * (time.perf_counter() - start) / (passes * len(chunks))


def run(name: str, passes: int) -> str:
    from skae import AutoEncoder

    load, k, n_chunks = TABLES[name]
    X = load()
    chunks = np.array_split(X, n_chunks)
    ipca = IncrementalPCA(n_components=k)
    ae = AutoEncoder(n_components=k, random_state=0)
    for chunk in chunks:
        ipca.partial_fit(chunk)
        ae.partial_fit(chunk)
    quality = (
        f"{_mse(ipca, X):.4f} | {_mse(ae, X):.4f} | "
        f"{np.round(ipca.explained_variance_ratio_[:2], 3)} | "
        f"{np.round(ae.explained_variance_ratio_[:2], 3)}"
    )
    ipca_ms = _ms_per_call(ipca, chunks, passes, read_evr=False)
    ae_ms = _ms_per_call(ae, chunks, passes, read_evr=False)
    reading_ms = _ms_per_call(ae, chunks, passes, read_evr=True)
    return (
        f"| {name} | {len(chunks[0])} | {k} | {quality} | {ipca_ms:.1f} | {ae_ms:.1f} "
        f"({ae_ms / ipca_ms:.0f}x) | {reading_ms:.1f} ({reading_ms / ipca_ms:.0f}x) |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=sorted(TABLES), default=sorted(TABLES))
    parser.add_argument("--passes", type=int, default=2, help="timed passes over the chunks")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print(
        "| data | rows/chunk | k | MSE IPCA | MSE AE | EVR IPCA | EVR AE | ms/call IPCA "
        "| ms/call AE | ms/call AE reading EVR |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in TABLES:
        if name in args.only:
            print(run(name, args.passes), flush=True)


if __name__ == "__main__":
    main()
