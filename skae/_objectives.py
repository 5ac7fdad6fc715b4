"""Objectives: what training minimises and how inputs are corrupted.

An objective is independent of the architecture. It puts the code layer(s)
on top of the architecture's encoder features, defines the per-sample
training loss and the per-sample score, and says how decoder outputs
(pre-activations) map back to input space. Objectives are private: each
estimator builds its objective from its own parameters.

All methods that take tensors run inside compiled TensorFlow functions, so
they use ``keras.ops`` and ``keras.random`` only.
"""

from __future__ import annotations

import abc
import math

import numpy as np

from ._lazy import LazyModule, keras, tf

ops = LazyModule("keras.ops")
_layers = LazyModule("skae._layers")


def _mean_over_features(values, observed=None):
    """Per-row mean over features, or over the ``observed`` ones (a 0/1 mask).

    Over observed entries the mean keeps the loss in the unit of a complete
    row; a row with none observed counts 0. Without a mask it is the plain
    mean, so fits on complete data run exactly the ops they always did.
    """
    if observed is None:
        return ops.mean(values, axis=-1)
    count = ops.maximum(ops.sum(observed, axis=-1), 1.0)
    return ops.sum(values * observed, axis=-1) / count


def _number(value: float, name: str):
    """A float32 variable holding one number of a loss (see
    :meth:`BaseObjective.take_values`); the traced loss computes with it as
    it did with the constant."""
    return keras.Variable(value, trainable=False, dtype="float32", name=name)


class BaseObjective(abc.ABC):
    """What training minimises: the contract between an objective and the network.

    An objective puts the code layer(s) on the architecture's features,
    defines the per-sample training loss and score, and says how the code
    meets the fixed PCA path of an ``init="pca"`` network. It knows nothing
    about the layers between the input and the features. Subclasses must
    implement :meth:`code_heads`, :meth:`training_loss` and
    :meth:`score_samples`; every other hook has a default that suits a
    deterministic code and a real-valued output.

    Methods that take tensors run inside compiled TensorFlow functions, so
    they use ``keras.ops`` and ``keras.random`` (or TensorFlow, the only
    backend skae runs on). Those that run the network receive its two Keras
    models, ``encoder`` (rows to heads) and ``decoder`` (codes to
    pre-activation outputs), and nothing else of it.

    The encoder's outputs, the *heads*, are a dict:

    ``"code"``
        What ``transform`` returns (in PCA's units with a PCA path).
    ``"latent"``
        The whitened code the decoder reads, with a PCA path only (added by
        the network); :meth:`whitened_code` reads it, or ``"code"`` without
        one.
    other keys
        Whatever :meth:`code_heads` adds, such as the VAE's ``"log_var"``.
    """

    #: Whether ``transform`` returns whitened codes (unit variance per unit
    #: at the PCA start) rather than PCA's scores in the units of X.
    whiten_codes: bool = False
    #: ``"logit"`` if the decoder outputs logits of values in [0, 1],
    #: ``"linear"`` if it outputs values in the units of X.
    output_space: str = "linear"
    #: Whether :meth:`code_heads` or :meth:`decoder_output` initialise
    #: weights from the PCA start. If not, a later fit of the same structure
    #: and seed restarts the network from its remembered initial values
    #: instead of building it again; True (always build) is the safe default.
    start_dependent_weights: bool = True
    #: Whether :meth:`monitored_samples` is :meth:`score_samples`, whose
    #: unit is that of the training loss (:meth:`loss_unit`).
    monitors_score: bool = True

    # -- network construction -------------------------------------------
    @abc.abstractmethod
    def code_heads(self, features, n_components: int, layers, start=None, linear=None) -> dict:
        """Put the code layer(s) on the architecture's features.

        Parameters
        ----------
        features : KerasTensor of shape (batch, units)
            The output of the architecture's ``encode``.
        n_components : int
            Width of the code.
        layers : LayerFactory
            Creates seeded layers; layers whose result is added to
            ``linear`` take ``output=True`` so that they start at zero.
        start : LinearStart or None
            The PCA of the training rows (``init="pca"`` networks being
            built for training), else None.
        linear : KerasTensor of shape (batch, n_components) or None
            The whitened PCA scores when the network has a PCA path.

        Returns
        -------
        heads : dict of str to KerasTensor
            ``"code"``, the code ``transform`` returns (whitened when there
            is a PCA path; the network rescales it), plus any other
            per-row tensor the objective needs, such as ``"log_var"``.
        """

    def decoder_input(self, code):
        """The whitened code that the decoder of a PCA-path network reads.

        The identity by default; a sigmoid code returns its logit.
        """
        return code

    def decoder_output(self, outputs, start=None):
        """The decoder's final outputs, pre-activation (unchanged by default).

        An objective with per-feature variables of its own (the VAE's
        observation noise) puts their layer here, so the decoder model holds
        them and its weights, saving and the optimiser include them.
        ``start`` is as in :meth:`code_heads`.
        """
        return outputs

    def loss_unit(self, n_features: int, scale: float) -> float:
        """The unit in which training measures the loss and ``tol``.

        Parameters
        ----------
        n_features : int
            Input width.
        scale : float
            Root mean column variance of the training rows.

        Returns
        -------
        unit : float
            1.0 by default.
        """
        return 1.0

    def validation_unit(self, n_features: int, scale: float) -> float:
        """The unit of :meth:`monitored_samples`, in which early stopping measures ``tol``.

        :meth:`loss_unit` for the score, :meth:`reconstruction_unit` for the
        reconstruction.
        """
        if self.monitors_score:
            return self.loss_unit(n_features, scale)
        return self.reconstruction_unit(scale)

    def reconstruction_unit(self, scale: float) -> float:
        """The :meth:`reconstruction_error` of predicting the mean: ``scale**2``
        for the squared error, 1.0 for the cross-entropy of logit outputs."""
        return scale**2 if self.output_space == "linear" else 1.0

    def to_input_space(self, logits):
        """Map decoder outputs to input space (the identity by default)."""
        return logits

    def code_statistics(self, heads) -> dict:
        """Extra per-row statistics of the code, by name, for inference.

        ``Network.apply("code:<name>", X)`` computes entry ``name``; for
        example the VAE's posterior standard deviation, ``"std"``. None by
        default.
        """
        return {}

    # -- training ---------------------------------------------------------
    def on_epoch_begin(self, epoch: int) -> None:  # noqa: B027 (optional hook)
        """Hook called before every epoch, outside compiled code (nothing by default)."""

    def follow_start(self, start) -> None:  # noqa: B027 (optional hook)
        """Move what :meth:`code_heads` or :meth:`decoder_output` fixed from
        the PCA start (not trained) to the updated ``start`` of
        ``partial_fit`` (:meth:`~skae._network.Network.set_start`). None by
        default."""

    def take_values(self, other: BaseObjective) -> None:  # noqa: B027 (optional hook)
        """Take the numbers of ``other``'s loss: the objective of a new fit
        whose network restarts this one's (a pooled network, see
        ``_reuse.py``), of the same class and the same traced graph.

        The numbers a search varies (a noise level, a penalty's weight) are
        read by the traced loss from variables, so the pooled network
        trains the new fit without tracing again; their parameters are left
        out of the pool's key (``_reuse._LOOP_PARAMS``). None by default.
        """

    def corrupt(self, x, seed, unit=1.0):
        """Training-time input corruption (none by default).

        ``unit`` is the :meth:`loss_unit` of the training rows, for a
        corruption that follows the units of X.
        """
        return x

    def penalty(self, heads):
        """Code penalty added to each batch's loss (0 by default)."""
        return 0.0

    @staticmethod
    def whitened_code(heads):
        """The code in whitened units: ``"latent"`` with a PCA path, else ``"code"``.

        A penalty on it does not depend on the units of X.
        """
        return heads.get("latent", heads["code"])

    @abc.abstractmethod
    def training_loss(self, encoder, decoder, x, seed, unit: float = 1.0, observed=None):
        """Per-sample loss of one training batch, in units of ``unit``.

        Parameters
        ----------
        encoder, decoder : keras.Model
            The network's models, called with ``training=True``.
        x : tf.Tensor of shape (batch, n_features)
            Clean float32 rows.
        seed : keras.random.SeedGenerator
            Seeds every random draw of the step.
        unit : float or scalar float32 tensor
            What :meth:`loss_unit` returned for the training data (the
            trainer passes it as a variable, so a reused compiled epoch
            trains with the new data's unit).
        observed : tf.Tensor of shape (batch, n_features) or None
            Only for training data with missing values: 1.0 where ``x`` is
            observed, 0.0 where it holds a fill value. The loss then counts
            observed entries only (see :mod:`skae._missing`); the trainer
            passes it only then, so objectives written without it train on
            complete data.

        Returns
        -------
        loss : tf.Tensor of shape (batch,)
        """

    @abc.abstractmethod
    def score_samples(self, encoder, decoder, x, observed=None):
        """Per-sample score for inference, higher is better (shape ``(batch,)``).

        Each row's score must depend on that row only. ``observed`` is as
        in :meth:`training_loss`: the score then counts observed entries only.
        """

    def reconstruction_samples(self, encoder, decoder, x, observed=None):
        """Minus each row's error of reconstructing it from its code.

        The mean over features of the squared error, or of the binary
        cross-entropy for logit outputs: what ``inverse_transform(
        transform(X))`` gives, scored as the reconstruction objectives' loss
        (over the ``observed`` entries only when given).
        """
        logits = decoder(encoder(x, training=False)["code"], training=False)
        return -self.reconstruction_error(x, logits, observed)

    @property
    def monitored_samples(self):
        """The per-row score early stopping monitors on held-out rows.

        A method with :meth:`score_samples`'s signature (higher is better):
        :meth:`score_samples` itself by default. Its unit is
        :meth:`validation_unit`.
        """
        return self.score_samples

    def reconstruction_error(self, x, logits, observed=None):
        """Per-row mean over features (the ``observed`` ones when given) of the
        error of decoder outputs ``logits``: the squared error, or the binary
        cross-entropy for logit outputs."""
        if self.output_space == "logit":
            errors = ops.binary_crossentropy(x, logits, from_logits=True)
        else:
            errors = ops.square(x - logits)
        return _mean_over_features(errors, observed)


class Reconstruction(BaseObjective):
    """Plain reconstruction: the code is a linear layer, the loss an error.

    ``loss="mse"`` is the mean squared error over features with a linear
    output; ``loss="binary_crossentropy"`` is the mean binary cross-entropy
    with a sigmoid output, for data in [0, 1].

    With a linear (PCA) path (``init="pca"``), :meth:`code_heads` receives
    the whitened PCA scores as ``linear`` and adds a zero-initialised
    dense layer of the encoder's features to them, so the code starts at
    PCA's.
    """

    # The code head starts at zero whatever the start.
    start_dependent_weights = False

    def __init__(self, loss: str = "mse") -> None:
        self.loss = loss

    @property
    def output_space(self) -> str:
        return "logit" if self.loss == "binary_crossentropy" else "linear"

    def loss_unit(self, n_features: int, scale: float) -> float:
        """The error of predicting the mean: the mean column variance (``scale**2``).

        The minimised loss and ``tol`` then do not depend on the units of X
        (1.0 for the binary cross-entropy).
        """
        return self.reconstruction_unit(scale)

    # -- network construction -------------------------------------------
    def code_activation(self, linear_start: bool):
        """Activation of the code (None: linear)."""
        return None

    def code_heads(self, features, n_components: int, layers, start=None, linear=None) -> dict:
        """The encoder's outputs: ``{"code": ...}`` plus objective-specific heads.

        ``linear`` (with ``start``, the :class:`~skae._linear.LinearStart`)
        is the whitened PCA score tensor when the network has a PCA path.
        """
        code = layers.dense(n_components, name="code", output=True)(features)
        if linear is not None:
            code = keras.layers.Add()([linear, code])
        activation = self.code_activation(linear is not None)
        if activation is not None:
            code = keras.layers.Activation(activation)(code)
        return {"code": code}

    def to_input_space(self, logits):
        if self.loss == "binary_crossentropy":
            return ops.sigmoid(logits)
        return logits

    # -- training ---------------------------------------------------------
    def training_loss(self, encoder, decoder, x, seed, unit: float = 1.0, observed=None):
        """Per-sample loss in units of ``unit`` (see :meth:`loss_unit`).

        The penalty is already relative to that unit, so its weight means
        the same whatever the scale of X.
        """
        heads = encoder(self.corrupt(x, seed, unit), training=True)
        logits = decoder(heads["code"], training=True)
        return self.reconstruction_error(x, logits, observed) / unit + self.penalty(heads)

    def score_samples(self, encoder, decoder, x, observed=None):
        return self.reconstruction_samples(encoder, decoder, x, observed)


# The default corruption (noise_level="auto"). Measured with
# benchmarks/vs_pca.py's data, held-out error over PCA's with Gaussian noise
# of 0.05 / 0.1 / 0.2 times the data's spread: at k = 30, swiss roll 0.57 /
# 0.60 / 0.86 and S curve 0.67 / 0.71 / 1.00 (no epoch beat the PCA start);
# at k = 2 more noise helps (swiss roll 0.21 / 0.20 / 0.13, digits 0.64 /
# 0.63 / 0.59), at k = 8 the three are within 0.03 on digits, MNIST (300
# rows) and the manifolds. 0.1 is the largest of the three that kept both
# manifolds at k = 30 well below PCA.
AUTO_NOISE = 0.1


class Denoising(Reconstruction):
    """Reconstruct the clean input from a corrupted copy (training only).

    ``gaussian`` adds ``N(0, noise_level**2)`` noise; ``masking`` zeroes each
    entry with probability ``noise_level``; ``salt_and_pepper`` sets each
    entry with probability ``noise_level`` to the low or the high end of the
    range (``clip`` when given, else the per-feature minimum and maximum of
    the batch), with equal odds. ``noise_level="auto"`` is
    :data:`AUTO_NOISE` times the training rows' root mean column standard
    deviation (the square root of the squared error's loss unit) for
    Gaussian noise, so that it follows the units of X, and
    :data:`AUTO_NOISE` itself otherwise (a probability, or a standard
    deviation for the binary cross-entropy's inputs in [0, 1]).
    """

    def __init__(self, loss: str, noise_type: str, noise_level: float | str, clip) -> None:
        super().__init__(loss)
        self.noise_type = noise_type
        self.noise_level = noise_level
        self.clip = clip
        # What the traced corruption reads (see take_values); whether the
        # level is "auto" is part of the graph.
        self._level = _number(AUTO_NOISE if noise_level == "auto" else noise_level, "noise_level")

    def take_values(self, other: Denoising) -> None:
        self.noise_level = other.noise_level
        self._level.assign(other._level)

    def corrupt(self, x, seed, unit=1.0):
        shape = ops.shape(x)
        level = self._level
        if self.noise_type == "gaussian":
            if self.noise_level == "auto" and self.loss == "mse":
                level = level * ops.sqrt(ops.cast(unit, x.dtype))
            noisy = x + level * keras.random.normal(shape, seed=seed)
        else:
            hit = keras.random.uniform(shape, seed=seed) < level
            if self.noise_type == "masking":
                noisy = ops.where(hit, ops.zeros_like(x), x)
            else:
                if self.clip is None:
                    low = ops.min(x, axis=0, keepdims=True)
                    high = ops.max(x, axis=0, keepdims=True)
                else:
                    low, high = (ops.cast(v, x.dtype) for v in self.clip)
                salt = keras.random.uniform(shape, seed=seed) < 0.5
                noisy = ops.where(hit, ops.where(salt, high, low), x)
        if self.clip is not None:
            noisy = ops.clip(noisy, self.clip[0], self.clip[1])
        return noisy


class Sparse(Reconstruction):
    """Reconstruction plus a penalty on code activity.

    ``l1``: ``weight * mean_i sum_j |h_ij|``. With ``init="random"`` the
    code is ReLU (nonnegative, exact zeros); with a PCA path it is signed,
    the classical sparse-coding penalty on the whitened PCA score plus its
    learnt correction, which shrinks small coefficients towards zero.
    ``kl``: ``weight * sum_j KL(rho || rho_hat_j)`` on a sigmoid code, where
    ``rho_hat_j`` is the batch mean activation of unit ``j``; with a PCA
    path the code is the sigmoid of the whitened score (plus correction) and
    the decoder reads its logit, so it still starts as PCA.
    """

    def __init__(self, loss: str, sparsity: str, weight: float, target: float) -> None:
        super().__init__(loss)
        self.sparsity = sparsity
        self.weight = weight
        self.target = target
        # What the traced penalty reads (see take_values). 1 - target is
        # computed here in double precision, as the penalty computed it
        # when the target was a constant: in float32 it can differ in the
        # last bit.
        self._weight = _number(weight, "sparsity_weight")
        self._target = _number(target, "sparsity_target")
        self._complement = _number(1 - target, "sparsity_target_complement")

    def take_values(self, other: Sparse) -> None:
        self.weight, self.target = other.weight, other.target
        for mine, theirs in (
            (self._weight, other._weight),
            (self._target, other._target),
            (self._complement, other._complement),
        ):
            mine.assign(theirs)

    @property
    def whiten_codes(self) -> bool:
        return self.sparsity == "kl"

    def code_activation(self, linear_start: bool):
        if self.sparsity == "kl":
            return "sigmoid"
        return None if linear_start else "relu"

    def decoder_input(self, code):
        if self.sparsity != "kl":
            return code
        p = ops.clip(code, 1e-6, 1 - 1e-6)
        return ops.log(p) - ops.log1p(-p)

    def penalty(self, heads):
        code = self.whitened_code(heads)
        if self.sparsity == "l1":
            return self._weight * ops.mean(ops.sum(ops.abs(code), axis=-1))
        eps = 1e-7
        rho, complement = self._target, self._complement
        rho_hat = ops.clip(ops.mean(heads["code"], axis=0), eps, 1 - eps)
        kl = rho * ops.log(rho / rho_hat) + complement * ops.log(complement / (1 - rho_hat))
        return self._weight * ops.sum(kl)


class Contractive(Reconstruction):
    """Reconstruction plus ``contraction`` times the squared Frobenius norm of
    the code's Jacobian with respect to the input, per row.

    The Jacobian is that of the whole code the decoder reads, the fixed PCA
    path included, not of the learnt correction alone: the penalty is then
    Rifai et al.'s contraction of the representation, which shrinks the
    code's sensitivity along directions the reconstruction does not need.
    On the correction alone it would only pull the network back towards
    PCA (a weight decay towards the start), which the early stopping that
    scores the start already guarantees. With a PCA path the code is the
    whitened one and, for ``loss="mse"``, the input is measured in units of
    the data's scale (the penalty is multiplied by the loss unit,
    ``scale**2``), so the weight does not depend on the units of X.

    TensorFlow computes the per-row Jacobian (``batch_jacobian``), one
    vectorised backward pass per code unit. Rows must not interact inside
    the encoder, so batch normalisation couples them and makes the
    penalty an approximation.
    """

    def __init__(self, loss: str, contraction: float) -> None:
        super().__init__(loss)
        self.contraction = contraction
        # What the traced loss reads (see take_values).
        self._contraction = _number(contraction, "contraction")

    def take_values(self, other: Contractive) -> None:
        self.contraction = other.contraction
        self._contraction.assign(other._contraction)

    def jacobian_norm(self, encoder, x, training: bool = False):
        """Per-row squared Frobenius norm of the code's Jacobian, and the heads."""
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(x)
            heads = encoder(x, training=training)
            code = self.whitened_code(heads)
        jacobian = tape.batch_jacobian(code, x)
        return ops.sum(ops.square(jacobian), axis=(1, 2)), heads

    def training_loss(self, encoder, decoder, x, seed, unit: float = 1.0, observed=None):
        norm, heads = self.jacobian_norm(encoder, x, training=True)
        logits = decoder(heads["code"], training=True)
        scale = unit if self.loss == "mse" else 1.0
        error = self.reconstruction_error(x, logits, observed)
        return error / unit + self._contraction * scale * norm


class Variational(BaseObjective):
    """Gaussian encoder, reparameterised sample, likelihood plus beta * KL.

    The per-sample training loss is the negative evidence lower bound (in
    nats) with the KL term weighted by ``beta`` (ramped up linearly over the
    first ``kl_warmup`` epochs). ``score_samples`` is the ELBO (``beta=1``)
    estimated with a fixed set of standard-normal draws shared by every row,
    so that each row's score is a deterministic function of that row.
    """

    _SCORE_DRAWS = 16
    _LOG_VAR_LIMIT = 15.0
    # Codes are in PCA's units, like the AutoEncoder's, under a prior with
    # PCA's variances: the whitened latent behind them has the standard
    # normal prior of probabilistic PCA.
    whiten_codes = False

    def __init__(
        self, likelihood: str, beta: float, kl_warmup: int, monitor: str = "reconstruction"
    ) -> None:
        self.likelihood = likelihood
        self.beta = beta
        self.kl_warmup = kl_warmup
        # The ELBO can keep improving while the reconstructions from the
        # posterior mean get worse (see the user guide), so by default
        # early stopping monitors those, as for the other objectives.
        self.monitors_score = monitor == "elbo"
        # The KL term's weight, beta after the warm-up, set before every
        # epoch by on_epoch_begin (and by take_values for a pooled network).
        self._kl_weight = _number(beta if kl_warmup == 0 else 0.0, "kl_weight")

    def take_values(self, other: Variational) -> None:
        self.beta, self.kl_warmup = other.beta, other.kl_warmup
        self._kl_weight.assign(other._kl_weight)

    @property
    def output_space(self) -> str:
        return "logit" if self.likelihood == "bernoulli" else "linear"

    def loss_unit(self, n_features: int, scale: float) -> float:
        # The ELBO is in nats per row; differences in nats do not depend on
        # the units of X. Per feature, so that tol means the same for
        # narrow and wide rows.
        return float(n_features)

    def code_heads(self, features, n_components: int, layers, start=None, linear=None) -> dict:
        """Posterior mean and log-variance heads.

        With a PCA path they start as probabilistic PCA's posterior: the
        mean is the whitened score and the log-variance that of the noise
        variance over each direction's variance.
        """
        mean = layers.dense(n_components, name="code", output=True)(features)
        log_var_bias = None
        if linear is not None:
            mean = keras.layers.Add()([linear, mean])
            if start is not None:
                log_var_bias = np.log(start.residual_variance / start.variances)
        log_var = layers.dense(n_components, name="code_log_var", output=True, bias=log_var_bias)
        # The prior over codes: N(0, I) with init="random", PCA's variances
        # with a PCA start.
        self._prior = _layers.CodePrior(
            n_components,
            None if start is None else 2 * np.log(start.code_scale(False)),
            self._LOG_VAR_LIMIT,
            name="code_prior",
        )
        return {"code": mean, "log_var": self._prior(log_var(features))}

    def follow_start(self, start) -> None:
        # The prior keeps PCA's variances, as code_heads set them.
        if start is not None:
            self._prior.set_values({"log_var": 2 * np.log(start.code_scale(False))})

    def decoder_output(self, outputs, start=None):
        if self.likelihood == "bernoulli":
            return outputs
        # Homoscedastic per-feature observation noise, learnt with the rest,
        # so that the Gaussian ELBO is a calibrated log-likelihood bound. A
        # PCA start begins at probabilistic PCA's noise variance.
        initial = 0.0 if start is None else np.log(start.residual_variance * start.scale**2)
        self._noise = _layers.ObservationNoise(
            outputs.shape[-1], initial, name="observation_noise"
        )
        return self._noise(outputs)

    def prior_std(self) -> np.ndarray:
        """Standard deviations of the prior over codes."""
        return np.exp(0.5 * self._prior.log_var.numpy())

    def to_input_space(self, logits):
        if self.likelihood == "bernoulli":
            return ops.sigmoid(logits)
        return logits

    def on_epoch_begin(self, epoch: int) -> None:
        if self.kl_warmup:
            self._kl_weight.assign(self.beta * min(1.0, (epoch + 1) / self.kl_warmup))

    def _negative_log_likelihood(self, x, logits, observed=None):
        """Per-row negative log-likelihood, in nats per row: over the
        ``observed`` entries only when given, scaled to a whole row."""
        if self.likelihood == "bernoulli":
            nll = ops.binary_crossentropy(x, logits, from_logits=True)
        else:
            log_var = self._noise.log_var
            nll = 0.5 * (
                ops.square(x - logits) * ops.exp(-log_var) + log_var + math.log(2 * math.pi)
            )
        if observed is None:
            return ops.sum(nll, axis=-1)
        return _mean_over_features(nll, observed) * nll.shape[-1]

    def _posterior(self, encoder, x, training):
        heads = encoder(x, training=training)
        return heads["code"], heads["log_var"]

    def code_statistics(self, heads) -> dict:
        """``"std"``: the posterior standard deviation of the codes."""
        return {"std": ops.exp(0.5 * heads["log_var"])}

    def kl_divergence(self, mean, log_var):
        """KL divergence of ``N(mean, exp(log_var))`` from the prior, per row."""
        prior = self._prior.log_var
        relative = log_var - prior
        return 0.5 * ops.sum(
            ops.exp(relative) + ops.square(mean) * ops.exp(-prior) - 1.0 - relative, axis=-1
        )

    @property
    def monitored_samples(self):
        """The ELBO (:meth:`score_samples`) with ``monitor="elbo"``, else
        :meth:`reconstruction_samples`."""
        return self.score_samples if self.monitors_score else self.reconstruction_samples

    def training_loss(self, encoder, decoder, x, seed, unit: float = 1.0, observed=None):
        mean, log_var = self._posterior(encoder, x, training=True)
        noise = keras.random.normal(ops.shape(mean), seed=seed)
        z = mean + ops.exp(0.5 * log_var) * noise
        nll = self._negative_log_likelihood(x, decoder(z, training=True), observed)
        return (nll + self._kl_weight * self.kl_divergence(mean, log_var)) / unit

    def score_samples(self, encoder, decoder, x, observed=None):
        mean, log_var = self._posterior(encoder, x, training=False)
        std = ops.exp(0.5 * log_var)
        n_components = mean.shape[-1]
        draws = (
            np.random.default_rng(0)
            .standard_normal((self._SCORE_DRAWS, n_components))
            .astype("float32")
        )
        nll = 0.0
        for draw in draws:
            z = mean + std * draw
            nll += self._negative_log_likelihood(x, decoder(z, training=False), observed)
        return -(nll / self._SCORE_DRAWS) - self.kl_divergence(mean, log_var)
