"""dtype_policy: mixed precision per layer, float32 outputs, and the GPU checks.

The tests marked ``gpu`` skip without a visible GPU; on one they check that
fits run there and match the CPU within float tolerance.
"""

import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import skae
from skae import AutoEncoder, BaseArchitecture, ResNetAutoEncoder, VariationalAutoEncoder
from skae._acquire import build_network
from skae._network import Network
from skae._reuse import POOL, structure_key

# Short fits on purpose (a few epochs to check dtypes, pooling and saving;
# 40 epochs for the quality bound as measured): max_iter ends them before
# the patience runs out, which ConvergenceWarning reports.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X = load_digits().data[:200] / 16.0
ROOT = Path(__file__).resolve().parents[1]
gpu = pytest.mark.skipif(not tf.config.list_physical_devices("GPU"), reason="needs a visible GPU")


def _compute_dtypes(network: Network) -> set[str]:
    """Compute dtypes of the network's layers that have weights of their own
    and are trained (the fixed PCA path is left out)."""
    models = (network.encoder, network.decoder)
    return {
        layer.compute_dtype
        for model in models
        for layer in model.layers
        if layer.trainable_weights
    }


def test_bad_policy_is_named():
    with pytest.raises(ValueError, match=r"dtype_policy.*'float16'"):
        AutoEncoder(dtype_policy="float16").fit(X)


@pytest.mark.parametrize(
    "policy, compute", [("float32", "float32"), ("mixed_bfloat16", "bfloat16")]
)
def test_layers_compute_in_the_policy_and_outputs_are_float32(policy, compute):
    est = ResNetAutoEncoder(
        n_components=4, filters=4, max_iter=1, random_state=0, dtype_policy=policy
    ).fit(X)
    network = est._network
    assert _compute_dtypes(network) == {compute}
    # The fixed PCA path stays float32.
    assert {layer.compute_dtype for layer in network._fixed.values()} == {"float32"}
    assert all(v.dtype == "float32" for v in network.variables if "seed" not in v.path)
    for output in (*network.encoder.outputs, *network.decoder.outputs):
        assert output.dtype == "float32"
    for dtype in (np.float32, np.float64):
        codes = est.transform(X.astype(dtype))
        assert codes.dtype == dtype
        assert est.inverse_transform(codes).dtype == dtype
    assert np.isfinite(est.loss_curve_).all()


class _ConvArchitecture(BaseArchitecture):
    """A custom architecture whose own layers leave ``dtype`` unset."""

    def encode(self, inputs, layers):
        h = keras.layers.Reshape((inputs.shape[-1], 1))(inputs)
        return keras.layers.Flatten()(layers.conv(1, 2, 5, activation="relu")(h))

    def decode(self, code, n_features, layers):
        return layers.dense(n_features, output=True)(code)


def test_custom_architecture_layers_without_the_policy_still_train():
    est = AutoEncoder(
        n_components=2,
        architecture=_ConvArchitecture(),
        max_iter=2,
        random_state=0,
        dtype_policy="mixed_bfloat16",
    ).fit(X)
    assert _compute_dtypes(est._network) == {"bfloat16"}
    assert est.transform(X).dtype == X.dtype
    assert np.isfinite(est.loss_curve_).all()


def test_float16_trains_with_loss_scaling():
    est = AutoEncoder(
        n_components=2,
        hidden_layer_sizes=(8,),
        max_iter=2,
        random_state=0,
        dtype_policy="mixed_float16",
    ).fit(X[:64])
    assert isinstance(est._trainer.optimizer, keras.optimizers.LossScaleOptimizer)
    assert _compute_dtypes(est._network) == {"float16"}
    assert np.isfinite(est.loss_curve_).all()


def test_refits_are_bit_identical_and_policies_are_pooled_apart():
    make = VariationalAutoEncoder(
        n_components=2, max_iter=2, random_state=0, dtype_policy="mixed_bfloat16"
    )
    first = clone(make).fit(X).transform(X)
    # The first estimator is collected: the second fit reuses its trainer.
    again = clone(make).fit(X).transform(X)
    np.testing.assert_array_equal(first, again)
    params = make.get_params()
    keys = {
        structure_key(VariationalAutoEncoder, {**params, "dtype_policy": policy}, 64, 16)
        for policy in ("float32", "mixed_float16", "mixed_bfloat16")
    }
    assert len(keys) == 3


def test_bfloat16_quality_within_two_percent_of_float32():
    # Held-out reconstruction error of a real (if short) fit on digits:
    # measured 0.998 for this network and 1.006 for init="random".
    X_train, X_test = train_test_split(load_digits().data / 16.0, test_size=0.25, random_state=0)
    errors = {}
    for policy in ("float32", "mixed_bfloat16"):
        est = AutoEncoder(n_components=8, max_iter=40, random_state=0, dtype_policy=policy)
        reconstruction = est.fit(X_train).inverse_transform(est.transform(X_test))
        errors[policy] = np.mean((reconstruction - X_test) ** 2)
    assert errors["mixed_bfloat16"] / errors["float32"] <= 1.02


def test_policy_survives_save_load_and_old_files_load_as_float32(tmp_path):
    est = AutoEncoder(
        n_components=2, max_iter=2, random_state=0, dtype_policy="mixed_bfloat16"
    ).fit(X)
    est.save(tmp_path / "model.skae")
    restored = skae.load(tmp_path / "model.skae")
    assert restored.dtype_policy == "mixed_bfloat16"
    assert _compute_dtypes(restored._network) == {"bfloat16"}
    np.testing.assert_array_equal(restored.transform(X), est.transform(X))
    # A network stored before dtype_policy existed has no such parameter.
    params = {k: v for k, v in est._network.params.items() if k != "dtype_policy"}
    rebuilt = build_network(AutoEncoder, params, X.shape[1])
    assert _compute_dtypes(rebuilt) == {"float32"}


def test_saved_model_exports_and_onnx_refuses_bfloat16(tmp_path):
    est = AutoEncoder(
        n_components=2, max_iter=1, random_state=0, dtype_policy="mixed_bfloat16"
    ).fit(X)
    est.export(tmp_path / "served")
    served = tf.saved_model.load(str(tmp_path / "served"))
    assert_allclose(served.encode(X.astype(np.float32)).numpy(), est.transform(X), rtol=1e-6)
    pytest.importorskip("tf2onnx")
    with pytest.raises(ValueError, match=r"bfloat16.*dtype_policy='float32'"):
        est.export(tmp_path / "encoder.onnx", format="onnx")


def test_gpu_benchmark_exits_cleanly_without_a_gpu():
    if tf.config.list_physical_devices("GPU"):
        pytest.skip("a GPU is visible: the script would measure it")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "gpu.py")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "CPU only: no GPU found" in result.stdout


@gpu
@pytest.mark.parametrize("policy", ["float32", "mixed_float16"])
def test_fits_run_on_the_gpu_and_match_the_cpu(policy):
    def fit(device):
        # A pooled trainer keeps the device its variables were created on.
        POOL.clear()
        with tf.device(device):
            est = ResNetAutoEncoder(
                n_components=4, filters=4, max_iter=2, random_state=0, dtype_policy=policy
            )
            return est.fit(X)

    on_gpu = fit("/GPU:0")
    kernel = next(v for v in on_gpu._network.encoder.trainable_variables if v.ndim == 4)
    assert "GPU" in kernel.value.device
    on_cpu = fit("/CPU:0")
    tolerance = 1e-3 if policy == "float32" else 5e-2
    assert_allclose(on_gpu.transform(X), on_cpu.transform(X), rtol=tolerance, atol=tolerance)
    assert_allclose(on_gpu.loss_curve_, on_cpu.loss_curve_, rtol=tolerance)


@gpu
def test_gpu_refits_are_identical():
    with tf.device("/GPU:0"):
        first = AutoEncoder(n_components=4, max_iter=3, random_state=0).fit(X).transform(X)
        second = AutoEncoder(n_components=4, max_iter=3, random_state=0).fit(X).transform(X)
    np.testing.assert_array_equal(first, second)
