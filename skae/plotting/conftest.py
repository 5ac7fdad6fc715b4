"""Doctests of the displays draw off-screen and close their figures."""

import matplotlib
import pytest

# Before pyplot is imported anywhere, so no window ever opens.
matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
