"""Plots of fitted autoencoders, following scikit-learn's Display API.

Each display is created with ``Display.from_estimator(...)``, draws with
``plot(ax=...)`` and keeps the figure, the axes and the drawn artists as
attributes. matplotlib is an optional dependency: install it with
``pip install ".[plot]"`` in skae's source folder
(or ``pip install matplotlib``).
"""

from ._explained_variance import ExplainedVarianceDisplay
from ._latent_space import LatentSpaceDisplay
from ._loss_curve import LossCurveDisplay
from ._reconstruction import ReconstructionDisplay

__all__ = [
    "ExplainedVarianceDisplay",
    "LatentSpaceDisplay",
    "LossCurveDisplay",
    "ReconstructionDisplay",
]
