"""How long ``import skae`` takes in a fresh interpreter, against what it needs.

Each statement runs in a new Python process, alternating, ``--repeats``
times; the table gives the median wall time of the statement alone (the
interpreter's own start, measured with ``pass``, subtracted). scikit-learn's
``import sklearn.decomposition`` is the floor: skae's estimators subclass
scikit-learn's and its PCA start uses ``PCA``.

Usage (from the repository root)::

    python benchmarks/import_time.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

STATEMENTS = {
    "python itself": "pass",
    "import sklearn.decomposition": "import sklearn.decomposition",
    "import skae": "import skae",
    "import skae; build, clone and pickle an estimator": (
        "import pickle, skae; from sklearn.base import clone; "
        "pickle.dumps(clone(skae.AutoEncoder(n_components=8)))"
    ),
    "import tensorflow": "import tensorflow",
    "import skae; one small fit": (
        "import numpy as np, skae; skae.AutoEncoder(n_components=2, max_iter=1, "
        "n_iter_no_change=None).fit(np.random.default_rng(0).random((64, 8)))"
    ),
}


def _run(statement: str) -> float:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True, env=env, capture_output=True)
    return time.perf_counter() - start


def _imports_tensorflow() -> bool:
    statement = "import sys, skae; print('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", statement], check=True, capture_output=True)
    return result.stdout.decode().strip() == "True"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    times = {name: [] for name in STATEMENTS}
    for _ in range(args.repeats):
        for name, statement in STATEMENTS.items():
            times[name].append(_run(statement))
    median = {name: statistics.median(values) for name, values in times.items()}
    base = median["python itself"]
    floor = median["import sklearn.decomposition"] - base
    print(f"median of {args.repeats} fresh interpreters, Python start ({base:.2f} s) subtracted\n")
    print("| statement | seconds | / import sklearn.decomposition |")
    print("|---|---|---|")
    for name, value in median.items():
        if name != "python itself":
            print(f"| `{name}` | {value - base:.2f} | {(value - base) / floor:.2f}x |")
    print(f"\n`import skae` imports TensorFlow: {'yes' if _imports_tensorflow() else 'no'}")


if __name__ == "__main__":
    main()
