"""
===============================================
PCA versus an autoencoder on handwritten digits
===============================================

PCA is the linear baseline that every autoencoder must beat. Here both
reduce 8x8 digit images to ``n_components`` numbers and map them back. We
compare the held-out reconstruction error as a function of
``n_components``, look at the reconstructions and the 2-D codes, and check
the training curve.
"""

# %%
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.neighbors import KNeighborsClassifier

from skae import AutoEncoder
from skae.plotting import LatentSpaceDisplay, LossCurveDisplay, ReconstructionDisplay

X, y = load_digits(return_X_y=True)
X = X / 16.0  # pixel intensities in [0, 1]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)


def reconstruction_error(model, X):
    """Mean squared error of inverse_transform(transform(X))."""
    return np.mean((X - model.inverse_transform(model.transform(X))) ** 2)


# %%
# Error against the number of components
# --------------------------------------
# The autoencoder has hidden layers of 128 and 64 units on each side of a
# linear code layer. A few dozen epochs are enough on this small data set.
n_components_grid = [2, 4, 8, 16]
errors = {"PCA": [], "AutoEncoder": []}
autoencoders = {}
for n_components in n_components_grid:
    pca = PCA(n_components=n_components).fit(X_train)
    ae = AutoEncoder(n_components=n_components, max_iter=60, batch_size=64, random_state=0).fit(
        X_train
    )
    autoencoders[n_components] = ae
    errors["PCA"].append(reconstruction_error(pca, X_test))
    errors["AutoEncoder"].append(reconstruction_error(ae, X_test))

fig, ax = plt.subplots(figsize=(5, 3.5))
for name, values in errors.items():
    ax.plot(n_components_grid, values, marker="o", label=name)
ax.set_xscale("log", base=2)
ax.set_xticks(n_components_grid, labels=[str(n) for n in n_components_grid])
ax.set_xlabel("n_components")
ax.set_ylabel("held-out mean squared error")
ax.legend()
fig.tight_layout()

for n_components, pca_error, ae_error in zip(
    n_components_grid, errors["PCA"], errors["AutoEncoder"], strict=True
):
    print(f"n_components={n_components:2d}  PCA {pca_error:.4f}  AutoEncoder {ae_error:.4f}")

# %%
# The autoencoder reconstructs held-out digits better at every code size.
# The absolute gap is largest for small codes, where a linear subspace
# misses most of the variation. It closes as more components let PCA's
# subspace capture most of the variance.
#
# Reconstructions
# ---------------
# Held-out digits (top row of each panel) and their reconstructions from
# an 8-number code.
pca8 = PCA(n_components=8).fit(X_train)
fig, axes = plt.subplots(2, 1, figsize=(8, 3.6))
ReconstructionDisplay.from_estimator(pca8, X_test, image_shape=(8, 8, 1), ax=axes[0])
ReconstructionDisplay.from_estimator(autoencoders[8], X_test, image_shape=(8, 8, 1), ax=axes[1])
fig.tight_layout()

# %%
# Two-dimensional codes
# ---------------------
# With two components, the codes can be plotted directly. How well they
# separate the classes (which neither model was told about) is measured by
# the cross-validated accuracy of a 5-nearest-neighbour classifier on the
# held-out codes.
pca2 = PCA(n_components=2).fit(X_train)
for name, model in [("PCA", pca2), ("AutoEncoder", autoencoders[2])]:
    accuracy = cross_val_score(KNeighborsClassifier(), model.transform(X_test), y_test).mean()
    print(f"{name}: 5-NN accuracy on 2-D codes {accuracy:.3f}")

fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
LatentSpaceDisplay.from_estimator(pca2, X_test, y_test, ax=axes[0])
LatentSpaceDisplay.from_estimator(autoencoders[2], X_test, y_test, ax=axes[1], legend=False)
fig.tight_layout()

# %%
# The autoencoder's codes separate the classes somewhat better. A few
# digits get clusters of their own, while others still overlap: two numbers
# are too few for ten classes, whatever the method.
#
# Training curve
# --------------
# ``loss_curve_`` holds the mean training loss of every epoch. A curve that
# is still falling at the end means more epochs (``max_iter``) would help.
LossCurveDisplay.from_estimator(autoencoders[8])
plt.show()
