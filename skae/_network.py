"""The fitted network: Keras encoder and decoder plus batched inference."""

from __future__ import annotations

import keras
import numpy as np
import scipy.sparse as sp
import tensorflow as tf

from ._layers import LayerFactory

# Rows per inference call: large enough to amortise the call overhead,
# small enough that the working set stays a few tens of MiB for wide rows.
INFERENCE_BATCH_SIZE = 8192
# Inside a call, rows go through the network in zero-padded blocks of exactly
# this many rows. CPU matrix kernels round differently for different row
# counts, so a fixed block makes each row's result independent of which
# other rows share the call (subset and sample-order invariance).
INFERENCE_BLOCK_ROWS = 64


def _blockwise(body, width: int):
    """Compile ``body`` so that it only ever sees fixed-size row blocks."""

    def blocked(x):
        n_rows = tf.shape(x)[0]
        n_blocks = (n_rows + INFERENCE_BLOCK_ROWS - 1) // INFERENCE_BLOCK_ROWS
        padded = tf.pad(x, [[0, n_blocks * INFERENCE_BLOCK_ROWS - n_rows], [0, 0]])
        blocks = tf.reshape(padded, [n_blocks, INFERENCE_BLOCK_ROWS, width])
        out = tf.map_fn(body, blocks, parallel_iterations=2)
        out_shape = tf.concat([[n_blocks * INFERENCE_BLOCK_ROWS], tf.shape(out)[2:]], 0)
        return tf.reshape(out, out_shape)[:n_rows]

    spec = tf.TensorSpec([None, width], tf.float32)
    return tf.function(blocked, input_signature=[spec])


def as_float32_batch(X, start: int, stop: int) -> np.ndarray:
    """Rows ``start:stop`` of a dense or sparse matrix as a float32 array."""
    batch = X[start:stop]
    if sp.issparse(batch):
        batch = batch.toarray()
    return np.asarray(batch, dtype=np.float32)


class Network:
    """Encoder, decoder and objective of one fitted estimator.

    Parameters
    ----------
    encoder : keras.Model
        Maps rows to a dict of code tensors (``"code"`` plus whatever else
        the objective needs, e.g. ``"log_var"``).
    decoder : keras.Model
        Maps codes to pre-activation reconstructions.
    objective : object
        The objective that built the code heads.
    extra_variables : list of keras.Variable
        Trainable variables owned by the objective rather than a layer.
    """

    def __init__(self, encoder, decoder, objective, extra_variables) -> None:
        self.encoder = encoder
        self.decoder = decoder
        self.objective = objective
        self.extra_variables = list(extra_variables)
        self._compiled = {}

    @classmethod
    def build(
        cls,
        architecture,
        objective,
        n_features: int,
        n_components: int,
        seed: int,
        l2: float = 0.0,
    ) -> Network:
        """Build encoder and decoder functionally from the two components."""
        layers = LayerFactory(seed, l2)
        inputs = keras.Input((n_features,), name="inputs")
        features = architecture.encode(inputs, layers)
        heads = objective.code_heads(features, n_components, layers)
        encoder = keras.Model(inputs, heads, name="encoder")
        code = keras.Input((n_components,), name="code_inputs")
        decoder = keras.Model(
            code, architecture.decode(code, n_features, layers), name="decoder"
        )
        return cls(encoder, decoder, objective, objective.extra_variables(n_features))

    # -- weights ------------------------------------------------------------
    @property
    def trainable_variables(self) -> list:
        return (
            self.encoder.trainable_variables
            + self.decoder.trainable_variables
            + self.extra_variables
        )

    def regularization_loss(self):
        losses = self.encoder.losses + self.decoder.losses
        return tf.add_n(losses) if losses else tf.constant(0.0)

    def get_weights(self) -> list[np.ndarray]:
        extra = [np.array(v.numpy()) for v in self.extra_variables]
        return self.encoder.get_weights() + self.decoder.get_weights() + extra

    def set_weights(self, weights: list[np.ndarray]) -> None:
        n_enc = len(self.encoder.weights)
        n_dec = len(self.decoder.weights)
        if len(weights) != n_enc + n_dec + len(self.extra_variables):
            raise ValueError(
                f"Expected {n_enc + n_dec + len(self.extra_variables)} weight "
                f"arrays, got {len(weights)}."
            )
        self.encoder.set_weights(weights[:n_enc])
        self.decoder.set_weights(weights[n_enc : n_enc + n_dec])
        for variable, value in zip(self.extra_variables, weights[n_enc + n_dec :], strict=False):
            variable.assign(value)

    # -- compiled inference -------------------------------------------------
    def _function(self, name: str):
        """A compiled, shape-polymorphic tf.function per inference method."""
        if name not in self._compiled:
            width = {
                "encode": self.encoder.input.shape[-1],
                "encode_std": self.encoder.input.shape[-1],
                "score": self.encoder.input.shape[-1],
                "decode": self.decoder.input.shape[-1],
            }[name]
            body = {
                "encode": lambda x: self.encoder(x, training=False)["code"],
                "encode_std": lambda x: tf.exp(
                    0.5 * self.encoder(x, training=False)["log_var"]
                ),
                "score": lambda x: self.objective.score_samples(self, x),
                "decode": lambda z: self.objective.to_input_space(
                    self.decoder(z, training=False)
                ),
            }[name]
            self._compiled[name] = _blockwise(body, width)
        return self._compiled[name]

    def apply(self, name: str, X, dtype) -> np.ndarray:
        """Run compiled method ``name`` over ``X`` in bounded-size batches."""
        function = self._function(name)
        n_samples = X.shape[0]
        out = None
        for start in range(0, max(n_samples, 1), INFERENCE_BATCH_SIZE):
            stop = min(start + INFERENCE_BATCH_SIZE, n_samples)
            result = function(as_float32_batch(X, start, stop)).numpy()
            if out is None:
                out = np.empty((n_samples, *result.shape[1:]), dtype=dtype)
            out[start:stop] = result
        return out
