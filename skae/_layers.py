"""Reproducible Keras layer construction shared by architectures and objectives."""

from __future__ import annotations

# First: TensorFlow without its start-up notices (see _startup.py).
from . import _startup  # noqa: F401  # isort: skip

import keras
import numpy as np
import tensorflow as tf

from ._shared import MAX_SEED


class LayerFactory:
    """Create Keras layers whose random parts are seeded from one integer.

    The estimator creates one and passes it to its architecture's
    ``encode`` and ``decode`` and its objective's ``code_heads``. Every
    layer with random initial weights or random behaviour (dropout) gets
    its own seed drawn from a private generator. Building the same network
    twice from the same seed therefore gives identical weights, and the
    global NumPy, TensorFlow and Keras random states are never touched.
    For a Keras layer the factory does not make (an LSTM, say), pass
    ``kernel_initializer=layers.initializer()``,
    ``kernel_regularizer=layers.regularizer`` and ``seed=layers.seed()``
    (or a seeded initializer) for every other random part.

    Parameters
    ----------
    seed : int
        Seed of the private generator.
    l2 : float
        Weight of the L2 penalty put on every kernel (0 disables it).
    zero_outputs : bool
        Whether layers created with ``output=True`` start with zero kernels.
        Networks with a linear (PCA) path set it: their nonlinear parts then
        add exactly nothing before the first update.
    dtype_policy : {"float32", "mixed_float16", "mixed_bfloat16"}
        The Keras dtype policy of every layer the factory creates; pass
        ``dtype=layers.dtype_policy`` to the other layers of an architecture
        (reshapes, activations, pooling) so that they compute in the same
        precision instead of casting back to float32. Never the global
        policy: other Keras code in the process keeps its own.
    """

    def __init__(
        self, seed: int, l2: float = 0.0, zero_outputs: bool = False, dtype_policy: str = "float32"
    ) -> None:
        self._rng = np.random.default_rng(seed)
        self._regularizer = VariableL2(l2) if l2 > 0 else None
        self.zero_outputs = zero_outputs
        self.dtype_policy = dtype_policy

    def seed(self) -> int:
        """Draw a fresh integer seed."""
        return int(self._rng.integers(MAX_SEED))

    def initializer(self, output: bool = False) -> keras.initializers.Initializer:
        """A seeded Glorot-uniform kernel initializer for any Keras layer.

        With ``output=True`` on a network with a PCA path it is zeros
        instead, for the layer whose result is added to that path.
        """
        # Drawn either way, so that the seeds of the layers after it (and so
        # every fitted network) do not depend on which layers start at zero.
        seed = self.seed()
        if output and self.zero_outputs:
            return keras.initializers.Zeros()
        # Xavier/Glorot initialisation, as in the seed projects.
        return keras.initializers.GlorotUniform(seed=seed)

    @property
    def regularizer(self) -> keras.regularizers.Regularizer | None:
        """The estimator's ``alpha`` L2 penalty, for any layer's kernels (None if 0)."""
        return self._regularizer

    def _kernel_kwargs(self, output: bool = False) -> dict:
        return {
            "kernel_initializer": self.initializer(output),
            "kernel_regularizer": self._regularizer,
        }

    def dense(
        self,
        units: int,
        activation=None,
        name: str | None = None,
        output: bool = False,
        bias=None,
    ):
        """Dense layer; ``output=True`` marks a layer whose result is added to
        the linear path (the code head, the reconstruction layer). ``bias``
        sets the initial bias (an array of ``units`` values; zeros if None)."""
        return keras.layers.Dense(
            units,
            activation=activation,
            name=name,
            bias_initializer=_fixed_initializer(bias),
            dtype=self.dtype_policy,
            **self._kernel_kwargs(output),
        )

    def conv(
        self,
        rank: int,
        filters: int,
        kernel_size: int,
        strides: int = 1,
        activation=None,
        use_bias: bool = True,
        output: bool = False,
    ):
        """1-D (``rank=1``) or 2-D convolution with ``"same"`` padding."""
        layer = keras.layers.Conv1D if rank == 1 else keras.layers.Conv2D
        return layer(
            filters,
            kernel_size,
            strides=strides,
            padding="same",
            activation=activation,
            use_bias=use_bias,
            dtype=self.dtype_policy,
            **self._kernel_kwargs(output),
        )

    def conv_transpose(self, rank: int, filters: int, size: int, output: bool = False):
        """Transposed convolution that enlarges a feature map ``size`` times.

        Kernel and stride are both ``size``, so every input position expands
        into its own learnt ``size``-wide patch.
        """
        layer = keras.layers.Conv1DTranspose if rank == 1 else keras.layers.Conv2DTranspose
        return layer(
            filters, size, strides=size, dtype=self.dtype_policy, **self._kernel_kwargs(output)
        )

    def batch_normalization(self, **kwargs):
        """Batch normalisation; under a ``tf.distribute`` strategy its batch
        statistics are those of the whole batch, not of one replica's share,
        so distributed training normalises as one device does."""
        return keras.layers.BatchNormalization(
            synchronized=tf.distribute.has_strategy(), dtype=self.dtype_policy, **kwargs
        )

    def dropout(self, rate: float):
        """Dropout with its own seed (a :class:`RateDropout`)."""
        return RateDropout(rate, seed=self.seed(), dtype=self.dtype_policy)


class _Held:
    """Variables a layer computes with that are settings, not weights.

    Keras tracks the variables a layer holds as attributes (they become the
    layer's weights: saved, pickled, restarted); held in this plain object
    they are not, so a layer that moves its rate here keeps the weights,
    and their order, of the layer it replaces.
    """

    def __init__(self, **variables) -> None:
        vars(self).update(variables)


def _check_same_kind(layer, rate: float) -> None:
    """A layer traced with a rate above 0 (or at 0) keeps one: its graph has
    (or lacks) the random draws."""
    if (rate > 0) != (layer.rate > 0):
        raise ValueError(
            f"{type(layer).__name__} {layer.name} was built with rate={layer.rate}; "
            f"rate={rate} needs a new network."
        )


class RateDropout(keras.layers.Dropout):
    """Keras' ``Dropout`` with its rate in a variable, so that a pooled
    network (see ``_reuse.py``) takes a new fit's rate without tracing
    again (:meth:`set_rate`).

    The same random draws and operations as ``Dropout`` with a Python rate
    (TensorFlow's stateless dropout): the kept entries are multiplied by
    ``1 / (1 - rate)`` computed in double precision, as TensorFlow does for
    a number (for a tensor rate it divides by ``1 - rate``, which differs
    in the last bit). Its weights are ``Dropout``'s (the seed generator).
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs) -> None:
        if kwargs.get("noise_shape") is not None:
            raise TypeError("RateDropout drops entries one by one: it takes no noise_shape.")
        super().__init__(rate, seed=seed, **kwargs)
        self._numbers = _Held(
            rate=keras.Variable(rate, trainable=False, dtype=self.compute_dtype),
            scale=keras.Variable(1 / (1 - rate), trainable=False, dtype=self.compute_dtype),
        )

    def set_rate(self, rate: float) -> None:
        """Drop entries with probability ``rate`` (above 0, like the built one's)."""
        _check_same_kind(self, rate)
        self.rate = rate
        self._numbers.rate.assign(rate)
        self._numbers.scale.assign(1 / (1 - rate))

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        # What keras.random.dropout does with the seed generator (TensorFlow
        # backend): draw, then fold an int64 seed into int32.
        seed = self.seed_generator.next()
        if seed.dtype != tf.int32:
            seed = tf.cast(tf.math.floormod(seed, tf.int32.max - 1), tf.int32)
        kept = inputs * self._numbers.scale
        draws = tf.random.stateless_uniform(
            tf.shape(inputs), seed=seed, dtype=inputs.dtype, alg=None
        )
        return tf.where(draws >= self._numbers.rate, kept, tf.zeros((), inputs.dtype))


class VariableL2(keras.regularizers.Regularizer):
    """Keras' L2 penalty (``l2 * sum(x**2)``, the same operations) with its
    weight in a variable rather than a graph constant, so that a pooled
    network (see ``_reuse.py``) takes a new fit's ``alpha`` without tracing
    again. One instance serves every kernel of a network."""

    def __init__(self, l2: float) -> None:
        self.l2 = keras.Variable(l2, dtype="float32", trainable=False, name="l2")

    def __call__(self, x):
        return self.l2 * keras.ops.sum(keras.ops.square(x))

    def get_config(self) -> dict:
        return {"l2": float(self.l2.numpy())}


def _fixed_initializer(value):
    """Initializer returning ``value`` (zeros of the requested shape if None)."""

    def initialize(shape, dtype=None):
        if value is None:
            return keras.ops.zeros(shape, dtype=dtype)
        return keras.ops.convert_to_tensor(np.asarray(value).reshape(shape), dtype=dtype)

    return initialize


class FixedLayer(keras.layers.Layer):
    """A layer whose weights are constants set at construction (not trained).

    They are ordinary non-trainable Keras weights, so ``get_weights``,
    ``save_weights``, pickling and serving exports carry them. ``values``
    maps each weight name to its array, or to ``None`` for zeros of the
    declared shape (a network rebuilt before its weights are loaded).
    """

    def __init__(self, shapes: dict, values: dict | None = None, **kwargs) -> None:
        # The PCA path computes in float32 under every dtype_policy: its
        # projections are what the network must never be worse than.
        kwargs.setdefault("dtype", "float32")
        super().__init__(trainable=False, **kwargs)
        values = values or {}
        for key, shape in shapes.items():
            weight = self.add_weight(
                shape=shape,
                initializer=_fixed_initializer(values.get(key)),
                trainable=False,
                name=key,
            )
            setattr(self, key, weight)

    def set_values(self, values: dict) -> None:
        """Assign new constants, converted exactly as at construction."""
        for key, value in values.items():
            weight = getattr(self, key)
            weight.assign(_fixed_initializer(value)(weight.shape, dtype=weight.dtype))


class Standardize(FixedLayer):
    """``(x - mean) / scale`` with a column mean vector and one scalar scale."""

    def __init__(self, n_features: int, mean=None, scale=None, **kwargs) -> None:
        super().__init__(
            {"mean": (n_features,), "scale": ()}, {"mean": mean, "scale": scale}, **kwargs
        )

    def call(self, x):
        return (x - self.mean) / self.scale


class FixedProjection(FixedLayer):
    """``x @ kernel`` with a constant kernel."""

    def __init__(self, n_in: int, n_out: int, kernel=None, **kwargs) -> None:
        super().__init__({"kernel": (n_in, n_out)}, {"kernel": kernel}, **kwargs)

    def call(self, x):
        return keras.ops.matmul(x, self.kernel)


class FixedScale(FixedLayer):
    """``x * factor`` (or ``x / factor`` with ``inverse=True``) per unit."""

    def __init__(self, units: int, factor=None, inverse: bool = False, **kwargs) -> None:
        super().__init__({"factor": (units,)}, {"factor": factor}, **kwargs)
        self.inverse = inverse

    def call(self, x):
        return x / self.factor if self.inverse else x * self.factor


class LinearReconstruction(FixedLayer):
    """Combine the linear path and the nonlinear residual into the output.

    ``space="linear"``: ``mean + scale * (linear + residual)``, a value in
    the units of X. ``space="logit"``: the logit of the linear
    reconstruction (clipped into ``(eps, 1 - eps)``) plus the residual, for
    objectives whose decoder outputs logits of values in [0, 1].
    """

    _EPS = 1e-3

    def __init__(self, n_features: int, space: str, mean=None, scale=None, **kwargs) -> None:
        super().__init__(
            {"mean": (n_features,), "scale": ()}, {"mean": mean, "scale": scale}, **kwargs
        )
        self.space = space

    def call(self, linear, residual):
        if self.space == "linear":
            return self.mean + self.scale * (linear + residual)
        p = keras.ops.clip(self.mean + self.scale * linear, self._EPS, 1 - self._EPS)
        return keras.ops.log(p) - keras.ops.log1p(-p) + residual


class CodePrior(FixedLayer):
    """The prior over codes, ``N(0, diag(exp(log_var)))``, as a fixed weight.

    Called on the encoder's log-variance head (relative to the prior,
    clipped to ``+/-limit`` so that its exponential stays finite), it
    returns the posterior log-variance in code units.
    """

    def __init__(self, n_components: int, log_var=None, limit: float = 15.0, **kwargs) -> None:
        super().__init__({"log_var": (n_components,)}, {"log_var": log_var}, **kwargs)
        self.limit = limit

    def call(self, relative_log_var):
        return keras.ops.clip(relative_log_var, -self.limit, self.limit) + self.log_var


class ObservationNoise(keras.layers.Layer):
    """The per-feature log-variance of Gaussian observation noise, trained.

    It holds the variable in the decoder (so the decoder's weights, saving
    and the optimiser include it) and passes the decoder's outputs through
    unchanged; the objective's likelihood reads :attr:`log_var`.
    """

    def __init__(self, n_features: int, log_var: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.log_var = self.add_weight(
            shape=(n_features,),
            initializer=_fixed_initializer(np.full(n_features, log_var, dtype="float32")),
            name="log_var",
        )

    def call(self, outputs):
        return outputs


class NestedDropout(keras.layers.Layer):
    """Ordered codes: in training, each row keeps only a random prefix of its code.

    With probability ``1 - rate`` a row keeps every unit; otherwise it keeps
    the first ``b`` units, ``b`` uniform in ``1 .. units - 1``, and the
    units after them are replaced by their mean over the batch (held
    constant for the gradient). A decoder trained behind this layer must
    reconstruct from every prefix, so the first ``j`` codes become its best
    ``j``-code summary, as PCA's scores are (nested dropout, Rippel et al.,
    2014). The identity at inference.
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rate = rate
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        # What the traced call reads (see RateDropout).
        self._numbers = _Held(rate=keras.Variable(rate, trainable=False, dtype="float32"))

    def set_rate(self, rate: float) -> None:
        """Truncate a row's code with probability ``rate`` (above 0, like the built one's)."""
        _check_same_kind(self, rate)
        self.rate = rate
        self._numbers.rate.assign(rate)

    def call(self, code, training=False):
        units = code.shape[-1]
        if not training or self.rate == 0 or units < 2:
            return code
        ops = keras.ops
        n_rows = ops.shape(code)[0]
        truncate = keras.random.uniform((n_rows, 1), seed=self.seed_generator) < self._numbers.rate
        kept = (
            ops.floor(keras.random.uniform((n_rows, 1), seed=self.seed_generator) * (units - 1))
            + 1
        )
        kept = ops.where(truncate, kept, float(units))
        position = ops.arange(units, dtype=code.dtype)[None, :]
        mean = ops.stop_gradient(ops.mean(code, axis=0, keepdims=True))
        return ops.where(position < ops.cast(kept, code.dtype), code, mean)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
