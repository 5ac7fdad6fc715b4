"""Run every gallery example (examples/plot_*.py) as a script.

The documentation build does not execute the gallery, so this test is
what keeps the examples working. Each example runs in this process with
matplotlib's Agg backend and must draw at least one figure.
"""

import importlib.util
import runpy
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("plot_*.py"))
# Optional dependencies an example needs beyond the test extra.
OPTIONAL = {"plot_scikeras_pipeline.py": "scikeras", "plot_callbacks.py": "tensorboard"}


def test_examples_are_found():
    assert len(EXAMPLES) >= 9


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_example_runs(path, monkeypatch):
    module = OPTIONAL.get(path.name)
    if module is not None and importlib.util.find_spec(module) is None:
        pytest.skip(f"{path.name} needs {module}")
    # Agg cannot show windows; examples end with plt.show() as in a script.
    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: None)
    plt.close("all")
    try:
        runpy.run_path(str(path), run_name="__main__")
        assert plt.get_fignums(), f"{path.name} drew no figure"
    finally:
        plt.close("all")
