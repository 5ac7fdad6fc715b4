"""TensorFlow, Keras and skae's modules built on them, imported on first use.

Importing TensorFlow takes about 4 s on a 2-core CPU machine, 3.6x all the
rest of ``import skae``, which is mostly scikit-learn's own import
(``benchmarks/import_time.py``). Building
estimators, ``get_params``, ``clone``, pickling an unfitted estimator, a
pipeline's parameter grid and joblib workers that only validate need none
of it. So the estimator modules import no TensorFlow or Keras: they reach
them, and skae's modules that define Keras layers, models and traced
functions (``_layers``, ``_network``, ``_training``, ...), through a
:class:`LazyModule`, which imports the module when one of its attributes is
first read: at the first fit, load, or Keras attribute. Those modules
import ``skae._startup`` first, so TensorFlow's start-up notices stay
hidden whichever of them comes first.
"""

from __future__ import annotations

import importlib
import sys
import types


class LazyModule(types.ModuleType):
    """Stands for the module ``name`` and imports it at the first attribute read.

    Nothing is cached here: every read looks the module up in
    ``sys.modules`` (a dictionary lookup once imported), so a test that
    patches an attribute of the real module patches what the reader sees.
    """

    def __getattr__(self, attribute: str):
        module = sys.modules.get(self.__name__)
        if module is None:
            if self.__name__.partition(".")[0] in ("tensorflow", "keras"):
                from . import _startup  # noqa: F401  (the quiet import)
            module = importlib.import_module(self.__name__)
        return getattr(module, attribute)


tf = LazyModule("tensorflow")
keras = LazyModule("keras")
