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

import math

import keras
import numpy as np
from keras import ops


def _mean_over_features(values):
    return ops.mean(values, axis=-1)


class Reconstruction:
    """Plain reconstruction: the code is a linear layer, the loss an error.

    ``loss="mse"`` is the mean squared error over features with a linear
    output; ``loss="binary_crossentropy"`` is the mean binary cross-entropy
    with a sigmoid output, for data in [0, 1].
    """

    code_activation = None

    def __init__(self, loss: str = "mse") -> None:
        self.loss = loss

    # -- network construction -------------------------------------------
    def code_heads(self, features, n_components: int, layers) -> dict:
        code = layers.dense(n_components, activation=self.code_activation, name="code")
        return {"code": code(features)}

    def extra_variables(self, n_features: int) -> list:
        return []

    def to_input_space(self, logits):
        if self.loss == "binary_crossentropy":
            return ops.sigmoid(logits)
        return logits

    # -- training ---------------------------------------------------------
    def on_epoch_begin(self, epoch: int) -> None:
        """Hook called before every epoch, outside compiled code."""

    def corrupt(self, x, seed):
        return x

    def penalty(self, heads):
        return 0.0

    def reconstruction_error(self, x, logits):
        if self.loss == "binary_crossentropy":
            return _mean_over_features(ops.binary_crossentropy(x, logits, from_logits=True))
        return _mean_over_features(ops.square(x - logits))

    def training_loss(self, network, x, seed):
        heads = network.encoder(self.corrupt(x, seed), training=True)
        logits = network.decoder(heads["code"], training=True)
        return self.reconstruction_error(x, logits) + self.penalty(heads)

    def score_samples(self, network, x):
        code = network.encoder(x, training=False)["code"]
        return -self.reconstruction_error(x, network.decoder(code, training=False))


class Denoising(Reconstruction):
    """Reconstruct the clean input from a corrupted copy (training only).

    ``gaussian`` adds ``N(0, noise_level**2)`` noise; ``masking`` zeroes each
    entry with probability ``noise_level``; ``salt_and_pepper`` sets each
    entry with probability ``noise_level`` to the low or the high end of the
    range (``clip`` when given, else the per-feature minimum and maximum of
    the batch), with equal odds.
    """

    def __init__(self, loss: str, noise_type: str, noise_level: float, clip) -> None:
        super().__init__(loss)
        self.noise_type = noise_type
        self.noise_level = noise_level
        self.clip = clip

    def corrupt(self, x, seed):
        shape = ops.shape(x)
        if self.noise_type == "gaussian":
            noisy = x + self.noise_level * keras.random.normal(shape, seed=seed)
        else:
            hit = keras.random.uniform(shape, seed=seed) < self.noise_level
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

    ``l1``: ``weight * mean_i sum_j |h_ij|`` on a ReLU code.
    ``kl``: ``weight * sum_j KL(rho || rho_hat_j)`` on a sigmoid code, where
    ``rho_hat_j`` is the batch mean activation of unit ``j``.
    """

    def __init__(self, loss: str, sparsity: str, weight: float, target: float) -> None:
        super().__init__(loss)
        self.sparsity = sparsity
        self.weight = weight
        self.target = target
        self.code_activation = "relu" if sparsity == "l1" else "sigmoid"

    def penalty(self, heads):
        code = heads["code"]
        if self.sparsity == "l1":
            return self.weight * ops.mean(ops.sum(ops.abs(code), axis=-1))
        eps = 1e-7
        rho = self.target
        rho_hat = ops.clip(ops.mean(code, axis=0), eps, 1 - eps)
        kl = rho * ops.log(rho / rho_hat) + (1 - rho) * ops.log((1 - rho) / (1 - rho_hat))
        return self.weight * ops.sum(kl)


class Variational:
    """Gaussian encoder, reparameterised sample, likelihood plus beta * KL.

    The per-sample training loss is the negative evidence lower bound (in
    nats) with the KL term weighted by ``beta`` (ramped up linearly over the
    first ``kl_warmup`` epochs). ``score_samples`` is the ELBO (``beta=1``)
    estimated with a fixed set of standard-normal draws shared by every row,
    so that each row's score is a deterministic function of that row.
    """

    _SCORE_DRAWS = 16
    _LOG_VAR_LIMIT = 15.0

    def __init__(self, likelihood: str, beta: float, kl_warmup: int) -> None:
        self.likelihood = likelihood
        self.beta = beta
        self.kl_warmup = kl_warmup
        self._kl_weight = keras.Variable(
            beta if kl_warmup == 0 else 0.0, trainable=False, dtype="float32"
        )
        self._output_log_var = None

    def code_heads(self, features, n_components: int, layers) -> dict:
        mean = layers.dense(n_components, name="code")(features)
        log_var = layers.dense(n_components, name="code_log_var")(features)
        return {"code": mean, "log_var": log_var}

    def extra_variables(self, n_features: int) -> list:
        if self.likelihood == "bernoulli":
            return []
        # Homoscedastic per-feature observation noise, learnt with the rest,
        # so that the Gaussian ELBO is a calibrated log-likelihood bound.
        self._output_log_var = keras.Variable(
            np.zeros(n_features, dtype="float32"), name="output_log_var"
        )
        return [self._output_log_var]

    def to_input_space(self, logits):
        if self.likelihood == "bernoulli":
            return ops.sigmoid(logits)
        return logits

    def on_epoch_begin(self, epoch: int) -> None:
        if self.kl_warmup:
            self._kl_weight.assign(self.beta * min(1.0, (epoch + 1) / self.kl_warmup))

    def _negative_log_likelihood(self, x, logits):
        if self.likelihood == "bernoulli":
            nll = ops.binary_crossentropy(x, logits, from_logits=True)
        else:
            log_var = self._output_log_var
            nll = 0.5 * (
                ops.square(x - logits) * ops.exp(-log_var) + log_var + math.log(2 * math.pi)
            )
        return ops.sum(nll, axis=-1)

    def _posterior(self, network, x, training):
        heads = network.encoder(x, training=training)
        log_var = ops.clip(heads["log_var"], -self._LOG_VAR_LIMIT, self._LOG_VAR_LIMIT)
        return heads["code"], log_var

    @staticmethod
    def kl_divergence(mean, log_var):
        return 0.5 * ops.sum(ops.exp(log_var) + ops.square(mean) - 1.0 - log_var, axis=-1)

    def training_loss(self, network, x, seed):
        mean, log_var = self._posterior(network, x, training=True)
        noise = keras.random.normal(ops.shape(mean), seed=seed)
        z = mean + ops.exp(0.5 * log_var) * noise
        nll = self._negative_log_likelihood(x, network.decoder(z, training=True))
        return nll + self._kl_weight * self.kl_divergence(mean, log_var)

    def score_samples(self, network, x):
        mean, log_var = self._posterior(network, x, training=False)
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
            nll += self._negative_log_likelihood(x, network.decoder(z, training=False))
        return -(nll / self._SCORE_DRAWS) - self.kl_divergence(mean, log_var)
