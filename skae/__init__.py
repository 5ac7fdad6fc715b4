"""scikit-learn compatible autoencoder transformers on TensorFlow / Keras 3."""

from ._architectures import DenseArchitecture
from ._autoencoder import AutoEncoder
from ._base import BaseAutoEncoder
from ._training import DivergenceError

__version__ = "0.1.0"

__all__ = [
    "AutoEncoder",
    "BaseAutoEncoder",
    "DenseArchitecture",
    "DivergenceError",
    "__version__",
]
