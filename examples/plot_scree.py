"""
=====================================================
A scree plot: how much variance each code explains
=====================================================

Code written for :class:`~sklearn.decomposition.PCA` often picks the number
of components from ``explained_variance_ratio_``, or asks for a share of
variance directly with ``PCA(n_components=0.95)``. skae's estimators have
the same attributes and accept the same spelling. Their codes are ordered
as PCA's are, so ``explained_variance_ratio_[j]`` is what code ``j`` adds
to the model's reconstruction, and its running sum is the share of the
variance the first codes explain.
"""

# %%
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skae import AutoEncoder
from skae.plotting import ExplainedVarianceDisplay

X = load_digits().data / 16.0
X_train, X_test = train_test_split(X, test_size=0.3, random_state=0)

# %%
# PCA and an autoencoder with 12 codes, fitted on the same rows, on one
# axes. The autoencoder's curve starts near PCA's (the network starts as
# PCA; its first code alone explains a little less than PCA's first
# component) and ends higher: its nonlinear decoder explains more with the
# same number of codes.
pca = PCA(n_components=12).fit(X_train)
ae = AutoEncoder(n_components=12, random_state=0).fit(X_train)
display = ExplainedVarianceDisplay.from_estimators([pca, ae])
display.ax_.axhline(0.9, color="grey", linewidth=0.8, linestyle=":")
display.ax_.set_title("Digits: cumulative explained variance")
plt.show()

print(f"PCA explains {pca.explained_variance_ratio_.sum():.3f} with 12 components")
print(f"the autoencoder explains {ae.explained_variance_ratio_.sum():.3f} with 12 codes")

# %%
# Asking for a share of variance
# ------------------------------
# ``n_components=0.9`` chooses the smallest width whose reconstruction
# explains 90 % of the variance of the training rows (PCA's criterion) and
# of the rows early stopping holds out. The nonlinear decoder usually needs
# fewer codes than PCA for the same share; below, both are also measured on
# test rows neither has seen.
ae_share = AutoEncoder(n_components=0.9, random_state=0).fit(X_train)
pca_share = PCA(n_components=0.9).fit(X_train)
print(f"90 %: autoencoder {ae_share.n_components_} codes, PCA {pca_share.n_components_}")


def held_out_share(model) -> float:
    error = np.square(X_test - model.inverse_transform(model.transform(X_test))).mean()
    return 1 - error / X_test.var(axis=0).mean()


print(
    f"held-out share: autoencoder {held_out_share(ae_share):.3f}, "
    f"PCA {held_out_share(pca_share):.3f}"
)

# %%
# PCA's other names
# -----------------
# ``components_`` are the principal axes of the network's fixed linear path
# (orthonormal, PCA's for the same rows), so a loadings image reads as it
# does for PCA; the network adds its nonlinear correction on top.
fig, axes = plt.subplots(1, 4, figsize=(8, 2.2), layout="constrained")
for j, ax in enumerate(axes):
    ax.imshow(ae.components_[j].reshape(8, 8), cmap="RdBu")
    ax.set_title(f"component {j + 1}")
    ax.axis("off")
plt.show()
