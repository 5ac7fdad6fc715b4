"""
=========================================================
Variational autoencoder: latent space, samples, traversal
=========================================================

A :class:`~skae.VariationalAutoEncoder` learns a probabilistic model of the
data. Each image is encoded as a Gaussian distribution over a latent space
with a Gaussian prior, and decoding a latent point gives an image. Points
where the prior has mass therefore decode to plausible images, which lets
us

* look at how the classes are laid out in a 2-D latent space,
* generate new digits with :meth:`~skae.VariationalAutoEncoder.sample`,
* walk across the latent space and watch one digit morph into another.
"""

# %%
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

from skae import VariationalAutoEncoder
from skae.plotting import LatentSpaceDisplay, LossCurveDisplay

X, y = load_digits(return_X_y=True)
X = X / 16.0  # in [0, 1]: a Bernoulli likelihood fits

# The default training settings, with a wider network than the default
# (128, 64). Early stopping keeps the epoch with the best held-out ELBO
# (monitor="elbo") rather than the best reconstructions (the default):
# here the VAE is a generative model, and we sample from it.
vae = VariationalAutoEncoder(
    n_components=2,
    likelihood="bernoulli",
    monitor="elbo",
    hidden_layer_sizes=(256, 128),
    random_state=0,
).fit(X)
print(f"mean ELBO: {vae.score(X):.1f} nats per image, after {vae.n_iter_} epochs")
codes = vae.transform(X)
prior_std = np.sqrt(PCA(n_components=2).fit(X).explained_variance_)
print(f"standard deviation of the codes: {np.round(codes.std(axis=0), 2)}")
print(f"PCA's (about the prior's):       {np.round(prior_std, 2)}")


def image_grid(images, n_cols, shape=(8, 8), pad=1):
    """Tile flattened images into one array, row by row, pad pixels apart.

    The gaps are NaN, which imshow leaves blank.
    """
    n_rows = len(images) // n_cols
    tiles = images[: n_rows * n_cols].reshape(n_rows, n_cols, *shape)
    tiles = np.pad(tiles, ((0, 0), (0, 0), (0, pad), (0, pad)), constant_values=np.nan)
    height, width = shape[0] + pad, shape[1] + pad
    grid = tiles.transpose(0, 2, 1, 3).reshape(n_rows * height, n_cols * width)
    return grid[: grid.shape[0] - pad, : grid.shape[1] - pad]


# %%
# Latent space and training curve
# -------------------------------
# ``transform`` returns the posterior means. With the default
# ``init="pca"`` the network starts as probabilistic PCA, so the codes are
# in PCA's units, and the prior is a zero-mean Gaussian with the variances
# of the first two principal components (with ``init="random"`` it would
# be the standard normal). The KL term pulls the codes towards this prior,
# so the classes fill a compact, round region around the origin. As the
# printed lines show, the codes spread a little less than the prior: a
# posterior mean leaves out the uncertainty of its own posterior. The
# training loss is the negative ELBO in nats per image; the dashed
# validation curve starts at epoch 0 with the score of the PCA start.
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
display = LatentSpaceDisplay.from_estimator(vae, X, y, ax=axes[0])
# The legend goes beside the plot, where it hides no points.
display.legend_.set_loc("upper left")
display.legend_.set_bbox_to_anchor((1.02, 1))
LossCurveDisplay.from_estimator(vae, ax=axes[1], name="Negative ELBO, nats per image")
fig.tight_layout()

# %%
# Samples from the prior
# ----------------------
# :meth:`~skae.VariationalAutoEncoder.sample` draws latent points from the
# prior (with its PCA variances) and decodes them. With a Bernoulli
# likelihood the output is the pixel-wise probability, drawn here as grey
# levels.
samples = vae.sample(60, random_state=0)
fig, ax = plt.subplots(figsize=(7, 3.3))
ax.imshow(image_grid(samples, n_cols=12), cmap="gray_r")
ax.set_axis_off()
_ = ax.set_title("60 samples from the prior")

# %%
# Latent traversal
# ----------------
# Decode a regular grid of latent points. The grid goes through the
# quantiles of each code dimension over the data (not evenly spaced), so
# the points are spread the way the data is spread. Neighbouring images
# change smoothly and the classes blend into each other at their borders.
n_steps = 15
levels = np.linspace(0.03, 0.97, n_steps)
z1_steps = np.quantile(codes[:, 0], levels)
z2_steps = np.quantile(codes[:, 1], levels)
z1, z2 = np.meshgrid(z1_steps, z2_steps[::-1])
grid = np.column_stack([z1.ravel(), z2.ravel()])
decoded = vae.inverse_transform(grid)

fig, ax = plt.subplots(figsize=(6, 6))
ax.imshow(image_grid(decoded, n_cols=n_steps), cmap="gray_r")
# The grid is not evenly spaced, so the ticks name the quantile levels.
ticks = np.arange(0, n_steps, 2)
ax.set_xticks(ticks * 9 + 3.5, labels=[f"{levels[i]:.0%}" for i in ticks])
ax.set_yticks(ticks * 9 + 3.5, labels=[f"{levels[::-1][i]:.0%}" for i in ticks])
ax.set_xlabel("quantile of latent dimension 1")
ax.set_ylabel("quantile of latent dimension 2")
ax.set_title("Decoded latent grid")
# sphinx_gallery_thumbnail_number = 3
plt.show()
