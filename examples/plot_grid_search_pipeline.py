"""
===============================================
Tuning an autoencoder and a classifier together
===============================================

An autoencoder is an ordinary transformer, so it can be a step of a
:class:`~sklearn.pipeline.Pipeline`, and
:class:`~sklearn.model_selection.GridSearchCV` can tune its parameters
together with those of the model that uses the codes. Here the code width
and the network size are chosen for a logistic regression on the digits
data set. The pipeline is also compared with the same classifier on PCA
codes of the same width.

Fitting the network is the expensive part. The pipeline's ``memory``
caches each fitted autoencoder, so the grid points that differ only in the
classifier's ``C`` reuse it instead of training the same network again.
"""

# %%
import os
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skae import AutoEncoder

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16.0, y, test_size=0.3, stratify=y, random_state=0
)

# %%
# The pipeline: codes are standardised before the linear classifier, as
# their scale is arbitrary.
cache = tempfile.TemporaryDirectory()
pipe = Pipeline(
    [
        ("autoencoder", AutoEncoder(max_iter=40, batch_size=64, random_state=0)),
        ("scale", StandardScaler()),
        ("classifier", LogisticRegression(max_iter=2000)),
    ],
    memory=cache.name,
)
param_grid = {
    "autoencoder__n_components": [4, 8, 16],
    "classifier__C": [0.1, 1.0],
}
search = GridSearchCV(pipe, param_grid, cv=3)
search.fit(X_train, y_train)
cache.cleanup()
print("best parameters:", search.best_params_)
print(f"held-out accuracy: {search.score(X_test, y_test):.3f}")

# %%
# Mean cross-validated accuracy of every combination.
results = pd.DataFrame(search.cv_results_).pivot_table(
    index="param_autoencoder__n_components",
    columns="param_classifier__C",
    values="mean_test_score",
)
print(results.round(3))

# %%
# The same search with PCA in place of the autoencoder, for reference.
pca_pipe = Pipeline(
    [
        ("pca", PCA()),
        ("scale", StandardScaler()),
        ("classifier", LogisticRegression(max_iter=2000)),
    ]
)
pca_search = GridSearchCV(
    pca_pipe, {"pca__n_components": [4, 8, 16], "classifier__C": [0.1, 1.0]}, cv=3
).fit(X_train, y_train)
pca_results = pd.DataFrame(pca_search.cv_results_).pivot_table(
    index="param_pca__n_components", values="mean_test_score", aggfunc="max"
)

fig, ax = plt.subplots(figsize=(5, 3.5))
ax.plot(results.index, results.max(axis=1), marker="o", label="AutoEncoder")
ax.plot(pca_results.index, pca_results["mean_test_score"], marker="s", label="PCA")
ax.set_xlabel("n_components")
ax.set_ylabel("cross-validated accuracy")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# Each point is the best ``C`` for that code width. Nonlinear codes help
# most when they are narrow: a 4-number autoencoder code classifies far
# better than 4 principal components.
