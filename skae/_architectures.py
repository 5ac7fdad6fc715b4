"""Architectures: how an encoder and a decoder are built.

An architecture is a small parameter object (a scikit-learn ``BaseEstimator``)
so that it can be cloned, printed and grid-searched as a nested parameter,
e.g. ``{"architecture__hidden_layer_sizes": [(64,), (128, 64)]}``. It knows
nothing about the training objective: it turns an input row into a feature
vector (``encode``) and a code vector back into one pre-activation value per
input feature (``decode``). The objective puts the code layer(s) between the
two.
"""

from __future__ import annotations

from numbers import Integral, Real

import keras
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions

from ._layers import LayerFactory

_ACTIVATIONS = {"relu", "tanh", "sigmoid", "elu", "selu", "gelu", "swish", "linear"}


class BaseArchitecture(BaseEstimator):
    """Base class of the encoder/decoder builders.

    Subclasses implement :meth:`encode` and :meth:`decode` with the Keras
    functional API. Both receive a :class:`~skae._layers.LayerFactory` that
    seeds every layer, so that a network is a pure function of the
    parameters, the input width and the seed.
    """

    def encode(self, inputs, layers: LayerFactory):
        """Map a ``(batch, n_features)`` tensor to a ``(batch, units)`` one."""
        raise NotImplementedError

    def decode(self, code, n_features: int, layers: LayerFactory):
        """Map a ``(batch, n_components)`` tensor to ``(batch, n_features)``."""
        raise NotImplementedError


class DenseArchitecture(BaseArchitecture):
    """Fully connected (MLP) encoder with a mirrored decoder.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(128, 64)
        Widths of the encoder's hidden layers, from the input inwards. The
        decoder uses them in reverse order. ``()`` gives a linear (or, with a
        nonlinear code, a single-layer) autoencoder.
    activation : {"relu", "tanh", "sigmoid", "elu", "selu", "gelu", "swish", \
            "linear"}, default="relu"
        Activation of the hidden layers.
    dropout : float, default=0.0
        Dropout rate after every hidden layer, active during training only.
    batch_normalization : bool, default=False
        Whether to put batch normalisation before each hidden activation.

    See Also
    --------
    ResidualArchitecture : Residual convolutional encoder and decoder.

    Examples
    --------
    >>> from skae import DenoisingAutoEncoder, DenseArchitecture
    >>> est = DenoisingAutoEncoder(architecture=DenseArchitecture((32,)))
    >>> est.get_params()["architecture__hidden_layer_sizes"]
    (32,)
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like"],
        "activation": [StrOptions(_ACTIVATIONS)],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_normalization": ["boolean"],
    }

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] = (128, 64),
        activation: str = "relu",
        dropout: float = 0.0,
        batch_normalization: bool = False,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_normalization = batch_normalization

    def _validated_sizes(self) -> tuple[int, ...]:
        sizes = tuple(self.hidden_layer_sizes)
        if not all(isinstance(s, Integral) and s > 0 for s in sizes):
            raise ValueError(
                "hidden_layer_sizes must contain positive integers only, got "
                f"{self.hidden_layer_sizes!r}."
            )
        return sizes

    def _hidden_stack(self, h, sizes, layers: LayerFactory):
        for units in sizes:
            if self.batch_normalization:
                h = layers.dense(units)(h)
                h = keras.layers.BatchNormalization()(h)
                h = keras.layers.Activation(self.activation)(h)
            else:
                h = layers.dense(units, activation=self.activation)(h)
            if self.dropout > 0:
                h = layers.dropout(self.dropout)(h)
        return h

    def encode(self, inputs, layers: LayerFactory):
        return self._hidden_stack(inputs, self._validated_sizes(), layers)

    def decode(self, code, n_features: int, layers: LayerFactory):
        h = self._hidden_stack(code, self._validated_sizes()[::-1], layers)
        return layers.dense(n_features, name="reconstruction")(h)
