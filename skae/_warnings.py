"""Warnings reported at the user's line, not inside skae or the libraries it runs in."""

from __future__ import annotations

import os
import sys
import warnings

import joblib
import sklearn

# Frames in these folders are library frames. A fixed stacklevel cannot be
# right: fit reaches skae's code through scikit-learn's _fit_context
# wrapper, fit_transform through TransformerMixin, cross-validation through
# joblib, each with its own number of frames.
_LIBRARY_FOLDERS = tuple(
    os.path.dirname(os.path.abspath(path)) + os.sep
    for path in (__file__, sklearn.__file__, joblib.__file__)
)


def warn(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` at the innermost frame outside skae, scikit-learn and joblib."""
    frame = sys._getframe(1)
    # stacklevel=2 is our caller's frame; step out while it is a library's.
    level = 2
    while frame is not None and frame.f_code.co_filename.startswith(_LIBRARY_FOLDERS):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
