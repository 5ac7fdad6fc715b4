"""scikit-learn compatible autoencoder transformers on TensorFlow / Keras 3."""

# TensorFlow is imported at the first fit, load or Keras attribute, not here
# (see _lazy.py): building, cloning and pickling estimators do not need it.
from ._architectures import BaseArchitecture, DenseArchitecture, ResidualArchitecture
from ._autoencoder import AutoEncoder
from ._base import BaseAutoEncoder
from ._contractive import ContractiveAutoEncoder
from ._denoising import DenoisingAutoEncoder
from ._imputer import AutoEncoderImputer
from ._outlier import AutoEncoderOutlierDetector
from ._persistence import load
from ._resnet import ResNetAutoEncoder
from ._shared import DivergenceError
from ._sparse import SparseAutoEncoder
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


def __getattr__(name: str):
    # LayerFactory makes Keras layers, so reading it imports TensorFlow.
    if name == "LayerFactory":
        from ._layers import LayerFactory

        return LayerFactory
    raise AttributeError(f"module 'skae' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
