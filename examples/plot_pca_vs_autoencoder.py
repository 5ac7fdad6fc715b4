"""
===============================================
PCA versus an autoencoder on handwritten digits
===============================================

PCA is the linear baseline that every autoencoder must beat. Here both
reduce 8x8 digit images to ``n_components`` numbers and map them back. We
compare the held-out reconstruction error as a function of
``n_components``, look at the reconstructions and the 2-D codes, and check
the training curve.

Every :class:`~skae.AutoEncoder` below uses the default training settings.
By default (``init="pca"``) the network starts as PCA: before the first
update, ``transform`` and ``inverse_transform`` are PCA's, and training
learns what PCA misses. Early stopping holds out 10 % of the training rows
and keeps the weights that scored best on them, with PCA itself as a
candidate, so the number of epochs and the batch size need no tuning here.
"""

# %%
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import time

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
# The autoencoder has the default hidden layers of 128 and 64 units on each
# side of a linear code layer. Only ``n_components`` and ``random_state``
# are set.
n_components_grid = [2, 4, 8, 16]
errors = {"PCA": [], "AutoEncoder": []}
fit_seconds = {"PCA": 0.0, "AutoEncoder": 0.0}
autoencoders = {}
for n_components in n_components_grid:
    start = time.perf_counter()
    pca = PCA(n_components=n_components).fit(X_train)
    fit_seconds["PCA"] += time.perf_counter() - start
    start = time.perf_counter()
    ae = AutoEncoder(n_components=n_components, random_state=0).fit(X_train)
    fit_seconds["AutoEncoder"] += time.perf_counter() - start
    autoencoders[n_components] = ae
    errors["PCA"].append(reconstruction_error(pca, X_test))
    errors["AutoEncoder"].append(reconstruction_error(ae, X_test))

print("held-out mean squared error")
for n_components, pca_error, ae_error in zip(
    n_components_grid, errors["PCA"], errors["AutoEncoder"], strict=True
):
    print(
        f"n_components={n_components:2d}  PCA {pca_error:.4f}  AutoEncoder {ae_error:.4f}  "
        f"({1 - ae_error / pca_error:.0%} lower, {autoencoders[n_components].n_iter_} epochs)"
    )
print(
    f"total fit time: PCA {fit_seconds['PCA']:.2f} s, "
    f"AutoEncoder {fit_seconds['AutoEncoder']:.1f} s"
)

fig, ax = plt.subplots(figsize=(5, 3.5))
for name, values in errors.items():
    ax.plot(n_components_grid, values, marker="o", label=name)
ax.set_xscale("log", base=2)
ax.set_xticks(n_components_grid, labels=[str(n) for n in n_components_grid])
ax.set_ylim(bottom=0)
ax.set_xlabel("n_components")
ax.set_ylabel("held-out mean squared error")
ax.set_title("Reconstruction error of held-out digits")
ax.legend()
fig.tight_layout()

# %%
# The printed table shows the autoencoder's held-out error below PCA's at
# every code size, by the printed percentages. The absolute gap shrinks as
# the code grows, because more components let PCA's subspace capture most
# of the variance and leave less for the nonlinear layers to add. The price
# is time: PCA fits in a fraction of a second and each autoencoder takes
# seconds (the printed total fit times). When a linear projection is good
# enough, when fitting must be instant, or when you need PCA's orthogonal
# components ranked by explained variance, use PCA.
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
LatentSpaceDisplay.from_estimator(pca2, X_test, y_test, ax=axes[0], legend=False)
display = LatentSpaceDisplay.from_estimator(autoencoders[2], X_test, y_test, ax=axes[1])
# The legend goes beside the plot, where it hides no points.
display.legend_.set_loc("upper left")
display.legend_.set_bbox_to_anchor((1.02, 1))
fig.tight_layout()

# %%
# By the printed 5-NN accuracies, the autoencoder's 2-D codes separate the
# classes clearly better than PCA's. Several digits get clusters of their
# own, while others still overlap: two numbers are too few for ten classes,
# whatever the method.
#
# Training curve
# --------------
# ``loss_curve_`` holds the mean training loss of every epoch, and minus
# ``validation_scores_`` the error on the held-out 10 % of the training
# rows. The validation curve starts at epoch 0, before any update, with
# PCA's error. Training stopped once the validation error had not improved
# for ``n_iter_no_change=10`` epochs, and the model kept the weights of its
# best epoch (the dotted line). The training loss keeps falling after the
# validation error has levelled off: from there on the network mostly fits
# its own training rows, which is what early stopping guards against.
ae8 = autoencoders[8]
best_epoch = int(np.argmax(ae8.validation_scores_))
print(
    f"n_components=8: validation error {-ae8.validation_scores_[0]:.4f} before training "
    f"(PCA), {-ae8.best_validation_score_:.4f} at the best epoch ({best_epoch} of "
    f"{ae8.n_iter_})"
)
display = LossCurveDisplay.from_estimator(ae8, name="AutoEncoder, n_components=8")
display.ax_.axvline(best_epoch, color="gray", linestyle=":", label="best epoch (kept)")
display.ax_.legend()
plt.show()
