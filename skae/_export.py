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

# First: TensorFlow without its start-up notices (see _startup.py).
from . import _startup  # noqa: F401  # isort: skip

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


#: Export formats.
FORMATS = ("tf_saved_model", "onnx")
# ONNX operator set of the exported graphs: onnxruntime 1.32 runs it, and
# tf2onnx 1.17 converts every skae network with it.
ONNX_OPSET = 17


def export(
    estimator,
    path: str | os.PathLike,
    *,
    what: str = "encoder",
    overwrite: bool = False,
    format: str = "tf_saved_model",
) -> None:
    """Write ``estimator``'s fitted network(s) to ``path`` as a SavedModel
    or an ONNX file.

    See :meth:`skae.BaseAutoEncoder.export`, which documents the parameters.
    """
    if not isinstance(format, str) or format not in FORMATS:
        raise ValueError(f"format must be one of {list(FORMATS)}, got {format!r}.")
    if not isinstance(what, str) or what not in PARTS:
        raise ValueError(f"what must be one of {sorted(PARTS)}, got {what!r}.")
    if format == "onnx" and what == "both":
        raise ValueError(
            'format="onnx" writes one network per file: export what="encoder" and '
            'what="decoder" to two paths.'
        )
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

    if format == "onnx":
        _write_onnx(estimator, path, what)
        return
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


def _onnx_bytes(estimator, what: str) -> bytes:
    """The encoder or decoder of ``estimator`` as a serialised ONNX model."""
    try:
        import onnx
        import tf2onnx
    except ImportError as error:
        raise ImportError(
            'format="onnx" needs tf2onnx: pip install tf2onnx onnxruntime (or '
            'pip install ".[onnx]" in skae\'s source folder).'
        ) from error
    if estimator._network.params.get("dtype_policy") == "mixed_bfloat16":
        # tf2onnx converts it, but onnxruntime 1.32 refuses to load the file:
        # its Conv and MatMul have no bfloat16 kernels.
        raise _not_convertible(
            estimator,
            what,
            "its layers compute in bfloat16, which onnxruntime's Conv and MatMul do not "
            "accept; fit with dtype_policy='float32' or 'mixed_float16' for ONNX",
        )
    if what == "encoder":
        model, width, name = estimator.encoder_, estimator.n_features_in_, "X"
    else:
        model, width, name = estimator.decoder_, estimator.n_components_, "codes"
    signature = [tf.TensorSpec((None, width), tf.float32, name=name)]
    try:
        proto, _ = tf2onnx.convert.from_keras(model, input_signature=signature, opset=ONNX_OPSET)
    except Exception as error:
        raise _not_convertible(estimator, what, f"{type(error).__name__}: {error}") from error
    # tf2onnx passes TensorFlow ops it cannot map through under their own
    # names, which makes a model that onnxruntime refuses to load (the
    # sigmoid cross-entropy's Log1p, for example).
    unknown = sorted(
        {node.op_type for node in proto.graph.node if not onnx.defs.has(node.op_type, node.domain)}
    )
    if unknown:
        raise _not_convertible(estimator, what, f"no ONNX operator for {', '.join(unknown)}")
    return proto.SerializeToString()


def _not_convertible(estimator, what: str, reason: str) -> ValueError:
    return ValueError(
        f"The {what} of {estimator!r} cannot be exported to ONNX with tf2onnx "
        f'({reason}). Export it as a SavedModel (format="tf_saved_model") instead.'
    )


def _write_onnx(estimator, path: Path, what: str) -> None:
    """Write one ONNX file, replacing ``path`` only once it is complete."""
    data = _onnx_bytes(estimator, what)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        raise IsADirectoryError(f"{str(path)!r} is a directory; ONNX export writes one file.")
    descriptor, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.partial.")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
