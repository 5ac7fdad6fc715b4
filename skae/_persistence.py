"""Saving and loading estimators without pickle.

A saved estimator is one zip archive (``.skae`` by convention) holding

* ``metadata.json``: the file format name and version, the skae version that
  wrote it, the estimator's class name, its constructor parameters and its
  fitted attributes, all as plain JSON;
* ``encoder.weights.h5`` and ``decoder.weights.h5``: the network weights in
  Keras' weights format (fitted estimators only);
* ``extra_variables.npz``: empty (fitted estimators only). Files written
  before objectives kept their variables in layers hold the VAE's prior
  and observation-noise log-variances here, and its encoder and decoder
  weights without them; loading reads both layouts.
* ``<name>.skae``: a fitted skae estimator held as a fitted attribute by a
  meta-estimator (``estimator_`` of :class:`AutoEncoderOutlierDetector`),
  itself an archive of this format.

Loading only instantiates skae's own public classes, named in the metadata,
from JSON values, and reads the weights as numeric arrays (the ``.npz`` with
``allow_pickle=False``): nothing in the file is executed or unpickled.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterable
from numbers import Integral, Real
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator

from ._acquire import build_network
from ._architectures import saved_params
from ._lazy import LazyModule
from ._saveable import SAVEABLE
from ._state import fitted_attributes, is_fitted, is_public_fitted
from ._version import __version__
from ._warnings import warn

_network = LazyModule("skae._network")

FORMAT_NAME = "skae"
# Bump on any change that an older skae could not read correctly.
FORMAT_VERSION = 1
_METADATA = "metadata.json"
_ENCODER = "encoder.weights.h5"
_DECODER = "decoder.weights.h5"
_EXTRA = "extra_variables.npz"
# Array dtypes a parameter or attribute may hold: booleans, numbers and
# strings. Object arrays would need pickle (strings-only ones are handled
# separately).
_ARRAY_KINDS = "biufU"
# Besides a damaged archive, what reading a file that is not what it
# claims to be can raise.
_READ_ERRORS = (OSError, UnicodeDecodeError)


def _public_classes() -> dict[str, type]:
    """skae's public estimator and architecture classes, by name."""
    return dict(SAVEABLE)


def class_path(cls: type) -> str:
    """How a file names an architecture class defined outside skae."""
    return f"{cls.__module__}.{cls.__qualname__}"


def _trusted_classes(trusted) -> dict[str, type]:
    """The classes a file may name: skae's public ones and the ``trusted`` ones.

    skae's own classes are named by their public name, others by their
    import path. Nothing is imported: a path is only compared with the
    classes the caller passed.
    """
    from ._architectures import BaseArchitecture

    classes = _public_classes()
    for cls in trusted:
        if not (isinstance(cls, type) and issubclass(cls, BaseArchitecture)):
            raise TypeError(
                f"trusted={trusted!r} must list BaseArchitecture subclasses, got {cls!r}."
            )
        classes[class_path(cls)] = cls
    return classes


# -- values <-> JSON -------------------------------------------------------------
def _to_json(value, name: str):
    """``value`` as JSON; tuples, arrays and architectures become tagged objects."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.floating, np.integer)):
        # A 0-d array, so that a float32 attribute loads as float32 and a
        # NumPy integer (PCA's type for a computed n_components_) as one.
        return {"ndarray": value.item(), "dtype": value.dtype.str}
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        return float(value)
    if isinstance(value, tuple):
        return {"tuple": [_to_json(v, name) for v in value]}
    if isinstance(value, list):
        return [_to_json(v, name) for v in value]
    if isinstance(value, np.ndarray):
        if value.dtype.kind in _ARRAY_KINDS:
            return {"ndarray": value.tolist(), "dtype": value.dtype.str}
        if value.dtype.kind == "O" and all(isinstance(v, str) for v in value.flat):
            return {"ndarray": value.tolist(), "dtype": "object"}
    from ._architectures import BaseArchitecture

    public = _public_classes().get(type(value).__name__) is type(value)
    if public or isinstance(value, BaseArchitecture):
        params = value.get_params(deep=False)
        return {
            "class": type(value).__name__ if public else class_path(type(value)),
            "params": {key: _to_json(v, f"{name}__{key}") for key, v in params.items()},
        }
    raise TypeError(
        f"Cannot save {name}={value!r}: a saved estimator holds only None, bool, "
        "int, float, str, tuples, lists and arrays of these, and architecture "
        "objects (BaseArchitecture subclasses). Replace it (for random_state, with "
        "an int; for an architecture, with a BaseArchitecture subclass) or use "
        "pickle or joblib instead."
    )


def _from_json(value, classes: dict | None = None):
    """Inverse of :func:`_to_json`, for values read from a file.

    ``classes`` are the classes the file may name (skae's public ones by
    default).
    """
    classes = _public_classes() if classes is None else classes
    if isinstance(value, list):
        return [_from_json(v, classes) for v in value]
    if not isinstance(value, dict):
        return value
    if value.keys() == {"tuple"} and isinstance(value["tuple"], list):
        return tuple(_from_json(v, classes) for v in value["tuple"])
    if value.keys() == {"ndarray", "dtype"}:
        if value["dtype"] == "object":
            return np.asarray(value["ndarray"], dtype=object)
        dtype = np.dtype(value["dtype"])
        if dtype.kind not in _ARRAY_KINDS:
            raise ValueError(f"unsupported array dtype {value['dtype']!r}")
        array = np.asarray(value["ndarray"], dtype=dtype)
        return array[()] if array.ndim == 0 else array
    if value.keys() == {"class", "params"} and isinstance(value["params"], dict):
        return _instantiate(value["class"], value["params"], classes)
    raise ValueError(f"unrecognised value {value!r}")


def _instantiate(class_name, params: dict, classes: dict):
    if class_name not in classes:
        public = sorted(name for name in _public_classes())
        hint = (
            "; if you trust that file and its class, pass it to "
            f"skae.load(path, trusted=[{class_name.rpartition('.')[2]}])"
            if isinstance(class_name, str) and "." in class_name
            else ""
        )
        raise ValueError(
            f"unknown class {class_name!r}; a file may name only skae's public "
            f"classes ({', '.join(public)}) and the classes passed in trusted={hint}"
        )
    cls = classes[class_name]
    return cls(**saved_params({key: _from_json(v, classes) for key, v in params.items()}, cls))


# -- saving ----------------------------------------------------------------------
def _metadata(estimator) -> dict:
    class_name = type(estimator).__name__
    if _public_classes().get(class_name) is not type(estimator):
        raise TypeError(
            f"{class_name} is not one of skae's public estimators, which are the "
            "only classes skae.load rebuilds; use pickle or joblib for it."
        )
    estimator._validate_params()
    fitted = fitted_attributes(estimator)
    nested = _nested_estimators(estimator)
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "skae_version": __version__,
        "class": class_name,
        "params": {
            key: _to_json(value, key)
            for key, value in without_runtime_objects(estimator.get_params(deep=False)).items()
        },
        "fitted": is_fitted(estimator),
        # The parameters the fitted network was built from; set_params may
        # have changed the estimator's own since.
        "network_params": {
            key: _to_json(value, key) for key, value in estimator._network.params.items()
        }
        if is_fitted(estimator)
        else {},
        "attributes": {
            key: _to_json(value, key) for key, value in fitted.items() if key not in nested
        },
        "nested": sorted(nested),
        "output_config": dict(vars(estimator).get("_sklearn_output_config", {})),
    }


def _nested_estimators(estimator) -> dict:
    """Fitted attributes that are skae estimators, saved as nested archives."""
    estimators = tuple(SAVEABLE.values())
    return {
        key: value
        for key, value in fitted_attributes(estimator).items()
        if isinstance(value, estimators)
    }


def without_runtime_objects(params: dict) -> dict:
    """``params`` (or pickle state) with ``distribute_strategy`` and
    ``callbacks`` set to None.

    A strategy holds devices, threads and collective-op state, and callbacks
    hold open files, writers and references to the objects they report to,
    so neither ``save`` nor pickle stores them; storing one warns.
    """
    reasons = {
        "distribute_strategy": "trains on the default device",
        "callbacks": "trains without callbacks",
    }
    for name, reason in reasons.items():
        if params.get(name) is not None:
            warn(
                f"{name} is not stored: the loaded estimator has {name}=None and "
                f"{reason}. Set it again with set_params after loading.",
                UserWarning,
            )
            params = {**params, name: None}
    return params


def save(estimator, path) -> None:
    """Write ``estimator`` to ``path``; see :meth:`BaseAutoEncoder.save`."""
    # Everything that can fail on the estimator's side happens before the
    # destination is touched, and the archive is only moved onto ``path``
    # once complete: a failed save neither leaves a partial file nor
    # destroys an earlier one.
    metadata = json.dumps(_metadata(estimator), indent=1)
    path = Path(path)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        members = []
        if is_fitted(estimator):
            network = estimator._network
            network.encoder.save_weights(folder / _ENCODER)
            network.decoder.save_weights(folder / _DECODER)
            # Empty: every variable is in the models (see the module docstring).
            np.savez(folder / _EXTRA)
            members = [_ENCODER, _DECODER, _EXTRA]
        for key, nested in _nested_estimators(estimator).items():
            save(nested, folder / f"{key}.skae")
            members.append(f"{key}.skae")
        handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        os.close(handle)
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(_METADATA, metadata)
                for member in members:
                    archive.write(folder / member, member)
            os.replace(partial, path)
        except BaseException:
            os.unlink(partial)
            raise


# -- loading ---------------------------------------------------------------------
def _read_metadata(archive: zipfile.ZipFile) -> dict:
    try:
        metadata = json.loads(archive.read(_METADATA).decode("utf-8"))
    except KeyError:
        raise ValueError(f"it has no {_METADATA}") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"{_METADATA} is not valid JSON ({exc})") from exc
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT_NAME:
        raise ValueError(f"{_METADATA} does not describe an skae estimator")
    version = metadata.get("format_version")
    if version != FORMAT_VERSION:
        raise ValueError(
            f"it uses skae file format version {version!r} (written by skae "
            f"{metadata.get('skae_version', 'unknown')}), but this skae reads "
            f"version {FORMAT_VERSION}. Load it with the skae version that "
            "wrote it, or refit the model with this one"
        )
    return metadata


def _extract(archive: zipfile.ZipFile, member: str, folder: Path) -> Path:
    """Copy one member to a file in ``folder`` (Keras reads weights from paths)."""
    target = folder / member
    try:
        with archive.open(member) as source, open(target, "wb") as sink:
            shutil.copyfileobj(source, sink)
    except KeyError:
        raise ValueError(f"it has no {member}") from None
    return target


def _restore_network(estimator, archive: zipfile.ZipFile, params: dict) -> None:
    """Rebuild the network from ``params`` and load the saved weights."""
    try:
        network = build_network(type(estimator), params, estimator.n_features_in_)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"its network parameters are invalid ({exc})") from exc
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        encoder = _extract(archive, _ENCODER, folder)
        decoder = _extract(archive, _DECODER, folder)
        extra = _extract(archive, _EXTRA, folder)
        with np.load(extra, allow_pickle=False) as arrays:
            legacy = [arrays[f"arr_{i}"] for i in range(len(arrays.files))]
        # A file of the earlier layout has the models without the layers
        # that now hold its extra variables: those are assigned next.
        models = network.models(layout=1 if legacy else _network.WEIGHTS_LAYOUT)
        try:
            models[0].load_weights(encoder)
            models[1].load_weights(decoder)
        except ValueError as exc:
            raise ValueError(f"its weights do not fit the saved parameters ({exc})") from exc
        except OSError as exc:
            raise ValueError(f"its weights are corrupted ({exc})") from exc
    if legacy:
        # Layout 1's list: the models' weights as just loaded, then the extras.
        loaded = [np.asarray(v.numpy()) for v in models[0].weights + models[1].weights]
        try:
            network.set_weights(loaded + legacy, layout=1)
        except ValueError as exc:
            raise ValueError(f"its extra variables do not fit the network ({exc})") from exc
    estimator._network = network


def _rebuild(metadata: dict, archive: zipfile.ZipFile, classes: dict):
    sections = {
        name: metadata.get(name, {})
        for name in ("params", "network_params", "attributes", "output_config")
    }
    for name, section in sections.items():
        if not isinstance(section, dict):
            raise ValueError(f"its {name!r} entry is not a JSON object")
    class_name = metadata.get("class")
    if class_name not in _public_classes():
        raise ValueError(f"unknown class {class_name!r}; it is not one of skae's estimators")
    estimator = _instantiate(class_name, sections["params"], classes)
    estimator._validate_params()
    for key, value in sections["attributes"].items():
        if not (is_public_fitted(key) and key.isidentifier()):
            raise ValueError(f"{key!r} is not a fitted attribute")
        setattr(estimator, key, _from_json(value, classes))
    nested = metadata.get("nested", [])
    if not isinstance(nested, list):
        raise ValueError("its 'nested' entry is not a JSON list")
    for key in nested:
        if not (isinstance(key, str) and is_public_fitted(key) and key.isidentifier()):
            raise ValueError(f"{key!r} is not a fitted attribute")
        try:
            member = archive.read(f"{key}.skae")
        except KeyError:
            raise ValueError(f"it has no {key}.skae") from None
        with zipfile.ZipFile(io.BytesIO(member)) as inner:
            setattr(estimator, key, _rebuild(_read_metadata(inner), inner, classes))
    if sections["output_config"]:
        estimator.set_output(**sections["output_config"])
    if metadata.get("fitted") is True:
        if not isinstance(getattr(estimator, "n_features_in_", None), int):
            raise ValueError("it is marked fitted but has no integer n_features_in_")
        network_params = {
            key: _from_json(v, classes) for key, v in sections["network_params"].items()
        }
        _restore_network(estimator, archive, network_params)
    return estimator


def load(path: str | os.PathLike, *, trusted: Iterable[type] = ()) -> BaseEstimator:
    """Load an estimator saved with :meth:`~skae.AutoEncoder.save`.

    The file holds the estimator's parameters as JSON and its weights in
    Keras' format. Loading rebuilds the estimator from those values only:
    it never unpickles, imports or executes anything from the file, so
    loading a file from someone else is safe. ``transform`` and the other
    methods of the loaded estimator return exactly what the saved one
    returned.

    An architecture defined outside skae (a :class:`BaseArchitecture`
    subclass) is recorded by its import path, ``module.QualifiedName``.
    Loading rebuilds it only from a class the caller passes in ``trusted``
    under that same path: the file chooses among the classes you allow,
    never which code runs.

    Parameters
    ----------
    path : str or path-like
        File written by ``save``.
    trusted : iterable of BaseArchitecture subclasses, default=()
        Architecture classes from outside skae that the file may name.

    Returns
    -------
    estimator : estimator object
        The estimator, fitted if it was fitted when saved. The optimiser
        state is not stored: ``partial_fit`` and ``warm_start`` continue
        from the saved weights with a fresh optimiser.

    Raises
    ------
    ValueError
        If the file does not exist, is not a file written by ``save``
        (not a zip archive, or a member is missing), is truncated or
        corrupted, names a class that is neither one of skae's public
        classes nor in ``trusted``, or uses a different file format
        version.
    TypeError
        If ``trusted`` holds something other than a BaseArchitecture
        subclass.

    See Also
    --------
    AutoEncoder.save : Write an estimator to a file.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_digits
    >>> import skae
    >>> X = load_digits().data / 16.0
    >>> ae = skae.AutoEncoder(n_components=2, hidden_layer_sizes=(16,), max_iter=2,
    ...                       n_iter_no_change=None, random_state=0).fit(X)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "digits.skae")
    ...     ae.save(path)
    ...     restored = skae.load(path)
    >>> bool((restored.transform(X) == ae.transform(X)).all())
    True
    """
    classes = _trusted_classes(tuple(trusted))
    try:
        with zipfile.ZipFile(path) as archive:
            return _rebuild(_read_metadata(archive), archive, classes)
    except FileNotFoundError:
        raise ValueError(f"Cannot load {os.fspath(path)!r}: no such file.") from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ValueError(
            f"Cannot load {os.fspath(path)!r}: it is not an skae model file, or it is "
            f"truncated or corrupted ({exc})."
        ) from exc
    except (ValueError, TypeError, *_READ_ERRORS) as exc:
        raise ValueError(f"Cannot load {os.fspath(path)!r}: {str(exc).rstrip('.')}.") from exc


class NestedSaveMixin:
    """``save`` for a use built on a skae estimator (a meta-estimator whose
    fitted ``estimator_`` is stored as a nested archive)."""

    def save(self, path: str | os.PathLike) -> None:
        """Save to a file without pickle; read it with :func:`skae.load`.

        The archive holds the parameters and fitted numbers as JSON and the
        fitted estimator as a nested skae archive (see
        :meth:`AutoEncoder.save`).

        Parameters
        ----------
        path : str or path-like
            Destination file.
        """
        save(self, path)
