"""Docstring fragments shared by the estimators, so each is written once."""

from __future__ import annotations

import textwrap

_INPUT_ATTRIBUTES = """\
n_features_in_ : int
    Number of features seen during fit.
feature_names_in_ : ndarray of shape (`n_features_in_`,)
    Names of the features seen during fit, when X has string column names."""

_FRAGMENTS = {
    "input_attributes": _INPUT_ATTRIBUTES,
    "dense_parameters": """\
hidden_layer_sizes : tuple of int, default=(128, 64)
    Widths of the encoder's hidden layers from the input inwards; the
    decoder mirrors them. The classic MNIST network is ``(1000, 500, 250)``.
activation : {"relu", "tanh", "sigmoid", "elu", "selu", "gelu", "swish", \
"linear"}, default="relu"
    Activation of the hidden layers.
dropout : float, default=0.0
    Dropout rate after every hidden layer, during training only.
architecture : architecture object, default=None
    An architecture such as :class:`DenseArchitecture` or
    :class:`ResidualArchitecture` that replaces the dense network configured
    by the three parameters above (which must then keep their defaults).
    Its parameters grid-search as ``architecture__<name>``.""",
    "loss_parameter": """\
loss : {"mse", "binary_crossentropy"}, default="mse"
    Reconstruction loss. ``"binary_crossentropy"`` puts a sigmoid on the
    output and suits data scaled to [0, 1].""",
    "n_components_parameter": """\
n_components : int, float, "mle" or None, default=None
    Width of the code (the number of output features of ``transform``), or how
    to choose it, as :class:`~sklearn.decomposition.PCA` reads it: an int is
    the width; a float in (0, 1) asks for the smallest width whose
    reconstruction explains at least that share of the variance of the
    training rows, as PCA's does, and of the rows early stopping holds out, if
    any. A first network gets PCA's width for that share; its codes are
    ordered (see ``nested_dropout``), so the narrowest prefix that reaches the
    share is fitted on its own and kept if it reaches the share too. The
    chosen width, at most PCA's, is ``n_components_``; a fit costs up to three
    trainings, each seen by ``verbose`` and ``callbacks``. ``partial_fit``,
    which holds out nothing, takes PCA's width for the share of its first
    chunk. ``"mle"`` is the width Minka's MLE picks for PCA; ``None`` (the
    default, as PCA's) keeps ``min(n_samples, n_features)`` codes (one
    fewer where PCA's solver is ARPACK, as for sparse X). With that many
    codes the PCA start already reconstructs every row exactly, so with
    ``init="pca"`` and early stopping (on by default from 95 rows) no epoch
    beats it: the model is PCA, and ``explained_variance_ratio_`` is PCA's
    whole spectrum, for choosing a width from it. Set a smaller width to
    learn a nonlinear code. The 10 epochs early stopping waits cost one
    backward pass per code each with :class:`ContractiveAutoEncoder`: give
    it a width on wide data.""",
    "training_parameters": """\
init : {"pca", "random"}, default="pca"
    How the network starts. ``"pca"``: a fixed linear path holds the
    training mean and the top ``n_components`` principal directions, and
    the nonlinear layers that add to it start at exactly zero, so before
    the first update ``transform`` and ``inverse_transform`` are PCA's;
    training then learns what PCA misses, and inputs are standardised by
    one global scale, so training does not depend on the units of X.
    ``"random"``: the classical network with Glorot (Xavier) weights on the
    raw inputs.
copy : bool, default=True
    As PCA's: whether X must be left as it is. skae never modifies X, so
    ``copy=False`` (which only permits PCA to overwrite it) changes
    nothing; accepted so that code written for PCA runs.
whiten : bool, default=False
    As PCA's: codes divided by the standard deviation of each PCA
    direction, so that at the start every code has unit variance; with
    ``False`` they are in PCA's units (the scores). Needs ``init="pca"``.
svd_solver : {"auto", "full", "covariance_eigh", "arpack", "randomized"}, \
default="auto"
    PCA's SVD solver for the PCA start (``"auto"`` uses ARPACK for sparse
    input).
iterated_power : int or "auto", default="auto"
    PCA's number of power iterations of the randomized solver.
n_oversamples : int, default=10
    PCA's oversampling of the randomized solver.
power_iteration_normalizer : {"auto", "QR", "LU", "none"}, default="auto"
    PCA's normalizer of the randomized solver's power iterations.
nested_dropout : float, default=0.1
    Share of training rows whose codes are cut to a random prefix before
    decoding (the codes after it replaced by their batch mean; nested
    dropout, Rippel et al. 2014). It orders the codes as PCA's are: the
    first ``j`` codes are the model's ``j``-code summary, and
    ``explained_variance_`` attributes the variance to the codes in order.
    ``0`` trains the full code only (codes unordered). See the user guide
    for what it costs at full width.
optimizer : {"adam", "adamw", "nadam", "rmsprop", "sgd"}, default="adam"
    Keras optimiser (``"sgd"`` uses Nesterov momentum 0.9).
learning_rate : float, default=1e-3
    Initial learning rate.
learning_rate_decay : float, default=1.0
    Factor applied to the learning rate after every epoch (exponential
    decay; 1.0 keeps it constant).
alpha : float, default=0.0
    L2 penalty on all kernel weights.
batch_size : int or "auto", default="auto"
    Rows per gradient step; clipped to the number of samples. ``"auto"``:
    about 32 steps per epoch, ``n_samples // 32`` clipped to [16, 256], so
    small data gets enough steps and large data efficient batches.
max_iter : int or "auto", default="auto"
    Maximum number of epochs. ``"auto"``: enough epochs for about a
    million row passes, clipped to [10, 200]: 200 epochs up to 5,000
    training rows, 100 for 10,000, 17 for 60,000.
shuffle : bool, default=True
    Whether to shuffle the rows every epoch.
early_stopping : bool or "auto", default="auto"
    Whether to hold out ``validation_fraction`` of the rows and stop when
    their score stops improving; the network before the first epoch (PCA,
    with ``init="pca"``) is a candidate too. Without it, training stops when
    the training loss stops improving. ``"auto"``: on when at least 10 rows
    would be held out.
validation_fraction : float, default=0.1
    Share of rows held out for early stopping.
n_iter_no_change : int or None, default=10
    Epochs without an improvement of at least ``tol`` before stopping;
    ``None`` always runs ``max_iter`` epochs.
tol : float, default=1e-4
    Minimum improvement of the monitored score, relative to a loss that
    does not depend on the units of X: the error of predicting the mean
    for the squared error (``loss="mse"``, or the Gaussian VAE's
    reconstruction), nats per feature for the VAE's ELBO (monitored, or
    the training loss without early stopping), the loss itself for the
    cross-entropy. Stopping at ``max_iter`` before that happens emits
    a :class:`~sklearn.exceptions.ConvergenceWarning`.
restore_best_weights : bool, default=True
    With early stopping, end with the weights of the best validation epoch
    (or the starting weights, if no epoch beat them).
warm_start : bool, default=False
    Whether ``fit`` continues from the current weights instead of building a
    new network. The optimiser (a new one), learning rate, batch size,
    stopping rules and the numbers of the loss (``alpha``, dropout rates,
    ``noise_level``, ``sparsity_weight``, ``contraction``, ``beta``, ...)
    take their current values. (``partial_fit`` takes the numbers of the
    loss too, but continues its own optimiser, with the learning rate and
    batch size of its first call.) Changing what the network is built from
    (``n_components``, the architecture, ``loss``, ``init``, ``whiten``,
    ``alpha`` or a dropout rate from 0 to more or back) raises a
    ``ValueError`` naming it, and leaves the model as it was.
random_state : int, RandomState instance or None, default=None
    Seeds weights, shuffling and noise. An int gives reproducible fits
    without touching the global NumPy, TensorFlow or Keras state.
verbose : int, default=0
    What to print while training, as in Keras: 0 nothing, 1 a progress bar
    over the epochs with the latest losses, the elapsed time and an
    estimate of the time left (redrawn in place on a terminal, a plain line
    per tenth of the epochs in a log or notebook), 2 one line per epoch.
callbacks : list of keras.callbacks.Callback or None, default=None
    Keras callbacks, called as ``keras.Model.fit`` calls them:
    ``on_train_begin``/``end`` and ``on_epoch_begin``/``end`` with ``logs``
    holding ``loss`` (as ``loss_curve_``) and, with early stopping,
    ``val_loss`` (minus the validation score). Setting
    ``callback.model.stop_training = True`` ends training after the epoch,
    so ``keras.callbacks.EarlyStopping``, ``TerminateOnNaN``, ``CSVLogger``
    and ``TensorBoard`` work. An epoch runs as one compiled function, so the
    batch hooks are called once per epoch, around it. Callbacks are not
    stored by pickle or :meth:`save` (``None`` is stored, with a warning).
distribute_strategy : tf.distribute.Strategy or None, default=None
    Train data-parallel under this strategy, for example
    ``tf.distribute.MirroredStrategy()`` over several GPUs: the network and
    optimiser are created in its scope and every batch is split between its
    replicas. ``None`` uses TensorFlow's default placement (a visible GPU is
    used without a code change). A strategy is a runtime resource: pickle
    and :meth:`save` store ``None`` in its place.
dtype_policy : {"float32", "mixed_float16", "mixed_bfloat16"}, default="float32"
    The precision the network's layers compute in, as Keras' mixed
    precision policies define it (passed to each layer; the global Keras
    policy is never changed). ``"mixed_float16"`` and ``"mixed_bfloat16"``
    compute in 16 bits and keep the weights, the fixed PCA path, the loss
    and every output in float32; ``"mixed_float16"`` trains with Keras'
    dynamic loss scaling. They pay off on GPUs with tensor cores (float16)
    and on TPUs or CPUs with bfloat16 instructions; elsewhere they are
    slower than float32 (see the scaling guide). Codes and reconstructions
    keep the dtype of X.""",
    "residual_parameters": """\
image_shape : tuple of int or None, default=None
    Read each row as an image: ``(height, width)`` for one channel,
    ``(height, width, channels)`` for several (rows in channels-last,
    row-major order, as ``images.reshape(n, -1)`` gives). With both
    ``image_shape`` and ``signal_shape`` None, rows whose length is a
    perfect square are square one-channel images and other rows are
    one-channel 1-D signals (spectra, time series, tabular rows).
signal_shape : tuple of int or None, default=None
    Read each row as a 1-D signal instead: ``(length,)`` for one channel,
    ``(length, channels)`` for several (channels last). Set at most one of
    ``image_shape`` and ``signal_shape``.
n_levels : int, default=2
    Number of resolution levels. Each level halves the spatial size and
    doubles the number of filters. Sizes that are not multiples of
    ``2**n_levels`` are zero-padded on input and cropped on output.
n_residual_blocks : int, default=1
    Residual blocks per level. ``0`` gives a plain convolutional
    autoencoder (convolution, max pooling, nearest-neighbour upsampling).
filters : int, default=16
    Filters of the first level; level ``i`` has ``filters * 2**i``.
latent_channels : int, default=8
    Channels of the latent feature map, which the dense code layer
    flattens to ``n_components`` values.
block : {"basic", "bottleneck"}, default="basic"
    Residual block: two ``kernel_size`` convolutions (``"basic"``) or a
    1x1, ``kernel_size``, 1x1 sequence with a four times narrower middle
    (``"bottleneck"``).
kernel_size : int, default=3
    Width of the convolution kernels.
batch_normalization : bool, default=False
    Whether to normalise every convolution's output over the batch. Off by
    default: in the MNIST benchmark (docs/benchmarks.md) it made each epoch
    slower and the error after the same number of epochs higher.
dropout : float, default=0.0
    Dropout rate after every level's residual blocks, during training only.
skip_connections : bool, default=False
    Multi-resolution skips: every encoder level's feature map is also
    projected (strided convolution) onto the latent feature map, and every
    decoder level's feature map (transposed convolution) onto the output.
activation : {"relu", "tanh", "sigmoid", "elu", "selu", "gelu", "swish", \
"linear"}, default="relu"
    Activation after the convolutions.""",
    "fitted_attributes": """\
n_components_ : int
    Width of the code (the width chosen when ``n_components`` is a share,
    ``"mle"`` or ``None``). A NumPy integer when chosen for a share or
    ``"mle"``, as PCA's.
mean_ : ndarray of shape (n_features,)
    Per-feature mean of the rows given to ``fit`` (the PCA start's mean;
    with ``init="pca"`` the network's fixed linear path starts from it).
    With missing values (NaN): the EM PCA's mean with ``init="pca"``, else
    the mean of the observed entries; it is the first fill of a hole.
components_ : ndarray of shape (`n_components_`, n_features)
    With ``init="pca"``: the principal axes of the network's fixed linear
    path, orthonormal rows, PCA's ``components_`` for the rows given to
    ``fit`` (rows beyond the rank of those rows are zero). The reconstruction
    is ``mean_`` plus the codes' linear part along these axes plus the learnt
    nonlinear correction. ``init="random"`` networks have no linear path:
    reading it raises an ``AttributeError`` that says so.
explained_variance_ : ndarray of shape (`n_components_`,)
    Variance of X that the network's reconstruction explains, attributed
    to the codes in their order: entry ``j`` is what code ``j`` adds when
    the codes after it are held at their mean. Measured on the rows given
    to the last ``fit`` (at most 2,000 of them and 64 MiB, a seeded random
    subset), with PCA's ``ddof=1``. For PCA these are its eigenvalues (up to that
    sample); the sum is the model's explained variance. A network that
    ends at its PCA start (no epoch beat it) and reconstructs as PCA does
    (linear outputs, PCA scores as codes) reports that PCA's own figures,
    from the rows its SVD saw (at most 100,000), without decoding.
    After ``partial_fit``: measured when first read, on a uniform random
    sample of at most 2,000 (and 64 MiB) of the rows given to
    ``partial_fit`` since the last ``fit`` or load, which the model keeps
    (it follows IncrementalPCA's figures for every row seen where the
    model is close to PCA), and ``singular_values_`` count those rows.
explained_variance_ratio_ : ndarray of shape (`n_components_`,)
    ``explained_variance_`` over the total variance of the same rows; its
    sum is the share of variance the model explains, comparable with PCA's
    at the same width.
singular_values_ : ndarray of shape (`n_components_`,)
    ``sqrt(explained_variance_ * (n_samples - 1))``, PCA's identity: the
    singular values PCA would need to explain the same variances.
noise_variance_ : float
    Probabilistic PCA's noise variance for the model: the variance it
    leaves unexplained, averaged over the ``min(n_samples, n_features) -
    n_components_`` remaining directions.
n_samples_ : int
    Number of rows given to ``fit`` (all rows given to ``partial_fit``
    so far).
"""
    + _INPUT_ATTRIBUTES
    + """
n_iter_ : int
    Number of epochs run.
loss_curve_ : list of float
    Mean training loss per epoch (including penalties).
validation_scores_ : list of float
    Score on the held-out rows before the first epoch and after each epoch
    (``n_iter_ + 1`` values); only with early stopping. For every
    estimator but :class:`VariationalAutoEncoder` it is :meth:`score`
    (the negative reconstruction error); the VAE's ``monitor`` chooses
    between the negative reconstruction error and the ELBO.
best_validation_score_ : float
    Best of ``validation_scores_``; only with early stopping.
encoder_ : keras.Model
    Keras model from rows to codes (shares the fitted weights).
decoder_ : keras.Model
    Keras model from codes to reconstructions (shares the fitted weights).""",
}


def fill_doc(obj):
    """Replace ``{fragment}`` placeholder lines in ``obj.__doc__``.

    A placeholder stands alone on a line indented like the surrounding
    parameter entries; the fragment is indented to match.
    """
    doc = obj.__doc__
    for key, text in _FRAGMENTS.items():
        placeholder = "    {" + key + "}"
        doc = doc.replace(placeholder, textwrap.indent(text, "    "))
    obj.__doc__ = doc
    return obj
