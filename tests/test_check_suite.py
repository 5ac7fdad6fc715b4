"""skae's check suite (tests/_checks.py) over every registered estimator.

Every objective belongs to one estimator, so this runs the suite on every
objective; ``test_architectures.py`` runs it on every architecture.
"""

import pytest
from _checks import check_autoencoder
from _registry import CONFIGURATIONS, ESTIMATORS
from sklearn.datasets import load_digits

# 64 features: also an 8x8 image for the residual networks.
X = load_digits().data[:96] / 16.0


@pytest.mark.parametrize("name", [*ESTIMATORS, *CONFIGURATIONS])
def test_every_objective_passes_the_check_suite(name, tmp_path):
    check_autoencoder({**ESTIMATORS, **CONFIGURATIONS}[name], X, tmp_path)
