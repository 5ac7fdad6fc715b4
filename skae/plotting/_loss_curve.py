"""Training and validation loss per epoch."""

from __future__ import annotations

import numpy as np

from .._base import BaseAutoEncoder
from ._base import _Display, _merge_style


def _twin(ax, label: str):
    """The twin of ``ax`` whose y-axis is ``label``: an earlier display's, or a new one."""
    for other in ax.figure.axes:
        if other is not ax and ax.get_shared_x_axes().joined(ax, other):
            if other.get_ylabel() == label:
                return other
    twin = ax.twinx()
    twin.set_ylabel(label)
    return twin


class LossCurveDisplay(_Display):
    """Training (and validation) loss per epoch of a fitted autoencoder.

    Create it with :meth:`from_estimator`; the constructor only stores
    values that were computed elsewhere.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Mean training loss per epoch, e.g. ``estimator.loss_curve_``.
    validation_loss : array-like of shape (n_epochs,) or (n_epochs + 1,), default=None
        Loss on held-out rows per epoch, e.g. ``-estimator.validation_scores_``,
        which starts with the loss before the first epoch (drawn at epoch 0).
    name : str, default=None
        Name of the estimator, used as the title.
    validation_label : str, default=None
        For a validation loss in other units than the training loss: the
        label of a second y-axis, on the right, that the validation curve
        is drawn against. None draws both curves against one axis.

    Attributes
    ----------
    line_ : matplotlib Line2D
        Training loss curve.
    validation_line_ : matplotlib Line2D or None
        Validation loss curve, None without validation loss.
    ax_ : matplotlib Axes
        Axes the curves are drawn on.
    validation_ax_ : matplotlib Axes or None
        Axes of the validation curve: ``ax_``, or its twin with the second
        y-axis when ``validation_label`` is given; None without validation
        loss.
    figure_ : matplotlib Figure
        Figure holding ``ax_``.

    See Also
    --------
    ReconstructionDisplay : Originals above reconstructions.
    LatentSpaceDisplay : Scatter plot of the codes.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import AutoEncoder
    >>> from skae.plotting import LossCurveDisplay
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = AutoEncoder(max_iter=5, n_iter_no_change=None, early_stopping=True,
    ...                  random_state=0).fit(X / 16)
    >>> display = LossCurveDisplay.from_estimator(ae)
    >>> display.line_.get_ydata().shape
    (5,)
    >>> display.ax_.get_xlabel()
    'Epoch'
    """

    def __init__(
        self,
        *,
        loss_curve,
        validation_loss=None,
        name: str | None = None,
        validation_label: str | None = None,
    ) -> None:
        self.loss_curve = loss_curve
        self.validation_loss = validation_loss
        self.name = name
        self.validation_label = validation_label

    def plot(
        self, ax=None, *, train_kwargs: dict | None = None, validation_kwargs: dict | None = None
    ) -> LossCurveDisplay:
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when None.
        train_kwargs : dict, default=None
            Keyword arguments for ``ax.plot`` of the training curve. They
            override the display's style; matplotlib's aliases (``ls``,
            ``lw``, ``c``...) work, but naming one property twice (``ls``
            and ``linestyle``) raises a ``TypeError``.
        validation_kwargs : dict, default=None
            Keyword arguments for ``ax.plot`` of the validation curve, as
            for ``train_kwargs``; they override the default dashed line.

        Returns
        -------
        display : LossCurveDisplay
            The display, with the artists stored as attributes.
        """
        ax = self._axes(ax)
        from matplotlib.lines import Line2D

        train_style = _merge_style(
            {"label": "training"}, train_kwargs, Line2D, param="train_kwargs"
        )
        validation_style = _merge_style(
            {"label": "validation", "linestyle": "--"},
            validation_kwargs,
            Line2D,
            param="validation_kwargs",
        )
        loss = np.asarray(self.loss_curve, dtype=float)
        self.line_ = ax.plot(np.arange(1, loss.size + 1), loss, **train_style)[0]
        self.validation_line_ = self.validation_ax_ = None
        if self.validation_loss is not None:
            validation = np.asarray(self.validation_loss, dtype=float)
            self.validation_ax_ = ax
            if self.validation_label is not None:
                self.validation_ax_ = _twin(ax, self.validation_label)
                # The twin's colour cycle starts afresh: each model's two
                # curves share its colour, told apart by the dashes.
                validation_style.setdefault("color", self.line_.get_color())
            self.validation_line_ = self.validation_ax_.plot(
                # Aligned at the last epoch: a curve one longer than the
                # training curve starts with the score before the first epoch.
                np.arange(loss.size - validation.size + 1, loss.size + 1),
                validation,
                **validation_style,
            )[0]
        ax.set_xlabel("Epoch")
        ax.set_ylabel("Loss" if self.validation_ax_ in (None, ax) else "Training loss")
        if self.name is not None:
            ax.set_title(self.name)
        # One legend for every curve on the axes (several displays can share
        # them) and on their twin.
        handles, labels = ax.get_legend_handles_labels()
        if self.validation_ax_ not in (None, ax):
            twin_handles, twin_labels = self.validation_ax_.get_legend_handles_labels()
            handles, labels = handles + twin_handles, labels + twin_labels
            # The legend lives on ax: draw ax, with a see-through background,
            # above its twin, so that no curve crosses the legend.
            ax.set_zorder(self.validation_ax_.get_zorder() + 1)
            ax.patch.set_visible(False)
        ax.legend(handles, labels)
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        ax=None,
        name: str | None = None,
        train_kwargs: dict | None = None,
        validation_kwargs: dict | None = None,
    ) -> LossCurveDisplay:
        """Plot the loss curves recorded while fitting ``estimator``.

        The validation curve, drawn when the estimator was fitted with
        ``early_stopping=True``, is minus ``validation_scores_``: the loss on
        the held-out rows without penalties or input corruption, so its
        level can differ from the training loss. A
        :class:`~skae.VariationalAutoEncoder` trains on the negative ELBO
        but, with ``monitor="reconstruction"`` (its default), monitors the
        reconstruction error: that curve is drawn against a second y-axis.
        With ``monitor="elbo"`` the validation curve is the negative ELBO
        with ``beta=1``, against the training loss's axis.

        Parameters
        ----------
        estimator : fitted skae autoencoder
            For example a fitted :class:`~skae.AutoEncoder`.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when None.
        name : str, default=None
            Title; the estimator's class name when None.
        train_kwargs : dict, default=None
            Keyword arguments for ``ax.plot`` of the training curve. They
            override the display's style; matplotlib's aliases (``ls``,
            ``lw``, ``c``...) work, but naming one property twice (``ls``
            and ``linestyle``) raises a ``TypeError``.
        validation_kwargs : dict, default=None
            Keyword arguments for ``ax.plot`` of the validation curve, as
            for ``train_kwargs``; they override the default dashed line.

        Returns
        -------
        display : LossCurveDisplay
            The display, with the artists stored as attributes.
        """
        default_name = cls._check_estimator(estimator, f"{cls.__name__}.from_estimator")
        if not isinstance(estimator, BaseAutoEncoder):
            # sklearn's MLPs also have loss_curve_, but their validation_scores_
            # are accuracies or R^2, not negative losses.
            raise TypeError(f"LossCurveDisplay needs a skae autoencoder, got {default_name}.")
        scores = getattr(estimator, "validation_scores_", None)
        # Only an objective that monitors something other than its score
        # (the VAE's reconstruction) has validation losses in other units.
        other_units = not estimator._network.objective.monitors_score
        display = cls(
            loss_curve=estimator.loss_curve_,
            validation_loss=None if scores is None else -np.asarray(scores, dtype=float),
            name=default_name if name is None else name,
            validation_label="Validation reconstruction error" if other_units else None,
        )
        return display.plot(ax=ax, train_kwargs=train_kwargs, validation_kwargs=validation_kwargs)
