"""The training engine: compiled epochs, streaming batches, early stopping.

Small and medium dense data is held as one float32 tensor and each whole
epoch (shuffle, batching, forward, backward, optimiser step) runs inside one
compiled TensorFlow function, which removes the per-step Python overhead
that dominates ``keras.Model.fit`` on small networks. Sparse or very large
data is streamed: batches are sliced, densified one at a time and fed to a
compiled training step.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import keras
import numpy as np
import scipy.sparse as sp
import tensorflow as tf

from ._network import Network, as_float32_batch

# Dense data above this size (as float32) is streamed instead of being
# copied into one tensor.
MAX_IN_MEMORY_BYTES = 2 * 1024**3

_OPTIMIZERS = {
    "adam": lambda lr: keras.optimizers.Adam(lr),
    "adamw": lambda lr: keras.optimizers.AdamW(lr),
    "nadam": lambda lr: keras.optimizers.Nadam(lr),
    "rmsprop": lambda lr: keras.optimizers.RMSprop(lr),
    "sgd": lambda lr: keras.optimizers.SGD(lr, momentum=0.9, nesterov=True),
}
OPTIMIZERS = frozenset(_OPTIMIZERS)


class DivergenceError(ValueError):
    """Raised when the training loss becomes NaN or infinite."""


def make_optimizer(name: str, learning_rate: float, decay: float, steps_per_epoch: int):
    """Create a Keras optimizer with an optional per-epoch exponential decay."""
    schedule = learning_rate
    if decay != 1.0:
        schedule = keras.optimizers.schedules.ExponentialDecay(
            learning_rate, decay_steps=max(steps_per_epoch, 1), decay_rate=decay
        )
    return _OPTIMIZERS[name](schedule)


def to_training_data(X):
    """Dense data becomes one float32 tensor; sparse or huge data stays as is."""
    if sp.issparse(X) or X.shape[0] * X.shape[1] * 4 > MAX_IN_MEMORY_BYTES:
        return X
    return tf.convert_to_tensor(np.asarray(X, dtype=np.float32))


class Trainer:
    """Owns the optimiser and the compiled training functions of a network.

    Parameters
    ----------
    network : Network
    optimizer : keras.optimizers.Optimizer
    batch_size : int
    shuffle : bool
    seed : int
        Seeds the shuffling, the corruption noise and the VAE samples.
    """

    def __init__(self, network: Network, optimizer, batch_size: int, shuffle: bool, seed: int):
        self.network = network
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._rng = np.random.default_rng(seed)
        self._variables = network.trainable_variables
        optimizer.build(self._variables)
        self._compiled_epoch = tf.function(self._epoch, reduce_retracing=True)
        spec = tf.TensorSpec([None, network.encoder.input.shape[-1]], tf.float32)
        self._compiled_step = tf.function(self._step, input_signature=[spec])

    def _step(self, x):
        """One optimiser step; returns the batch loss summed over rows."""
        with tf.GradientTape() as tape:
            per_sample = self.network.objective.training_loss(
                self.network, x, self.seed_generator
            )
            loss = tf.reduce_mean(per_sample) + self.network.regularization_loss()
        gradients = tape.gradient(loss, self._variables)
        self.optimizer.apply(gradients, self._variables)
        return loss * tf.cast(tf.shape(x)[0], tf.float32)

    def _epoch(self, x):
        n_samples = tf.shape(x)[0]
        order = tf.range(n_samples)
        if self.shuffle:
            order = keras.random.shuffle(order, seed=self.seed_generator)
        n_batches = (n_samples + self.batch_size - 1) // self.batch_size
        total = tf.constant(0.0)
        for b in tf.range(n_batches):
            rows = order[b * self.batch_size : (b + 1) * self.batch_size]
            total += self._step(tf.gather(x, rows))
        return total / tf.cast(n_samples, tf.float32)

    def run_epoch(self, data, epoch: int) -> float:
        """Train one epoch over ``data``; returns the mean training loss."""
        self.network.objective.on_epoch_begin(epoch)
        if isinstance(data, tf.Tensor):
            return float(self._compiled_epoch(data))
        n_samples = data.shape[0]
        order = self._rng.permutation(n_samples) if self.shuffle else np.arange(n_samples)
        total = 0.0
        for start in range(0, n_samples, self.batch_size):
            rows = np.sort(order[start : start + self.batch_size])
            batch = as_float32_batch(data[rows], 0, len(rows))
            total += float(self._compiled_step(batch))
        return total / n_samples


@dataclass
class History:
    """What happened during one call to :func:`train`."""

    losses: list[float] = field(default_factory=list)
    validation_scores: list[float] = field(default_factory=list)
    best_score: float = -np.inf
    interrupted: bool = False


def _format_epoch(epoch, max_iter, loss, val_score, seconds):
    line = f"Epoch {epoch}/{max_iter} - loss: {loss:.6g}"
    if val_score is not None:
        line += f" - val_loss: {-val_score:.6g}"
    return line + f" - {seconds:.2f}s"


def train(
    trainer: Trainer,
    data,
    *,
    max_iter: int,
    epoch_offset: int = 0,
    validation_data=None,
    tol: float = 1e-4,
    n_iter_no_change: int | None = None,
    restore_best_weights: bool = False,
    verbose: int = 0,
) -> History:
    """Run up to ``max_iter`` epochs with sklearn MLP-style stopping rules.

    Training stops when the monitored score (the validation score when
    ``validation_data`` is given, else minus the training loss) has not
    improved by at least ``tol`` for ``n_iter_no_change`` epochs
    (``None`` disables stopping). A NaN or infinite loss raises
    :class:`DivergenceError`. ``KeyboardInterrupt`` ends training early with
    a warning and keeps the weights reached so far.
    """
    history = History()
    best_weights = None
    epochs_without_improvement = 0
    network = trainer.network
    for epoch in range(epoch_offset, epoch_offset + max_iter):
        start = time.perf_counter()
        try:
            loss = trainer.run_epoch(data, epoch)
        except KeyboardInterrupt:
            warnings.warn(
                f"Training interrupted during epoch {epoch + 1}; keeping the "
                "weights reached so far. Fit again with warm_start=True to "
                "continue.",
                RuntimeWarning,
                stacklevel=3,
            )
            history.interrupted = True
            break
        if not np.isfinite(loss):
            raise DivergenceError(
                f"Training diverged at epoch {epoch + 1}: the loss became {loss}. "
                "Try a smaller learning_rate, scaling the inputs (for example "
                "with StandardScaler or MinMaxScaler), or a smaller network."
            )
        history.losses.append(loss)
        val_score = None
        if validation_data is not None:
            val_score = float(np.mean(network.apply("score", validation_data, np.float64)))
            history.validation_scores.append(val_score)
        if verbose:
            print(
                _format_epoch(epoch + 1, epoch_offset + max_iter, loss, val_score,
                              time.perf_counter() - start),
                flush=True,
            )
        monitored = -loss if val_score is None else val_score
        if monitored > history.best_score + tol:
            epochs_without_improvement = 0
            if restore_best_weights and val_score is not None:
                best_weights = network.get_weights()
        else:
            epochs_without_improvement += 1
        history.best_score = max(history.best_score, monitored)
        if n_iter_no_change is not None and epochs_without_improvement >= n_iter_no_change:
            if verbose:
                print(
                    f"No improvement of at least tol={tol} for {n_iter_no_change} "
                    "epochs; stopping.",
                    flush=True,
                )
            break
    if best_weights is not None:
        network.set_weights(best_weights)
    return history
