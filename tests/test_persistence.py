"""save / skae.load without pickle, and pickle / joblib (issue: reliability)."""

import inspect
import json
import pickle
import zipfile
from pathlib import Path

import joblib
import keras
import numpy as np
import pytest
from _checks import user_architectures
from _registry import CONFIGURATIONS, TINY
from _registry import ESTIMATORS as REGISTERED
from sklearn.base import BaseEstimator, clone
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError

import skae
from skae import AutoEncoder, VariationalAutoEncoder

X = load_digits().data[:160] / 16.0
# Every estimator and every configuration of the shared registry: tuples, a
# nested architecture object (built-in and user-built), a VAE variable
# outside the layers, batch normalisation statistics and early-stopping
# attributes.
ESTIMATORS = {**REGISTERED, **CONFIGURATIONS}


@pytest.fixture(scope="module")
def fitted():
    """``fitted(name)``: the estimator fitted on X, shared by the module's tests."""
    models = {}

    def get(name):
        if name not in models:
            models[name] = clone(ESTIMATORS[name]).fit(X)
        return models[name]

    return get


@pytest.fixture
def saved(fitted, tmp_path):
    """Path of the fitted dense estimator saved to a file."""
    path = tmp_path / "model.skae"
    fitted("dense-two-layers").save(path)
    return path


def _params(est) -> dict:
    """Parameters, nested estimators as (class name, parameters)."""
    return {
        key: (type(value).__name__, value.get_params()) if hasattr(value, "get_params") else value
        for key, value in est.get_params(deep=False).items()
    }


def _assert_same_outputs(restored, est) -> None:
    codes = est.transform(X)
    np.testing.assert_array_equal(restored.transform(X), codes)
    np.testing.assert_array_equal(restored.inverse_transform(codes), est.inverse_transform(codes))
    np.testing.assert_array_equal(restored.score_samples(X), est.score_samples(X))


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_round_trip_reproduces_the_estimator_exactly(fitted, tmp_path, name):
    est = fitted(name)
    est.save(tmp_path / "model.skae")
    restored = skae.load(tmp_path / "model.skae", trusted=user_architectures(est))
    assert type(restored) is type(est)
    assert _params(restored) == _params(est)
    public = [key for key in vars(est) if key.endswith("_") and not key.startswith("_")]
    assert sorted(key for key in vars(restored) if key.endswith("_")) == sorted(public)
    for key in public:
        value = getattr(est, key)
        np.testing.assert_array_equal(getattr(restored, key), value, err_msg=key)
        if isinstance(value, np.ndarray):
            assert getattr(restored, key).dtype == value.dtype, key
    _assert_same_outputs(restored, est)
    if isinstance(est, VariationalAutoEncoder):
        np.testing.assert_array_equal(
            restored.transform(X, return_std=True)[1], est.transform(X, return_std=True)[1]
        )
        np.testing.assert_array_equal(restored.sample(5, random_state=0), est.sample(5, 0))


def test_file_layout_and_format_version(saved):
    with zipfile.ZipFile(saved) as archive:
        assert sorted(archive.namelist()) == [
            "decoder.weights.h5",
            "encoder.weights.h5",
            "extra_variables.npz",
            "metadata.json",
        ]
        metadata = json.loads(archive.read("metadata.json"))
        # Keras' weights format is HDF5.
        assert archive.read("encoder.weights.h5").startswith(b"\x89HDF")
    assert metadata["format"] == "skae"
    assert metadata["format_version"] == 1
    assert metadata["skae_version"] == skae.__version__
    assert metadata["class"] == "AutoEncoder"
    assert metadata["params"]["hidden_layer_sizes"] == {"tuple": [8, 4]}
    assert metadata["attributes"]["n_features_in_"] == 64


def test_feature_names_and_pandas_output_survive(tmp_path):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X[:, :6], columns=list("abcdef"))
    est = AutoEncoder(n_components=2, hidden_layer_sizes=(4,), **TINY)
    est.set_output(transform="pandas").fit(frame)
    est.save(tmp_path / "model.skae")
    restored = skae.load(tmp_path / "model.skae")
    assert list(restored.feature_names_in_) == list("abcdef")
    pd.testing.assert_frame_equal(restored.transform(frame), est.transform(frame))


def test_unfitted_estimator_saves_its_parameters_only(tmp_path):
    est = ESTIMATORS["VariationalAutoEncoder"]
    est.save(tmp_path / "config.skae")
    with zipfile.ZipFile(tmp_path / "config.skae") as archive:
        assert archive.namelist() == ["metadata.json"]
    restored = skae.load(tmp_path / "config.skae")
    assert _params(restored) == _params(est)
    with pytest.raises(NotFittedError):
        restored.transform(X)
    restored.fit(X)
    np.testing.assert_array_equal(restored.transform(X), clone(est).fit(X).transform(X))


def test_loaded_estimator_keeps_training(saved, fitted):
    restored = skae.load(saved)
    n_iter = restored.n_iter_
    restored.partial_fit(X)
    assert restored.n_iter_ == n_iter + 1
    assert not np.array_equal(restored.transform(X), fitted("dense-two-layers").transform(X))


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_pickle_and_joblib_still_work(fitted, tmp_path, name):
    est = fitted(name)
    _assert_same_outputs(pickle.loads(pickle.dumps(est)), est)
    joblib.dump(est, tmp_path / "model.joblib")
    _assert_same_outputs(joblib.load(tmp_path / "model.joblib"), est)


@pytest.mark.parametrize("store", ["save", "pickle"])
def test_parameters_changed_after_fit_do_not_change_the_stored_model(fitted, tmp_path, store):
    est = clone(fitted("dense-two-layers")).fit(X)
    codes = est.transform(X)
    # set_params configures the next fit; the fitted network keeps its own.
    est.set_params(hidden_layer_sizes=(5,), activation="tanh", n_components=2)
    if store == "save":
        est.save(tmp_path / "model.skae")
        restored = skae.load(tmp_path / "model.skae")
    else:
        restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.transform(X), codes)
    assert restored.get_params()["hidden_layer_sizes"] == (5,)
    assert restored.fit(X).transform(X).shape == (X.shape[0], 2)
    dense = [layer for layer in restored.encoder_.layers if isinstance(layer, keras.layers.Dense)]
    assert dense[0].activation.__name__ == "tanh"


def test_parameters_that_are_not_json_are_named_at_save_time(saved, fitted):
    content = saved.read_bytes()
    est = clone(fitted("dense-two-layers")).set_params(random_state=np.random.RandomState(0))
    with pytest.raises(TypeError, match="random_state=RandomState"):
        est.save(saved)
    # The failed save left the earlier file as it was, and nothing else.
    assert saved.read_bytes() == content
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]


def test_subclasses_defined_elsewhere_are_refused(tmp_path):
    class MyAutoEncoder(AutoEncoder):
        pass

    with pytest.raises(TypeError, match="MyAutoEncoder is not one of skae's public"):
        MyAutoEncoder().save(tmp_path / "model.skae")


def _rewrite(path, replace: dict) -> None:
    """Rewrite the archive with members replaced (bytes) or removed (None)."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members.update(replace)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            if data is not None:
                archive.writestr(name, data)


def _edit_metadata(path, **changes) -> None:
    with zipfile.ZipFile(path) as archive:
        metadata = json.loads(archive.read("metadata.json"))
    for key, value in changes.items():
        section, _, field = key.partition("__")
        if field:
            metadata[section][field] = value
        else:
            metadata[section] = value
    _rewrite(path, {"metadata.json": json.dumps(metadata).encode()})


def _flip_byte_inside(path, member: str) -> None:
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    data = bytearray(path.read_bytes())
    # Local header: 30 bytes, the name, the extra field, then the data.
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _npz_with_object_array() -> bytes:
    import io

    buffer = io.BytesIO()
    np.savez(buffer, np.array([{"not": "numbers"}], dtype=object))
    return buffer.getvalue()


CORRUPTIONS = {
    "missing file": (lambda p: p.unlink(), "no such file"),
    "not a zip": (lambda p: p.write_text("hello"), "not an skae model file"),
    "truncated": (
        lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
        "truncated or corrupted",
    ),
    "flipped byte": (
        lambda p: _flip_byte_inside(p, "encoder.weights.h5"),
        "truncated or corrupted",
    ),
    "missing metadata": (lambda p: _rewrite(p, {"metadata.json": None}), "no metadata.json"),
    "missing weights": (
        lambda p: _rewrite(p, {"decoder.weights.h5": None}),
        "no decoder.weights.h5",
    ),
    "bad json": (lambda p: _rewrite(p, {"metadata.json": b"{not json"}), "not valid JSON"),
    "not skae metadata": (lambda p: _edit_metadata(p, format="keras"), "not describe an skae"),
    "newer format": (lambda p: _edit_metadata(p, format_version=2), "format version 2"),
    "unknown class": (lambda p: _edit_metadata(p, **{"class": "Popen"}), "unknown class 'Popen'"),
    "unknown parameter": (
        lambda p: _edit_metadata(p, params__command="rm -rf /"),
        "unexpected keyword argument 'command'",
    ),
    "invalid parameter": (lambda p: _edit_metadata(p, params__n_components=0), "n_components"),
    "private attribute": (
        lambda p: _edit_metadata(p, attributes___network=None),
        "'_network' is not a fitted attribute",
    ),
    "params not an object": (lambda p: _edit_metadata(p, params=[1]), "'params' entry"),
    "weights of another network": (
        lambda p: _edit_metadata(p, network_params__hidden_layer_sizes={"tuple": [9, 4]}),
        "weights do not fit",
    ),
    "invalid network parameter": (
        lambda p: _edit_metadata(p, network_params__activation="swish!"),
        "network parameters are invalid",
    ),
    "unknown network parameter": (
        lambda p: _edit_metadata(p, network_params__command="rm -rf /"),
        "network parameters are invalid",
    ),
    "network params not an object": (
        lambda p: _edit_metadata(p, network_params=[1]),
        "'network_params' entry",
    ),
    "corrupted weights": (
        lambda p: _rewrite(p, {"encoder.weights.h5": b"\x89HDF garbage"}),
        "weights are corrupted",
    ),
    "pickled extra variables": (
        lambda p: _rewrite(p, {"extra_variables.npz": _npz_with_object_array()}),
        "allow_pickle=False",
    ),
}


# Keras warns about the layers it cannot match before it raises.
@pytest.mark.filterwarnings("ignore:Skipping nested container")
@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_broken_files_give_a_clear_error(saved, case):
    corrupt, message = CORRUPTIONS[case]
    corrupt(saved)
    with pytest.raises(ValueError, match=message) as error:
        skae.load(saved)
    assert str(saved) in str(error.value)


def test_loading_never_unpickles(saved, fitted, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("skae.load used pickle")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, refuse)
    _assert_same_outputs(skae.load(saved), fitted("dense-two-layers"))


def test_every_public_class_is_registered_for_load():
    """skae.load rebuilds the classes registered with @saveable: exactly the
    public, concrete estimators and architectures that skae exports."""
    from skae._saveable import SAVEABLE

    exported = {
        name
        for name in skae.__all__
        if isinstance(obj := getattr(skae, name), type)
        and issubclass(obj, BaseEstimator)
        and not inspect.isabstract(obj)
        and obj is not skae.BaseAutoEncoder
    }
    assert set(SAVEABLE) == exported
    assert all(SAVEABLE[name] is getattr(skae, name) for name in exported)


LEGACY = Path(__file__).with_name("data")


@pytest.mark.parametrize("likelihood", ["gaussian", "bernoulli"])
def test_files_and_pickles_of_the_earlier_weight_layout_load(likelihood):
    """A VariationalAutoEncoder saved and pickled when its prior and noise
    variances lived outside the Keras models (written by skae at commit
    a07cdf1) loads and returns what it returned then."""
    X = np.random.default_rng(0).normal(size=(60, 6))
    data = X if likelihood == "gaussian" else 1 / (1 + np.exp(-X))
    with np.load(LEGACY / "vae-layout1-outputs.npz") as arrays:
        expected = {key: arrays[key] for key in arrays.files}
    with open(LEGACY / f"vae-{likelihood}-layout1.pkl", "rb") as file:
        unpickled = pickle.load(file)
    for est in (skae.load(LEGACY / f"vae-{likelihood}-layout1.skae"), unpickled):
        codes, std = est.transform(data, return_std=True)
        np.testing.assert_array_equal(codes, expected[f"{likelihood}/codes"])
        np.testing.assert_array_equal(std, expected[f"{likelihood}/std"])
        np.testing.assert_array_equal(est.score_samples(data), expected[f"{likelihood}/score"])
        np.testing.assert_array_equal(
            est.inverse_transform(codes), expected[f"{likelihood}/recon"]
        )
