"""Keras callbacks in the training loop (the ``callbacks`` parameter)."""

import csv
import pickle
import warnings

import keras
import pytest
import tensorflow as tf
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_digits

from skae import AutoEncoder, DivergenceError, VariationalAutoEncoder, load

X = load_digits().data[:300] / 16.0
SMALL = {"n_components": 3, "hidden_layer_sizes": (16,), "random_state": 0}


class Recorder(keras.callbacks.Callback):
    """Records every hook it gets, with a copy of its logs."""

    def __init__(self, stop_after_epoch=None):
        super().__init__()
        self.calls = []
        self.stop_after_epoch = stop_after_epoch

    def _record(self, name, *args):
        self.calls.append((name, *args))

    def on_train_begin(self, logs=None):
        self._record("train_begin")

    def on_train_end(self, logs=None):
        self._record("train_end", dict(logs or {}))

    def on_epoch_begin(self, epoch, logs=None):
        self._record("epoch_begin", epoch)

    def on_epoch_end(self, epoch, logs=None):
        self._record("epoch_end", epoch, dict(logs))
        if epoch == self.stop_after_epoch:
            self.model.stop_training = True

    def on_train_batch_end(self, batch, logs=None):
        self._record("batch_end", batch)

    def epoch_logs(self):
        return [call[2] for call in self.calls if call[0] == "epoch_end"]


def test_hooks_and_logs_match_the_fitted_curves():
    recorder = Recorder()
    est = AutoEncoder(**SMALL, max_iter=4, early_stopping=True, n_iter_no_change=None)
    est.set_params(callbacks=[recorder]).fit(X)
    names = [call[0] for call in recorder.calls]
    assert names == ["train_begin"] + ["epoch_begin", "batch_end", "epoch_end"] * 4 + [
        "train_end"
    ]
    # Batch hooks once per epoch, with the index of its last step
    # (270 training rows in batches of 16).
    assert {call[1] for call in recorder.calls if call[0] == "batch_end"} == {16}
    logs = recorder.epoch_logs()
    assert [entry["loss"] for entry in logs] == est.loss_curve_
    assert [-entry["val_loss"] for entry in logs] == est.validation_scores_[1:]
    assert recorder.calls[-1][1] == logs[-1]


def test_a_callback_stops_training_without_a_warning():
    recorder = Recorder(stop_after_epoch=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = AutoEncoder(**SMALL, max_iter=10, callbacks=[recorder]).fit(X)
    assert est.n_iter_ == 3
    assert recorder.calls[-1][0] == "train_end"


def test_keras_early_stopping_stops_and_restores():
    stopper = keras.callbacks.EarlyStopping(
        monitor="loss", min_delta=1.0, patience=2, restore_best_weights=True
    )
    est = AutoEncoder(**SMALL, max_iter=10, early_stopping=False, callbacks=[stopper])
    est.fit(X)
    # Only the first epoch improves by 1.0 (on no loss at all): two more
    # epochs without improvement (patience) stop training, and Keras
    # restores the first epoch's weights.
    assert est.n_iter_ == 3
    assert stopper.stopped_epoch == 2
    first = AutoEncoder(**SMALL, max_iter=1, early_stopping=False, n_iter_no_change=None)
    assert_array_equal(est.transform(X), first.fit(X).transform(X))


def test_terminate_on_nan_sees_the_divergence_and_loggers_close(tmp_path, capsys):
    path = tmp_path / "log.csv"
    logger = keras.callbacks.CSVLogger(str(path))
    est = AutoEncoder(**SMALL, init="random", max_iter=5)
    est.set_params(callbacks=[keras.callbacks.TerminateOnNaN(), logger])
    with pytest.raises(DivergenceError, match="diverged at epoch 1"):
        est.fit(X * 1e30)
    assert "Invalid loss, terminating training" in capsys.readouterr().out
    assert logger.csv_file.closed


def test_csv_logger_rows_are_the_fitted_curves(tmp_path):
    path = tmp_path / "log.csv"
    est = AutoEncoder(**SMALL, max_iter=5, early_stopping=True, n_iter_no_change=None)
    est.set_params(callbacks=[keras.callbacks.CSVLogger(str(path))]).fit(X)
    with open(path, newline="") as file:
        rows = list(csv.DictReader(file))
    assert [int(row["epoch"]) for row in rows] == list(range(5))
    # CSVLogger writes repr-exact floats: val_loss is minus the score.
    assert [float(row["loss"]) for row in rows] == est.loss_curve_
    assert [-float(row["val_loss"]) for row in rows] == est.validation_scores_[1:]


def _scalars(folder):
    values = {}
    for path in sorted(folder.glob("events.out.tfevents.*")):
        for record in tf.data.TFRecordDataset(str(path)):
            event = tf.compat.v1.Event.FromString(record.numpy())
            for value in event.summary.value:
                values.setdefault(value.tag, []).append(
                    (event.step, float(tf.make_ndarray(value.tensor)))
                )
    return values


def test_tensorboard_event_files_read_back(tmp_path):
    # TensorFlow writes summaries only with the tensorboard package.
    pytest.importorskip("tensorboard")
    board = keras.callbacks.TensorBoard(log_dir=str(tmp_path))
    est = AutoEncoder(**SMALL, max_iter=3, early_stopping=True, n_iter_no_change=None)
    est.set_params(callbacks=[board]).fit(X)
    train, validation = _scalars(tmp_path / "train"), _scalars(tmp_path / "validation")
    assert [step for step, _ in train["epoch_loss"]] == [0, 1, 2]
    assert_allclose([value for _, value in train["epoch_loss"]], est.loss_curve_, rtol=1e-6)
    assert_allclose(
        [-value for _, value in validation["epoch_loss"]],
        est.validation_scores_[1:],
        rtol=1e-6,
    )


# A few epochs on purpose: this test does not check convergence.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("Estimator", [AutoEncoder, VariationalAutoEncoder])
def test_callbacks_that_do_nothing_change_nothing(Estimator):
    params = {**SMALL, "max_iter": 3}
    plain = Estimator(**params).fit(X)
    watched = Estimator(**params, callbacks=[keras.callbacks.Callback(), Recorder()]).fit(X)
    assert watched.loss_curve_ == plain.loss_curve_
    assert_array_equal(watched.transform(X), plain.transform(X))
    codes = plain.transform(X)
    assert_array_equal(watched.inverse_transform(codes), plain.inverse_transform(codes))


# A few epochs on purpose: this test does not check convergence.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_callbacks_are_parameters(tmp_path):
    recorder = Recorder()
    est = AutoEncoder(**SMALL, max_iter=2, callbacks=[recorder])
    assert est.get_params()["callbacks"] == [recorder]
    est.fit(X)
    # The callback lets go of the model it reported on, so it copies cheaply.
    assert recorder.model is None
    twin = clone(est)
    assert len(twin.callbacks) == 1 and twin.callbacks[0] is not recorder
    assert isinstance(twin.callbacks[0], Recorder)
    # Not stored by pickle or save: they hold files and the objects they
    # report to.
    with pytest.warns(UserWarning, match="callbacks is not stored") as caught:
        restored = pickle.loads(pickle.dumps(est))
    assert caught[0].filename == __file__
    assert restored.callbacks is None
    with pytest.warns(UserWarning, match="callbacks is not stored"):
        est.save(tmp_path / "model.skae")
    loaded = load(tmp_path / "model.skae")
    assert loaded.callbacks is None
    assert_array_equal(loaded.transform(X), est.transform(X))


def test_callbacks_must_be_keras_callbacks():
    with pytest.raises(TypeError, match=r"keras\.callbacks\.Callback instances; got 'log'"):
        AutoEncoder(**SMALL, max_iter=1, callbacks=["log"]).fit(X)
    with pytest.raises(ValueError, match="callbacks"):
        AutoEncoder(**SMALL, max_iter=1, callbacks=keras.callbacks.Callback()).fit(X)
