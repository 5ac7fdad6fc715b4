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

import abc
import inspect
import math
from dataclasses import dataclass
from numbers import Integral, Real
from typing import TYPE_CHECKING

from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions

from ._docs import fill_doc
from ._lazy import keras
from ._saveable import saveable

if TYPE_CHECKING:
    from ._layers import LayerFactory

_ACTIVATIONS = {"relu", "tanh", "sigmoid", "elu", "selu", "gelu", "swish", "linear"}


class BaseArchitecture(BaseEstimator, abc.ABC):
    """Base class of architectures: how an encoder and a decoder are built.

    An architecture is a parameter object: ``__init__`` stores its
    arguments unchanged (as for any scikit-learn estimator), so it clones,
    prints, pickles and grid-searches as ``architecture__<param>``. Its
    optional ``_parameter_constraints`` are checked before every build.
    Subclasses implement :meth:`encode` and :meth:`decode` with the Keras
    functional API; the estimator's objective puts the code layer(s)
    between the two and decides the output activation.

    Every layer with random initial weights or random behaviour must be
    created through the :class:`LayerFactory` passed in (its ``dense``,
    ``conv``, ``conv_transpose``, ``dropout`` methods, or any Keras layer
    given ``layers.initializer()`` and ``layers.seed()``), so that the
    network is a pure function of the parameters, the input width and
    ``random_state``.

    Other layers (reshapes, activations, pooling) take
    ``dtype=layers.dtype_policy``, so that under the estimator's
    ``dtype_policy="mixed_bfloat16"`` or ``"mixed_float16"`` they compute in
    the same precision (without it they compute in float32, correct but
    with a cast on each side).

    With ``init="pca"`` (the estimators' default) the encoder reads
    standardised rows and the decoder reads whitened codes, and both only
    add to a fixed PCA path: the layer that produces the decoder's output
    must be created with ``output=True`` (``layers.dense(n_features,
    output=True)`` or ``kernel_initializer=layers.initializer(output=True)``),
    so that it starts at zero and the network starts as PCA.

    :func:`skae.load` rebuilds a saved architecture defined outside skae
    only when its class is passed in ``trusted=``.

    See Also
    --------
    DenseArchitecture : Fully connected encoder and decoder.
    ResidualArchitecture : Residual convolutional encoder and decoder.

    Examples
    --------
    A 1-D convolutional encoder for rows that are signals:

    >>> import keras
    >>> from skae import AutoEncoder, BaseArchitecture
    >>> class ConvArchitecture(BaseArchitecture):
    ...     def __init__(self, filters: int = 4):
    ...         self.filters = filters
    ...
    ...     def encode(self, inputs, layers):
    ...         h = keras.layers.Reshape((inputs.shape[-1], 1))(inputs)
    ...         h = layers.conv(1, self.filters, 5, activation="relu")(h)
    ...         return keras.layers.Flatten()(h)
    ...
    ...     def decode(self, code, n_features, layers):
    ...         h = layers.dense(16, activation="relu")(code)
    ...         return layers.dense(n_features, output=True)(h)
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(64, 32))
    >>> ae = AutoEncoder(n_components=2, architecture=ConvArchitecture(filters=2),
    ...                  max_iter=2, n_iter_no_change=None, random_state=0).fit(X)
    >>> ae.transform(X).shape
    (64, 2)
    """

    # Checked before every build; none by default.
    _parameter_constraints: dict = {}

    @abc.abstractmethod
    def encode(self, inputs, layers: LayerFactory):
        """Map input rows to features.

        Parameters
        ----------
        inputs : KerasTensor of shape (batch, n_features)
            Input rows (standardised with ``init="pca"``).
        layers : LayerFactory
            Creates seeded layers.

        Returns
        -------
        features : KerasTensor of shape (batch, units)
            Features for the objective's code layer(s); the code layer is
            not part of the architecture.
        """

    @abc.abstractmethod
    def decode(self, code, n_features: int, layers: LayerFactory):
        """Map codes to one pre-activation value per input feature.

        Parameters
        ----------
        code : KerasTensor of shape (batch, n_components)
            Codes (whitened with ``init="pca"``).
        n_features : int
            Width of the rows to reconstruct.
        layers : LayerFactory
            Creates seeded layers; the layers whose results form the output
            take ``output=True``.

        Returns
        -------
        outputs : KerasTensor of shape (batch, n_features)
            Pre-activations; the objective decides the output activation.
        """

    def __setstate__(self, state):
        super().__setstate__(saved_params(state, type(self)))


@saveable
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
                h = layers.batch_normalization()(h)
                h = keras.layers.Activation(self.activation, dtype=layers.dtype_policy)(h)
            else:
                h = layers.dense(units, activation=self.activation)(h)
            if self.dropout > 0:
                h = layers.dropout(self.dropout)(h)
        return h

    def encode(self, inputs, layers: LayerFactory):
        return self._hidden_stack(inputs, self._validated_sizes(), layers)

    def decode(self, code, n_features: int, layers: LayerFactory):
        h = self._hidden_stack(code, self._validated_sizes()[::-1], layers)
        return layers.dense(n_features, name="reconstruction", output=True)(h)


# PyTorch's default: the moving statistics settle within tens of steps, so
# even short fits predict with statistics close to the training batches'.
_BATCH_NORM_MOMENTUM = 0.9

# Keras' layer class names, without the "1D" / "2D" of the signal's rank.
_SPATIAL_LAYERS = {
    "pool": "MaxPooling",
    "upsample": "UpSampling",
    "pad": "ZeroPadding",
    "crop": "Cropping",
}


def _spatial_layer(kind: str, rank: int) -> type:
    """Keras' pooling, upsampling, padding or cropping layer for ``rank``-D signals."""
    return getattr(keras.layers, f"{_SPATIAL_LAYERS[kind]}{rank}D")


@dataclass(frozen=True)
class _Geometry:
    """Layout of a flat row as a channels-last signal, and its padding."""

    shape: tuple[int, ...]
    channels: int
    factor: int

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def margins(self) -> tuple[tuple[int, int], ...]:
        """Zeros before and after each spatial axis to reach a multiple of factor."""
        extra = [-size % self.factor for size in self.shape]
        return tuple((e // 2, e - e // 2) for e in extra)

    @property
    def latent_shape(self) -> tuple[int, ...]:
        return tuple(-(-size // self.factor) for size in self.shape)

    def resize(self, h, kind: str, dtype_policy: str):
        """Zero-pad (``kind="pad"``) or crop (``kind="crop"``) the margins."""
        if not any(any(pair) for pair in self.margins):
            return h
        margins = self.margins[0] if self.rank == 1 else self.margins
        return _spatial_layer(kind, self.rank)(margins, dtype=dtype_policy)(h)


def saved_params(params: dict, cls: type) -> dict:
    """``params`` (or pickled state) of a ``cls`` saved by an earlier skae, read as meant.

    A parameter that did not exist then gets its default. A 2-value
    ``image_shape`` saved without ``signal_shape`` meant the ``(length,
    channels)`` of a 1-D signal; it now means ``(height, width)``, and
    signals say ``signal_shape``. Used by :func:`skae.load`, pickle and
    network rebuilds.
    """
    shape = params.get("image_shape")
    if "signal_shape" not in params and shape is not None and len(shape) == 2:
        if "signal_shape" in cls._get_param_names():
            params = {**params, "image_shape": None, "signal_shape": shape}
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(cls.__init__).parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }
    return {**defaults, **params}


def _layout(name: str, value, lengths: tuple[int, int], n_features: int) -> tuple[int, ...]:
    """``value`` of ``image_shape`` or ``signal_shape`` as a checked tuple of ints."""
    dims = tuple(value)
    spellings = {
        "image_shape": "(height, width) or (height, width, channels)",
        "signal_shape": "(length,) or (length, channels)",
    }
    if len(dims) not in lengths or not all(isinstance(d, Integral) and d > 0 for d in dims):
        raise ValueError(
            f"{name} must be {spellings[name]} with positive integers, got {value!r}."
        )
    if math.prod(dims) != n_features:
        raise ValueError(
            f"{name}={value!r} holds {math.prod(dims)} values per row, but X has "
            f"{n_features} features."
        )
    return tuple(int(d) for d in dims)


@saveable
@fill_doc
class ResidualArchitecture(BaseArchitecture):
    """Residual convolutional encoder and mirrored decoder.

    Rows are read as images (2-D convolutions) or 1-D signals (1-D
    convolutions), see ``image_shape`` and ``signal_shape``. The encoder runs ``n_levels``
    resolution levels, each a convolution, a 2x max pooling and
    ``n_residual_blocks`` residual blocks, then maps the result to a latent
    feature map with ``latent_channels`` channels, which is flattened; the
    estimator's objective puts the dense code layer (the bottleneck) on it.
    The decoder maps the code back to the latent map with a dense layer and
    mirrors the levels: residual blocks, 2x nearest-neighbour upsampling and
    a convolution.

    Parameters
    ----------
    {residual_parameters}

    See Also
    --------
    ResNetAutoEncoder : Estimator with these parameters as its own.
    DenseArchitecture : Fully connected encoder and decoder.

    Examples
    --------
    >>> from skae import DenoisingAutoEncoder, ResidualArchitecture
    >>> est = DenoisingAutoEncoder(architecture=ResidualArchitecture(n_levels=3))
    >>> est.get_params()["architecture__n_levels"]
    3
    """

    _parameter_constraints: dict = {
        "image_shape": [None, "array-like"],
        "signal_shape": [None, "array-like"],
        "n_levels": [Interval(Integral, 1, None, closed="left")],
        "n_residual_blocks": [Interval(Integral, 0, None, closed="left")],
        "filters": [Interval(Integral, 1, None, closed="left")],
        "latent_channels": [Interval(Integral, 1, None, closed="left")],
        "block": [StrOptions({"basic", "bottleneck"})],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "batch_normalization": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "skip_connections": ["boolean"],
        "activation": [StrOptions(_ACTIVATIONS)],
    }

    def __init__(
        self,
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
    ) -> None:
        self.image_shape = image_shape
        self.signal_shape = signal_shape
        self.n_levels = n_levels
        self.n_residual_blocks = n_residual_blocks
        self.filters = filters
        self.latent_channels = latent_channels
        self.block = block
        self.kernel_size = kernel_size
        self.batch_normalization = batch_normalization
        self.dropout = dropout
        self.skip_connections = skip_connections
        self.activation = activation

    # -- layout ---------------------------------------------------------------
    def _geometry(self, n_features: int) -> _Geometry:
        factor = 2**self.n_levels
        if self.image_shape is not None and self.signal_shape is not None:
            raise ValueError(
                f"image_shape={self.image_shape!r} and signal_shape={self.signal_shape!r} "
                "both say how to read a row; set one of them (image_shape for images, "
                "signal_shape for 1-D signals)."
            )
        if self.image_shape is not None:
            dims = _layout("image_shape", self.image_shape, (2, 3), n_features)
            # (height, width) is a one-channel image.
            return _Geometry(dims[:2], dims[2] if len(dims) == 3 else 1, factor)
        if self.signal_shape is not None:
            dims = _layout("signal_shape", self.signal_shape, (1, 2), n_features)
            return _Geometry(dims[:1], dims[1] if len(dims) == 2 else 1, factor)
        side = math.isqrt(n_features)
        shape = (side, side) if side * side == n_features else (n_features,)
        return _Geometry(shape, 1, factor)

    def _level_filters(self, level: int) -> int:
        return self.filters * 2**level

    # -- building blocks --------------------------------------------------------
    def _normalize(self, h, layers, activate: bool = True, gamma: str = "ones"):
        if self.batch_normalization:
            h = layers.batch_normalization(momentum=_BATCH_NORM_MOMENTUM, gamma_initializer=gamma)(
                h
            )
        return (
            keras.layers.Activation(self.activation, dtype=layers.dtype_policy)(h)
            if activate
            else h
        )

    def _conv(self, h, filters, rank, layers, kernel_size=None, strides=1, **normalize):
        conv = layers.conv(
            rank,
            filters,
            kernel_size or self.kernel_size,
            strides=strides,
            use_bias=not self.batch_normalization,
        )
        return self._normalize(conv(h), layers, **normalize)

    def _residual_block(self, h, filters, rank, layers):
        # The branch's last normalisation starts at zero, so every block starts
        # as the identity and deep stacks train from the first step.
        last = {"activate": False, "gamma": "zeros"}
        if self.block == "basic":
            r = self._conv(h, filters, rank, layers)
            r = self._conv(r, filters, rank, layers, **last)
        else:
            width = max(filters // 4, 1)
            r = self._conv(h, width, rank, layers, kernel_size=1)
            r = self._conv(r, width, rank, layers)
            r = self._conv(r, filters, rank, layers, kernel_size=1, **last)
        dtype = layers.dtype_policy
        return keras.layers.Activation(self.activation, dtype=dtype)(
            keras.layers.Add(dtype=dtype)([h, r])
        )

    def _residual_stack(self, h, filters, rank, layers):
        for _ in range(self.n_residual_blocks):
            h = self._residual_block(h, filters, rank, layers)
        if self.dropout > 0:
            h = layers.dropout(self.dropout)(h)
        return h

    # -- encoder and decoder ----------------------------------------------------
    # Level i works at 1 / 2**i of the (padded) input size with
    # filters * 2**i channels. Convolutions that change the resolution run
    # once per level; the residual blocks run at the lower of the level's two
    # resolutions, which keeps full-resolution work to one thin convolution
    # on each side.
    def encode(self, inputs, layers: LayerFactory):
        geometry = self._geometry(inputs.shape[-1])
        rank = geometry.rank
        deepest = self._level_filters(self.n_levels - 1)
        dtype = layers.dtype_policy
        h = keras.layers.Reshape((*geometry.shape, geometry.channels), dtype=dtype)(inputs)
        h = geometry.resize(h, "pad", dtype)
        skips = []
        for level in range(self.n_levels):
            filters = self._level_filters(level)
            h = self._conv(h, filters, rank, layers)
            if self.skip_connections:
                size = 2 ** (self.n_levels - level)
                skips.append(self._conv(h, deepest, rank, layers, kernel_size=size, strides=size))
            h = _spatial_layer("pool", rank)(2, dtype=dtype)(h)
            h = self._residual_stack(h, filters, rank, layers)
        if skips:
            h = keras.layers.Add(dtype=dtype)([h, *skips])
        h = layers.conv(rank, self.latent_channels, self.kernel_size)(h)
        return keras.layers.Flatten(dtype=dtype)(h)

    def decode(self, code, n_features: int, layers: LayerFactory):
        geometry = self._geometry(n_features)
        rank = geometry.rank
        latent_shape = (*geometry.latent_shape, self.latent_channels)
        dtype = layers.dtype_policy
        h = layers.dense(math.prod(latent_shape))(code)
        h = keras.layers.Reshape(latent_shape, dtype=dtype)(h)
        h = self._conv(h, self._level_filters(self.n_levels - 1), rank, layers)
        skips = []
        for level in reversed(range(self.n_levels)):
            h = self._residual_stack(h, self._level_filters(level), rank, layers)
            if self.skip_connections:
                size = 2 ** (level + 1)
                skips.append(layers.conv_transpose(rank, geometry.channels, size, output=True)(h))
            h = _spatial_layer("upsample", rank)(2, dtype=dtype)(h)
            if level > 0:
                h = self._conv(h, self._level_filters(level - 1), rank, layers)
        h = layers.conv(rank, geometry.channels, self.kernel_size, output=True)(h)
        if skips:
            h = keras.layers.Add(dtype=dtype)([h, *skips])
        h = geometry.resize(h, "crop", dtype)
        return keras.layers.Flatten(name="reconstruction", dtype=dtype)(h)
