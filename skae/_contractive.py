"""ContractiveAutoEncoder: reconstruction plus a penalty on the encoder's Jacobian.

Its objective, :class:`~skae._objectives.Contractive`, lives with the
others in ``_objectives.py``: adding an estimator needs an objective and a
thin class, and no change to the plumbing.
"""

from __future__ import annotations

from numbers import Real
from typing import TYPE_CHECKING

from sklearn.utils._param_validation import Interval

from ._autoencoder import AutoEncoder
from ._base import store_init_params
from ._docs import fill_doc
from ._objectives import Contractive
from ._saveable import saveable

if TYPE_CHECKING:
    import tensorflow as tf


@saveable
@fill_doc
class ContractiveAutoEncoder(AutoEncoder):
    """Contractive autoencoder: codes that change little when the input does.

    Training adds to the reconstruction loss the squared Frobenius norm of
    the encoder's Jacobian (the derivatives of the code with respect to
    the input), averaged over rows (Rifai et al., 2011). The codes become
    locally insensitive to small changes of the input that the
    reconstruction does not need, such as noise off the data's manifold,
    while staying sensitive along it.

    With ``init="pca"`` (the default) the penalised Jacobian is that of the
    whole (whitened) code, the fixed PCA path included, so the penalty
    contracts the representation itself rather than only the learnt
    correction to PCA; early stopping, which scores the PCA start too,
    keeps reconstructions at least as good as PCA's on held-out rows.

    Parameters
    ----------
    {n_components_parameter}
    contraction : float, default=0.1
        Weight of the Jacobian penalty relative to the reconstruction loss.
        For ``loss="mse"`` both are measured in the data's units (the
        reconstruction error relative to that of predicting the mean, the
        Jacobian of the whitened code with respect to rows in units of
        their root mean variance), so the weight does not depend on the
        scale of X. 0 gives an :class:`AutoEncoder`.
    {dense_parameters}
    {loss_parameter}
    {training_parameters}

    Attributes
    ----------
    {fitted_attributes}

    See Also
    --------
    AutoEncoder : The same network without the penalty.
    DenoisingAutoEncoder : Robustness through input corruption instead.

    Notes
    -----
    With encoder :math:`f`, decoder :math:`g` and reconstruction loss
    :math:`L`, training minimises
    :math:`\\frac{1}{n}\\sum_i L(x_i, g(f(x_i))) + \\lambda
    \\lVert J_f(x_i) \\rVert_F^2` with :math:`J_f(x) = \\partial f(x) /
    \\partial x`. Each step computes one backward pass per code unit, so
    training costs roughly ``n_components`` times more than an
    :class:`AutoEncoder`'s.

    References
    ----------
    S. Rifai, P. Vincent, X. Muller, X. Glorot and Y. Bengio. Contractive
    auto-encoders: explicit invariance during feature extraction. ICML 2011.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import ContractiveAutoEncoder
    >>> X = load_digits().data / 16.0
    >>> cae = ContractiveAutoEncoder(n_components=4, contraction=0.1,
    ...                              hidden_layer_sizes=(32,), max_iter=3,
    ...                              n_iter_no_change=None, random_state=0)
    >>> cae.fit_transform(X).shape
    (1797, 4)
    """

    _parameter_constraints: dict = {
        **AutoEncoder._parameter_constraints,
        "contraction": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        n_components: int | float | str | None = None,
        *,
        contraction: float = 0.1,
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
        return Contractive(self.loss, self.contraction)
