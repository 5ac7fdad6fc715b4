"""Helpers shared by the displays: optional matplotlib import, axes and style."""

from __future__ import annotations

from collections.abc import Mapping

from sklearn.utils.validation import check_is_fitted


def import_pyplot(caller: str):
    """Import ``matplotlib.pyplot`` or explain how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller} requires matplotlib, an optional dependency of skae. "
            'Install it with `pip install matplotlib` (or `pip install ".[plot]"` '
            "in skae's source folder)."
        ) from exc
    return plt


def _merge_style(
    defaults: dict,
    user: Mapping | None,
    artist: type,
    *,
    param: str,
    exclusive: tuple[tuple[tuple[str, ...], ...], ...] = (),
) -> dict:
    """Merge a display's default style with the user's keyword arguments.

    As scikit-learn's displays do (``sklearn.utils._plotting._validate_style_kwargs``):
    aliases such as ``ls``, ``c`` or ``lw`` are resolved to the property they
    name for ``artist`` with :func:`matplotlib.cbook.normalize_kwargs`, and the
    user's values win over the defaults.

    Parameters
    ----------
    defaults : dict
        The display's style, with full property names.
    user : dict or None
        What the user passed as ``param``.
    artist : type
        The matplotlib artist the keywords end up on (e.g. ``Line2D``); it
        defines which keywords are aliases of one another.
    param : str
        Name of the user's parameter, used in error messages.
    exclusive : tuple of tuple of tuple of str, default=()
        Groups of alternatives the plotting function cannot combine, each
        alternative a tuple of full keyword names; e.g.
        ``((("c",), ("color", "facecolor")),)`` for ``ax.scatter``, whose
        ``c`` overrides or clashes with ``color`` and ``facecolor``. When the
        user sets a keyword of one alternative, the defaults of the others
        are dropped.

    Returns
    -------
    style : dict
        Keyword arguments for the plotting function.

    Raises
    ------
    TypeError
        If ``user`` is not a dict, names one property twice (``ls`` and
        ``linestyle``) or sets two alternatives of one ``exclusive`` group.
    """
    from matplotlib.cbook import normalize_kwargs

    if user is None:
        user = {}
    if not isinstance(user, Mapping):
        raise TypeError(
            f"{param} must be a dict of keyword arguments or None, got {type(user).__name__}: "
            f"{user!r}."
        )
    names: dict[str, list[str]] = {}
    for key in user:
        (name,) = normalize_kwargs({key: None}, artist)
        names.setdefault(name, []).append(key)
    for name, keys in names.items():
        if len(keys) > 1:
            raise TypeError(
                f"{param} sets {name!r} twice, as {' and '.join(map(repr, keys))}, which "
                "are aliases of one another; keep only one of them."
            )
    user = {name: user[keys[0]] for name, keys in names.items()}
    style = normalize_kwargs(defaults, artist)
    for alternatives in exclusive:
        chosen = [keys for keys in alternatives if any(key in user for key in keys)]
        if len(chosen) > 1:
            given = [key for keys in chosen for key in keys if key in user]
            raise TypeError(
                f"{param} sets {' and '.join(map(repr, given))}, which set the same thing "
                "in different ways and cannot be combined; keep only one of them."
            )
        for keys in alternatives:
            if chosen and keys is not chosen[0]:
                for key in keys:
                    style.pop(key, None)
    return {**style, **user}


class _Display:
    """Axes bookkeeping common to every display (sklearn's Display convention)."""

    _default_figsize: tuple[float, float] | None = None

    def _axes(self, ax, figsize=None):
        """Return ``ax``, creating a figure when it is None, and record both."""
        plt = import_pyplot(f"{type(self).__name__}.plot")
        if ax is None:
            # Constrained layout keeps every label inside the figure, the
            # right-hand axis label of a twin axis included.
            _, ax = plt.subplots(figsize=figsize or self._default_figsize, layout="constrained")
        self.ax_ = ax
        self.figure_ = ax.figure
        return ax

    @staticmethod
    def _check_estimator(estimator, caller: str) -> str:
        """Check matplotlib and that ``estimator`` is fitted; return its name."""
        import_pyplot(caller)
        check_is_fitted(estimator)
        return type(estimator).__name__
