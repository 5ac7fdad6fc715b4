"""scikit-learn compatible autoencoder transformers on TensorFlow / Keras 3."""

# First: it imports TensorFlow without its start-up notices (see _startup.py).
from . import _startup  # noqa: F401  # isort: skip
from ._architectures import BaseArchitecture, DenseArchitecture, ResidualArchitecture
from ._autoencoder import AutoEncoder
from ._base import BaseAutoEncoder
from ._contractive import ContractiveAutoEncoder
from ._denoising import DenoisingAutoEncoder
from ._imputer import AutoEncoderImputer
from ._layers import LayerFactory
from ._outlier import AutoEncoderOutlierDetector
from ._persistence import load
from ._resnet import ResNetAutoEncoder
from ._sparse import SparseAutoEncoder
from ._training import DivergenceError
from ._variational import VariationalAutoEncoder
from ._version import __version__

__all__ = [
    "AutoEncoder",
    "AutoEncoderImputer",
    "AutoEncoderOutlierDetector",
    "BaseArchitecture",
    "BaseAutoEncoder",
    "ContractiveAutoEncoder",
    "DenoisingAutoEncoder",
    "DenseArchitecture",
    "DivergenceError",
    "LayerFactory",
    "ResNetAutoEncoder",
    "ResidualArchitecture",
    "SparseAutoEncoder",
    "VariationalAutoEncoder",
    "__version__",
    "load",
]
