"""skae on the device TensorFlow finds: the MNIST record, throughput, memory, determinism.

Usage::

    python benchmarks/gpu.py [--cpu] [--budget SECONDS] [--data-dir DIR]

Meant to be run once, unattended, on a machine with a GPU; it prints
Markdown and every section catches its own errors, prints them and goes on,
so one failure costs one section. Sections:

1. the device, TensorFlow's build and the visible GPUs;
2. the MNIST record recipe (``benchmarks/mnist_record.py``): seconds of
   training until the test error passes 3.00 (one ``partial_fit`` epoch at
   a time, at most 20 epochs), next to PCA(30)'s error;
3. epochs per second of the record's dense network (60,000 MNIST-sized
   rows) and of ``ResNetAutoEncoder`` at 32x32x3, 64x64x3 and 256x256x3
   (the seed projects' size) on synthetic images, in float32 and in mixed
   precision (``mixed_float16`` on a GPU, ``mixed_bfloat16`` on the CPU),
   each with the largest batch that fits (the cap of each size if it fits,
   else batch sizes doubling from 8 until one raises
   ``ResourceExhaustedError``); peak device memory
   (``tf.config.experimental.get_memory_info``) of each timed fit;
4. whether two fits with the same ``random_state`` give identical codes on
   the device.

Without a GPU it prints ``CPU only: no GPU found`` and exits 0, unless
``--cpu`` is given: then it hides any GPU and runs every section on the CPU
at small sizes (a test of the script, not a result). ``--budget`` (default
420 s) bounds the whole run: a section that would start after it is skipped,
and the batch search stops early, so the script ends within about 8
minutes. See docs/benchmarks.md.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse
import sys
import time
import traceback
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

HERE = Path(__file__).resolve().parent
# The benchmark helpers, and this checkout's skae ahead of any installed
# one: the run is blind, on a machine where skae may not be installed.
sys.path[:0] = [str(HERE), str(HERE.parent)]

# (name, image side or None for the dense network, rows per epoch, largest
# batch tried) on a GPU, and the small sizes of --cpu.
GPU_SIZES = [
    ("dense 784-1000-500-250-30", None, 60_000, 8192),
    ("ResNet 32x32x3", 32, 16_384, 4096),
    ("ResNet 64x64x3", 64, 8_192, 2048),
    ("ResNet 256x256x3", 256, 2_048, 512),
]
CPU_SIZES = [
    ("dense 784-1000-500-250-30", None, 1024, 256),
    ("ResNet 32x32x3", 32, 256, 64),
    ("ResNet 64x64x3", 64, 64, 32),
    ("ResNet 256x256x3", 256, 16, 8),
]
FIRST_BATCH = 8
# Epochs per timed fit: the first traces the graph, the others are timed.
TIMED_EPOCHS = 3


def say(*args) -> None:
    print(*args, flush=True)


class Budget:
    """Seconds left of the whole run."""

    def __init__(self, seconds: float) -> None:
        self.end = time.perf_counter() + seconds

    @property
    def left(self) -> float:
        return self.end - time.perf_counter()


def section(title: str, budget: Budget, run, *args) -> None:
    """Run one section; print its error instead of stopping the script."""
    say(f"\n## {title}\n")
    if budget.left <= 0:
        say("skipped: the time budget is spent")
        return
    start = time.perf_counter()
    try:
        run(*args)
    except Exception as error:  # the run is blind: report and go on
        say(f"FAILED: {type(error).__name__}: {error}")
        say("```\n" + traceback.format_exc(limit=4) + "```")
    say(f"\n({time.perf_counter() - start:.0f} s)")


def describe(device: str) -> None:
    from _measure import machine_description

    say(machine_description())
    say(f"device: {device}; built with CUDA: {tf.test.is_built_with_cuda()}")
    for gpu in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(gpu)
        say(f"- {gpu.name}: {details}")


class EpochTimer(keras.callbacks.Callback):
    """Records the wall time of every epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None) -> None:
        self.seconds.append(time.perf_counter() - self._start)


def reset_peak(device: str) -> None:
    if device.startswith("/GPU"):
        tf.config.experimental.reset_memory_stats("GPU:0")


def peak_memory(device: str) -> str:
    if not device.startswith("/GPU"):
        return "n/a (CPU)"
    return f"{tf.config.experimental.get_memory_info('GPU:0')['peak'] / 1024**3:.2f} GiB"


def mnist_record(device: str, data_dir: str | None, small: bool, budget: Budget) -> None:
    from _data import mnist_images_or_skip
    from mnist_record import PUBLISHED, RECORD, _test_error
    from sklearn.decomposition import PCA

    from skae import AutoEncoder

    directories = [data_dir] if data_dir else [None, str(HERE.parent / "shared/data/mnist")]
    images = next(
        (found for found in map(mnist_images_or_skip, directories) if found is not None), None
    )
    if images is None:
        return
    X_train, X_test = images
    epochs = RECORD["max_iter"]
    if small:
        X_train, X_test, epochs = X_train[:2000], X_test[:500], 2
    pca_error = _test_error(PCA(RECORD["n_components"]).fit(X_train), X_test)
    say(f"train {X_train.shape[0]} x 784, PCA(30) test error {pca_error:.2f}\n")
    say("| epoch | training wall s | test error |")
    say("|---:|---:|---:|")
    estimator = AutoEncoder(**{**RECORD, "max_iter": epochs})
    wall = 0.0
    reset_peak(device)
    with _on(device):
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            estimator.partial_fit(X_train)
            wall += time.perf_counter() - start
            error = _test_error(estimator, X_test)
            say(f"| {epoch} | {wall:.1f} | {error:.3f} |")
            if error <= PUBLISHED or budget.left < 60:
                break
    passed = "passed" if error <= PUBLISHED else "did not pass"
    say(
        f"\n{passed} {PUBLISHED:.2f} after {epoch} epochs, {wall:.1f} s of training; "
        f"peak device memory {peak_memory(device)}"
    )


def _on(device: str):
    return tf.device(device)


def _synthetic(n_rows: int, side: int | None) -> np.ndarray:
    """Smooth random images in [0, 1] (flat rows), or MNIST-sized rows."""
    rng = np.random.default_rng(0)
    if side is None:
        return rng.random((n_rows, 784), dtype=np.float32)
    coarse = rng.random((n_rows, 4, 4, 3), dtype=np.float32)
    images = coarse.repeat(side // 4, axis=1).repeat(side // 4, axis=2)
    return images.reshape(n_rows, -1)


def _estimator(side: int | None, policy: str, batch_size: int, max_iter: int, callbacks=None):
    from mnist_record import RECORD

    from skae import AutoEncoder, ResNetAutoEncoder

    common = {
        "batch_size": batch_size,
        "max_iter": max_iter,
        "early_stopping": False,
        "n_iter_no_change": None,
        "dtype_policy": policy,
        "callbacks": callbacks,
        "random_state": 0,
    }
    if side is None:
        return AutoEncoder(**{**RECORD, **common})
    # init="random": the epochs cost the same, and the fit skips the PCA
    # start's SVD and the explained-variance decodes of 196,608-wide rows.
    return ResNetAutoEncoder(16, image_shape=(side, side, 3), init="random", **common)


def _fits(side, policy, batch_size, device) -> bool:
    """Whether one training step of ``batch_size`` rows runs on the device."""
    X = _synthetic(batch_size, side)
    try:
        with _on(device):
            _estimator(side, policy, batch_size, 1).fit(X)
    except (tf.errors.ResourceExhaustedError, tf.errors.InternalError):
        # Out of device memory is ResourceExhaustedError, or InternalError
        # when an allocation inside a kernel fails.
        return False
    return True


def largest_batch(side, policy, cap, device, budget: Budget) -> int:
    """The largest of FIRST_BATCH, 2 * FIRST_BATCH, ..., cap that trains.

    The cap is tried first: on a large GPU it usually fits, and each try
    traces and compiles a new network (seconds for the ResNets).
    """
    if _fits(side, policy, cap, device):
        return cap
    batch = None
    candidate = FIRST_BATCH
    while candidate < cap and budget.left > 30:
        if not _fits(side, policy, candidate, device):
            break
        batch = candidate
        candidate *= 2
    if batch is None:
        raise RuntimeError(f"not even a batch of {FIRST_BATCH} rows fits")
    return batch


def throughput(device: str, sizes, policies, budget: Budget) -> None:
    say(
        f"{TIMED_EPOCHS} epochs per fit, the first (tracing) untimed; "
        "batch: the largest that fits\n"
    )
    say("| network | dtype_policy | rows | batch | epochs/s | rows/s | peak memory |")
    say("|---|---|---:|---:|---:|---:|---:|")
    for name, side, n_rows, cap in sizes:
        X = _synthetic(n_rows, side)
        for policy in policies:
            if budget.left < 30:
                say(f"| {name} | {policy} | skipped: time budget | | | | |")
                continue
            try:
                batch = largest_batch(side, policy, min(cap, n_rows), device, budget)
                timer = EpochTimer()
                reset_peak(device)
                with _on(device):
                    _estimator(side, policy, batch, TIMED_EPOCHS, [timer]).fit(X)
                per_epoch = float(np.median(timer.seconds[1:]))
                say(
                    f"| {name} | {policy} | {n_rows} | {batch} | {1 / per_epoch:.2f} "
                    f"| {n_rows / per_epoch:.0f} | {peak_memory(device)} |"
                )
            except Exception as error:
                say(f"| {name} | {policy} | FAILED: {type(error).__name__}: {error} | | | | |")


def determinism(device: str, small: bool) -> None:
    from sklearn.datasets import load_digits

    from skae import AutoEncoder, ResNetAutoEncoder

    X = load_digits().data / 16.0
    makers = {
        "AutoEncoder": lambda: AutoEncoder(n_components=8, max_iter=5, random_state=0),
        "ResNetAutoEncoder": lambda: ResNetAutoEncoder(
            n_components=8, filters=8, max_iter=2 if small else 5, random_state=0
        ),
    }
    for name, make in makers.items():
        with _on(device):
            first = make().fit(X).transform(X)
            second = make().fit(X).transform(X)
        same = np.array_equal(first, second)
        gap = float(np.max(np.abs(first - second)))
        say(
            f"- {name}: two fits with random_state=0 {'identical' if same else 'differ'} "
            f"(largest code difference {gap:.3g})"
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpu", action="store_true", help="run on the CPU at small sizes")
    parser.add_argument("--budget", type=float, default=420.0, help="seconds for the whole run")
    parser.add_argument("--data-dir", default=None, help="MNIST IDX files")
    args = parser.parse_args(argv)
    budget = Budget(args.budget)

    if args.cpu:
        tf.config.set_visible_devices([], "GPU")
    gpus = tf.config.list_physical_devices("GPU") if not args.cpu else []
    if not gpus and not args.cpu:
        say("CPU only: no GPU found")
        return 0
    if gpus:
        # Memory is taken as needed, so that the peak is the fit's and an
        # oversized batch fails on its own.
        for gpu in gpus:
            tf.config.experimental.set_memory_growth(gpu, True)
    device = "/GPU:0" if gpus else "/CPU:0"
    mixed = "mixed_float16" if gpus else "mixed_bfloat16"
    sizes = GPU_SIZES if gpus else CPU_SIZES

    say(f"# skae on {device}{' (--cpu: small sizes, not a result)' if args.cpu else ''}")
    section("Device", budget, describe, device)
    section(
        "MNIST record: time to pass 3.00",
        budget,
        mnist_record,
        device,
        args.data_dir,
        args.cpu,
        budget,
    )
    section("Throughput", budget, throughput, device, sizes, ("float32", mixed), budget)
    section("Determinism", budget, determinism, device, args.cpu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
