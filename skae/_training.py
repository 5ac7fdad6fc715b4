"""The training engine: compiled epochs, streaming batches, early stopping.

Each whole epoch (shuffle, batching, forward, backward, optimiser step)
runs inside one compiled TensorFlow function, which removes the per-step
Python overhead that dominates ``keras.Model.fit`` on small networks. How
the epoch reads its rows depends on the data (see :func:`to_training_data`):

* dense data up to ``MAX_IN_MEMORY_BYTES`` is held as one float32 tensor and
  each batch is gathered from it in-graph;
* sparse data whose CSR arrays fit in ``MAX_IN_MEMORY_BYTES`` is held as
  CSR tensors and each batch is densified in-graph, one batch at a time;
* anything larger (including memory-mapped arrays) is streamed: the rows
  are shuffled in NumPy, read in chunks of about ``STREAM_CHUNK_BYTES`` and
  each chunk is trained on by the same compiled epoch function.
"""

from __future__ import annotations

# First: TensorFlow without its start-up notices (see _startup.py).
from . import _startup  # noqa: F401  # isort: skip

import functools
import re
import time
from dataclasses import dataclass, field
from typing import NamedTuple

import keras
import numpy as np
import scipy.sparse as sp
import tensorflow as tf
from keras import ops

from ._callbacks import callback_list, release
from ._missing import IncompleteRows, filled_batch
from ._network import Network, active_strategy, as_float32_batch
from ._progress import Progress
from ._shared import DivergenceError
from ._warnings import warn

# Data above this size (dense as float32, or sparse as CSR tensors) is
# streamed instead of being copied into TensorFlow.
MAX_IN_MEMORY_BYTES = 2 * 1024**3
# Dense float32 bytes per chunk on the streaming path (rounded to whole
# batches, at least one).
STREAM_CHUNK_BYTES = 64 * 1024**2
# Bytes per stored entry of the CSR tensors: float32 value + int64 column.
_CSR_ENTRY_BYTES = 12


class FusedAdamStep:
    """Adam's update as TensorFlow's fused ``ResourceApplyAdam`` kernel.

    Keras computes Adam with about ten element-wise operations per variable,
    each a full pass over memory; on CPU that made the optimiser step cost
    as much as the forward and backward pass of a batch of 128 rows through
    the MNIST network. The fused kernel makes one pass and computes the same
    formula (``alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``, epsilon
    outside the square root). The moment estimates are Keras' own slot
    variables, so the optimiser stays a normal Keras optimiser.

    Outside a ``tf.distribute`` strategy the scalars the kernel reads
    (``beta**t``, the casts) are computed once per step rather than once per
    variable, and each variable is updated directly rather than through the
    default strategy's per-variable ``update`` wrapper: the same values, in
    fewer operations: on the digits network (12 variables) the traced step
    has 240 graph nodes instead of 361.
    """

    def update_step(self, gradient, variable, learning_rate):
        if self.amsgrad:
            return super().update_step(gradient, variable, learning_rate)
        return self._fused_update(
            gradient, variable, self._adam_scalars(variable.dtype, learning_rate)
        )

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        if self.amsgrad or tf.distribute.has_strategy():
            return super()._backend_update_step(grads, trainable_variables, learning_rate)
        scalars = {}
        for gradient, variable in zip(grads, trainable_variables, strict=True):
            if isinstance(variable, keras.Variable):
                variable = variable.value
            if variable.dtype not in scalars:
                scalars[variable.dtype] = self._adam_scalars(variable.dtype, learning_rate)
            self._fused_update(gradient, variable, scalars[variable.dtype])

    def _adam_scalars(self, dtype, learning_rate) -> dict:
        """The scalar inputs of ``ResourceApplyAdam`` for variables of ``dtype``."""
        step = tf.cast(self.iterations + 1, dtype)
        beta_1 = tf.cast(self.beta_1, dtype)
        beta_2 = tf.cast(self.beta_2, dtype)
        return {
            "beta1_power": tf.pow(beta_1, step),
            "beta2_power": tf.pow(beta_2, step),
            "lr": tf.cast(learning_rate, dtype),
            "beta1": beta_1,
            "beta2": beta_2,
            "epsilon": tf.cast(self.epsilon, dtype),
        }

    def _fused_update(self, gradient, variable, scalars: dict):
        index = self._get_variable_index(variable)
        return tf.raw_ops.ResourceApplyAdam(
            var=variable.handle,
            m=self._momentums[index].handle,
            v=self._velocities[index].handle,
            grad=tf.cast(gradient, variable.dtype),
            **scalars,
        )


class FusedAdam(FusedAdamStep, keras.optimizers.Adam):
    """Keras Adam with a fused update step."""


class FusedAdamW(FusedAdamStep, keras.optimizers.AdamW):
    """Keras AdamW (weight decay applied by Keras) with a fused Adam step."""


class FusedNesterovSGD(keras.optimizers.SGD):
    """Keras SGD with Nesterov momentum as one fused kernel per variable.

    ``ResourceApplyKerasMomentum`` computes Keras' formula: ``m = momentum *
    m - lr * g`` and ``w += momentum * m - lr * g``.
    """

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        return tf.raw_ops.ResourceApplyKerasMomentum(
            var=variable.handle,
            accum=self.momentums[self._get_variable_index(variable)].handle,
            lr=tf.cast(learning_rate, dtype),
            grad=tf.cast(gradient, dtype),
            momentum=tf.cast(self.momentum, dtype),
            use_nesterov=True,
        )


_OPTIMIZERS = {
    "adam": lambda lr: FusedAdam(lr),
    "adamw": lambda lr: FusedAdamW(lr),
    "nadam": lambda lr: keras.optimizers.Nadam(lr),
    "rmsprop": lambda lr: keras.optimizers.RMSprop(lr),
    "sgd": lambda lr: FusedNesterovSGD(lr, momentum=0.9, nesterov=True),
}


class LearningRate(keras.optimizers.schedules.LearningRateSchedule):
    """The learning rate, decayed exponentially per epoch, from variables.

    Keras' ``ExponentialDecay`` (``learning_rate * decay ** (step /
    steps_per_epoch)``, the same operations), but with its three numbers in
    variables rather than graph constants: a pooled trainer (see
    ``_reuse.py``) takes a new fit's learning rate, decay and epoch length
    with :meth:`assign`, without tracing its epoch again. Without decay
    (``decay=1.0``) the power is exactly 1, so the rate is exactly
    ``learning_rate``.
    """

    def __init__(self, learning_rate: float, decay: float = 1.0, steps_per_epoch: int = 1):
        self.initial_learning_rate = keras.Variable(
            learning_rate, dtype="float32", trainable=False, name="initial_learning_rate"
        )
        self.decay_rate = keras.Variable(decay, dtype="float32", trainable=False, name="decay")
        self.decay_steps = keras.Variable(
            max(steps_per_epoch, 1), dtype="float32", trainable=False, name="decay_steps"
        )

    def assign(self, learning_rate: float, decay: float, steps_per_epoch: int) -> None:
        self.initial_learning_rate.assign(learning_rate)
        self.decay_rate.assign(decay)
        self.decay_steps.assign(max(steps_per_epoch, 1))

    def __call__(self, step):
        # A multiplication by the reciprocal: TensorFlow's graph optimiser
        # rewrites Keras' division by a constant into that, and only this
        # form gives its rates bit for bit (all of 2,000 steps; the plain
        # division differed in the last bit at 659 of them).
        progress = ops.cast(step, "float32") * (1.0 / self.decay_steps)
        return ops.multiply(self.initial_learning_rate, ops.power(self.decay_rate, progress))

    def get_config(self) -> dict:
        return {
            "learning_rate": float(self.initial_learning_rate.numpy()),
            "decay": float(self.decay_rate.numpy()),
            "steps_per_epoch": int(self.decay_steps.numpy()),
        }


def make_optimizer(
    name: str,
    learning_rate: float | LearningRate,
    decay: float = 1.0,
    steps_per_epoch: int = 1,
    loss_scale: bool = False,
):
    """Create a Keras optimizer whose rate is a :class:`LearningRate`
    (``learning_rate`` itself if it is one, else one from the three numbers).

    With ``loss_scale`` it is wrapped in Keras' dynamic
    ``LossScaleOptimizer``, which float16 gradients need: float16 has 5
    exponent bits, and small gradients would underflow to zero (bfloat16
    has float32's range and needs no scaling).
    """
    if not isinstance(learning_rate, LearningRate):
        learning_rate = LearningRate(learning_rate, decay, steps_per_epoch)
    optimizer = _OPTIMIZERS[name](learning_rate)
    if loss_scale:
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    if active_strategy() is None:
        _skip_single_replica_all_reduce(optimizer)
        if loss_scale:
            _skip_single_replica_all_reduce(optimizer.inner_optimizer)
    return optimizer


def _skip_single_replica_all_reduce(optimizer) -> None:
    """Drop the optimiser's gradient all-reduce when there is one replica.

    Outside a ``tf.distribute`` strategy, Keras still passes the gradients
    through the default replica context's ``all_reduce``, an identity that
    TensorFlow implements with ``tf.custom_gradient``. Every traced training
    function then registers a gradient function in TensorFlow's global
    registry that is never released (tensorflow/tensorflow#97697), pinning
    the whole traced graph: memory grew by about 3.5 MiB per fit. The
    reduction is the identity on one replica, so it is skipped; under a
    strategy the optimiser keeps it.
    """
    if hasattr(optimizer, "_all_reduce_sum_gradients"):
        optimizer._all_reduce_sum_gradients = lambda grads_and_vars: grads_and_vars


class CsrTensors(NamedTuple):
    """A CSR matrix held as TensorFlow tensors for in-graph batching."""

    indptr: tf.Tensor
    indices: tf.Tensor
    values: tf.Tensor


def is_streamed(X) -> bool:
    """Whether training streams ``X`` instead of copying it into TensorFlow."""
    if isinstance(X, RowView):
        return True
    if sp.issparse(X):
        return X.nnz * _CSR_ENTRY_BYTES > MAX_IN_MEMORY_BYTES
    return X.shape[0] * X.shape[1] * 4 > MAX_IN_MEMORY_BYTES


class RowView:
    """Rows ``index`` (sorted) of ``X``, read only when indexed.

    NumPy's fancy indexing copies: holding out validation rows of a 4 GiB
    memory-mapped array with ``X[index]`` would copy its 3.6 GiB of training
    rows into memory; with this view the whole default fit grew anonymous
    memory by 329 MiB (benchmarks/scaling.py). It supports what streaming
    and batched inference use, ``shape`` and row indexing by slice or
    array, and reads only those rows.
    """

    def __init__(self, X, index: np.ndarray) -> None:
        self.X = X
        self.index = index
        self.shape = (len(index), X.shape[1])
        self.dtype = X.dtype

    def __getitem__(self, rows):
        return self.X[self.index[rows]]


def to_training_data(X):
    """Choose how training reads ``X``.

    Returns a float32 tensor for dense data, :class:`CsrTensors` for sparse
    data, or ``X`` itself when either would exceed ``MAX_IN_MEMORY_BYTES``
    (then it is streamed; see :func:`is_streamed`).
    """
    if is_streamed(X):
        return X
    if sp.issparse(X):
        X = X.tocsr()
        return CsrTensors(
            tf.constant(X.indptr, tf.int64),
            tf.constant(X.indices, tf.int64),
            tf.constant(X.data, tf.float32),
        )
    return tf.convert_to_tensor(np.asarray(X, dtype=np.float32))


class _ReplicaSeedGenerator(keras.random.SeedGenerator):
    """One replica's view of a shared seed generator.

    Replicas run the same program on the same generator state, so they
    would draw identical noise for different rows. Offsetting the seed by
    the replica id gives each replica its own stream, still reproducible.
    It has no state of its own, so it does not call the base ``__init__``.
    """

    def __init__(self, shared, replica_id) -> None:
        self._shared = shared
        self._offset = tf.stack([tf.cast(replica_id, tf.int64) * 7919, tf.constant(0, tf.int64)])

    def next(self, ordered: bool = True):
        return self._shared.next(ordered) + tf.cast(self._offset, self._shared.state.dtype)


def _csr_rows(csr: CsrTensors, rows, n_features: int):
    """Rows ``rows`` of a CSR matrix as a dense float32 tensor (in-graph)."""
    columns = tf.gather(
        tf.RaggedTensor.from_row_splits(csr.indices, csr.indptr, validate=False), rows
    )
    values = tf.gather(
        tf.RaggedTensor.from_row_splits(csr.values, csr.indptr, validate=False), rows
    )
    coordinates = tf.stack([columns.value_rowids(), columns.flat_values], axis=1)
    shape = tf.stack([tf.size(rows, out_type=tf.int64), tf.constant(n_features, tf.int64)])
    # scatter_nd sums duplicate entries, as scipy's toarray does.
    return tf.scatter_nd(coordinates, values.flat_values, shape)


# What a collective operation raises when a peer exits (UnavailableError,
# "Connection reset by peer", within a second) or hangs past the strategy's
# CommunicationOptions(timeout_seconds=...) (DeadlineExceededError).
_COLLECTIVE_ERRORS = (tf.errors.UnavailableError, tf.errors.DeadlineExceededError)


def _worker_lost(epoch: int, error: Exception) -> RuntimeError:
    """The error a worker raises when a collective with its peers failed."""
    # The first line, without TensorFlow's "{{function_node ...}}" prefix.
    reason = re.sub(r"\{\{.*?\}\}\s*", "", str(error).strip().splitlines()[0])
    return RuntimeError(
        f"Distributed training failed in epoch {epoch + 1}: a "
        f"collective operation with the other workers failed ({type(error).__name__}: "
        f"{reason}). Another worker has probably stopped or become unreachable. "
        "TensorFlow cannot run collectives again in this process: stop every worker "
        "and start them all again (fit with warm_start=True from a model saved with "
        "save() to continue from its weights). To bound how long a worker waits for "
        "one that hangs, create the strategy with communication_options="
        "tf.distribute.experimental.CommunicationOptions(timeout_seconds=...)."
    )


def _variable_bytes(variable) -> int:
    return int(np.prod(variable.shape)) * np.dtype(variable.dtype).itemsize


class Trainer:
    """Owns the optimiser and the compiled epoch functions of a network.

    Parameters
    ----------
    network : Network
    optimizer : keras.optimizers.Optimizer
    batch_size : int
    shuffle : bool
    seed : int
        Seeds the shuffling, the corruption noise and the VAE samples.
    loss_unit : float
        The objective's loss is minimised in this unit (see the objectives'
        ``loss_unit``), so the gradients do not depend on the units of X;
        losses are reported back in the objective's own units.
    pool_key : str or None
        The key under which the trainer may be reused by later fits (see
        _reuse.py); None for one that never is.
    learning_rate : LearningRate or None
        The optimiser's schedule, which :meth:`reset` sets to a new fit's
        numbers (needed for a pooled trainer only).
    """

    def __init__(
        self,
        network: Network,
        optimizer,
        batch_size: int,
        shuffle: bool,
        seed: int,
        loss_unit: float = 1.0,
        pool_key: str | None = None,
        learning_rate: LearningRate | None = None,
    ):
        self.network = network
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.loss_unit = float(loss_unit)
        # The compiled epoch reads the unit from a variable, so that a
        # reused trainer (see _reuse.py) trains with the new data's unit.
        self._loss_unit = tf.Variable(self.loss_unit, dtype=tf.float32, trainable=False)
        # Trains under the strategy the network's variables belong to.
        self.strategy = network.strategy
        self._n_replicas = self.strategy.num_replicas_in_sync if self.strategy else 1
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._rng = np.random.default_rng(seed)
        self._variables = network.trainable_variables
        optimizer.build(self._variables)
        self.pool_key = pool_key
        # What reset() returns the optimiser to; only a pooled trainer is reset.
        self._initial_optimizer_state = (
            [variable.numpy() for variable in optimizer.variables] if pool_key else None
        )
        self._n_features = network.encoder.input.shape[-1]
        # The column means that stand in for missing values; None while the
        # training rows have none (see set_fill).
        self._fill = None
        self.masked = False

    def set_fill(self, fill: np.ndarray | None) -> None:
        """Train on rows with missing values (NaN) filled by ``fill``, with
        the loss over observed entries, or (None) on complete rows.

        Complete rows take the epoch functions without a mask, so their
        fits run exactly the operations they ran before masks existed.
        """
        self.masked = fill is not None
        if fill is None:
            return
        if self._fill is None:
            self._fill = tf.Variable(tf.zeros([self._n_features]), trainable=False)
        self._fill.assign(np.asarray(fill, dtype=np.float32))

    def nbytes(self) -> int:
        """Bytes held in variables: network, remembered initial values, optimiser."""
        network = sum(_variable_bytes(v) for v in self.network.variables)
        remembered = network if self.network.has_initial_state else 0
        return network + remembered + sum(_variable_bytes(v) for v in self.optimizer.variables)

    def reset(self, seed: int, loss_unit: float, learning_rate: tuple[float, float, int]) -> None:
        """Return to the state of a new trainer with ``seed``, ``loss_unit``
        and ``learning_rate`` (the rate, its decay and the steps per epoch).

        For a pooled trainer (see _reuse.py) whose network was restarted:
        the optimiser goes back to its initial state, and the seeds, the
        loss unit and the learning rate are the new fit's, so the compiled
        functions traced for this trainer train the new fit exactly as new
        ones would.
        """
        for variable, value in zip(
            self.optimizer.variables, self._initial_optimizer_state, strict=True
        ):
            variable.assign(value)
        self.learning_rate.assign(*learning_rate)
        self.seed_generator.state.assign(keras.random.SeedGenerator(seed).state.value)
        self._rng = np.random.default_rng(seed)
        self.loss_unit = float(loss_unit)
        self._loss_unit.assign(self.loss_unit)

    # Concrete functions with fixed signatures: one trace per Trainer,
    # whatever the number of rows, and no per-call argument matching. The
    # loop is an explicit tf.while_loop, so tracing skips AutoGraph's
    # conversion of every function the step calls (objectives, layers).
    @functools.cached_property
    def _dense_epoch(self):
        return self._trace_dense_epoch(masked=False)

    @functools.cached_property
    def _masked_dense_epoch(self):
        return self._trace_dense_epoch(masked=True)

    def _trace_dense_epoch(self, masked: bool):
        spec = tf.TensorSpec([None, self._n_features], tf.float32)
        return tf.function(
            lambda x: self._epoch(tf.shape(x)[0], lambda rows: tf.gather(x, rows), masked),
            autograph=False,
        ).get_concrete_function(spec)

    @functools.cached_property
    def _sparse_epoch(self):
        def epoch(indptr, indices, values):
            csr = CsrTensors(indptr, indices, values)
            return self._epoch(
                tf.size(indptr) - 1, lambda rows: _csr_rows(csr, rows, self._n_features)
            )

        return tf.function(epoch, autograph=False).get_concrete_function(
            tf.TensorSpec([None], tf.int64),
            tf.TensorSpec([None], tf.int64),
            tf.TensorSpec([None], tf.float32),
        )

    def _step(self, x, masked: bool = False):
        """One optimiser step on batch ``x``; returns its loss summed over rows."""
        if self.strategy is None:
            return self._replica_step(x, masked)
        per_replica = self.strategy.run(self._replica_step, args=(x, masked))
        return self.strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

    def _replica_step(self, x, masked: bool = False):
        """The step of one replica, on its contiguous share of batch ``x``.

        Each replica's mean loss is weighted by its share of the rows and the
        penalty is divided between replicas, so the optimiser's sum of the
        replicas' gradients is the gradient of the whole batch's loss, as on
        one device. ``masked``: ``x`` has NaN holes, filled here, and the
        loss counts observed entries only.
        """
        n_rows = tf.shape(x)[0]
        seed = self.seed_generator
        if self.strategy is not None:
            replica = tf.distribute.get_replica_context().replica_id_in_sync_group
            first = replica * n_rows // self._n_replicas
            x = x[first : (replica + 1) * n_rows // self._n_replicas]
            seed = _ReplicaSeedGenerator(seed, replica)
        share = tf.cast(tf.shape(x)[0], tf.float32) / tf.cast(n_rows, tf.float32)
        # Only masked steps pass observed=, so objectives written without it
        # still train on complete rows.
        mask = {}
        if masked:
            present = tf.logical_not(tf.math.is_nan(x))
            x = filled_batch(self.network, x, present, self._fill)
            mask["observed"] = tf.cast(present, x.dtype)
        with tf.GradientTape() as tape:
            per_sample = self.network.objective.training_loss(
                self.network.encoder, self.network.decoder, x, seed, self._loss_unit, **mask
            )
            loss = (
                tf.reduce_mean(per_sample) * share
                + self.network.regularization_loss() / self._n_replicas
            )
            # The identity, except under a LossScaleOptimizer (mixed_float16),
            # whose apply() divides the gradients by the same scale again.
            scaled = self.optimizer.scale_loss(loss)
        gradients = tape.gradient(scaled, self._variables)
        self.optimizer.apply(gradients, self._variables)
        return loss * tf.cast(n_rows, tf.float32)

    def _epoch(self, n_samples, take, masked: bool = False):
        """One pass over ``n_samples`` rows; ``take(rows)`` builds a batch
        (with NaN holes if ``masked``)."""
        order = tf.range(n_samples)
        if self.shuffle:
            order = keras.random.shuffle(order, seed=self.seed_generator)
        n_batches = (n_samples + self.batch_size - 1) // self.batch_size
        if self._n_replicas > 1:
            # A last batch smaller than the number of replicas would leave a
            # replica without rows (NaN batch statistics): skip those few
            # rows this epoch; shuffling trains on them in other epochs.
            remainder = n_samples % self.batch_size
            short = tf.cast((remainder > 0) & (remainder < self._n_replicas), n_samples.dtype)
            n_batches -= short
            n_samples -= short * remainder

        def step(b, total):
            batch = take(order[b * self.batch_size : (b + 1) * self.batch_size])
            return b + 1, total + self._step(batch, masked)

        initial = (tf.zeros_like(n_batches), tf.constant(0.0))
        _, total = tf.while_loop(lambda b, _: b < n_batches, step, initial)
        return total / tf.cast(n_samples, tf.float32)

    def _dense_epoch_function(self):
        return self._masked_dense_epoch if self.masked else self._dense_epoch

    def _stream_epoch(self, X) -> float:
        n_samples = X.shape[0]
        order = self._rng.permutation(n_samples) if self.shuffle else np.arange(n_samples)
        batches_per_chunk = max(1, STREAM_CHUNK_BYTES // (4 * self._n_features * self.batch_size))
        chunk_rows = batches_per_chunk * self.batch_size
        total = 0.0
        for first in range(0, n_samples, chunk_rows):
            # Sorted rows read memory-mapped or sparse data sequentially; the
            # compiled epoch reshuffles them within the chunk.
            rows = np.sort(order[first : first + chunk_rows])
            chunk = as_float32_batch(X[rows], 0, len(rows))
            total += float(self._dense_epoch_function()(chunk)) * len(rows)
        return total / n_samples

    def run_epoch(self, data, epoch: int) -> float:
        """Train one epoch over ``data``; returns the mean training loss.

        ``data`` is what :func:`to_training_data` returned.
        """
        self.network.objective.on_epoch_begin(epoch)
        try:
            if isinstance(data, tf.Tensor):
                loss = float(self._dense_epoch_function()(data))
            elif isinstance(data, CsrTensors):
                loss = float(self._sparse_epoch(*data))
            else:
                loss = self._stream_epoch(data)
        except _COLLECTIVE_ERRORS as error:
            if self.strategy is None:
                raise
            raise _worker_lost(epoch, error) from error
        finally:
            self.network.weights_changed()
        return loss * self.loss_unit


@dataclass
class History:
    """What happened during one call to :func:`train`."""

    losses: list[float] = field(default_factory=list)
    validation_scores: list[float] = field(default_factory=list)
    best_score: float = -np.inf
    interrupted: bool = False
    # Whether n_iter_no_change ended training (rather than max_iter).
    converged: bool = False
    # Whether a callback set model.stop_training.
    stopped: bool = False
    # Whether the network ended with its weights from before the first
    # epoch (restored because no epoch beat them, and no callback restored
    # others): an init="pca" network is then exactly its PCA start.
    kept_start: bool = False


def _validation_score(network: Network, X) -> float:
    if isinstance(X, IncompleteRows):
        return float(np.mean(X.apply(network, "monitored", np.float64)))
    return float(np.mean(network.apply("monitored", X, np.float64)))


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
    record_start: bool = False,
    verbose: int = 0,
    callbacks: list | None = None,
) -> History:
    """Run up to ``max_iter`` epochs with sklearn MLP-style stopping rules.

    Training stops when the monitored score (the validation score when
    ``validation_data`` is given, else minus the training loss) has not
    improved by at least ``tol`` for ``n_iter_no_change`` epochs
    (``None`` disables stopping). With validation data the network before
    the first epoch is a candidate too: its score is the one to beat, and
    ``restore_best_weights`` returns to it when no epoch beats it (with
    ``record_start`` its score is the first of ``validation_scores``). A NaN
    or infinite loss raises :class:`DivergenceError`. ``KeyboardInterrupt``
    ends training early with a warning and keeps the weights reached so far.
    ``callbacks`` (Keras callbacks) get the epoch hooks, and the batch hooks
    once per epoch (see :mod:`skae._callbacks`); one that sets
    ``model.stop_training`` ends training after the epoch.
    """
    history = History()
    best_weights = None
    best_is_start = False
    epochs_without_improvement = 0
    network = trainer.network
    progress = Progress(verbose, epoch_offset, epoch_offset + max_iter)
    start_logs = {}
    if validation_data is not None:
        history.best_score = _validation_score(network, validation_data)
        if record_start:
            history.validation_scores.append(history.best_score)
        if restore_best_weights:
            best_weights = network.get_weights()
            best_is_start = True
        start_logs["val_loss"] = -history.best_score
    progress.begin(start_logs)
    steps = -(-_n_rows(data) // trainer.batch_size)
    hooks = callback_list(
        callbacks or [], network, trainer.optimizer, epoch_offset + max_iter, steps
    )
    if hooks is not None:
        hooks.on_train_begin()
    stop_message = None
    try:
        for epoch in range(epoch_offset, epoch_offset + max_iter):
            began = time.perf_counter()
            if hooks is not None:
                hooks.on_epoch_begin(epoch)
                hooks.on_train_batch_begin(0)
            try:
                loss = trainer.run_epoch(data, epoch)
            except KeyboardInterrupt:
                warn(
                    f"Training interrupted during epoch {epoch + 1}; keeping the "
                    "weights reached so far. Fit again with warm_start=True to "
                    "continue.",
                    RuntimeWarning,
                )
                history.interrupted = True
                break
            if hooks is not None:
                # TerminateOnNaN reads the loss here.
                hooks.on_train_batch_end(steps - 1, {"loss": loss})
            if not np.isfinite(loss):
                progress.end()
                if hooks is not None:
                    # Loggers close their files; the fit itself fails.
                    hooks.on_train_end({"loss": loss})
                raise DivergenceError(
                    f"Training diverged at epoch {epoch + 1}: the loss became {loss}. "
                    "Try a smaller learning_rate, scaling the inputs (for example "
                    "with StandardScaler or MinMaxScaler), or a smaller network."
                )
            history.losses.append(loss)
            logs = {"loss": loss}
            val_score = None
            if validation_data is not None:
                val_score = _validation_score(network, validation_data)
                history.validation_scores.append(val_score)
                logs["val_loss"] = -val_score
            progress.epoch_end(epoch + 1, logs, time.perf_counter() - began)
            if hooks is not None:
                hooks.on_epoch_end(epoch, dict(logs))
            monitored = -loss if val_score is None else val_score
            # As in MLPRegressor: any improvement is the best model so far, only
            # one of at least tol resets the patience.
            if restore_best_weights and val_score is not None and monitored > history.best_score:
                best_weights = network.get_weights()
                best_is_start = False
            if monitored > history.best_score + tol:
                epochs_without_improvement = 0
            else:
                epochs_without_improvement += 1
            history.best_score = max(history.best_score, monitored)
            if hooks is not None and hooks.model.stop_training:
                history.stopped = True
                stop_message = f"A callback stopped training after epoch {epoch + 1}."
                break
            if n_iter_no_change is not None and epochs_without_improvement >= n_iter_no_change:
                history.converged = True
                stop_message = (
                    f"No improvement of at least tol={tol:.3g} for {n_iter_no_change} "
                    "epochs; stopping."
                )
                break
        progress.end(stop_message)
        if best_weights is not None:
            network.set_weights(best_weights)
            history.kept_start = best_is_start and hooks is None
        if hooks is not None:
            # After skae's own restore: a callback's restore (EarlyStopping's
            # restore_best_weights) is the user's explicit choice and wins.
            hooks.on_train_end(dict(logs) if history.losses else {})
            network.weights_changed()
    finally:
        release(hooks)
    return history


def _n_rows(data) -> int:
    """Rows of what :func:`to_training_data` returned."""
    if isinstance(data, CsrTensors):
        return int(data.indptr.shape[0]) - 1
    return int(data.shape[0])
