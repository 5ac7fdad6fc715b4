"""
======================
Denoising digit images
======================

A :class:`~skae.DenoisingAutoEncoder` is trained to reconstruct clean
images from corrupted copies, drawn afresh every batch. Afterwards
``inverse_transform(transform(X_noisy))`` removes noise from new images.
We compare it with PCA, the classic linear denoiser (keep the leading
components, drop the rest), and with a plain
:class:`~skae.AutoEncoder` of the same size.
"""

# %%
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skae import AutoEncoder, DenoisingAutoEncoder
from skae.plotting import ReconstructionDisplay

X, _ = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)

# The test images get Gaussian noise with a standard deviation of 0.3.
rng = np.random.default_rng(0)
X_test_noisy = np.clip(X_test + rng.normal(scale=0.3, size=X_test.shape), 0, 1)

# %%
# Three models with a 16-number code, trained on clean images. Only the
# denoising autoencoder sees noise during training, of the same kind and
# strength as in the test images.
common = {"n_components": 16, "max_iter": 80, "batch_size": 64, "random_state": 0}
models = {
    "PCA": PCA(n_components=16).fit(X_train),
    "AutoEncoder": AutoEncoder(**common).fit(X_train),
    "DenoisingAutoEncoder": DenoisingAutoEncoder(
        noise_type="gaussian", noise_level=0.3, clip=(0, 1), **common
    ).fit(X_train),
}

print(f"noisy input: MSE {np.mean((X_test_noisy - X_test) ** 2):.4f}")
for name, model in models.items():
    denoised = model.inverse_transform(model.transform(X_test_noisy))
    print(f"{name:>20}: MSE {np.mean((denoised - X_test) ** 2):.4f}")

# %%
# The denoising autoencoder removes most of the noise. The plain autoencoder
# has never seen noisy images and passes part of the noise through. PCA
# removes noise outside its 16-dimensional subspace but blurs the digits.
#
# Each panel shows the clean images, the noisy inputs and the outputs.
fig, axes = plt.subplots(3, 1, figsize=(8, 6.5))
for ax, model in zip(axes, models.values(), strict=True):
    ReconstructionDisplay.from_estimator(
        model, X_test_noisy, X_clean=X_test, image_shape=(8, 8, 1), ax=ax
    )
fig.tight_layout()
plt.show()
