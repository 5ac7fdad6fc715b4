"""
============================
Sparse codes of digit images
============================

A :class:`~skae.SparseAutoEncoder` adds a penalty on code activity to the
reconstruction loss. Each image is then described by a few active units,
like a learnt dictionary. Here the L1 penalty (``sparsity="l1"``, with a
ReLU code) is varied to show the trade-off between sparsity and
reconstruction error, and the units of one model are drawn as images.
"""

# %%
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

from skae import SparseAutoEncoder

X, _ = load_digits(return_X_y=True)
X = X / 16.0

# %%
# Sparsity against reconstruction error
# -------------------------------------
# Every model has a 32-unit nonnegative code. ``sparsity_weight=0`` turns
# the penalty off. A unit counts as active on an image when its code value
# is above zero.
weights = [0.0, 1e-3, 3e-3, 1e-2]
models, active, errors = {}, [], []
for weight in weights:
    model = SparseAutoEncoder(
        n_components=32, sparsity_weight=weight, max_iter=80, batch_size=64, random_state=0
    ).fit(X)
    codes = model.transform(X)
    models[weight] = model
    active.append((codes > 0).sum(axis=1).mean())
    errors.append(np.mean((model.inverse_transform(codes) - X) ** 2))
    print(
        f"sparsity_weight={weight:<6}: {active[-1]:5.1f} of 32 units active per image, "
        f"{(codes.max(axis=0) <= 0).sum():2d} never active, MSE {errors[-1]:.4f}"
    )

fig, ax = plt.subplots(figsize=(5, 3.5))
ax.plot(active, errors, marker="o")
for weight, a, e in zip(weights, active, errors, strict=True):
    ax.annotate(f"{weight:g}", (a, e), textcoords="offset points", xytext=(5, 5))
ax.set_xlabel("active units per image (mean)")
ax.set_ylabel("mean squared error")
ax.set_title("Effect of sparsity_weight")
fig.tight_layout()

# %%
# A stronger penalty buys sparser codes with a larger error. Even without
# the penalty some ReLU units never switch on ("dead" units); a stronger
# penalty switches off more of them, which shrinks the effective code.
#
# What the units encode
# ---------------------
# Decoding a code in which a single unit is active shows what that unit
# adds to an image. The difference from decoding the all-zero code is drawn
# in red (adds ink) and blue (removes ink). The units are sorted by how
# often they are active, and the units that are never active are left out.
model = models[3e-3]
codes = model.transform(X)
usage = (codes > 0).mean(axis=0)
units = np.argsort(usage)[::-1][: (usage > 0).sum()]
probe = np.zeros((len(units), 32))
probe[np.arange(len(units)), units] = np.percentile(codes, 95, axis=0)[units]
atoms = model.inverse_transform(probe) - model.inverse_transform(np.zeros((1, 32)))

n_cols = 6
n_rows = -(-len(units) // n_cols)
fig, axes = plt.subplots(n_rows, n_cols, figsize=(1.4 * n_cols, 1.5 * n_rows))
limit = np.abs(atoms).max()
for ax in axes.ravel():
    ax.set_axis_off()
for ax, unit, atom in zip(axes.ravel(), units, atoms, strict=False):
    ax.imshow(atom.reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set_title(f"unit {unit}: {usage[unit]:.0%}", fontsize=8)
fig.suptitle("Units of the sparsity_weight=0.003 model, share of images using each")
fig.tight_layout()

# %%
# Each image is encoded by a handful of these strokes and blobs, and the
# decoder combines them nonlinearly. Per image, the number of active units
# ranges as follows:
fig, ax = plt.subplots(figsize=(5, 3))
for weight in (0.0, 3e-3):
    counts = (models[weight].transform(X) > 0).sum(axis=1)
    ax.hist(counts, bins=np.arange(34) - 0.5, alpha=0.6, label=f"sparsity_weight={weight:g}")
ax.set_xlabel("active units per image")
ax.set_ylabel("images")
ax.legend()
fig.tight_layout()
plt.show()
