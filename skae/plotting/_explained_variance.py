"""Scree plot: explained variance against the number of codes."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator

from ._base import _Display, _merge_style


class ExplainedVarianceDisplay(_Display):
    """Explained variance ratio against the number of codes (a scree plot).

    Draws one curve per fitted model that has ``explained_variance_ratio_``:
    skae's estimators and :class:`~sklearn.decomposition.PCA` alike, so a
    network and PCA fitted on the same rows can be compared on one axes.
    Create it with :meth:`from_estimator` or :meth:`from_estimators`; the
    constructor only stores values that were computed elsewhere.

    Parameters
    ----------
    explained_variance_ratios : list of array-like of shape (n_codes,)
        One ``explained_variance_ratio_`` per model.
    names : list of str
        One legend entry per model.
    cumulative : bool, default=True
        Draw the running sum (the share explained by the first ``j``
        codes) rather than each code's share.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        One curve per model, in the order given.
    ax_ : matplotlib Axes
        Axes the curves are drawn on.
    figure_ : matplotlib Figure
        Figure holding ``ax_``.

    See Also
    --------
    LossCurveDisplay : Training and validation loss per epoch.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.decomposition import PCA
    >>> from skae import AutoEncoder
    >>> from skae.plotting import ExplainedVarianceDisplay
    >>> X = load_digits().data / 16.0
    >>> pca = PCA(n_components=4).fit(X)
    >>> ae = AutoEncoder(n_components=4, max_iter=5, n_iter_no_change=None,
    ...                  random_state=0).fit(X)
    >>> display = ExplainedVarianceDisplay.from_estimators([pca, ae])
    >>> [line.get_label() for line in display.lines_]
    ['PCA', 'AutoEncoder']
    >>> display.lines_[0].get_ydata().round(3)
    array([0.149, 0.285, 0.403, 0.487])
    """

    def __init__(
        self, *, explained_variance_ratios: list, names: list[str], cumulative: bool = True
    ) -> None:
        self.explained_variance_ratios = explained_variance_ratios
        self.names = names
        self.cumulative = cumulative

    def plot(self, ax=None, *, line_kwargs: dict | None = None) -> ExplainedVarianceDisplay:
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when None.
        line_kwargs : dict, default=None
            Keyword arguments for every ``ax.plot`` call; they override the
            display's style (matplotlib's aliases such as ``ls`` work).

        Returns
        -------
        display : ExplainedVarianceDisplay
            The display, with the artists stored as attributes.
        """
        ax = self._axes(ax)
        from matplotlib.lines import Line2D
        from matplotlib.ticker import MaxNLocator

        self.lines_ = []
        for ratios, name in zip(self.explained_variance_ratios, self.names, strict=True):
            ratios = np.asarray(ratios, dtype=float)
            values = np.cumsum(ratios) if self.cumulative else ratios
            style = _merge_style(
                {"label": name, "marker": "o", "markersize": 3},
                line_kwargs,
                Line2D,
                param="line_kwargs",
            )
            (line,) = ax.plot(np.arange(1, len(values) + 1), values, **style)
            self.lines_.append(line)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("Number of codes")
        ax.set_ylabel(
            "Cumulative explained variance ratio"
            if self.cumulative
            else "Explained variance ratio"
        )
        ax.legend()
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator: BaseEstimator,
        *,
        name: str | None = None,
        cumulative: bool = True,
        ax=None,
        line_kwargs: dict | None = None,
    ) -> ExplainedVarianceDisplay:
        """Draw the explained variance of one fitted model.

        Parameters
        ----------
        estimator : fitted estimator
            Any estimator with ``explained_variance_ratio_``: a skae
            estimator, or PCA, IncrementalPCA, TruncatedSVD...
        name : str, default=None
            Legend entry; the class name when None.
        cumulative : bool, default=True
            Draw the running sum rather than each code's share.
        ax : matplotlib Axes, default=None
            Axes to draw on (for example one a display already drew on, to
            add a curve); a new figure is created when None.
        line_kwargs : dict, default=None
            Keyword arguments for ``ax.plot``.

        Returns
        -------
        display : ExplainedVarianceDisplay
        """
        return cls.from_estimators(
            [estimator],
            names=None if name is None else [name],
            cumulative=cumulative,
            ax=ax,
            line_kwargs=line_kwargs,
        )

    @classmethod
    def from_estimators(
        cls,
        estimators: list[BaseEstimator],
        *,
        names: list[str] | None = None,
        cumulative: bool = True,
        ax=None,
        line_kwargs: dict | None = None,
    ) -> ExplainedVarianceDisplay:
        """Draw the explained variance of several fitted models on one axes.

        Parameters
        ----------
        estimators : list of fitted estimators
            Each with ``explained_variance_ratio_`` (skae's estimators, PCA).
        names : list of str, default=None
            Legend entries; the class names when None.
        cumulative : bool, default=True
            Draw running sums rather than each code's share.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when None.
        line_kwargs : dict, default=None
            Keyword arguments for every ``ax.plot`` call.

        Returns
        -------
        display : ExplainedVarianceDisplay

        Raises
        ------
        ValueError
            If ``names`` does not give one name per estimator.
        AttributeError
            If an estimator has no ``explained_variance_ratio_``.
        """
        ratios = []
        for estimator in estimators:
            name = cls._check_estimator(estimator, "ExplainedVarianceDisplay.from_estimators")
            if not hasattr(estimator, "explained_variance_ratio_"):
                raise AttributeError(
                    f"{name} has no explained_variance_ratio_, so it has no scree plot; "
                    "pass fitted skae estimators or PCA-like estimators."
                )
            ratios.append(estimator.explained_variance_ratio_)
        if names is None:
            names = [type(estimator).__name__ for estimator in estimators]
        if len(names) != len(estimators):
            raise ValueError(
                f"names has {len(names)} entries for {len(estimators)} estimators; give one "
                "name per estimator or None."
            )
        display = cls(explained_variance_ratios=ratios, names=list(names), cumulative=cumulative)
        return display.plot(ax, line_kwargs=line_kwargs)
