"""The fitted network: Keras encoder and decoder plus batched inference."""

from __future__ import annotations

# First: TensorFlow without its start-up notices (see _startup.py).
from . import _startup  # noqa: F401  # isort: skip

import keras
import numpy as np
import scipy.sparse as sp
import tensorflow as tf
from keras import tree

from ._layers import (
    MAX_SEED,
    FixedProjection,
    FixedScale,
    LayerFactory,
    LinearReconstruction,
    NestedDropout,
    RateDropout,
    Standardize,
)
from ._shared import rows_per_block

# Rows per inference call: large enough to amortise the call overhead,
# small enough that the working set stays a few tens of MiB. A multiple of
# INFERENCE_BLOCK_ROWS.
# Wide rows take fewer, whole blocks (_shared.BLOCK_BYTES of float32 rows in
# or out: 8,192 rows up to 2,048 features, 320 of 50,000; by rows alone,
# transforming 3,000 synthetic TF-IDF rows of 50,000 features raised the peak
# memory of the process by 2 GB).
INFERENCE_BATCH_SIZE = 8192
# Rows go through the network in zero-padded blocks of exactly this many
# rows. CPU matrix kernels round differently for different row counts (and,
# for some counts, for different positions in the block), so a fixed block
# makes each row's result independent of which other rows share the call
# (subset and sample-order invariance). 64 rows is position-independent for
# the layer widths we measured; 8, 32 and 128 are not.
INFERENCE_BLOCK_ROWS = 64
# Calls of at most this many rows may go through a block this small: on the
# default digits network one compiled call of 4 rows took 0.28 ms against
# 0.39 ms for 64, about a tenth of a one-row transform. Whether its rows
# equal those of a 64-row block depends on the layer shapes (on the digits
# network they do; on the MNIST network blocks of 1, 4 and 16 rows do not;
# see benchmarks/inference_blocks.py), so each compiled function checks,
# again whenever the weights change.
SMALL_BLOCK_ROWS = 4


class _BlockFunction:
    """``body`` compiled for one block, for a stack of blocks, and for a
    small block.

    The block and stack paths run the identical computation on every
    ``INFERENCE_BLOCK_ROWS``-row block, so a row gets the same result
    whichever it takes; the single-block path skips the loop, which is most
    of the cost of transforming one row. Calls of at most
    ``SMALL_BLOCK_ROWS`` rows take the small block only while it has been
    found to give the full block's rows bit for bit. Each path is a
    concrete function with a fixed input signature, traced on first use:
    calling it skips tf.function's argument matching.
    """

    def __init__(self, body, width: int) -> None:
        self._body = body
        self._width = width
        self._call_block = None
        self._call_small = None
        # Whether the small block gives the full block's rows at the current
        # weights: None until checked.
        self._small_block_matches = None
        self._call_stack = None

    def __call__(self, blocks: np.ndarray, n_rows: int) -> np.ndarray:
        """Apply the body to ``(k, block, width)`` zero-padded blocks holding
        ``n_rows`` rows; returns at least the first ``n_rows`` rows."""
        if blocks.shape[0] == 1:
            # An explicit tensor skips the function's own argument conversion,
            # about 45 us of a 0.6 ms one-row call.
            if 0 < n_rows <= SMALL_BLOCK_ROWS and self._small_block_serves():
                return self._call_small(tf.constant(blocks[0, :SMALL_BLOCK_ROWS])).numpy()
            return self._block_call()(tf.constant(blocks[0])).numpy()
        if self._call_stack is None:
            spec = tf.TensorSpec([None, INFERENCE_BLOCK_ROWS, self._width], tf.float32)
            stacked = tf.function(
                lambda x: tf.map_fn(self._body, x, parallel_iterations=2), autograph=False
            )
            self._call_stack = stacked.get_concrete_function(spec)
        out = self._call_stack(tf.constant(blocks)).numpy()
        return out.reshape(-1, *out.shape[2:])

    def weights_changed(self) -> None:
        """Check the small block again before its next use: a check on other
        weights can pass by chance (output layers at zero, as at the PCA
        start, hide rounding differences upstream)."""
        self._small_block_matches = None

    def _trace(self, n_rows: int):
        """The fastest entry point of the body's concrete function of ``n_rows`` rows."""
        spec = tf.TensorSpec([n_rows, self._width], tf.float32)
        function = tf.function(self._body, autograph=False).get_concrete_function(spec)
        return _fastest_call(function, spec)

    def _block_call(self):
        """The full block's entry point, traced on first use."""
        if self._call_block is None:
            self._call_block = self._trace(INFERENCE_BLOCK_ROWS)
        return self._call_block

    def _small_block_serves(self) -> bool:
        """Whether the small block gives the full block's rows, checked on
        random rows at every position of a full block."""
        if self._small_block_matches is None:
            if self._call_small is None:
                self._call_small = self._trace(SMALL_BLOCK_ROWS)
            rows = np.random.default_rng(0).standard_normal(
                (INFERENCE_BLOCK_ROWS, self._width), dtype=np.float32
            )
            self._small_block_matches = gives_block_rows(
                self._call_small, SMALL_BLOCK_ROWS, self._block_call(), rows
            )
        return self._small_block_matches


def gives_block_rows(call, n_rows: int, block_call, rows: np.ndarray) -> bool:
    """Whether ``call`` on each ``n_rows``-row slice of the full block ``rows``
    returns, bit for bit, the rows ``block_call`` gives for that slice.

    Non-finite results prove nothing, so they count as a mismatch.
    """
    expected = block_call(tf.constant(rows)).numpy()
    return bool(np.isfinite(expected).all()) and all(
        np.array_equal(call(tf.constant(rows[i : i + n_rows])).numpy(), expected[i : i + n_rows])
        for i in range(0, len(rows), n_rows)
    )


def _fastest_call(function, spec: tf.TensorSpec):
    """The flat entry point of concrete ``function`` of ``spec``, else the function.

    The flat entry point skips the argument binding of a call, about 0.12 ms
    of a 1 ms one-row transform on the digits network. It is private to
    TensorFlow, so it is used only if it exists and returns the public
    call's result on a zero block.
    """

    def flat(x):
        return function._call_flat([x], function.captured_inputs)

    probe = tf.zeros(spec.shape, spec.dtype)
    try:
        if np.array_equal(flat(probe).numpy(), function(probe).numpy()):
            return flat
    except (AttributeError, TypeError):
        pass
    return function


def _batch_rows(width: int) -> int:
    """Rows per inference call for float32 rows of ``width`` values (in or
    out): ``INFERENCE_BATCH_SIZE``, or as many whole blocks as fit in a
    block of rows (at least one). Each block gives the same rows whichever
    call holds it, so this changes no result."""
    fitting = rows_per_block(4 * width, INFERENCE_BATCH_SIZE)
    if fitting >= INFERENCE_BATCH_SIZE:
        return INFERENCE_BATCH_SIZE
    return max(INFERENCE_BLOCK_ROWS, fitting // INFERENCE_BLOCK_ROWS * INFERENCE_BLOCK_ROWS)


def _padded_blocks(X, first: int, stop: int) -> np.ndarray:
    """Rows ``first:stop`` as float32 zero-padded blocks of shape (k, block, width)."""
    n_rows = stop - first
    n_blocks = max(1, -(-n_rows // INFERENCE_BLOCK_ROWS))
    blocks = np.zeros((n_blocks * INFERENCE_BLOCK_ROWS, X.shape[1]), dtype=np.float32)
    blocks[:n_rows] = as_float32_batch(X, first, stop)
    return blocks.reshape(n_blocks, INFERENCE_BLOCK_ROWS, X.shape[1])


class _EmptyStart:
    """Stands in for a LinearStart while a network is rebuilt before its
    weights are loaded: every fixed weight starts at zero."""

    mean = scale = encoding_matrix = decoding_matrix = None

    def code_scale(self, whiten: bool) -> None:
        return None


def _fixed_values(start, objective, whiten: bool) -> dict:
    """The weights of each fixed layer of the PCA path, by role, at ``start``
    (``None``: zeros, for a network whose weights are loaded next); codes
    whitened when ``whiten`` or the objective asks for it."""
    values = start or _EmptyStart()
    scale = values.code_scale(whiten or objective.whiten_codes)
    return {
        "standardize": {"mean": values.mean, "scale": values.scale},
        "encode": {"kernel": values.encoding_matrix},
        "code_scale": {"factor": scale},
        "code_unscale": {"factor": scale},
        "decode": {"kernel": values.decoding_matrix},
        "reconstruction": {"mean": values.mean, "scale": values.scale},
    }


def _as_float32(outputs):
    """``outputs`` (a tensor or a dict of them) with float32 values, so that
    losses, codes and reconstructions are float32 under a mixed policy."""
    if isinstance(outputs, dict):
        return {name: _as_float32(output) for name, output in outputs.items()}
    if outputs.dtype == "float32":
        return outputs
    return keras.layers.Activation("linear", dtype="float32")(outputs)


def active_strategy():
    """The ``tf.distribute`` strategy in scope, or None outside any scope."""
    return tf.distribute.get_strategy() if tf.distribute.has_strategy() else None


def as_float32_batch(X, first: int, stop: int) -> np.ndarray:
    """Rows ``first:stop`` of a dense or sparse matrix as a float32 array."""
    batch = X[first:stop]
    if sp.issparse(batch):
        batch = batch.toarray()
    return np.asarray(batch, dtype=np.float32)


# The order of get_weights: 2 since the VAE's variables live in the layers
# below (see Network.set_weights).
WEIGHTS_LAYOUT = 2
# Layers holding variables that layout 1 kept outside the models, in the
# order it stored them.
LEGACY_LAYERS = ("code_prior", "observation_noise")


class Network:
    """Encoder, decoder and objective of one fitted estimator.

    Parameters
    ----------
    encoder : keras.Model
        Maps rows to the objective's dict of code tensors (``"code"`` plus
        whatever else the objective needs).
    decoder : keras.Model
        Maps codes to pre-activation reconstructions.
    objective : BaseObjective
        The objective that built the code heads. The network knows only the
        ``"code"`` head; it adds ``"latent"``, the whitened code, when it
        has a PCA path.
    """

    def __init__(self, encoder, decoder, objective) -> None:
        self.encoder = encoder
        self.decoder = decoder
        self.objective = objective
        # The tf.distribute strategy the variables were created under.
        self.strategy = active_strategy()
        # The estimator parameters it was built from (set by the estimator).
        self.params: dict = {}
        self._compiled = {}
        # Reads every weight in one call (see get_weights); traced on the
        # second read.
        self._read_weights = None
        self._read_before = False
        # The fixed layers of the PCA path by role (empty without one).
        self._fixed: dict = {}
        # (seed, initial values) once remember_initial_state was called.
        self._initial_state = None
        # The L2 penalty of every kernel (None without one), whose weight a
        # restart sets to the new fit's alpha.
        self._penalty = None

    @classmethod
    def build(
        cls,
        architecture,
        objective,
        n_features: int,
        n_components: int,
        seed: int,
        l2: float = 0.0,
        *,
        pca_path: bool = False,
        start=None,
        whiten: bool = False,
        nested_dropout: float = 0.0,
        dtype_policy: str = "float32",
    ) -> Network:
        """Build encoder and decoder functionally from the two components.

        With ``pca_path`` the network gets the fixed linear path of
        :mod:`skae._linear`, initialised from ``start`` (a
        :class:`~skae._linear.LinearStart`; ``None`` leaves zeros, for a
        network whose weights are loaded next), with whitened codes if
        ``whiten``. With ``nested_dropout`` > 0 (and at least two codes) the
        decoder reads its codes through :class:`~skae._layers.NestedDropout`,
        which orders them during training. ``dtype_policy`` is the Keras
        dtype policy of the architecture's and the objective's layers; the
        fixed PCA path and every output stay float32.
        """
        layers = LayerFactory(seed, l2, zero_outputs=pca_path, dtype_policy=dtype_policy)
        inputs = keras.Input((n_features,), name="inputs")
        code = keras.Input((n_components,), name="code_inputs")
        decoder_code = code
        if nested_dropout > 0 and n_components > 1:
            # Its own seed, not one drawn from the factory: the other layers'
            # seeds stay those of a network without it.
            layer_seed = int(np.random.default_rng([seed, 1]).integers(MAX_SEED))
            decoder_code = NestedDropout(nested_dropout, seed=layer_seed)(code)
        fixed = {}
        if not pca_path:
            features = architecture.encode(inputs, layers)
            heads = objective.code_heads(features, n_components, layers)
            outputs = architecture.decode(decoder_code, n_features, layers)
        else:
            heads, outputs, fixed = cls._pca_path(
                architecture, objective, inputs, decoder_code, layers, start, whiten
            )
        outputs = objective.decoder_output(outputs, start)
        encoder = keras.Model(inputs, _as_float32(heads), name="encoder")
        decoder = keras.Model(code, _as_float32(outputs), name="decoder")
        network = cls(encoder, decoder, objective)
        network._penalty = layers.regularizer
        network._fixed = fixed
        return network

    @staticmethod
    def _pca_path(architecture, objective, inputs, code, layers, start, whiten):
        """Encoder heads, decoder output and fixed layers around a fixed PCA path."""
        n_features, n_components = inputs.shape[-1], code.shape[-1]
        values = _fixed_values(start, objective, whiten)
        fixed = {
            "standardize": Standardize(n_features, **values["standardize"]),
            "encode": FixedProjection(n_features, n_components, **values["encode"]),
            "code_scale": FixedScale(n_components, **values["code_scale"]),
            "code_unscale": FixedScale(n_components, **values["code_unscale"], inverse=True),
            "decode": FixedProjection(n_components, n_features, **values["decode"]),
            "reconstruction": LinearReconstruction(
                n_features, objective.output_space, **values["reconstruction"]
            ),
        }
        standardized = fixed["standardize"](inputs)
        linear = fixed["encode"](standardized)
        features = architecture.encode(standardized, layers)
        heads = objective.code_heads(features, n_components, layers, start, linear)
        heads["latent"] = heads["code"]
        heads["code"] = fixed["code_scale"](heads["code"])
        latent = objective.decoder_input(fixed["code_unscale"](code))
        residual = architecture.decode(latent, n_features, layers)
        output = fixed["reconstruction"](fixed["decode"](latent), residual)
        return heads, output, fixed

    @property
    def n_features(self) -> int:
        """Width of the input rows."""
        return self.encoder.input.shape[-1]

    @property
    def n_components(self) -> int:
        """Width of the code."""
        return self.decoder.input.shape[-1]

    # -- restarting a pooled network (see _reuse.py) --------------------------
    def remember_initial_state(self, seed: int) -> None:
        """Keep the variables' initial values, built from ``seed``, so that
        :meth:`restart` can return to them without building the network."""
        self._initial_state = (seed, [np.array(v.numpy()) for v in self.variables])

    @property
    def has_initial_state(self) -> bool:
        """Whether :meth:`remember_initial_state` was called."""
        return self._initial_state is not None

    def can_restart(self, seed: int) -> bool:
        """Whether :meth:`restart` gives exactly what a build from ``seed`` would.

        Only the network's own fixed layers may hold the PCA start: an
        objective that initialises weights from it (``start_dependent_weights``)
        needs a new build for every start.
        """
        return (
            self.has_initial_state
            and self._initial_state[0] == seed
            and not self.objective.start_dependent_weights
        )

    def restart(self, start, whiten: bool) -> None:
        """Return to the remembered initial values, at PCA start ``start``
        (whitened codes if ``whiten``)."""
        for variable, value in zip(self.variables, self._initial_state[1], strict=True):
            variable.assign(value)
        if self._fixed:
            self.set_start(start, whiten)
        self.weights_changed()

    def set_start(self, start, whiten: bool) -> None:
        """Move the fixed PCA path to PCA start ``start`` (whitened codes if
        ``whiten``), keeping the trained weights: partial_fit's update of
        the start with each new chunk."""
        for name, weights in _fixed_values(start, self.objective, whiten).items():
            self._fixed[name].set_values(weights)
        self.objective.follow_start(start)
        self.weights_changed()

    def restart_from(self, network: Network) -> None:
        """Take the variables (and remembered initial values) of ``network``,
        a freshly built network of the same structure."""
        for target, value in zip(self.variables, network.variables, strict=True):
            if target.shape != value.shape:
                raise ValueError(f"cannot restart with variable {value.path} of another shape")
            target.assign(value)
        self._initial_state = network._initial_state
        self.weights_changed()

    def take_params(self, params: dict, objective, dropout: float | None) -> None:
        """Train from now on with ``params`` (of the same graph: see
        :func:`skae._reuse.graph_changes`), ``objective`` (built from them)
        and ``dropout``, the rate of every dropout layer of the architecture
        (``None``: keep each layer's).

        Records ``params``, sets the penalty's weight to their ``alpha``,
        the nested dropout rate to their ``nested_dropout``, and the
        objective's numbers to ``objective``'s (see
        :meth:`~skae._objectives.BaseObjective.take_values`).
        """
        self.params = params
        if self._penalty is not None:
            self._penalty.l2.assign(params["alpha"])
        rates = {NestedDropout: params.get("nested_dropout"), RateDropout: dropout}
        for layer in self.encoder.layers + self.decoder.layers:
            rate = rates.get(type(layer))
            if rate is not None:
                layer.set_rate(rate)
        self.objective.take_values(objective)
        # What take_values does not take must already be equal: a number a
        # new objective reads as a constant would otherwise train silently
        # with the pooled network's value.
        stale = [
            name
            for name, value in vars(objective).items()
            if not name.startswith("_") and getattr(self.objective, name, None) != value
        ]
        if stale:
            raise RuntimeError(
                f"{type(objective).__name__}.take_values does not take {', '.join(stale)}: "
                "read them from variables there, or keep them in the pool's key "
                "(skae._reuse)."
            )

    # -- weights ------------------------------------------------------------
    @property
    def trainable_variables(self) -> list:
        return self.encoder.trainable_variables + self.decoder.trainable_variables

    @property
    def variables(self) -> list:
        """Every variable: weights, fixed PCA weights, layer seeds."""
        return self.encoder.variables + self.decoder.variables

    def regularization_loss(self):
        losses = self.encoder.losses + self.decoder.losses
        return tf.add_n(losses) if losses else tf.constant(0.0)

    @property
    def weights(self) -> list:
        """The encoder's weights, then the decoder's (not the layer seeds)."""
        return self.encoder.weights + self.decoder.weights

    def get_weights(self) -> list[np.ndarray]:
        """The values of :attr:`weights`, as numpy arrays.

        From the second read on, by one compiled call: Keras reads each
        variable by its own call from Python, 1.5 ms for the 20 weights of
        a digits network against 0.44 ms in one call, and early stopping
        keeps a copy at every epoch that improves. The first read is
        Keras's, since tracing the call takes 35 to 64 ms and a network
        pickled once is read once. Distributed variables are read Keras's
        way.
        """
        if self.strategy is not None or not self._read_before:
            self._read_before = True
            return self.encoder.get_weights() + self.decoder.get_weights()
        if self._read_weights is None:
            weights = self.weights
            self._read_weights = tf.function(
                lambda: [tf.identity(weight.value) for weight in weights], autograph=False
            ).get_concrete_function()
        return [value.numpy() for value in self._read_weights()]

    def models(self, layout: int = WEIGHTS_LAYOUT) -> tuple[keras.Model, keras.Model]:
        """The encoder and the decoder as weights of ``layout`` see them.

        For layout 1, views of the two models without the layers of
        ``LEGACY_LAYERS``: the same layers and variables, with the order of
        weights (and the layers) the models had then.
        """
        if layout == WEIGHTS_LAYOUT:
            return self.encoder, self.decoder
        views = []
        for model in (self.encoder, self.decoder):
            names = {layer.name for layer in model.layers}
            for name in LEGACY_LAYERS:
                if name in names:
                    layer = model.get_layer(name)
                    outputs = tree.map_structure(
                        lambda t, layer=layer: layer.input if t is layer.output else t,
                        model.output,
                    )
                    model = keras.Model(model.input, outputs, name=model.name)
            views.append(model)
        return tuple(views)

    def legacy_variables(self) -> list:
        """The variables that layout 1 stored after the models' weights, in its order."""
        return [v for v in self.weights if v.path.split("/")[0] in LEGACY_LAYERS]

    def set_weights(self, weights: list[np.ndarray], *, layout: int = WEIGHTS_LAYOUT) -> None:
        """Assign ``weights``, in :meth:`get_weights`' order.

        ``layout=1`` reads the order of networks saved before objectives
        kept their variables in layers: the VAE's then came last, outside
        the models (``LEGACY_LAYERS``).
        """
        encoder, decoder = self.models(layout)
        variables = encoder.weights + decoder.weights
        if layout != WEIGHTS_LAYOUT:
            variables += self.legacy_variables()
        if len(weights) != len(variables):
            raise ValueError(f"Expected {len(variables)} weight arrays, got {len(weights)}.")
        for variable, value in zip(variables, weights, strict=True):
            if tuple(variable.shape) != np.shape(value):
                raise ValueError(
                    f"Weight {variable.path} has shape {tuple(variable.shape)}, "
                    f"got an array of shape {np.shape(value)}."
                )
            variable.assign(value)
        self.weights_changed()

    def weights_changed(self) -> None:
        """Tell the compiled inference functions that the weights changed."""
        for function in self._compiled.values():
            function.weights_changed()

    # -- compiled inference -------------------------------------------------
    def _function(self, name: str) -> _BlockFunction:
        """The compiled blockwise function of inference method ``name``.

        ``"encode"``, ``"decode"``, ``"score"``, ``"reconstruction"``
        (minus the reconstruction error), ``"monitored"`` (what early
        stopping monitors), each of these three with ``"|observed"`` (the
        same over observed entries only: each input row is a filled row
        followed by its 0/1 mask of observed entries, see
        :mod:`skae._missing`), or ``"code:<statistic>"`` for an entry of the
        objective's ``code_statistics`` (such as the VAE's ``"code:std"``).
        """
        kind, observed, _ = name.partition("|observed")
        samples = {
            "score": self.objective.score_samples,
            "reconstruction": self.objective.reconstruction_samples,
            "monitored": self.objective.monitored_samples,
        }.get(kind)
        if samples is not None:
            # Keyed by the objective's method: "monitored" shares the
            # function (and its trace) of the method it is.
            name = samples.__name__ + observed
        if name not in self._compiled:
            n_features = self.n_features
            if samples is not None and observed:
                width = 2 * n_features

                def body(packed):
                    x, mask = packed[:, :n_features], packed[:, n_features:]
                    return samples(self.encoder, self.decoder, x, mask)
            elif samples is not None:
                width = n_features

                def body(x):
                    return samples(self.encoder, self.decoder, x)
            elif name == "encode":
                body, width = (lambda x: self.encoder(x, training=False)["code"]), n_features
            elif name == "decode":
                width = self.decoder.input.shape[-1]

                def body(z):
                    return self.objective.to_input_space(self.decoder(z, training=False))
            elif name.startswith("code:"):
                statistic = name.removeprefix("code:")

                def body(x):
                    heads = self.encoder(x, training=False)
                    return self.objective.code_statistics(heads)[statistic]

                width = n_features
            else:
                raise ValueError(f"unknown inference function {name!r}")
            self._compiled[name] = _BlockFunction(body, width)
        return self._compiled[name]

    def apply(self, name: str, X, dtype) -> np.ndarray:
        """Run compiled method ``name`` over ``X`` in bounded-size batches.

        Only one batch of ``X`` is converted (densified, cast to float32,
        padded) at a time, so the working set beyond ``X`` and the result
        stays bounded however many rows ``X`` has.
        """
        function = self._function(name)
        if sp.issparse(X) and X.format != "csr":
            # Row slices of CSC cost O(nnz) each; convert once instead.
            X = X.tocsr()
        n_samples = X.shape[0]
        # Decoding takes narrow codes to wide rows: the wider side counts.
        batch_rows = _batch_rows(max(X.shape[1], self.n_features))
        out = None
        for first in range(0, max(n_samples, 1), batch_rows):
            stop = min(first + batch_rows, n_samples)
            result = function(_padded_blocks(X, first, stop), stop - first)
            if out is None:
                out = np.empty((n_samples, *result.shape[1:]), dtype=dtype)
            out[first:stop] = result[: stop - first]
        return out
