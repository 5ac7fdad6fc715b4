"""
=================================
A residual autoencoder for images
=================================

:class:`~skae.ResNetAutoEncoder` reads every row as an image and encodes
it with residual convolutional blocks. ``image_shape=(height, width,
channels)`` says how the flat row is laid out, and
:class:`~skae.plotting.ReconstructionDisplay` reads the same
``image_shape`` to draw the rows. The estimator otherwise
behaves like any transformer: rows in, ``n_components`` codes out, and flat
rows back from ``inverse_transform``.

Convolutions share their weights across positions, so the network needs
fewer parameters than a dense one. Here it is compared with a dense
:class:`~skae.AutoEncoder` on 8x8 digits, with the same code size and the
default training settings: each trains until its held-out error stops
improving.
"""

# %%
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skae import AutoEncoder, ResNetAutoEncoder
from skae.plotting import LossCurveDisplay, ReconstructionDisplay

X, _ = load_digits(return_X_y=True)
X = X / 16.0  # in [0, 1], so binary cross-entropy applies
X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)

# %%
# Two levels take the 8x8 images down to 2x2 feature maps, with 8 and then
# 16 filters and one residual block per level. A dense layer then maps the
# latent feature map to the 8-number code.
image_shape = (8, 8, 1)  # (height, width, channels)
common = {"n_components": 8, "loss": "binary_crossentropy", "random_state": 0}
models = {
    "ResNetAutoEncoder": ResNetAutoEncoder(
        image_shape=image_shape, n_levels=2, filters=8, learning_rate=3e-3, **common
    ),
    "AutoEncoder": AutoEncoder(hidden_layer_sizes=(128, 64), **common),
}
for name, model in models.items():
    start = time.perf_counter()
    model.fit(X_train)
    seconds_per_epoch = (time.perf_counter() - start) / model.n_iter_
    n_weights = model.encoder_.count_params() + model.decoder_.count_params()
    error = np.mean((model.inverse_transform(model.transform(X_test)) - X_test) ** 2)
    print(
        f"{name:>18}: {n_weights:6d} weights, held-out MSE {error:.4f}, "
        f"{model.n_iter_} epochs, {seconds_per_epoch:.2f} s per epoch"
    )

# %%
# The printed lines show that, with about half the weights, the
# convolutional network reconstructs held-out digits less well than the
# dense one, and each of its epochs takes several times longer. On images this
# small, use the dense :class:`~skae.AutoEncoder`. Convolutions pay off on
# larger images, where a dense first layer needs a weight for every pixel
# and unit while a convolution's weights do not grow with the image.
fig, axes = plt.subplots(2, 1, figsize=(8, 3.6))
for ax, model in zip(axes, models.values(), strict=True):
    ReconstructionDisplay.from_estimator(model, X_test, image_shape=image_shape, ax=ax)
fig.tight_layout()

# %%
# Training curves, in binary cross-entropy per pixel. The dashed lines are
# the held-out 10 % of the training rows that early stopping watches; they
# start at epoch 0, before any update.
fig, ax = plt.subplots(figsize=(6, 4))
for color, (name, model) in zip(["C0", "C1"], models.items(), strict=True):
    LossCurveDisplay.from_estimator(
        model,
        ax=ax,
        name="Training curves",
        train_kwargs={"label": f"{name}, training", "color": color},
        validation_kwargs={"label": f"{name}, validation", "color": color},
    )
fig.tight_layout()
plt.show()

# %%
# The residual network as a building block
# ----------------------------------------
# The same network is available as :class:`~skae.ResidualArchitecture`. It
# combines with any objective through ``architecture=``, for example a
# denoising or variational residual autoencoder:
#
# .. code-block:: python
#
#     from skae import DenoisingAutoEncoder, ResidualArchitecture
#
#     dae = DenoisingAutoEncoder(
#         n_components=8,
#         architecture=ResidualArchitecture(image_shape=(8, 8, 1), n_levels=2),
#         noise_type="masking",
#         noise_level=0.3,
#     )
#
# Grid search reaches its parameters as ``architecture__n_levels`` and so on.
