"""Export fitted networks as TensorFlow SavedModels, for serving without skae.

:meth:`BaseAutoEncoder.export` writes the estimator's public Keras models,
``encoder_`` and ``decoder_``, through Keras' own :class:`keras.export.ExportArchive`.
The artifact is a plain SavedModel directory: TensorFlow Serving, or
``tf.saved_model.load`` in a process that has neither skae nor scikit-learn,
runs it. Each endpoint takes one float32 matrix of a fixed width and any
number of rows and returns one float32 matrix: ``encode`` maps ``X`` of
shape ``(None, n_features_in_)`` to codes as ``transform`` does, and
``decode`` maps ``codes`` of shape ``(None, n_components_)`` to rows as
``inverse_transform`` does. The first endpoint written is also the
``serving_default`` signature that TensorFlow Serving calls when a request
names none.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import keras
import tensorflow as tf
from sklearn.utils.validation import check_is_fitted

#: What ``export`` can write, and the endpoints each choice creates (in order).
PARTS = {"encoder": ("encode",), "decoder": ("decode",), "both": ("encode", "decode")}


def _endpoint(model: keras.Model, width: int, input_name: str):
    """The serving function of ``model`` and its fixed input signature."""

    def serve(inputs):
        return model(inputs, training=False)

    signature = [tf.TensorSpec(shape=(None, width), dtype=tf.float32, name=input_name)]
    return serve, signature


def export(
    estimator, path: str | os.PathLike, *, what: str = "encoder", overwrite: bool = False
) -> None:
    """Write ``estimator``'s fitted network(s) to ``path`` as a SavedModel.

    See :meth:`skae.BaseAutoEncoder.export`, which documents the parameters.
    """
    if not isinstance(what, str) or what not in PARTS:
        raise ValueError(f"what must be one of {sorted(PARTS)}, got {what!r}.")
    if not isinstance(overwrite, bool):
        raise ValueError(f"overwrite must be True or False, got {overwrite!r}.")
    if not isinstance(path, (str, os.PathLike)) or not isinstance(os.fspath(path), str):
        raise ValueError(f"path must be a str or path-like object, got {path!r}.")
    if not os.fspath(path):
        raise ValueError("path must not be empty.")
    path = Path(path)
    check_is_fitted(estimator)
    if path.exists() and not overwrite:
        raise FileExistsError(
            f"{str(path)!r} already exists; pass overwrite=True to replace it, or "
            "export to a new directory (TensorFlow Serving reads numbered version "
            "folders such as models/name/1, models/name/2)."
        )

    archive = keras.export.ExportArchive()
    for endpoint in PARTS[what]:
        if endpoint == "encode":
            model = estimator.encoder_
            fn, signature = _endpoint(model, estimator.n_features_in_, "X")
        else:
            model = estimator.decoder_
            fn, signature = _endpoint(model, estimator.n_components_, "codes")
        archive.track(model)
        archive.add_endpoint(name=endpoint, fn=fn, input_signature=signature)

    # Write next to the destination, then move into place: an existing
    # export is replaced only by a complete one.
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.partial."))
    try:
        archive.write_out(os.fspath(partial), verbose=False)
        if path.exists():
            old = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.old."))
            os.replace(path, old / path.name)
            try:
                os.replace(partial, path)
            except BaseException:
                os.replace(old / path.name, path)
                raise
            finally:
                shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(partial, path)
    finally:
        if partial.exists():
            shutil.rmtree(partial)
