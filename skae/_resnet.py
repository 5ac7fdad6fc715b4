"""ResNetAutoEncoder: residual convolutional autoencoder for images and signals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sklearn.utils._param_validation import StrOptions

from ._architectures import ResidualArchitecture
from ._autoencoder import RECONSTRUCTION_LOSSES
from ._base import BaseAutoEncoder, store_init_params
from ._docs import fill_doc
from ._objectives import Reconstruction
from ._saveable import saveable

if TYPE_CHECKING:
    import tensorflow as tf


@saveable
@fill_doc
class ResNetAutoEncoder(BaseAutoEncoder):
    """Residual convolutional autoencoder for images and 1-D signals.

    A drop-in replacement for :class:`~sklearn.decomposition.PCA` on images,
    spectra and time series: a multi-level residual convolutional encoder
    ends in a dense bottleneck, so ``transform`` returns
    ``(n_samples, n_components)`` codes and ``inverse_transform`` returns
    flattened rows, as with any scikit-learn transformer. Rows are flat:
    ``image_shape`` says how to read them as images.

    Parameters
    ----------
    {n_components_parameter}
    {residual_parameters}
    {loss_parameter}
    {training_parameters}

    Attributes
    ----------
    {fitted_attributes}

    See Also
    --------
    sklearn.decomposition.PCA : Linear counterpart.
    AutoEncoder : Fully connected network; takes ``architecture=``
        :class:`ResidualArchitecture` to combine these layers with any
        objective.
    ResidualArchitecture : The same network as a composable object.

    Notes
    -----
    Encoder level ``i`` is a ``kernel_size`` convolution to
    ``filters * 2**i`` channels, a 2x max pooling, then
    ``n_residual_blocks`` residual blocks, each computing
    :math:`\\sigma(x + F(x))` with :math:`F` two convolutions (or three for
    ``"bottleneck"``), and optional dropout. A convolution maps the last
    level to ``latent_channels`` channels and the dense code layer maps the
    flattened latent map to the code. The decoder is the mirror image: a
    dense layer back to the latent map, then per level the residual blocks,
    a 2x nearest-neighbour upsampling and a convolution, the last one to the
    input's channels (followed by a sigmoid for
    ``loss="binary_crossentropy"``). The residual blocks thus run at the
    reduced resolutions, and the full-resolution work is one thin
    convolution on each side. The projects this architecture comes from
    also decay the learning rate exponentially: ``learning_rate_decay=0.95``
    does so per epoch.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import ResNetAutoEncoder
    >>> X = load_digits().data / 16.0
    >>> ae = ResNetAutoEncoder(n_components=10, image_shape=(8, 8, 1), filters=4,
    ...                        max_iter=2, n_iter_no_change=None, random_state=0)
    >>> codes = ae.fit_transform(X)
    >>> codes.shape
    (1797, 10)
    >>> ae.inverse_transform(codes).shape
    (1797, 64)
    """

    _parameter_constraints: dict = {
        **BaseAutoEncoder._parameter_constraints,
        **ResidualArchitecture._parameter_constraints,
        "loss": [StrOptions(RECONSTRUCTION_LOSSES)],
    }

    def __init__(
        self,
        n_components: int | float | str | None = None,
        *,
        image_shape: tuple[int, ...] | None = None,
        signal_shape: tuple[int, ...] | None = None,
        n_levels: int = 2,
        n_residual_blocks: int = 1,
        filters: int = 16,
        latent_channels: int = 8,
        block: str = "basic",
        kernel_size: int = 3,
        batch_normalization: bool = False,
        dropout: float = 0.0,
        skip_connections: bool = False,
        activation: str = "relu",
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

    def _architecture(self):
        names = ResidualArchitecture._get_param_names()
        return ResidualArchitecture(**{name: getattr(self, name) for name in names})

    def _objective(self):
        return Reconstruction(self.loss)
