"""AutoEncoder: dense (or any) architecture with a reconstruction loss."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sklearn.utils._param_validation import StrOptions

from ._base import BaseAutoEncoder, DenseFrontDoorMixin, store_init_params
from ._docs import fill_doc
from ._objectives import Reconstruction
from ._saveable import saveable

if TYPE_CHECKING:
    import tensorflow as tf

RECONSTRUCTION_LOSSES = {"mse", "binary_crossentropy"}


@saveable
@fill_doc
class AutoEncoder(DenseFrontDoorMixin, BaseAutoEncoder):
    """Autoencoder transformer: a nonlinear replacement for PCA.

    An encoder network maps each row to an ``n_components``-wide linear
    code and a decoder maps the code back; both are trained together to
    reconstruct the input. ``transform`` returns the codes and
    ``inverse_transform`` the reconstructions, as with
    :class:`~sklearn.decomposition.PCA`.

    Parameters
    ----------
    {n_components_parameter}
    {dense_parameters}
    {loss_parameter}
    {training_parameters}

    Attributes
    ----------
    {fitted_attributes}

    See Also
    --------
    sklearn.decomposition.PCA : Linear counterpart.
    DenoisingAutoEncoder : Learns to undo input corruption.
    SparseAutoEncoder : Penalises code activity.
    VariationalAutoEncoder : Probabilistic codes and generation.
    ResNetAutoEncoder : Residual convolutional network for images and signals.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import AutoEncoder
    >>> X, _ = load_digits(return_X_y=True)
    >>> X = X / 16.0
    >>> # Five epochs for a quick example: n_iter_no_change=None runs all of
    >>> # them without a warning that training had not converged.
    >>> ae = AutoEncoder(n_components=8, max_iter=5, n_iter_no_change=None, random_state=0)
    >>> codes = ae.fit_transform(X)
    >>> codes.shape
    (1797, 8)
    >>> ae.inverse_transform(codes).shape
    (1797, 64)
    >>> ae.get_feature_names_out()[:2]
    array(['autoencoder0', 'autoencoder1'], dtype=object)
    """

    _parameter_constraints: dict = {
        **BaseAutoEncoder._parameter_constraints,
        **DenseFrontDoorMixin._dense_constraints,
        "loss": [StrOptions(RECONSTRUCTION_LOSSES)],
    }

    def __init__(
        self,
        n_components: int | float | str | None = None,
        *,
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
        return Reconstruction(self.loss)
