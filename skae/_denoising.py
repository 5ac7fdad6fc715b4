"""DenoisingAutoEncoder: reconstruct clean inputs from corrupted ones."""

from __future__ import annotations

from numbers import Real
from typing import TYPE_CHECKING

from sklearn.utils._param_validation import Interval, StrOptions

from ._autoencoder import AutoEncoder
from ._base import store_init_params
from ._docs import fill_doc
from ._objectives import Denoising
from ._saveable import saveable

if TYPE_CHECKING:
    import tensorflow as tf


@saveable
@fill_doc
class DenoisingAutoEncoder(AutoEncoder):
    """Denoising autoencoder: learns to undo input corruption.

    During training each batch is corrupted afresh (every epoch draws new
    noise, reproducibly from ``random_state``) and the network learns to
    reconstruct the clean rows. ``transform``, ``inverse_transform`` and
    the scores never add noise. Compared with :class:`AutoEncoder`, the
    codes capture structure that survives corruption, and the model can
    clean noisy inputs with ``inverse_transform(transform(X_noisy))``.

    Parameters
    ----------
    {n_components_parameter}
    noise_type : {"gaussian", "masking", "salt_and_pepper"}, default="gaussian"
        How inputs are corrupted during training.
    noise_level : float or "auto", default="auto"
        Standard deviation of the additive noise for ``"gaussian"``, in the
        units of X; the probability that an entry is corrupted for
        ``"masking"`` and ``"salt_and_pepper"``. ``"auto"``: a tenth of the
        training rows' root mean column standard deviation for Gaussian
        noise with ``loss="mse"``, so that the default does not depend on
        the units of X; 0.1 otherwise (with the binary cross-entropy, whose
        inputs lie in [0, 1], a standard deviation of 0.1). On the S-curve
        manifold of ``benchmarks/vs_pca.py`` with 30 components, twice
        that noise kept no epoch better than the PCA start on clean
        held-out rows.
    clip : tuple of (float, float) or None, default=None
        Range to clip corrupted inputs to, e.g. ``(0, 1)`` for images in
        [0, 1]. For ``"salt_and_pepper"`` it also gives the pepper and salt
        values; without it they are each feature's minimum and maximum in
        the batch.
    {dense_parameters}
    {loss_parameter}
    {training_parameters}

    Attributes
    ----------
    {fitted_attributes}

    See Also
    --------
    AutoEncoder : The same network without corruption.
    SparseAutoEncoder : Penalises code activity instead.

    Notes
    -----
    With a corruption :math:`\\tilde x \\sim q(\\tilde x \\mid x)`, encoder
    :math:`f` and decoder :math:`g`, training minimises
    :math:`\\mathbb{E}\\, L(x, g(f(\\tilde x)))`. Gaussian noise adds
    :math:`\\varepsilon \\sim N(0, \\sigma^2)`, masking zeroes entries with
    probability :math:`p`, salt-and-pepper sets them to the low or high end
    of the range with probability :math:`p`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skae import DenoisingAutoEncoder
    >>> X = load_digits().data / 16.0
    >>> dae = DenoisingAutoEncoder(n_components=16, noise_level=0.3, clip=(0, 1),
    ...                            max_iter=5, n_iter_no_change=None,
    ...                            random_state=0).fit(X)
    >>> noisy = np.clip(X + np.random.default_rng(0).normal(0, 0.3, X.shape), 0, 1)
    >>> dae.inverse_transform(dae.transform(noisy)).shape
    (1797, 64)
    """

    _parameter_constraints: dict = {
        **AutoEncoder._parameter_constraints,
        "noise_type": [StrOptions({"gaussian", "masking", "salt_and_pepper"})],
        "noise_level": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "clip": ["array-like", None],
    }

    def __init__(
        self,
        n_components: int | float | str | None = None,
        *,
        noise_type: str = "gaussian",
        noise_level: float | str = "auto",
        clip: tuple[float, float] | None = None,
        hidden_layer_sizes: tuple[int, ...] = (128, 64),
        activation: str = "relu",
        dropout: float = 0.0,
        architecture=None,
        loss: str = "mse",
        init: str = "pca",
        copy: bool = True,
        whiten: bool = False,
        svd_solver: str = "auto",
        iterated_power: int | str = "auto",
        n_oversamples: int = 10,
        power_iteration_normalizer: str = "auto",
        nested_dropout: float = 0.1,
        optimizer: str = "adam",
        learning_rate: float = 1e-3,
        learning_rate_decay: float = 1.0,
        alpha: float = 0.0,
        batch_size: int | str = "auto",
        max_iter: int | str = "auto",
        shuffle: bool = True,
        early_stopping: bool | str = "auto",
        validation_fraction: float = 0.1,
        n_iter_no_change: int | None = 10,
        tol: float = 1e-4,
        restore_best_weights: bool = True,
        warm_start: bool = False,
        random_state=None,
        verbose: int = 0,
        callbacks: list | None = None,
        distribute_strategy: tf.distribute.Strategy | None = None,
        dtype_policy: str = "float32",
    ) -> None:
        store_init_params(self, locals())

    def _objective(self):
        if self.noise_type != "gaussian" and self.noise_level != "auto" and self.noise_level > 1:
            raise ValueError(
                f"noise_level is a probability for noise_type={self.noise_type!r} "
                f"and must be in [0, 1], got {self.noise_level}."
            )
        if self.clip is not None and (len(self.clip) != 2 or self.clip[0] >= self.clip[1]):
            raise ValueError(f"clip must be a (low, high) pair with low < high, got {self.clip}.")
        return Denoising(self.loss, self.noise_type, self.noise_level, self.clip)
