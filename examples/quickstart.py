"""skae quickstart: PCA vs AutoEncoder on scikit-learn's bundled digits.

Runs offline in about a minute on 2 CPU cores and prints, for a few code
widths, the held-out reconstruction error of each model and the accuracy
of a logistic regression trained on its codes. The AutoEncoder uses its
defaults: it starts as PCA and keeps training only while held-out rows
improve.

    python examples/quickstart.py
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import AutoEncoder


def evaluate(reducer, X_train, X_test, y_train, y_test):
    """Fit ``reducer``; return held-out MSE, probe accuracy and fit seconds."""
    start = time.perf_counter()
    codes_train = reducer.fit_transform(X_train)
    seconds = time.perf_counter() - start
    codes_test = reducer.transform(X_test)
    mse = np.mean((reducer.inverse_transform(codes_test) - X_test) ** 2)
    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    accuracy = probe.fit(codes_train, y_train).score(codes_test, y_test)
    return mse, accuracy, seconds


def main() -> None:
    X, y = load_digits(return_X_y=True)
    X = X / 16.0  # pixels in [0, 1]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    print(
        f"load_digits: {X_train.shape[0]} train / {X_test.shape[0]} test rows, "
        f"{X.shape[1]} features\n"
    )
    header = (
        f"{'n_components':>12} | {'model':<11} | {'held-out MSE':>12} | "
        f"{'probe accuracy':>14} | {'fit s':>6}"
    )
    print(header)
    print("-" * len(header))
    for n_components in (2, 8, 16, 30):
        models = {
            "PCA": PCA(n_components=n_components),
            "AutoEncoder": AutoEncoder(n_components=n_components, random_state=0),
        }
        for name, model in models.items():
            mse, accuracy, seconds = evaluate(model, X_train, X_test, y_train, y_test)
            print(
                f"{n_components:>12} | {name:<11} | {mse:>12.4f} | "
                f"{accuracy:>14.3f} | {seconds:>6.2f}"
            )


if __name__ == "__main__":
    main()
