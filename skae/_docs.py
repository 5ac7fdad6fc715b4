"""Docstring fragments shared by the estimators, so each is written once."""

from __future__ import annotations

import textwrap

_FRAGMENTS = {
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
    "training_parameters": """\
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
    With early stopping, end with the weights of the best validation epoch.
warm_start : bool, default=False
    Whether ``fit`` continues from the current weights instead of building a
    new network.
random_state : int, RandomState instance or None, default=None
    Seeds weights, shuffling and noise. An int gives reproducible fits
    without touching the global NumPy, TensorFlow or Keras state.
verbose : int, default=0
    Print one line per epoch (loss, validation loss, time) when > 0.""",
    "fitted_attributes": """\
n_components_ : int
    Width of the code.
n_features_in_ : int
    Number of features seen during fit.
feature_names_in_ : ndarray of shape (`n_features_in_`,)
    Names of the features seen during fit, when X has string column names.
n_iter_ : int
    Number of epochs run.
loss_curve_ : list of float
    Mean training loss per epoch (including penalties).
validation_scores_ : list of float
    Score (as :meth:`score`) on the held-out rows per epoch; only with
    ``early_stopping=True``.
best_validation_score_ : float
    Best of ``validation_scores_``; only with ``early_stopping=True``.
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
