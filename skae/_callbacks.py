"""Keras callbacks in skae's training loop.

The ``callbacks`` parameter takes :class:`keras.callbacks.Callback` objects.
They get ``on_train_begin``/``on_train_end`` and ``on_epoch_begin``/
``on_epoch_end`` as in ``keras.Model.fit``. A whole epoch runs as one
compiled TensorFlow function (see ``_training.py``), so there is no Python
between its steps to call per-batch hooks from: ``on_train_batch_begin`` and
``on_train_batch_end`` are called once per epoch, around that one call, as
Keras does when ``steps_per_execution`` covers the epoch.
"""

from __future__ import annotations

# First: TensorFlow without its start-up notices (see _startup.py).
from . import _startup  # noqa: F401  # isort: skip

import keras

from ._network import Network


class CallbackModel(keras.Model):
    """What callbacks see as ``self.model``.

    It holds the network's encoder and decoder (so ``weights``,
    ``get_weights`` and ``set_weights`` cover every weight, the VAE's
    variance head included), the optimiser (``ReduceLROnPlateau`` and
    ``LearningRateScheduler`` set its learning rate) and ``stop_training``,
    which the training loop reads after every epoch. Calling it maps rows to
    reconstructions.
    """

    def __init__(self, network: Network, optimizer) -> None:
        super().__init__(name="autoencoder")
        self.encoder = network.encoder
        self.decoder = network.decoder
        self.optimizer = optimizer
        self.skae_network = network
        self.stop_training = False
        self.built = True

    def call(self, inputs, training=False):
        code = self.encoder(inputs, training=training)["code"]
        return self.skae_network.objective.to_input_space(self.decoder(code, training=training))

    def get_weights(self):
        return self.skae_network.get_weights()

    def set_weights(self, weights):
        # The network's own set_weights also resets its inference caches.
        self.skae_network.set_weights(weights)


def check_callbacks(callbacks) -> list:
    """The callbacks as a list, or a TypeError naming what is not a callback."""
    if callbacks is None:
        return []
    for callback in callbacks:
        if not isinstance(callback, keras.callbacks.Callback):
            raise TypeError(
                f"callbacks must be a list of keras.callbacks.Callback instances; got "
                f"{callback!r} of type {type(callback).__name__}. Wrap a function in "
                "keras.callbacks.LambdaCallback."
            )
    return list(callbacks)


def callback_list(callbacks: list, network: Network, optimizer, epochs: int, steps: int):
    """A :class:`keras.callbacks.CallbackList` over ``callbacks``, or None."""
    if not callbacks:
        return None
    model = CallbackModel(network, optimizer)
    return keras.callbacks.CallbackList(
        callbacks, model=model, verbose=0, epochs=epochs, steps=steps
    )


def release(hooks) -> None:
    """Let the callbacks go of the model: it holds the network, which a
    copy of a callback (``clone`` deep-copies parameters) must not copy."""
    if hooks is None:
        return
    for callback in hooks.callbacks:
        if getattr(callback, "_model", None) is hooks.model:
            callback._model = None
