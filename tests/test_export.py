"""est.export: TensorFlow SavedModels that serve without skae (issue #14)."""

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError

from skae import (
    AutoEncoder,
    DenoisingAutoEncoder,
    DenseArchitecture,
    ResNetAutoEncoder,
    SparseAutoEncoder,
    VariationalAutoEncoder,
)

X = load_digits().data[:120] / 16.0
# Two epochs, all of them (n_iter_no_change=None): no ConvergenceWarning.
TINY = {"max_iter": 2, "n_iter_no_change": None, "batch_size": 32, "random_state": 0}
ESTIMATORS = {
    "dense": AutoEncoder(n_components=3, hidden_layer_sizes=(8,), dropout=0.2, **TINY),
    "denoising": DenoisingAutoEncoder(n_components=3, hidden_layer_sizes=(8,), **TINY),
    "sparse": SparseAutoEncoder(n_components=3, hidden_layer_sizes=(8,), **TINY),
    # Bernoulli: the decoder ends in a sigmoid that the export must keep.
    "variational": VariationalAutoEncoder(
        n_components=2, hidden_layer_sizes=(8,), likelihood="bernoulli", **TINY
    ),
    # Batch normalisation: inference statistics, not the batch's.
    "resnet": ResNetAutoEncoder(
        n_components=2,
        image_shape=(8, 8, 1),
        n_levels=1,
        filters=2,
        latent_channels=2,
        batch_normalization=True,
        **TINY,
    ),
    "architecture": AutoEncoder(
        n_components=2, architecture=DenseArchitecture(hidden_layer_sizes=(8,)), **TINY
    ),
}

# Runs in a fresh interpreter where importing skae or scikit-learn fails, as
# on a serving machine that has neither: plain TensorFlow loads the exports.
SERVE = textwrap.dedent(
    """
    import json, sys

    class Unavailable:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("skae", "sklearn"):
                raise ImportError(f"{name} is not available here")

    sys.meta_path.insert(0, Unavailable())
    import numpy as np
    import tensorflow as tf

    jobs = json.loads(sys.argv[1])
    X = tf.constant(np.load(sys.argv[2]))
    given_codes = np.load(sys.argv[3])
    results = {}
    for name, (path, endpoints) in jobs.items():
        served = tf.saved_model.load(path)
        results[name + ":signatures"] = np.array(sorted(served.signatures))
        codes = None
        if "encode" in endpoints:
            codes = served.encode(X)
            results[name + ":encode"] = codes.numpy()
        if "decode" in endpoints:
            codes = tf.constant(given_codes[name]) if codes is None else codes
            results[name + ":decode"] = served.decode(codes).numpy()
        # What TensorFlow Serving calls: named input, fixed width, float32.
        default = served.signatures["serving_default"]
        (input_name, spec), = default.structured_input_signature[1].items()
        results[name + ":default_input"] = np.array(input_name)
        results[name + ":default_shape"] = np.array([d or -1 for d in spec.shape.as_list()])
        results[name + ":default_dtype"] = np.array(spec.dtype.name)
        inputs = X if "encode" in endpoints else codes
        (output,) = default(**{input_name: inputs}).values()
        results[name + ":default"] = output.numpy()
    assert not [m for m in sys.modules if m.split(".")[0] in ("skae", "sklearn")]
    np.savez(sys.argv[4], **results)
    """
)


def _serve_without_skae(tmp_path, jobs, codes):
    """Load every export in a subprocess that does not import skae."""
    x_file, codes_file, out = tmp_path / "X.npy", tmp_path / "codes.npz", tmp_path / "out.npz"
    np.save(x_file, X.astype(np.float32))
    np.savez(codes_file, **codes)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [sys.executable, "-c", SERVE, json.dumps(jobs), x_file, codes_file, out]
    subprocess.run(list(map(str, command)), check=True, env=env, timeout=600)
    with np.load(out) as results:
        return dict(results)


@pytest.fixture(scope="module")
def fitted():
    return {name: clone(est).fit(X) for name, est in ESTIMATORS.items()}


def test_exports_serve_without_skae_and_match_transform(fitted, tmp_path):
    jobs, codes = {}, {}
    for name, est in fitted.items():
        path = tmp_path / name / "1"
        est.export(path, what="both")
        assert (path / "saved_model.pb").is_file()
        jobs[name] = (str(path), ["encode", "decode"])
    # One estimator also exported one network at a time.
    est = fitted["resnet"]
    for what, endpoint in [("encoder", "encode"), ("decoder", "decode")]:
        path = tmp_path / f"resnet-{what}"
        est.export(path, what=what)
        jobs[f"resnet-{what}"] = (str(path), [endpoint])
        codes[f"resnet-{what}"] = est.transform(X).astype(np.float32)

    served = _serve_without_skae(tmp_path, jobs, codes)

    for name, est in fitted.items():
        expected_codes = est.transform(X)
        np.testing.assert_allclose(served[name + ":encode"], expected_codes, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(
            served[name + ":decode"],
            est.inverse_transform(served[name + ":encode"]),
            rtol=1e-5,
            atol=1e-6,
        )
        assert served[name + ":encode"].dtype == np.float32
        assert list(served[name + ":signatures"]) == ["decode", "encode", "serving_default"]
        # serving_default is the encoder, with a fixed float32 signature.
        assert served[name + ":default_input"] == "X"
        assert list(served[name + ":default_shape"]) == [-1, X.shape[1]]
        assert served[name + ":default_dtype"] == "float32"
        np.testing.assert_array_equal(served[name + ":default"], served[name + ":encode"])

    est = fitted["resnet"]
    np.testing.assert_allclose(
        served["resnet-encoder:encode"], est.transform(X), rtol=1e-5, atol=1e-6
    )
    assert list(served["resnet-encoder:signatures"]) == ["encode", "serving_default"]
    assert list(served["resnet-decoder:signatures"]) == ["decode", "serving_default"]
    assert served["resnet-decoder:default_input"] == "codes"
    assert list(served["resnet-decoder:default_shape"]) == [-1, est.n_components_]
    np.testing.assert_allclose(
        served["resnet-decoder:decode"],
        est.inverse_transform(codes["resnet-decoder"]),
        rtol=1e-5,
        atol=1e-6,
    )


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_unfitted_estimator_raises_not_fitted(name, tmp_path):
    with pytest.raises(NotFittedError):
        clone(ESTIMATORS[name]).export(tmp_path / "model")
    assert not (tmp_path / "model").exists()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"what": "weights"}, "what must be one of"),
        ({"what": None}, "what must be one of"),
        ({"what": "Encoder"}, "what must be one of"),
        ({"overwrite": "yes"}, "overwrite must be True or False"),
        ({"overwrite": 1}, "overwrite must be True or False"),
    ],
)
def test_bad_arguments_are_named(fitted, tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fitted["dense"].export(tmp_path / "model", **kwargs)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("path", [None, 3, "", b"model"])
def test_bad_paths_are_named(fitted, path):
    with pytest.raises(ValueError, match="path must"):
        fitted["dense"].export(path)


def test_existing_path_needs_overwrite_and_is_replaced_only_when_complete(
    fitted, tmp_path, monkeypatch
):
    path = tmp_path / "model"
    path.mkdir()
    (path / "old.txt").write_text("previous export")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        fitted["dense"].export(path)
    assert (path / "old.txt").read_text() == "previous export"

    # A failure while writing leaves the existing export and no temporary files.
    def fail(self, *args, **kwargs):
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(type(keras.export.ExportArchive()), "write_out", fail)
        with pytest.raises(RuntimeError, match="disk full"):
            fitted["dense"].export(path, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    assert (path / "old.txt").read_text() == "previous export"

    fitted["dense"].export(path, overwrite=True)
    assert (path / "saved_model.pb").is_file() and not (path / "old.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
