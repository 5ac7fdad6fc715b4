"""The plain-Keras baseline: what a user would write by hand.

The same network as :class:`skae.AutoEncoder` (Dense layers, Glorot-uniform
kernels, zero biases, optional batch normalisation before each hidden
activation, linear code, mirrored decoder with a linear output,
binary cross-entropy on logits or mean squared error), the same optimiser,
learning-rate schedule, batch size and number of epochs, trained with
``keras.Model.fit`` and evaluated with ``predict_on_batch`` (the fastest
public Keras inference call: one compiled call per batch, no per-call
dataset set-up as in ``Model.predict``).
"""

from __future__ import annotations

import keras
import numpy as np


def _dense_stack(
    n_inputs: int, sizes, n_outputs: int, activation: str, batch_normalization: bool, name: str
):
    layers = [keras.Input((n_inputs,))]
    for units in sizes:
        if batch_normalization:
            layers += [
                keras.layers.Dense(units),
                keras.layers.BatchNormalization(),
                keras.layers.Activation(activation),
            ]
        else:
            layers.append(keras.layers.Dense(units, activation=activation))
    layers.append(keras.layers.Dense(n_outputs))
    return keras.Sequential(layers, name=name)


class PlainKerasAutoEncoder:
    """Hand-written Keras autoencoder trained with ``Model.fit``.

    Parameters mirror :class:`skae.AutoEncoder`; ``seed`` goes to
    ``keras.utils.set_random_seed`` (global state is fine in a benchmark).
    """

    def __init__(
        self,
        n_components: int,
        hidden_layer_sizes,
        *,
        activation: str = "relu",
        batch_normalization: bool = False,
        loss: str = "mse",
        learning_rate: float = 1e-3,
        learning_rate_decay: float = 1.0,
        batch_size: int = 256,
        max_iter: int = 10,
        seed: int = 0,
    ) -> None:
        self.n_components = n_components
        self.hidden_layer_sizes = tuple(hidden_layer_sizes)
        self.activation = activation
        self.batch_normalization = batch_normalization
        self.loss = loss
        self.learning_rate = learning_rate
        self.learning_rate_decay = learning_rate_decay
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.seed = seed

    def fit(self, X):
        keras.utils.set_random_seed(self.seed)
        n_features = X.shape[1]
        self.encoder = _dense_stack(
            n_features,
            self.hidden_layer_sizes,
            self.n_components,
            self.activation,
            self.batch_normalization,
            "encoder",
        )
        self.decoder = _dense_stack(
            self.n_components,
            self.hidden_layer_sizes[::-1],
            n_features,
            self.activation,
            self.batch_normalization,
            "decoder",
        )
        model = keras.Sequential([self.encoder, self.decoder])
        schedule = self.learning_rate
        if self.learning_rate_decay != 1.0:
            steps_per_epoch = -(-X.shape[0] // self.batch_size)
            schedule = keras.optimizers.schedules.ExponentialDecay(
                self.learning_rate, steps_per_epoch, self.learning_rate_decay
            )
        loss = (
            keras.losses.BinaryCrossentropy(from_logits=True)
            if self.loss == "binary_crossentropy"
            else "mse"
        )
        model.compile(optimizer=keras.optimizers.Adam(schedule), loss=loss)
        history = model.fit(
            X, X, batch_size=self.batch_size, epochs=self.max_iter, shuffle=True, verbose=0
        )
        self.loss_curve_ = history.history["loss"]
        return self

    def transform(self, X) -> np.ndarray:
        return np.asarray(self.encoder.predict_on_batch(X))

    def inverse_transform(self, codes) -> np.ndarray:
        logits = np.asarray(self.decoder.predict_on_batch(codes))
        if self.loss == "binary_crossentropy":
            return 1.0 / (1.0 + np.exp(-logits))
        return logits
