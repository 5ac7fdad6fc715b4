"""Helpers shared by the displays: optional matplotlib import and axes setup."""

from __future__ import annotations

from sklearn.utils.validation import check_is_fitted


def import_pyplot(caller: str):
    """Import ``matplotlib.pyplot`` or explain how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller} requires matplotlib, an optional dependency of skae. "
            "Install it with `pip install skae[plot]` (or `pip install matplotlib`)."
        ) from exc
    return plt


class _Display:
    """Axes bookkeeping common to every display (sklearn's Display convention)."""

    _default_figsize: tuple[float, float] | None = None

    def _axes(self, ax, figsize=None):
        """Return ``ax``, creating a figure when it is None, and record both."""
        plt = import_pyplot(f"{type(self).__name__}.plot")
        if ax is None:
            _, ax = plt.subplots(figsize=figsize or self._default_figsize)
        self.ax_ = ax
        self.figure_ = ax.figure
        return ax

    @staticmethod
    def _check_estimator(estimator, caller: str) -> str:
        """Check matplotlib and that ``estimator`` is fitted; return its name."""
        import_pyplot(caller)
        check_is_fitted(estimator)
        return type(estimator).__name__
