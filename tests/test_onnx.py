"""ONNX export (``export(path, format="onnx")``), checked with onnxruntime."""

import numpy as np
import pytest
from _registry import CONFIGURATIONS, ESTIMATORS
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.datasets import load_digits

from skae import AutoEncoder

X = load_digits().data[:120] / 16.0
CASES = {**ESTIMATORS, **CONFIGURATIONS}
# Decoders whose graph has TensorFlow's Log1p, which tf2onnx 1.17 leaves
# unconverted (no ONNX operator): the Bernoulli VAE's and the KL-sparse
# autoencoder's. Their encoders export.
NO_ONNX_DECODER = {"sparse-kl", "sparse-kl-early-stopping", "variational-bernoulli"}


@pytest.fixture(scope="module")
def ort():
    pytest.importorskip("tf2onnx")
    return pytest.importorskip("onnxruntime")


def _run(ort, path, inputs):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (name,) = [entry.name for entry in session.get_inputs()]
    (output,) = session.run(None, {name: inputs.astype(np.float32)})
    return output, name


@pytest.mark.parametrize("name", sorted(CASES))
def test_onnxruntime_matches_transform_and_inverse_transform(ort, name, tmp_path):
    est = clone(CASES[name]).fit(X)
    codes = est.transform(X)
    est.export(tmp_path / "encoder.onnx", format="onnx")
    encoded, input_name = _run(ort, tmp_path / "encoder.onnx", X)
    assert input_name == "X"
    assert_allclose(encoded, codes, rtol=1e-5, atol=1e-5)
    if name in NO_ONNX_DECODER:
        with pytest.raises(ValueError, match=r"no ONNX operator for Log1p\)") as error:
            est.export(tmp_path / "decoder.onnx", what="decoder", format="onnx")
        assert f"The decoder of {type(est).__name__}(" in str(error.value)
        assert not (tmp_path / "decoder.onnx").exists()
        return
    est.export(tmp_path / "decoder.onnx", what="decoder", format="onnx")
    decoded, input_name = _run(ort, tmp_path / "decoder.onnx", codes)
    assert input_name == "codes"
    assert_allclose(decoded, est.inverse_transform(codes), rtol=1e-5, atol=1e-5)


def test_onnx_export_errors(ort, tmp_path, monkeypatch):
    est = AutoEncoder(n_components=2, hidden_layer_sizes=(8,), max_iter=1, n_iter_no_change=None)
    est.fit(X)
    with pytest.raises(ValueError, match='format="onnx" writes one network per file'):
        est.export(tmp_path / "both.onnx", what="both", format="onnx")
    with pytest.raises(ValueError, match="format must be one of"):
        est.export(tmp_path / "model", format="torchscript")
    est.export(tmp_path / "encoder.onnx", format="onnx")
    with pytest.raises(FileExistsError):
        est.export(tmp_path / "encoder.onnx", format="onnx")
    est.export(tmp_path / "encoder.onnx", format="onnx", overwrite=True)

    import tf2onnx

    def fails(*args, **kwargs):
        raise RuntimeError("unsupported op")

    monkeypatch.setattr(tf2onnx.convert, "from_keras", fails)
    with pytest.raises(ValueError, match=r"RuntimeError: unsupported op\)") as error:
        est.export(tmp_path / "other.onnx", format="onnx")
    assert str(error.value).startswith("The encoder of AutoEncoder(")
    assert not (tmp_path / "other.onnx").exists()
