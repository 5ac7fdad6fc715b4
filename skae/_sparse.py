"""SparseAutoEncoder: reconstruction plus a code-activity penalty."""

from __future__ import annotations

from numbers import Real
from typing import TYPE_CHECKING

from sklearn.utils._param_validation import Interval, StrOptions

from ._autoencoder import AutoEncoder
from ._base import store_init_params
from ._docs import fill_doc
from ._objectives import Sparse
from ._saveable import saveable

if TYPE_CHECKING:
    import tensorflow as tf


@saveable
@fill_doc
class SparseAutoEncoder(AutoEncoder):
    """Sparse autoencoder: a penalty on code activity.

    Training adds a penalty on the code's activity to the reconstruction
    loss, so that each sample is described by few large code values, like a
    learnt dictionary. Codes can be wider than the input (overcomplete)
    without becoming trivial.

    How the code meets the penalty depends on ``init``. With
    ``init="random"`` the code is nonnegative (ReLU for the L1 penalty,
    sigmoid for the KL penalty) and most units are exactly zero for a
    given row: parts-based codes. With ``init="pca"`` (the default) the
    L1 code is signed, PCA's whitened scores plus a learnt correction, and
    the penalty shrinks small values towards zero without ever making the
    reconstruction worse than PCA's on held-out rows; the KL code is the
    sigmoid of that signed code. Choose ``init="random"`` for nonnegative,
    exactly sparse codes.

    Parameters
    ----------
    {n_components_parameter}
    sparsity : {"l1", "kl"}, default="l1"
        ``"l1"``: L1 activity penalty (on a ReLU code with
        ``init="random"``, a signed code with ``init="pca"``). ``"kl"``: KL
        divergence between ``sparsity_target`` and each unit's mean
        activation of a sigmoid code.
    sparsity_weight : float, default=1e-4
        Weight of the penalty relative to the reconstruction loss measured
        in units of the error of predicting the mean (``loss="mse"``), so
        that it does not depend on the scale of X. The penalty sums over
        the code units, so it grows with ``n_components``: the default is
        mild enough that 30 units still beat PCA on held-out rows (1e-3
        cost 0.77x to 0.87x of PCA's error against 0.59x to 0.69x on the
        curved manifolds of ``benchmarks/vs_pca.py``); raise it for sparser
        codes at some cost in reconstruction.
    sparsity_target : float, default=0.05
        Target mean activation ``rho`` for ``sparsity="kl"``.
    {dense_parameters}
    {loss_parameter}
    {training_parameters}

    Attributes
    ----------
    {fitted_attributes}

    See Also
    --------
    AutoEncoder : The same network without the penalty.
    sklearn.decomposition.DictionaryLearning : Linear sparse coding.

    Notes
    -----
    With codes :math:`h_i = f(x_i)` for a batch of :math:`n` rows, the
    penalty is :math:`\\lambda \\frac{1}{n}\\sum_i \\lVert h_i \\rVert_1` for
    ``"l1"`` and :math:`\\lambda \\sum_j \\mathrm{KL}(\\rho \\Vert
    \\hat\\rho_j)` with :math:`\\hat\\rho_j = \\frac{1}{n}\\sum_i h_{ij}` for
    ``"kl"``, where :math:`\\mathrm{KL}(\\rho \\Vert \\hat\\rho) = \\rho \\log
    \\frac{\\rho}{\\hat\\rho} + (1-\\rho)\\log\\frac{1-\\rho}{1-\\hat\\rho}`.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import SparseAutoEncoder
    >>> X = load_digits().data / 16.0
    >>> sae = SparseAutoEncoder(n_components=32, init="random", max_iter=5,
    ...                         n_iter_no_change=None, random_state=0)
    >>> codes = sae.fit_transform(X)
    >>> bool((codes >= 0).all())
    True
    """

    _parameter_constraints: dict = {
        **AutoEncoder._parameter_constraints,
        "sparsity": [StrOptions({"l1", "kl"})],
        "sparsity_weight": [Interval(Real, 0, None, closed="left")],
        "sparsity_target": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(
        self,
        n_components: int | float | str | None = None,
        *,
        sparsity: str = "l1",
        sparsity_weight: float = 1e-4,
        sparsity_target: float = 0.05,
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
        return Sparse(self.loss, self.sparsity, self.sparsity_weight, self.sparsity_target)
