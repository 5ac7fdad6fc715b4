"""The registry of classes that :func:`skae.load` may rebuild by name.

Each public estimator and architecture class is registered where it is
defined, with the :func:`saveable` decorator, so persistence finds the
classes without importing the package that exports them.
"""

from __future__ import annotations

#: skae's public estimator and architecture classes, by public name.
SAVEABLE: dict[str, type] = {}


def saveable(cls: type) -> type:
    """Register ``cls`` under its name (a class decorator)."""
    SAVEABLE[cls.__name__] = cls
    return cls
