"""Published code written for PCA, run unchanged but for the class name.

The scripts are not shipped: fetch them from their public sources (the
scikit-learn gallery and the tutorials listed in ``docs/benchmarks.md``,
section "Published scripts written for PCA") into a folder, one ``NAME.py``
each. For each script this runs, one at a time, in a fresh process with
matplotlib's Agg backend (``plt.show`` does nothing):

* ``pca``: the script as published;
* ``skae``: the same text with ``from skae import AutoEncoder`` added before
  its first import and every ``PCA(`` / ``decomposition.PCA(`` (and, in
  ``plot_incremental_pca``, ``IncrementalPCA(``) replaced by
  ``AutoEncoder(``. Nothing else changes.

It prints what the script printed (indented), whether each run finished
(else the exception and the script's line), its wall time, the titles of
its figures that hold a number, and *probes*: figures read afterwards
from the script's variables (the reconstruction error of the fitted
``pca`` object, say), which the script itself does not change. This
checkout's skae is the one imported. Run::

    python benchmarks/pca_scripts.py FOLDER                 # every NAME.py in FOLDER
    python benchmarks/pca_scripts.py FOLDER plot_pca_iris   # some of them
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import runpy
import subprocess
import sys
import tempfile
import time
import traceback

import numpy as np

#: Scripts in which IncrementalPCA stands for PCA too.
ALSO_INCREMENTAL = {"plot_incremental_pca"}


def swap(text: str, also_incremental: bool = False) -> str:
    """The script with skae's AutoEncoder in place of PCA, nothing else changed."""
    text = re.sub(r"\bdecomposition\.PCA\(", "AutoEncoder(", text)
    text = re.sub(r"(?<![A-Za-z_])PCA\(", "AutoEncoder(", text)
    if also_incremental:
        text = re.sub(r"\bIncrementalPCA\(", "AutoEncoder(", text)
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if re.match(r"(import|from) ", line):
            lines.insert(i, "from skae import AutoEncoder\n")
            break
    return "".join(lines)


def _mse(a, b) -> float:
    return float(np.mean((np.asarray(a, float) - np.asarray(b, float)) ** 2))


def _recon(est, X) -> float:
    X = np.asarray(X, float)
    return _mse(X, est.inverse_transform(est.transform(X)))


def _evr(g, name="pca"):
    return np.round(g[name].explained_variance_ratio_, 3)


def _best_by_reducer(search) -> dict:
    """The best mean test score for each reducer and width, over the other parameters."""
    best = {}
    results = search.cv_results_
    for params, score in zip(results["params"], results["mean_test_score"], strict=True):
        reducer = params["reduce_dim"]
        width = params.get("reduce_dim__n_components", params.get("reduce_dim__k"))
        key = f"{type(reducer).__name__}({width})"
        best[key] = max(best.get(key, 0.0), round(float(score), 3))
    return best


#: What to read from each script's variables after it ran.
PROBES = {
    "plot_pca_iris": lambda g: {
        "recon_mse(iris, 3)": _recon(g["pca"], g["iris"].data),
        "evr": _evr(g),
    },
    "plot_pca_vs_lda": lambda g: {"recon_mse(iris, 2)": _recon(g["pca"], g["X"])},
    "plot_incremental_pca": lambda g: {
        "recon_mse ipca": _recon(g["ipca"], g["X"]),
        "recon_mse pca": _recon(g["pca"], g["X"]),
    },
    "plot_pca_vs_fa_model_selection": lambda g: {"pca_scores": np.round(g["pca_scores"], 3)},
    "plot_ica_vs_pca": lambda g: {"n_components_": g["pca"].n_components_},
    "plot_kernel_pca": lambda g: {
        "recon_mse(X_test)": _mse(g["X_reconstructed_pca"], g["X_test"])
    },
    "plot_digits_pipe": lambda g: {"best_score_": g["search"].best_score_},
    "plot_compare_reduction": lambda g: {"best over C": _best_by_reducer(g["grid"])},
    "plot_digits_kde_sampling": lambda g: {
        "recon_mse(digits, 15)": _recon(g["pca"], g["digits"].data)
    },
    "plot_feature_union": lambda g: {
        "best_score_": g["grid_search"].best_score_,
        "best_params_": g["grid_search"].best_params_,
    },
    "pdsh_pca_digits": lambda g: {
        "n_components_(0.5)": g["pca"].n_components_,
        "mse(filtered, clean)": _mse(g["filtered"], g["digits"].data),
        "mse(noisy, clean)": _mse(g["noisy"], g["digits"].data),
    },
    "mooc_pca_cancer": lambda g: {
        "recon_mse(scaled, 2)": _recon(g["pca"], g["X_scaled"]),
        "evr": _evr(g),
    },
    "plot_grid_search_refit_callable": lambda g: {
        "mean_test_score": np.round(g["grid"].cv_results_["mean_test_score"], 3)
    },
    "plot_kernel_approximation": lambda g: {
        "recon_mse(data_train, 8)": _recon(g["pca"], g["data_train"]),
        "evr sum": g["pca"].explained_variance_ratio_.sum(),
    },
    "plot_iris_dataset": lambda g: {"code std": np.round(g["X_reduced"].std(0), 3)},
    "plot_kmeans_digits": lambda g: {
        "2-D code range": np.round([g["reduced_data"].min(0), g["reduced_data"].max(0)], 1)
    },
    "sandbox_digits_pca": lambda g: {
        "recon_mse(digits, 2)": _recon(g["model"], g["digits"]),
        "len(check_model.explained_variance_ratio_)": len(
            g["check_model"].explained_variance_ratio_
        ),
    },
}


def child(path: str, name: str) -> None:
    """Run one script in this process and print what it gave."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.show = lambda *args, **kwargs: None
    g, status = {}, "OK"
    start = time.perf_counter()
    try:
        g = runpy.run_path(path, run_name="__main__")
    except BaseException as exc:  # the script's failure is the result
        status = "FAIL"
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
        where = f"line {frames[-1].lineno}: {frames[-1].line}" if frames else "?"
        print(f"@@EXC {type(exc).__name__}: {str(exc)[:300]}")
        print(f"@@WHERE {where}")
    print(f"@@STATUS {status} {time.perf_counter() - start:.1f}s")
    for number in plt.get_fignums():
        for ax in plt.figure(number).axes:
            title = ax.get_title()
            if any(ch.isdigit() for ch in title):
                print("@@TITLE", title.replace("\n", " / "))
    if status == "OK":
        for key, value in PROBES.get(name, lambda g: {})(g).items():
            print(f"@@PROBE {key} = {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=pathlib.Path)
    parser.add_argument("names", nargs="*")
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    names = args.names or sorted(p.stem for p in args.folder.glob("*.py"))
    root = str(pathlib.Path(__file__).resolve().parent.parent)
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    env = dict(os.environ, MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=path)
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            text = (args.folder / f"{name}.py").read_text()
            variants = {"pca": text, "skae": swap(text, name in ALSO_INCREMENTAL)}
            for variant, source in variants.items():
                workdir = pathlib.Path(tmp, variant, name)
                workdir.mkdir(parents=True)
                script = workdir / f"{name}.py"
                script.write_text(source)
                command = [sys.executable, __file__, "x", "--child", str(script), name]
                try:
                    out = subprocess.run(
                        command,
                        cwd=workdir,
                        env=env,
                        capture_output=True,
                        text=True,
                        timeout=args.timeout,
                    ).stdout
                except subprocess.TimeoutExpired:
                    out = f"@@STATUS TIMEOUT {args.timeout}s\n"
                print(f"== {name} [{variant}]")
                # What the script printed, indented, then the harness's lines.
                lines = out.splitlines()
                print("\n".join("  " + line for line in lines if not line.startswith("@@")))
                print("\n".join(line for line in lines if line.startswith("@@")))
                sys.stdout.flush()


if __name__ == "__main__":
    main()
