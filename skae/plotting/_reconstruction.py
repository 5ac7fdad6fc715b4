"""Originals above reconstructions, for image data."""

from __future__ import annotations

import math
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.utils import _safe_indexing, check_array
from sklearn.utils.validation import _num_samples

from ._base import _Display, _merge_style


def _check_image_shape(image_shape, n_features: int) -> tuple[int, int, int]:
    """Validate ``image_shape`` and return it as ``(height, width, channels)``.

    The meaning is the one of ``ResidualArchitecture(image_shape=...)``:
    ``(height, width)`` is a one-channel image.
    """
    try:
        shape = tuple(image_shape)
    except TypeError:
        shape = ()
    positive = all(isinstance(s, Integral) and s > 0 for s in shape)
    if len(shape) == 2 and positive:
        shape = (*shape, 1)
    if len(shape) != 3 or not positive:
        raise ValueError(
            "image_shape must be (height, width) or (height, width, channels) with "
            f"positive integers, got {image_shape!r}."
        )
    if shape[2] not in (1, 3):
        raise ValueError(
            f"image_shape={image_shape!r} has {shape[2]} channels; only 1 (grayscale) or "
            "3 (RGB) channels can be drawn."
        )
    if math.prod(shape) != n_features:
        raise ValueError(
            f"image_shape={image_shape!r} holds {math.prod(shape)} values per image, but "
            f"the rows have {n_features} features; pass a (height, width, channels) "
            f"whose product is {n_features}."
        )
    return tuple(int(s) for s in shape)


def _as_dense(X) -> np.ndarray:
    return np.asarray(X.toarray() if sp.issparse(X) else X, dtype=float)


class ReconstructionDisplay(_Display):
    """Images above their reconstructions by an autoencoder.

    The images are tiled into one picture drawn with a single ``imshow``:
    one column per sample, one row for the originals, one for the
    reconstructions and, when the estimator was fed corrupted copies (a
    denoising autoencoder), one for those inputs in between. All rows share
    the intensity scale of the originals, so a faint reconstruction looks
    faint. Create it with :meth:`from_estimator`.

    Parameters
    ----------
    originals : array-like of shape (n_images, n_features)
        The reference images, one flattened image per row.
    reconstructions : array-like of shape (n_images, n_features)
        The estimator's reconstructions.
    image_shape : tuple of int
        ``(height, width, channels)`` with 1 (grayscale) or 3 (RGB)
        channels, or ``(height, width)`` for grayscale, the meaning
        ``image_shape`` has everywhere in skae (e.g. in
        :class:`~skae.ResNetAutoEncoder`): rows are images flattened in
        channels-last, row-major order, as ``images.reshape(n, -1)`` gives.
    inputs : array-like of shape (n_images, n_features), default=None
        What the estimator actually received, when that differs from
        ``originals`` (e.g. noisy copies); drawn as a middle row.
    name : str, default=None
        Name of the estimator, used as the title.

    Attributes
    ----------
    image_ : matplotlib AxesImage
        The tiled picture; ``image_.get_array()`` is the mosaic.
    row_labels_ : list of str
        Labels of the rows, top to bottom.
    ax_ : matplotlib Axes
        Axes the picture is drawn on.
    figure_ : matplotlib Figure
        Figure holding ``ax_``.

    See Also
    --------
    LossCurveDisplay : Training and validation loss per epoch.
    LatentSpaceDisplay : Scatter plot of the codes.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import AutoEncoder
    >>> from skae.plotting import ReconstructionDisplay
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = AutoEncoder(n_components=8, max_iter=5, n_iter_no_change=None,
    ...                  random_state=0).fit(X / 16)
    >>> display = ReconstructionDisplay.from_estimator(
    ...     ae, X / 16, image_shape=(8, 8, 1), n_images=6)
    >>> display.row_labels_
    ['original', 'reconstruction']
    >>> display.image_.get_array().shape  # 2 rows of 6 8x8 images, 1 px apart
    (17, 53)
    """

    def __init__(
        self,
        *,
        originals,
        reconstructions,
        image_shape: tuple[int, ...],
        inputs=None,
        name: str | None = None,
    ) -> None:
        self.originals = originals
        self.reconstructions = reconstructions
        self.image_shape = image_shape
        self.inputs = inputs
        self.name = name

    def _rows(self) -> list[tuple[str, np.ndarray]]:
        if self.inputs is None:
            rows = [("original", self.originals)]
        else:
            rows = [("clean", self.originals), ("input", self.inputs)]
        rows.append(("reconstruction", self.reconstructions))
        return [(label, _as_dense(images)) for label, images in rows]

    def plot(
        self,
        ax=None,
        *,
        cmap: str = "gray",
        padding: int = 1,
        imshow_kwargs: dict | None = None,
    ) -> ReconstructionDisplay:
        """Draw the tiled images.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure sized to the grid is created when
            None.
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of grayscale images (ignored for RGB).
        padding : int, default=1
            Blank pixels between neighbouring images.
        imshow_kwargs : dict, default=None
            Extra keyword arguments for ``ax.imshow``; they override the
            display's style (including ``cmap``). A ``norm`` replaces the
            default ``vmin``/``vmax``; ``norm`` together with ``vmin`` or
            ``vmax`` raises a ``TypeError``.

        Returns
        -------
        display : ReconstructionDisplay
            The display, with the artists stored as attributes.
        """
        rows = self._rows()
        n_images = rows[0][1].shape[0]
        if any(images.shape[0] != n_images for _, images in rows):
            raise ValueError("originals, inputs and reconstructions need as many rows each.")
        height, width, channels = _check_image_shape(self.image_shape, rows[0][1].shape[1])
        low, high = float(np.min(rows[0][1])), float(np.max(rows[0][1]))
        rgb = channels == 3
        step_y, step_x = height + padding, width + padding
        # Gaps are NaN (drawn transparent) in grayscale; RGB has no NaN, so white.
        mosaic_shape = (len(rows) * step_y - padding, n_images * step_x - padding)
        mosaic = np.full(mosaic_shape + ((3,) if rgb else ()), 1.0 if rgb else np.nan)
        for i, (_, images) in enumerate(rows):
            if rgb:
                tiles = images.reshape(n_images, height, width, channels)
                tiles = np.clip((tiles - low) / max(high - low, np.finfo(float).tiny), 0, 1)
            else:
                tiles = images.reshape(n_images, height, width)
            for j, tile in enumerate(tiles):
                mosaic[i * step_y : i * step_y + height, j * step_x : j * step_x + width] = tile

        figsize = (max(2.0, 0.6 * n_images * width / height), 0.7 * len(rows) + 0.6)
        ax = self._axes(ax, figsize=figsize)
        from matplotlib.image import AxesImage

        style = {"interpolation": "nearest"}
        if not rgb:
            style.update(cmap=cmap, vmin=low, vmax=high)
        # imshow refuses a norm together with vmin/vmax.
        style = _merge_style(
            style,
            imshow_kwargs,
            AxesImage,
            param="imshow_kwargs",
            exclusive=((("norm",), ("vmin", "vmax")),),
        )
        self.image_ = ax.imshow(mosaic, **style)
        self.row_labels_ = [label for label, _ in rows]
        ax.set_yticks([i * step_y + (height - 1) / 2 for i in range(len(rows))])
        ax.set_yticklabels(self.row_labels_)
        ax.set_xticks([])
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        if self.name is not None:
            ax.set_title(self.name)
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        *,
        image_shape: tuple[int, ...],
        n_images: int = 10,
        X_clean=None,
        ax=None,
        name: str | None = None,
        cmap: str = "gray",
        imshow_kwargs: dict | None = None,
    ) -> ReconstructionDisplay:
        """Reconstruct the first ``n_images`` rows of X and draw them.

        The reconstruction is ``estimator.inverse_transform(estimator.transform(X))``,
        so any transformer with both methods works, e.g.
        :class:`~sklearn.decomposition.PCA` for comparison.

        Parameters
        ----------
        estimator : fitted transformer
            An autoencoder (or other transformer) with ``transform`` and
            ``inverse_transform``.
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Images, one flattened image per row.
        image_shape : tuple of int
            ``(height, width, channels)`` with 1 (grayscale) or 3 (RGB)
            channels, or ``(height, width)`` for grayscale, as for
            :class:`~skae.ResNetAutoEncoder`; e.g. ``(8, 8)`` for 8x8
            digits.
        n_images : int, default=10
            Number of images (columns) to draw, taken from the top of X.
        X_clean : {array-like, sparse matrix} of shape (n_samples, n_features), \
                default=None
            Clean versions of the rows of X, when X holds corrupted copies
            (denoising). They are drawn on top, X in the middle.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when None.
        name : str, default=None
            Title; the estimator's class name when None.
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of grayscale images.
        imshow_kwargs : dict, default=None
            Extra keyword arguments for ``ax.imshow``; they override the
            display's style (including ``cmap``). A ``norm`` replaces the
            default ``vmin``/``vmax``; ``norm`` together with ``vmin`` or
            ``vmax`` raises a ``TypeError``.

        Returns
        -------
        display : ReconstructionDisplay
            The display, with the artists stored as attributes.
        """
        default_name = cls._check_estimator(estimator, f"{cls.__name__}.from_estimator")
        if not isinstance(n_images, Integral) or n_images < 1:
            raise ValueError(f"n_images must be a positive integer, got {n_images!r}.")
        # Keep X's container (e.g. a DataFrame with feature names) for the estimator.
        n_samples = _num_samples(X)
        rows = np.arange(min(n_images, n_samples))
        X_top = _safe_indexing(X, rows)
        reconstructions = estimator.inverse_transform(estimator.transform(X_top))
        inputs = None
        originals = check_array(X_top, accept_sparse=("csr", "csc"), input_name="X")
        if X_clean is not None:
            inputs = originals
            X_clean = check_array(X_clean, accept_sparse=("csr", "csc"), input_name="X_clean")
            if X_clean.shape != (n_samples, originals.shape[1]):
                raise ValueError(
                    f"X_clean has shape {X_clean.shape} but X has shape "
                    f"{(n_samples, originals.shape[1])}; they must match row for row."
                )
            originals = X_clean[rows]
        display = cls(
            originals=originals,
            reconstructions=reconstructions,
            image_shape=image_shape,
            inputs=inputs,
            name=default_name if name is None else name,
        )
        return display.plot(ax=ax, cmap=cmap, imshow_kwargs=imshow_kwargs)
