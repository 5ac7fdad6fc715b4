"""
===============================================
Tuning an autoencoder and a classifier together
===============================================

An autoencoder is an ordinary transformer, so it can be a step of a
:class:`~sklearn.pipeline.Pipeline`, and
:class:`~sklearn.model_selection.GridSearchCV` can tune its parameters
together with those of the model that uses the codes. Here the code width
(``n_components``) is chosen together with the regularisation ``C`` of a
logistic regression on the digits data set. The pipeline is also compared
with the same classifier on PCA codes of the same width.

Fitting the network is the expensive part. The pipeline's ``memory``
caches each fitted autoencoder, so the grid points that differ only in the
classifier's ``C`` reuse it instead of training the same network again.
"""

# %%
import os
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib.pyplot as plt
import numpy as np
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
# their scale differs from one code unit to the next. The autoencoder uses
# the default training settings. Every code width costs one network per
# cross-validation fold (plus one refit), so the grid is kept small: a
# narrow and a wide code. Network parameters such as
# ``autoencoder__hidden_layer_sizes`` can be added to the grid in the same
# way, at the price of one more network per value and fold.
n_components_grid = [4, 16]
cache = tempfile.TemporaryDirectory()
pipe = Pipeline(
    [
        ("autoencoder", AutoEncoder(random_state=0)),
        ("scale", StandardScaler()),
        ("classifier", LogisticRegression(max_iter=2000)),
    ],
    memory=cache.name,
)
param_grid = {
    "autoencoder__n_components": n_components_grid,
    "classifier__C": [0.1, 1.0],
}
search = GridSearchCV(pipe, param_grid, cv=3)
search.fit(X_train, y_train)
cache.cleanup()
print("best parameters:", search.best_params_)

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
    pca_pipe, {"pca__n_components": n_components_grid, "classifier__C": [0.1, 1.0]}, cv=3
).fit(X_train, y_train)
pca_results = pd.DataFrame(pca_search.cv_results_).pivot_table(
    index="param_pca__n_components", values="mean_test_score", aggfunc="max"
)["mean_test_score"]
print("PCA, best C per width:")
print(pca_results.round(3).to_string())
print(f"held-out accuracy: AutoEncoder pipeline {search.score(X_test, y_test):.3f}")
print(f"held-out accuracy: PCA pipeline         {pca_search.score(X_test, y_test):.3f}")

# %%
# Cross-validated accuracy at the best ``C`` for each code width. The axis
# starts at 0, and the bars are labelled with their values.
best_scores = {"AutoEncoder": results.max(axis=1), "PCA": pca_results}
fig, ax = plt.subplots(figsize=(5, 3.5))
positions = np.arange(len(n_components_grid))
for offset, (name, scores) in zip((-0.2, 0.2), best_scores.items(), strict=True):
    bars = ax.bar(positions + offset, scores.loc[n_components_grid], width=0.4, label=name)
    ax.bar_label(bars, fmt="%.3f", padding=2, fontsize=8)
ax.set_xticks(positions, labels=[str(n) for n in n_components_grid])
ax.set_ylim(0, 1.2)
ax.set_yticks(np.linspace(0, 1, 6))
ax.set_xlabel("n_components")
ax.set_ylabel("cross-validated accuracy")
ax.set_title("Logistic regression on the codes")
ax.legend(loc="upper center", ncols=2)
fig.tight_layout()
plt.show()

# %%
# The printed tables show where nonlinear codes help: at 4 components the
# autoencoder's codes classify clearly better than 4 principal components.
# At 16 components they no longer help: the cross-validated accuracies are
# about equal, and on the held-out set the PCA pipeline does as well or
# slightly better. For wide codes PCA is then the better choice: it fits in
# a fraction of a second, while every autoencoder of the search trains a
# network.
