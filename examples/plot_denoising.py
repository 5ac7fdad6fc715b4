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
#
# The denoising autoencoder is trained with ``early_stopping=False``. Early
# stopping scores held-out rows *without* noise, that is, how well the
# network reconstructs clean images. Training on noisy copies first makes
# that score worse than the PCA start, so early stopping would end
# training after ``n_iter_no_change`` epochs and restore PCA's weights.
# Without it, training stops when the training loss (on noisy inputs)
# stops improving.
common = {"n_components": 16, "random_state": 0}
models = {
    "PCA": PCA(n_components=16).fit(X_train),
    "AutoEncoder": AutoEncoder(**common).fit(X_train),
    "DenoisingAutoEncoder": DenoisingAutoEncoder(
        noise_type="gaussian", noise_level=0.3, clip=(0, 1), early_stopping=False, **common
    ).fit(X_train),
}

noisy_error = np.mean((X_test_noisy - X_test) ** 2)
print(f"{'noisy input':>20}: MSE {noisy_error:.4f}")
denoising_errors = {}
for name, model in models.items():
    denoised = model.inverse_transform(model.transform(X_test_noisy))
    denoising_errors[name] = np.mean((denoised - X_test) ** 2)
    epochs = "" if name == "PCA" else f" ({model.n_iter_} epochs)"
    print(f"{name:>20}: MSE {denoising_errors[name]:.4f}{epochs}")

# %%
# The printed errors (against the clean images) show that the denoising
# autoencoder removes clearly more noise than the other two. The plain
# autoencoder has never seen noisy images. It reconstructs clean digits
# much better than PCA (see
# :ref:`sphx_glr_auto_examples_plot_pca_vs_autoencoder.py`), but on noisy
# ones it is only slightly better than PCA: both pass part of the noise
# through. PCA removes the noise outside its 16-dimensional subspace but
# blurs the digits. PCA remains the quick baseline; a denoising
# autoencoder pays off when the training noise can be made to resemble
# the noise of the images to be cleaned.
#
# The errors as bars, from 0:
fig, ax = plt.subplots(figsize=(6, 2.6))
names = ["noisy input", *denoising_errors]
values = [noisy_error, *denoising_errors.values()]
bars = ax.barh(names, values, color=["gray", "C0", "C1", "C2"])
ax.bar_label(bars, fmt="%.4f", padding=3)
ax.invert_yaxis()
ax.set_xlim(0, 1.2 * max(values))
ax.set_xlabel("mean squared error against the clean test images")
ax.set_title("Denoising error (lower is better)")
fig.tight_layout()

# %%
# Each panel shows the clean test images, the noisy inputs and the outputs
# of one model.
fig, axes = plt.subplots(3, 1, figsize=(8, 6.5))
for ax, model in zip(axes, models.values(), strict=True):
    ReconstructionDisplay.from_estimator(
        model, X_test_noisy, X_clean=X_test, image_shape=(8, 8, 1), ax=ax
    )
fig.tight_layout()
plt.show()
