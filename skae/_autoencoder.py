"""AutoEncoder: dense (or any) architecture with a reconstruction loss."""

from __future__ import annotations

from sklearn.utils._param_validation import StrOptions

from ._base import BaseAutoEncoder, DenseFrontDoorMixin
from ._objectives import Reconstruction

RECONSTRUCTION_LOSSES = {"mse", "binary_crossentropy"}


class AutoEncoder(DenseFrontDoorMixin, BaseAutoEncoder):
    """Autoencoder transformer: a nonlinear replacement for PCA.

    An encoder network maps each row to an ``n_components``-wide linear
    code and a decoder maps the code back; both are trained together to
    reconstruct the input. ``transform`` returns the codes and
    ``inverse_transform`` the reconstructions, as with
    :class:`~sklearn.decomposition.PCA`.

    Parameters
    ----------
    n_components : int, default=2
        Width of the code (the number of output features of ``transform``).
    hidden_layer_sizes : tuple of int, default=(128, 64)
        Widths of the encoder's hidden layers from the input inwards; the
        decoder mirrors them. The classic MNIST network is
        ``(1000, 500, 250)``.
    activation : {"relu", "tanh", "sigmoid", "elu", "selu", "gelu", \
            "swish", "linear"}, default="relu"
        Activation of the hidden layers.
    dropout : float, default=0.0
        Dropout rate after every hidden layer, during training only.
    architecture : architecture object, default=None
        An architecture such as :class:`DenseArchitecture` or
        :class:`ResidualArchitecture` that replaces the dense network
        configured by the three parameters above (which must then keep
        their defaults). Its parameters grid-search as
        ``architecture__<name>``.
    loss : {"mse", "binary_crossentropy"}, default="mse"
        Reconstruction loss. ``"binary_crossentropy"`` puts a sigmoid on the
        output and suits data scaled to [0, 1].
    optimizer : {"adam", "adamw", "nadam", "rmsprop", "sgd"}, default="adam"
        Keras optimiser (``"sgd"`` uses Nesterov momentum 0.9).
    learning_rate : float, default=1e-3
        Initial learning rate.
    learning_rate_decay : float, default=1.0
        Factor applied to the learning rate after every epoch (exponential
        decay; 1.0 keeps it constant).
    alpha : float, default=0.0
        L2 penalty on all kernel weights.
    batch_size : int, default=256
        Rows per gradient step; clipped to the number of samples.
    max_iter : int, default=200
        Maximum number of epochs.
    shuffle : bool, default=True
        Whether to shuffle the rows every epoch.
    early_stopping : bool, default=False
        Whether to hold out ``validation_fraction`` of the rows and stop when
        their score stops improving. Without it, training stops when the
        training loss stops improving.
    validation_fraction : float, default=0.1
        Share of rows held out for early stopping.
    n_iter_no_change : int or None, default=10
        Epochs without an improvement of at least ``tol`` before stopping;
        ``None`` always runs ``max_iter`` epochs.
    tol : float, default=1e-4
        Minimum improvement of the monitored score.
    restore_best_weights : bool, default=True
        With early stopping, end with the weights of the best validation
        epoch.
    warm_start : bool, default=False
        Whether ``fit`` continues from the current weights instead of
        building a new network.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, shuffling and noise. An int gives reproducible fits
        without touching the global NumPy, TensorFlow or Keras state.
    verbose : int, default=0
        Print one line per epoch (loss, validation loss, time) when > 0.

    Attributes
    ----------
    n_components_ : int
        Width of the code.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when X has string column
        names.
    n_iter_ : int
        Number of epochs run.
    loss_curve_ : list of float
        Mean training loss per epoch (reconstruction loss plus penalties).
    validation_scores_ : list of float
        Score (negative loss) on the held-out rows per epoch; only with
        ``early_stopping=True``.
    best_validation_score_ : float
        Best of ``validation_scores_``; only with ``early_stopping=True``.
    encoder_ : keras.Model
        Keras model from rows to codes.
    decoder_ : keras.Model
        Keras model from codes to reconstructions.

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
    >>> ae = AutoEncoder(n_components=8, max_iter=5, random_state=0)
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
        n_components: int = 2,
        *,
        hidden_layer_sizes: tuple[int, ...] = (128, 64),
        activation: str = "relu",
        dropout: float = 0.0,
        architecture=None,
        loss: str = "mse",
        optimizer: str = "adam",
        learning_rate: float = 1e-3,
        learning_rate_decay: float = 1.0,
        alpha: float = 0.0,
        batch_size: int = 256,
        max_iter: int = 200,
        shuffle: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int | None = 10,
        tol: float = 1e-4,
        restore_best_weights: bool = True,
        warm_start: bool = False,
        random_state=None,
        verbose: int = 0,
    ) -> None:
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.architecture = architecture
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.learning_rate_decay = learning_rate_decay
        self.alpha = alpha
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.restore_best_weights = restore_best_weights
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    def _objective(self):
        return Reconstruction(self.loss)
