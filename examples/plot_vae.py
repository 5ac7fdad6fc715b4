"""
=========================================================
Variational autoencoder: latent space, samples, traversal
=========================================================

A :class:`~skae.VariationalAutoEncoder` learns a probabilistic model of the
data. Each image is encoded as a Gaussian distribution over a latent space
whose prior is a standard normal, and decoding a latent point gives an
image. Any point of the latent space therefore decodes to a plausible image,
which lets us

* look at how the classes are laid out in a 2-D latent space,
* generate new digits with :meth:`~skae.VariationalAutoEncoder.sample`,
* walk across the latent space and watch one digit morph into another.
"""

# %%
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import norm
from sklearn.datasets import load_digits

from skae import VariationalAutoEncoder
from skae.plotting import LatentSpaceDisplay, LossCurveDisplay

X, y = load_digits(return_X_y=True)
X = X / 16.0  # in [0, 1]: a Bernoulli likelihood fits

vae = VariationalAutoEncoder(
    n_components=2,
    likelihood="bernoulli",
    hidden_layer_sizes=(256, 128),
    kl_warmup=10,
    max_iter=150,
    batch_size=64,
    learning_rate=2e-3,
    random_state=0,
).fit(X)
print(f"mean ELBO: {vae.score(X):.1f} nats per image")


def image_grid(images, n_cols, shape=(8, 8), pad=1):
    """Tile flattened images into one array, row by row, ``pad`` pixels apart.

    The gaps are NaN, which ``imshow`` leaves blank.
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
# ``transform`` returns the posterior means. The KL term pulls them towards
# the standard-normal prior, so the classes fill a compact, round region.
# The training loss is the negative ELBO in nats per image; during the first
# ``kl_warmup=10`` epochs the weight of its KL term ramps up from 0.1 to 1,
# which keeps the codes from collapsing onto the prior early on.
fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
LatentSpaceDisplay.from_estimator(vae, X, y, ax=axes[0])
LossCurveDisplay.from_estimator(vae, ax=axes[1])
fig.tight_layout()

# %%
# Samples from the prior
# ----------------------
# :meth:`~skae.VariationalAutoEncoder.sample` draws latent points from the
# prior and decodes them. With a Bernoulli likelihood the output is the
# pixel-wise probability, drawn here as grey levels.
samples = vae.sample(60, random_state=0)
fig, ax = plt.subplots(figsize=(7, 3.3))
ax.imshow(image_grid(samples, n_cols=12), cmap="gray_r")
ax.set_axis_off()
_ = ax.set_title("60 samples from the prior")

# %%
# Latent traversal
# ----------------
# Decode a regular grid of latent points. Going through the quantiles of
# the normal prior (not an even grid) spreads the points the way the data
# is spread. Neighbouring images change smoothly and the classes blend into
# each other at their borders.
n_steps = 15
quantiles = norm.ppf(np.linspace(0.03, 0.97, n_steps))
z1, z2 = np.meshgrid(quantiles, quantiles[::-1])
grid = np.column_stack([z1.ravel(), z2.ravel()])
decoded = vae.inverse_transform(grid)

fig, ax = plt.subplots(figsize=(6, 6))
ax.imshow(
    image_grid(decoded, n_cols=n_steps),
    cmap="gray_r",
    extent=(quantiles[0], quantiles[-1], quantiles[0], quantiles[-1]),
)
ax.set_xlabel("latent dimension 1")
ax.set_ylabel("latent dimension 2")
ax.set_title("Decoded latent grid")
plt.show()
