"""Two-dimensional scatter plot of the codes, coloured by label."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from sklearn.utils.validation import check_consistent_length

from ._base import _Display, _merge_style


def _tsne(n_samples: int, random_state):
    # sklearn's default perplexity (30) fails below 31 samples; a third of the
    # samples is the usual upper bound for small sets.
    perplexity = min(30.0, max((n_samples - 1) / 3, 1.0))
    return TSNE(n_components=2, perplexity=perplexity, random_state=random_state)


_PROJECTIONS = {
    "pca": ("PC", lambda n_samples, random_state: PCA(n_components=2, random_state=random_state)),
    "tsne": ("t-SNE", _tsne),
}


def _project(codes: np.ndarray, projection, random_state):
    """Map the codes to two columns; return them and the axis-label prefix."""
    if projection is None:
        if codes.shape[1] != 2:
            raise ValueError(
                f"The codes have {codes.shape[1]} components; a scatter plot needs "
                "2. Pass projection='pca', projection='tsne' or an object with "
                "fit_transform (e.g. sklearn.manifold.Isomap(n_components=2))."
            )
        return codes, None
    if isinstance(projection, str):
        if projection not in _PROJECTIONS:
            raise ValueError(
                f"projection must be None, 'pca', 'tsne' or an object with "
                f"fit_transform, got {projection!r}."
            )
        prefix, make = _PROJECTIONS[projection]
        projector = make(codes.shape[0], random_state)
    elif hasattr(projection, "fit_transform"):
        prefix, projector = type(projection).__name__, clone(projection)
    else:
        raise TypeError(
            "projection must be None, 'pca', 'tsne' or an object with fit_transform, "
            f"got {type(projection).__name__}."
        )
    embedding = np.asarray(projector.fit_transform(codes))
    if embedding.ndim != 2 or embedding.shape != (codes.shape[0], 2):
        raise ValueError(
            f"The projection returned shape {embedding.shape}; it must return two "
            f"columns, shape ({codes.shape[0]}, 2). Set its n_components=2."
        )
    return embedding, prefix


class LatentSpaceDisplay(_Display):
    """Scatter plot of codes in two dimensions, coloured by label.

    Two-component codes are drawn as they are. Wider codes are first mapped
    to two dimensions by a projection of your choice (PCA, t-SNE or any
    object with ``fit_transform``). Create it with :meth:`from_estimator`.

    Parameters
    ----------
    embedding : array-like of shape (n_samples, 2)
        The points to draw.
    labels : array-like of shape (n_samples,), default=None
        Class of each point; each class gets its own colour and legend
        entry.
    axis_labels : tuple of str, default=("component 1", "component 2")
        Labels of the x and y axes.
    name : str, default=None
        Name of the estimator, used as the title.

    Attributes
    ----------
    scatter_ : matplotlib PathCollection
        The points.
    legend_ : matplotlib Legend or None
        Legend with one entry per class, None without labels.
    ax_ : matplotlib Axes
        Axes the points are drawn on.
    figure_ : matplotlib Figure
        Figure holding ``ax_``.

    See Also
    --------
    LossCurveDisplay : Training and validation loss per epoch.
    ReconstructionDisplay : Originals above reconstructions.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import AutoEncoder
    >>> from skae.plotting import LatentSpaceDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> ae = AutoEncoder(n_components=2, max_iter=5, n_iter_no_change=None,
    ...                  random_state=0).fit(X / 16)
    >>> display = LatentSpaceDisplay.from_estimator(ae, X / 16, y)
    >>> display.scatter_.get_offsets().shape
    (1797, 2)
    >>> display.ax_.get_xlabel(), len(display.legend_.get_texts())
    ('autoencoder0', 10)
    """

    def __init__(
        self,
        *,
        embedding,
        labels=None,
        axis_labels: tuple[str, str] = ("component 1", "component 2"),
        name: str | None = None,
    ) -> None:
        self.embedding = embedding
        self.labels = labels
        self.axis_labels = axis_labels
        self.name = name

    def plot(
        self,
        ax=None,
        *,
        cmap: str = "tab10",
        legend: bool = True,
        scatter_kwargs: dict | None = None,
    ) -> LatentSpaceDisplay:
        """Draw the points.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when None.
        cmap : str or matplotlib Colormap, default="tab10"
            Colormap the class colours are taken from.
        legend : bool, default=True
            Whether to add a legend of the classes.
        scatter_kwargs : dict, default=None
            Extra keyword arguments for ``ax.scatter``; they override the
            display's style. matplotlib's aliases (``fc``, ``ec``, ``lw``...)
            work. ``color`` or ``facecolor`` replace the class colours (the
            legend follows), and so does ``c``; setting ``c`` together with
            ``color``/``facecolor``, or one property under two names, raises
            a ``TypeError``.

        Returns
        -------
        display : LatentSpaceDisplay
            The display, with the artists stored as attributes.
        """
        ax = self._axes(ax)
        import matplotlib as mpl

        embedding = np.asarray(self.embedding, dtype=float)
        if embedding.ndim != 2 or embedding.shape[1] != 2:
            raise ValueError(f"embedding must have shape (n_samples, 2), got {embedding.shape}.")
        style = {"s": 8, "alpha": 0.8}
        classes = None
        if self.labels is not None:
            labels = np.asarray(self.labels)
            check_consistent_length(embedding, labels)
            classes, first, index = np.unique(labels, return_index=True, return_inverse=True)
            colormap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
            # Qualitative maps (tab10...) list distinct colours: take them in
            # order; continuous maps are sampled evenly.
            if isinstance(colormap, mpl.colors.ListedColormap) and len(classes) <= colormap.N:
                colors = colormap(np.arange(len(classes)))
            else:
                colors = colormap(np.linspace(0, 1, len(classes)))
            style["c"] = colors[index]
        # scatter refuses c together with color, and lets c override facecolor.
        style = _merge_style(
            style,
            scatter_kwargs,
            mpl.collections.PathCollection,
            param="scatter_kwargs",
            exclusive=((("c",), ("color", "facecolor")),),
        )
        self.scatter_ = ax.scatter(embedding[:, 0], embedding[:, 1], **style)
        self.legend_ = None
        if classes is not None and legend:
            # The colours actually drawn, which scatter_kwargs may have changed.
            self.scatter_.update_scalarmappable()
            drawn = self.scatter_.get_facecolors()
            if len(drawn) == 0:  # hollow markers (facecolor="none")
                drawn = self.scatter_.get_edgecolors()
            handles = [
                mpl.lines.Line2D(
                    [],
                    [],
                    marker=style.get("marker", "o"),
                    linestyle="",
                    color=drawn[i % len(drawn)] if len(drawn) else None,
                )
                for i in first
            ]
            self.legend_ = ax.legend(
                handles,
                [str(c) for c in classes],
                loc="best",
                fontsize="small",
                markerscale=0.8,
                title="label",
            )
        ax.set_xlabel(self.axis_labels[0])
        ax.set_ylabel(self.axis_labels[1])
        if self.name is not None:
            ax.set_title(self.name)
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y=None,
        *,
        projection=None,
        random_state=None,
        ax=None,
        name: str | None = None,
        cmap: str = "tab10",
        legend: bool = True,
        scatter_kwargs: dict | None = None,
    ) -> LatentSpaceDisplay:
        """Encode X with ``estimator`` and draw the codes.

        Parameters
        ----------
        estimator : fitted transformer
            An autoencoder, or any transformer such as
            :class:`~sklearn.decomposition.PCA`.
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to encode.
        y : array-like of shape (n_samples,), default=None
            Labels that colour the points.
        projection : {None, "pca", "tsne"} or object, default=None
            How codes wider than two components are mapped to two
            dimensions: ``"pca"`` (:class:`~sklearn.decomposition.PCA`),
            ``"tsne"`` (:class:`~sklearn.manifold.TSNE`, slow beyond a few
            thousand points) or an unfitted estimator with ``fit_transform``
            returning two columns (it is cloned). None draws two-component
            codes directly and refuses wider ones.
        random_state : int, RandomState instance or None, default=None
            Seed of the ``"pca"`` or ``"tsne"`` projection.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when None.
        name : str, default=None
            Title; the estimator's class name when None.
        cmap : str or matplotlib Colormap, default="tab10"
            Colormap the class colours are taken from.
        legend : bool, default=True
            Whether to add a legend of the classes.
        scatter_kwargs : dict, default=None
            Extra keyword arguments for ``ax.scatter``; they override the
            display's style. matplotlib's aliases (``fc``, ``ec``, ``lw``...)
            work. ``color`` or ``facecolor`` replace the class colours (the
            legend follows), and so does ``c``; setting ``c`` together with
            ``color``/``facecolor``, or one property under two names, raises
            a ``TypeError``.

        Returns
        -------
        display : LatentSpaceDisplay
            The display, with the artists stored as attributes.
        """
        default_name = cls._check_estimator(estimator, f"{cls.__name__}.from_estimator")
        codes = np.asarray(estimator.transform(X), dtype=float)
        embedding, prefix = _project(codes, projection, random_state)
        if prefix is None:
            axis_labels = tuple(str(n) for n in estimator.get_feature_names_out())
        else:
            axis_labels = (f"{prefix} 1", f"{prefix} 2")
        display = cls(
            embedding=embedding,
            labels=y,
            axis_labels=axis_labels,
            name=default_name if name is None else name,
        )
        return display.plot(ax=ax, cmap=cmap, legend=legend, scatter_kwargs=scatter_kwargs)
