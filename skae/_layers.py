"""Reproducible Keras layer construction shared by architectures and objectives."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

_MAX_SEED = 2**31 - 1


class LayerFactory:
    """Create Keras layers whose random parts are seeded from one integer.

    Every layer with random initial weights or random behaviour (dropout)
    gets its own seed drawn from a private generator. Building the same
    network twice from the same seed therefore gives identical weights, and
    the global NumPy, TensorFlow and Keras random states are never touched.

    Parameters
    ----------
    seed : int
        Seed of the private generator.
    l2 : float
        Weight of the L2 penalty put on every kernel (0 disables it).
    """

    def __init__(self, seed: int, l2: float = 0.0) -> None:
        self._rng = np.random.default_rng(seed)
        self._regularizer = keras.regularizers.L2(l2) if l2 > 0 else None

    def seed(self) -> int:
        """Draw a fresh integer seed."""
        return int(self._rng.integers(_MAX_SEED))

    def _kernel_kwargs(self) -> dict:
        # Xavier/Glorot initialisation, as in the seed projects.
        return {
            "kernel_initializer": keras.initializers.GlorotUniform(seed=self.seed()),
            "kernel_regularizer": self._regularizer,
        }

    def dense(self, units: int, activation=None, name: str | None = None):
        return keras.layers.Dense(units, activation=activation, name=name, **self._kernel_kwargs())

    def conv(
        self,
        rank: int,
        filters: int,
        kernel_size: int,
        strides: int = 1,
        activation=None,
        use_bias: bool = True,
    ):
        layer = keras.layers.Conv1D if rank == 1 else keras.layers.Conv2D
        return layer(
            filters,
            kernel_size,
            strides=strides,
            padding="same",
            activation=activation,
            use_bias=use_bias,
            **self._kernel_kwargs(),
        )

    def conv_transpose(self, rank: int, filters: int, size: int, use_bias: bool = True):
        """Transposed convolution that enlarges a feature map ``size`` times.

        Kernel and stride are both ``size``, so every input position expands
        into its own learnt ``size``-wide patch.
        """
        layer = keras.layers.Conv1DTranspose if rank == 1 else keras.layers.Conv2DTranspose
        return layer(filters, size, strides=size, use_bias=use_bias, **self._kernel_kwargs())

    def batch_normalization(self, **kwargs):
        """Batch normalisation; under a ``tf.distribute`` strategy its batch
        statistics are those of the whole batch, not of one replica's share,
        so distributed training normalises as one device does."""
        return keras.layers.BatchNormalization(synchronized=tf.distribute.has_strategy(), **kwargs)

    def dropout(self, rate: float):
        return keras.layers.Dropout(rate, seed=self.seed())
