"""Correctness of the training and inference engine (issue: fast engine).

Speed is measured by benchmarks/run.py, never here.
"""

import io
import re
import sys

import keras
import numpy as np
import pytest
import scipy.sparse as sp
import tensorflow as tf
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skae._network as network_module
import skae._shared
import skae._training as training_module
from skae import AutoEncoder, DenseArchitecture, DivergenceError
from skae._training import CsrTensors, RowView, Trainer, make_optimizer, to_training_data

KERAS_OPTIMIZERS = {
    "adam": lambda lr: keras.optimizers.Adam(lr),
    "adamw": lambda lr: keras.optimizers.AdamW(lr),
    "sgd": lambda lr: keras.optimizers.SGD(lr, momentum=0.9, nesterov=True),
}

SMALL = {
    "n_components": 3,
    "hidden_layer_sizes": (16,),
    "batch_size": 32,
    "early_stopping": False,
    "random_state": 0,
}


@pytest.fixture(scope="module")
def X():
    data, _ = load_digits(return_X_y=True)
    return data[:400] / 16.0


def _fit(X, **params):
    return AutoEncoder(**{**SMALL, "max_iter": 4, "n_iter_no_change": None, **params}).fit(X)


def test_training_data_layout(X, monkeypatch):
    assert to_training_data(X).dtype == "float32"
    assert isinstance(to_training_data(sp.csc_matrix(X)), CsrTensors)
    monkeypatch.setattr(training_module, "MAX_IN_MEMORY_BYTES", 0)
    # Too large for memory: kept as given and streamed.
    assert to_training_data(X) is X
    sparse = sp.csr_matrix(X)
    assert to_training_data(sparse) is sparse


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_in_graph_batches_match_dense(X, shuffle, fmt):
    dense = _fit(X, shuffle=shuffle)
    sparse = _fit(sp.csr_matrix(X).asformat(fmt), shuffle=shuffle)
    assert_allclose(sparse.loss_curve_, dense.loss_curve_, rtol=1e-6)
    assert_allclose(sparse.transform(X), dense.transform(X), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make_input", [np.asarray, sp.csr_matrix])
def test_streaming_matches_in_memory(X, make_input, monkeypatch):
    in_memory = _fit(X, shuffle=False)
    chunks = []
    original = Trainer._stream_epoch

    def spy(self, data):
        chunks.append(data.shape[0])
        return original(self, data)

    monkeypatch.setattr(training_module, "MAX_IN_MEMORY_BYTES", 0)
    # Three 32-row batches of 64 float32 features per chunk: 400 rows take
    # several chunks, the last one partial.
    monkeypatch.setattr(training_module, "STREAM_CHUNK_BYTES", 3 * 32 * 64 * 4)
    monkeypatch.setattr(Trainer, "_stream_epoch", spy)
    streamed = _fit(make_input(X), shuffle=False)
    assert chunks == [400] * 4
    assert_allclose(streamed.loss_curve_, in_memory.loss_curve_, rtol=1e-6)
    assert_allclose(streamed.transform(X), in_memory.transform(X), rtol=1e-5, atol=1e-6)


def test_streamed_validation_split_reads_rows_in_place(X, monkeypatch):
    in_memory = _fit(X, early_stopping=True)
    splits = []
    original = AutoEncoder._validation_split

    def spy(self, data, seed):
        splits.append(original(self, data, seed))
        return splits[-1]

    monkeypatch.setattr(training_module, "MAX_IN_MEMORY_BYTES", 0)
    monkeypatch.setattr(AutoEncoder, "_validation_split", spy)
    streamed = _fit(X, early_stopping=True)
    # Views of X rather than copies (a copy of a 4 GiB memory map's training
    # rows would be 3.6 GiB in memory), and the same fit.
    (train_rows, val_rows) = splits[0]
    assert isinstance(train_rows, RowView) and train_rows.X is X
    assert isinstance(val_rows, RowView) and val_rows.X is X
    assert_array_equal(np.union1d(train_rows.index, val_rows.index), np.arange(len(X)))
    assert_allclose(streamed.validation_scores_, in_memory.validation_scores_, rtol=1e-5)
    assert_allclose(streamed.transform(X), in_memory.transform(X), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("sparse", [False, True])
def test_streamed_fit_chooses_a_width_for_a_share(X, sparse, monkeypatch):
    # The held-out rows of a streamed fit are views (RowView) that the
    # width search measures its shares on: read as arrays, dense or sparse.
    data = sp.csr_matrix(X) if sparse else X
    in_memory = _fit(data, n_components=0.8, early_stopping=True)
    monkeypatch.setattr(training_module, "MAX_IN_MEMORY_BYTES", 0)
    streamed = _fit(data, n_components=0.8, early_stopping=True)
    assert streamed.n_components_ == in_memory.n_components_
    assert_allclose(
        streamed.explained_variance_ratio_, in_memory.explained_variance_ratio_, rtol=1e-3
    )


def test_streamed_fit_with_missing_values_holds_out_rows(X, monkeypatch):
    holes = X.copy()
    holes[::7, 3] = np.nan
    in_memory = _fit(holes, early_stopping=True)
    monkeypatch.setattr(training_module, "MAX_IN_MEMORY_BYTES", 0)
    streamed = _fit(holes, early_stopping=True)
    assert_allclose(streamed.validation_scores_, in_memory.validation_scores_, rtol=1e-5)


def test_streaming_chunks_are_bounded_and_shuffled(X, monkeypatch):
    seen = []
    monkeypatch.setattr(training_module, "MAX_IN_MEMORY_BYTES", 0)
    monkeypatch.setattr(training_module, "STREAM_CHUNK_BYTES", 3 * 32 * 64 * 4)
    real_batch = training_module.as_float32_batch

    def recording_batch(data, start, stop):
        batch = real_batch(data, start, stop)
        seen.append(batch)
        return batch

    monkeypatch.setattr(training_module, "as_float32_batch", recording_batch)
    est = _fit(X, max_iter=1, shuffle=True)
    assert max(len(chunk) for chunk in seen) == 96
    assert sum(len(chunk) for chunk in seen) == len(X)
    # Every row is seen once per epoch, in an order that is not the input's.
    stacked = np.concatenate(seen)
    assert not np.array_equal(stacked, X.astype(np.float32))
    assert_array_equal(np.unique(stacked, axis=0), np.unique(X.astype(np.float32), axis=0))
    assert est.n_iter_ == 1


def test_same_seed_gives_identical_fit(X):
    for data in (X, sp.csr_matrix(X)):
        first = _fit(data, random_state=7).transform(X)
        second = _fit(data, random_state=7).transform(X)
        assert_array_equal(first, second)
    assert not np.array_equal(first, _fit(X, random_state=8).transform(X))


@pytest.mark.parametrize("warm_start", [False, True])
def test_divergence_raises_and_keeps_previous_model(X, warm_start):
    est = _fit(X, warm_start=warm_start)
    codes, curve = est.transform(X), list(est.loss_curve_)
    # Squared errors of 1e30 overflow float32: the loss becomes infinite.
    with pytest.raises(DivergenceError, match="diverged at epoch"):
        est.fit(X * 1e30)
    assert est.loss_curve_ == curve
    assert_array_equal(est.transform(X), codes)


def test_keyboard_interrupt_keeps_weights_and_warns(X, monkeypatch):
    calls = []
    original = Trainer.run_epoch

    def interrupted_on_third_epoch(self, data, epoch):
        calls.append(epoch)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(self, data, epoch)

    monkeypatch.setattr(Trainer, "run_epoch", interrupted_on_third_epoch)
    with pytest.warns(RuntimeWarning, match="interrupted during epoch 3") as caught:
        est = _fit(X, max_iter=10)
    assert caught[0].filename == __file__
    monkeypatch.undo()
    assert est.n_iter_ == 2
    assert len(est.loss_curve_) == 2
    # The weights are those reached after two full epochs.
    assert_array_equal(est.transform(X), _fit(X, max_iter=2).transform(X))


@pytest.mark.parametrize(
    "call",
    [
        lambda est, X: est.fit(X),
        lambda est, X: est.fit_transform(X),
        lambda est, X: make_pipeline(StandardScaler(), est).fit(X),
        lambda est, X: cross_validate(est, X, cv=2),
    ],
    ids=["fit", "fit_transform", "pipeline", "cross_validate"],
)
def test_convergence_warning_points_at_the_callers_line(X, call):
    # Reported where the user called scikit-learn or skae, whatever the
    # number of library frames in between (_fit_context, Pipeline, joblib).
    # Two epochs and a patience of two: training always reaches max_iter.
    est = AutoEncoder(**{**SMALL, "max_iter": 2, "n_iter_no_change": 2, "tol": 0.0})
    with pytest.warns(ConvergenceWarning, match="max_iter=2") as caught:
        call(est, X)
    assert {warning.filename for warning in caught} == {__file__}


@pytest.mark.parametrize("restore", [True, False])
def test_early_stopping_stops_and_restores_best_weights(X, restore):
    # With a huge tol no epoch improves on the start by enough, so training
    # stops after n_iter_no_change epochs; the scores start with the start's.
    params = {"early_stopping": True, "validation_fraction": 0.2, "restore_best_weights": restore}
    est = _fit(X, max_iter=50, n_iter_no_change=3, tol=1e9, **params)
    assert est.n_iter_ == 3
    assert len(est.validation_scores_) == 4
    assert est.best_validation_score_ == max(est.validation_scores_)
    # The best model is kept, whatever epoch (or the start) it was.
    best_epoch = int(np.argmax(est.validation_scores_))
    if best_epoch == 0:
        best = _fit(X, max_iter=1, learning_rate=1e-30, **params)
    else:
        best = _fit(X, max_iter=best_epoch, n_iter_no_change=None, **params)
    last = _fit(X, max_iter=3, n_iter_no_change=None, **params)
    assert np.array_equal(est.transform(X), best.transform(X)) == (restore or best_epoch == 3)
    assert np.array_equal(est.transform(X), last.transform(X)) == (not restore or best_epoch == 3)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_kept_start_says_whether_the_network_ended_at_its_start(X, monkeypatch):
    histories = []
    train = training_module.train

    def recorded(*args, **kwargs):
        histories.append(train(*args, **kwargs))
        return histories[-1]

    monkeypatch.setattr(training_module, "train", recorded)
    fits = {
        # Every code: the PCA start reconstructs every row, no epoch beats it.
        "start unbeaten": {"n_components": None},
        "an epoch beat the start": {"n_components": 3},
        "weights not restored": {"n_components": None, "restore_best_weights": False},
        "a callback ran": {"n_components": None, "callbacks": [keras.callbacks.Callback()]},
        "no held-out rows": {"n_components": None, "early_stopping": False, "max_iter": 2},
    }
    for params in fits.values():
        AutoEncoder(hidden_layer_sizes=(16,), random_state=0, **params).fit(X)
    kept = dict(zip(fits, (history.kept_start for history in histories), strict=True))
    assert kept == {name: name == "start unbeaten" for name in fits}


def test_training_loss_stopping_without_validation(X):
    est = _fit(X, max_iter=50, n_iter_no_change=2, tol=1e9)
    assert est.n_iter_ == 3
    assert not hasattr(est, "validation_scores_")


def test_learning_rate_decay_is_per_epoch(X):
    optimizer = make_optimizer("adam", 1e-2, 0.5, steps_per_epoch=10)
    rates = []
    for iteration in (0, 10, 20):
        optimizer.iterations.assign(iteration)
        rates.append(float(optimizer.learning_rate))
    assert_allclose(rates, [1e-2, 5e-3, 2.5e-3], rtol=1e-6)
    assert float(make_optimizer("adam", 1e-2, 1.0, 10).learning_rate) == pytest.approx(1e-2)

    decayed = _fit(X, learning_rate=1e-2, learning_rate_decay=0.5, max_iter=3)
    assert float(decayed._trainer.optimizer.learning_rate) == pytest.approx(1e-2 * 0.5**3)
    constant = _fit(X, learning_rate=1e-2, max_iter=3)
    assert float(constant._trainer.optimizer.learning_rate) == pytest.approx(1e-2)
    assert decayed.loss_curve_ != constant.loss_curve_


def test_verbose_2_prints_one_line_per_epoch(X, capsys):
    est = _fit(X, max_iter=3, verbose=2, early_stopping=True)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4
    # The score before the first epoch, then one line per epoch.
    assert lines[0] == f"Epoch 0/3 - val_loss: {-est.validation_scores_[0]:.6g}"
    for epoch, (line, loss, score) in enumerate(
        zip(lines[1:], est.loss_curve_, est.validation_scores_[1:], strict=True), start=1
    ):
        assert line.startswith(f"Epoch {epoch}/3 - loss: {loss:.6g} - val_loss: {-score:.6g}")


def test_verbose_0_prints_nothing(X, capsys):
    _fit(X, max_iter=2, early_stopping=True, n_iter_no_change=1, tol=1e9)
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")


_BAR = re.compile(
    r"Epoch (\d+)/20 \[([=>.]{30})\] +(\d+)% - [\d.:]+s? - ETA ([\d.:]+s?|\?)"
    r" - (?:loss: (\S+) - )?val_loss: (\S+)$"
)


def test_verbose_1_in_a_log_prints_a_line_per_tenth(X, capsys):
    # capsys' stdout is not a terminal: plain lines, no carriage returns.
    est = _fit(X, max_iter=20, verbose=1, early_stopping=True, n_iter_no_change=None)
    out = capsys.readouterr().out
    assert "\r" not in out
    matches = [_BAR.match(line) for line in out.splitlines()]
    assert all(matches), out
    # The start and every second epoch of 20: one line per tenth.
    assert [int(m[1]) for m in matches] == list(range(0, 21, 2))
    assert [int(m[3]) for m in matches] == list(range(0, 101, 10))
    assert matches[0][2] == ">" + "." * 29 and matches[-1][2] == "=" * 30
    assert matches[0][4] == "?" and matches[-1][4] == "0.0s"
    assert float(matches[-1][5]) == pytest.approx(est.loss_curve_[-1], rel=1e-5)
    assert float(matches[-1][6]) == pytest.approx(-est.validation_scores_[-1], rel=1e-5)


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_verbose_1_on_a_terminal_redraws_one_line(X, monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    _fit(X, max_iter=20, verbose=1, early_stopping=True, n_iter_no_change=3, tol=1e9)
    out = terminal.getvalue()
    # Redrawn in place after the start and each of the 3 epochs, then a
    # newline before the stopping message.
    frames, message = out.split("\n", 1)
    frames = frames.split("\r")[1:]
    assert len(frames) == 4
    assert [int(_BAR.match(frame.rstrip())[1]) for frame in frames] == [0, 1, 2, 3]
    assert message.startswith("No improvement of at least tol=")


@pytest.mark.parametrize("batch_size", [1, 50, 64, 100])
def test_inference_in_batches_matches_one_call(X, batch_size, monkeypatch):
    est = _fit(X)
    codes = est.transform(X)
    expected = {
        "transform": codes,
        "inverse_transform": est.inverse_transform(codes),
        "score_samples": est.score_samples(X),
    }
    sizes = []
    real_blocks = network_module._padded_blocks

    def recording_blocks(data, start, stop):
        sizes.append(stop - start)
        return real_blocks(data, start, stop)

    monkeypatch.setattr(network_module, "INFERENCE_BATCH_SIZE", batch_size)
    monkeypatch.setattr(network_module, "_padded_blocks", recording_blocks)
    for method, reference in expected.items():
        inputs = [codes] if method == "inverse_transform" else [X, sp.csr_matrix(X)]
        for data in inputs:
            assert_allclose(getattr(est, method)(data), reference, rtol=0, atol=1e-6)
    # Only one batch of rows is ever converted (densified, padded) at a time.
    assert max(sizes) == batch_size
    assert sum(sizes) == 5 * len(X)


def test_inference_batches_of_wide_rows_are_bounded_in_bytes(X, monkeypatch):
    # Rows (in or out) as wide as 128 rows of X fill the budget: each call
    # then takes 128 rows, two blocks, for the same results.
    est = _fit(X)
    codes = est.transform(X)
    expected = {"transform": codes, "inverse_transform": est.inverse_transform(codes)}
    sizes = []
    real_blocks = network_module._padded_blocks

    def recording_blocks(data, start, stop):
        sizes.append(stop - start)
        return real_blocks(data, start, stop)

    monkeypatch.setattr(skae._shared, "BLOCK_BYTES", 4 * X.shape[1] * 150)
    monkeypatch.setattr(network_module, "_padded_blocks", recording_blocks)
    assert_array_equal(est.transform(X), expected["transform"])
    # Decoding: narrow codes in, rows of X's width out.
    assert_array_equal(est.inverse_transform(codes), expected["inverse_transform"])
    assert max(sizes) == 128 and sum(sizes) == 2 * len(X)


def _compiled_apply(optimizer, variables):
    # Variables must be captured, not passed: tf.function would turn
    # keras.Variable arguments into symbolic tensors.
    return tf.function(lambda gradients: optimizer.apply(gradients, variables))


@pytest.mark.parametrize("name", sorted(KERAS_OPTIMIZERS))
def test_fused_optimizer_steps_match_keras(name):
    rng = np.random.default_rng(0)
    initial = [rng.standard_normal(shape).astype(np.float32) for shape in [(5, 3), (3,)]]
    gradients = [[tf.constant(rng.standard_normal(w.shape), tf.float32) for w in initial]]
    gradients *= 4
    results = []
    for optimizer in (
        make_optimizer(name, 1e-2, 0.5, steps_per_epoch=2),
        KERAS_OPTIMIZERS[name](
            keras.optimizers.schedules.ExponentialDecay(1e-2, decay_steps=2, decay_rate=0.5)
        ),
    ):
        variables = [keras.Variable(w) for w in initial]
        optimizer.build(variables)
        step = _compiled_apply(optimizer, variables)
        for grads in gradients:
            step(grads)
        results.append([v.numpy() for v in variables])
    for fused, reference, start in zip(*results, initial, strict=True):
        assert not np.allclose(fused, start)
        assert_allclose(fused, reference, rtol=1e-5, atol=1e-6)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("init", ["pca", "random"])
def test_partial_fit_on_all_rows_is_one_epoch_of_fit(init):
    # benchmarks/mnist_record.py records the test error after each epoch with
    # partial_fit and quotes it as the error of fit with max_iter=N: the same
    # shuffles, decayed learning rates and PCA start, bit for bit.
    X = np.random.default_rng(0).random((300, 12)).astype(np.float32)
    params = {
        **SMALL,
        "architecture": DenseArchitecture((16,), activation="gelu", batch_normalization=True),
        "loss": "binary_crossentropy",
        "learning_rate_decay": 0.9,
        "max_iter": 3,
        "init": init,
    }
    del params["hidden_layer_sizes"]
    whole = AutoEncoder(**params).fit(X)
    epochs = AutoEncoder(**params)
    for _ in range(params["max_iter"]):
        epochs.partial_fit(X)
    assert epochs.loss_curve_ == whole.loss_curve_
    assert_array_equal(epochs.transform(X), whole.transform(X))


def test_fit_then_partial_fit_on_the_same_rows_is_fit_with_one_more_epoch():
    # fit records its rows, so partial_fit on them does not count them
    # again in the PCA start: the same as fit with max_iter + 1, bit for bit.
    X = np.random.default_rng(0).random((300, 12)).astype(np.float32)
    params = {**SMALL, "max_iter": 2, "n_iter_no_change": None}
    whole = AutoEncoder(**params).fit(X)
    continued = AutoEncoder(**{**params, "max_iter": 1}).fit(X)
    continued.partial_fit(X)
    assert continued.loss_curve_ == whole.loss_curve_
    assert_array_equal(continued.transform(X), whole.transform(X))


def test_partial_fit_over_chunks_matches_fit():
    # Data larger than memory can be fed to partial_fit chunk by chunk from a
    # generator: the same number of passes reaches fit's held-out error.
    # Measured: 0.0526 for fit, 0.0519 for the chunks; after 3 passes of
    # chunks 0.107. The random start makes the passes count (from the PCA
    # start one pass was already within 5 %).
    rng = np.random.default_rng(0)
    latent = rng.standard_normal((2500, 3))
    data = np.tanh(latent @ rng.standard_normal((3, 20))) + 0.05 * rng.standard_normal((2500, 20))
    train, test = data[:2000], data[2000:]
    params = {**SMALL, "n_iter_no_change": None, "max_iter": 6, "init": "random"}

    def chunks():
        for epoch in range(params["max_iter"]):
            order = np.random.default_rng(epoch).permutation(len(train))
            for start in range(0, len(train), 500):
                yield train[order[start : start + 500]]

    whole = AutoEncoder(**params).fit(train)
    chunked = AutoEncoder(**params)
    for chunk in chunks():
        chunked.partial_fit(chunk)
    assert chunked.n_iter_ == 4 * params["max_iter"]
    fit_error, chunked_error = -whole.score(test), -chunked.score(test)
    assert abs(chunked_error - fit_error) < 0.05 * fit_error, (chunked_error, fit_error)
