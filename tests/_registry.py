"""One registry of estimators, configurations and architectures for the tests.

test_common (scikit-learn's checks), test_reliability, test_persistence and
test_check_suite (skae's own check suite) draw from these dictionaries, so a
new estimator, configuration or architecture is covered by adding one line
here. ``test_registry_covers_every_public_class`` fails when a public class
is missing.
"""

import inspect

import keras
from sklearn.base import BaseEstimator

import skae
from skae import (
    AutoEncoder,
    AutoEncoderImputer,
    AutoEncoderOutlierDetector,
    BaseArchitecture,
    ContractiveAutoEncoder,
    DenoisingAutoEncoder,
    DenseArchitecture,
    ResidualArchitecture,
    ResNetAutoEncoder,
    SparseAutoEncoder,
    VariationalAutoEncoder,
)

# Tiny networks and few epochs: scikit-learn's checks fit hundreds of times.
# Three epochs never reach the default patience of 10, so
# n_iter_no_change=None says so: training is the same, without a
# ConvergenceWarning per fit.
TINY = {"max_iter": 3, "n_iter_no_change": None, "batch_size": 32, "random_state": 0}


class Conv1DArchitecture(BaseArchitecture):
    """A user-built architecture: Keras layers made through the LayerFactory.

    Reads each row as a 1-D signal; stands for any architecture defined
    outside skae (saved by import path, loaded with ``trusted=``).
    """

    def __init__(self, filters: int = 2, kernel_size: int = 3) -> None:
        self.filters = filters
        self.kernel_size = kernel_size

    def encode(self, inputs, layers):
        h = keras.layers.Reshape((inputs.shape[-1], 1))(inputs)
        h = layers.conv(1, self.filters, self.kernel_size, activation="relu")(h)
        return keras.layers.GlobalAveragePooling1D()(h)

    def decode(self, code, n_features, layers):
        h = keras.layers.Dense(
            8,
            activation="tanh",
            kernel_initializer=layers.initializer(),
            kernel_regularizer=layers.regularizer,
        )(code)
        return layers.dense(n_features, output=True)(h)


# One tiny instance of every public estimator, for rows of any width >= 4
# (the residual network reads a square width as an image).
ESTIMATORS = {
    "AutoEncoder": AutoEncoder(n_components=2, hidden_layer_sizes=(8,), **TINY),
    "ContractiveAutoEncoder": ContractiveAutoEncoder(
        n_components=2, hidden_layer_sizes=(8,), **TINY
    ),
    "DenoisingAutoEncoder": DenoisingAutoEncoder(n_components=2, hidden_layer_sizes=(8,), **TINY),
    "SparseAutoEncoder": SparseAutoEncoder(n_components=2, hidden_layer_sizes=(8,), **TINY),
    "VariationalAutoEncoder": VariationalAutoEncoder(
        n_components=2, hidden_layer_sizes=(8,), **TINY
    ),
    "ResNetAutoEncoder": ResNetAutoEncoder(
        n_components=2, n_levels=1, filters=2, latent_channels=2, **TINY
    ),
}

# Every public use built on top of an estimator (a meta-estimator), with a
# tiny estimator inside. Its code is one unit wide: scikit-learn's outlier
# checks fit rows of two features.
META_ESTIMATORS = {
    "AutoEncoderOutlierDetector": AutoEncoderOutlierDetector(
        AutoEncoder(n_components=1, hidden_layer_sizes=(8,), **TINY), random_state=0
    ),
    "AutoEncoderImputer": AutoEncoderImputer(
        AutoEncoder(n_components=1, hidden_layer_sizes=(8,), **TINY), random_state=0
    ),
}

# Configurations that need care: tuples, nested architecture objects, batch
# normalisation statistics and dropout, variables outside the layers,
# nonlinear codes, early-stopping attributes (of a reconstruction score and
# of the VAE's ELBO), user-built architectures.
# The residual one reads rows of 64 features (8x8 images).
CONFIGURATIONS = {
    "dense-two-layers": AutoEncoder(n_components=3, hidden_layer_sizes=(8, 4), **TINY),
    "sparse-kl": SparseAutoEncoder(n_components=2, hidden_layer_sizes=(8,), sparsity="kl", **TINY),
    "sparse-kl-early-stopping": SparseAutoEncoder(
        n_components=4, hidden_layer_sizes=(8,), sparsity="kl", early_stopping=True, **TINY
    ),
    "sparse-batchnorm-dropout": SparseAutoEncoder(
        n_components=3,
        architecture=DenseArchitecture((8,), batch_normalization=True, dropout=0.1),
        **TINY,
    ),
    "variational-bernoulli": VariationalAutoEncoder(
        n_components=2, hidden_layer_sizes=(8,), likelihood="bernoulli", **TINY
    ),
    "variational-elbo-early-stopping": VariationalAutoEncoder(
        n_components=2, hidden_layer_sizes=(8,), monitor="elbo", early_stopping=True, **TINY
    ),
    "denoising-residual-8x8": DenoisingAutoEncoder(
        n_components=3,
        architecture=ResidualArchitecture(
            image_shape=(8, 8, 1), n_levels=1, n_residual_blocks=0, filters=2, latent_channels=2
        ),
        noise_type="masking",
        clip=(0.0, 1.0),
        **TINY,
    ),
    "contractive-custom-conv1d": ContractiveAutoEncoder(
        n_components=2, architecture=Conv1DArchitecture(), **TINY
    ),
    # PCA's spellings: a width chosen by a share of variance, whitened codes.
    "autoencoder-share-whiten": AutoEncoder(
        n_components=0.9, whiten=True, hidden_layer_sizes=(8,), **TINY
    ),
    # The default width, as PCA's: every code.
    "autoencoder-every-code": AutoEncoder(hidden_layer_sizes=(8,), **TINY),
}

# The configurations scikit-learn's checks also run (they fit rows of
# many widths, so not the 8x8 residual one).
SKLEARN_CHECKED = [
    "sparse-kl",
    "sparse-batchnorm-dropout",
    "contractive-custom-conv1d",
    "autoencoder-share-whiten",
    "autoencoder-every-code",
]

# Every architecture, built-in or user-built, paired with each objective by
# the check suite.
ARCHITECTURES = {
    "dense": DenseArchitecture((8,)),
    "dense-batchnorm-dropout": DenseArchitecture((8,), batch_normalization=True, dropout=0.1),
    "residual": ResidualArchitecture(
        n_levels=1, n_residual_blocks=1, filters=2, latent_channels=2
    ),
    "custom-conv1d": Conv1DArchitecture(),
}

# Every estimator class whose ``architecture=`` takes any architecture.
COMPOSABLE = [
    AutoEncoder,
    ContractiveAutoEncoder,
    DenoisingAutoEncoder,
    SparseAutoEncoder,
    VariationalAutoEncoder,
]


def public_classes(base: type) -> set[type]:
    """skae's public, concrete subclasses of ``base``."""
    return {
        obj
        for name in skae.__all__
        if isinstance(obj := getattr(skae, name), type)
        and issubclass(obj, base)
        and issubclass(obj, BaseEstimator)
        and not inspect.isabstract(obj)
        and obj is not skae.BaseAutoEncoder
    }
