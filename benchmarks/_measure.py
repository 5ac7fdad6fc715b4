"""Measurement helpers: timers, the matmul rate probe, FLOP counts, peak memory."""

from __future__ import annotations

import itertools
import os
import platform
import time
import timeit
from pathlib import Path

import numpy as np


def seconds(fn, *args) -> tuple[float, object]:
    """Wall-clock seconds of one call, and its result."""
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def seconds_per_call(fn, *args, repeats: int = 5) -> float:
    """Best-of-``repeats`` seconds per call, after one warm-up call.

    Each repeat runs enough calls to last at least 0.2 s (``timeit``'s
    autorange). The minimum is the least disturbed by other processes.
    """
    fn(*args)
    timer = timeit.Timer(lambda: fn(*args))
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeats, number=number)) / number


def matmul_gflops(n: int = 2048, repeats: int = 10) -> float:
    """Single-precision GFLOP/s of TensorFlow's ``n x n`` matrix product."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    a = tf.constant(rng.standard_normal((n, n), dtype=np.float32))
    b = tf.constant(rng.standard_normal((n, n), dtype=np.float32))
    product = tf.function(lambda x, y: tf.reduce_sum(tf.matmul(x, y)))
    product(a, b).numpy()
    best = min(seconds(lambda: product(a, b).numpy())[0] for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def dense_training_flops(layer_widths) -> int:
    """Floating-point operations per sample of one training step of an MLP.

    ``layer_widths`` lists the widths from input to output, e.g.
    ``[784, 1000, 500, 250, 30, 250, 500, 1000, 784]``. Each ``m x n`` kernel
    costs ``2mn`` forward, ``2mn`` for its weight gradient and ``2mn`` for
    the gradient of its input, which the first layer does not need. Biases,
    activations, the loss and the optimiser update are left out (they are
    O(n), not O(mn)).
    """
    sizes = [m * n for m, n in itertools.pairwise(layer_widths)]
    return 6 * sum(sizes) - 2 * sizes[0]


def machine_description() -> str:
    """CPU model, usable cores and library versions, on one line."""
    import keras
    import sklearn
    import tensorflow as tf

    import skae

    model = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{model}, {cores} cores, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}, TensorFlow {tf.__version__}, "
        f"Keras {keras.__version__}, scikit-learn {sklearn.__version__}, "
        f"skae {skae.__version__}"
    )


def _status_kib(field: str) -> int | None:
    status = Path("/proc/self/status")
    if not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def peak_rss_growth(fn) -> tuple[float | None, object]:
    """Growth of the peak resident set size (MiB) during ``fn()``, and its result.

    The kernel's high-water mark (``VmHWM`` in ``/proc/self/status``) is
    reset to the current RSS by writing ``5`` to ``/proc/self/clear_refs``;
    the growth is the new high-water mark minus the RSS before the call.
    This counts every allocation, including TensorFlow's C++ ones that
    ``tracemalloc`` cannot see. Returns ``None`` where this is not
    available (non-Linux systems).
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None, fn()
    before = _status_kib("VmRSS")
    result = fn()
    peak = _status_kib("VmHWM")
    if before is None or peak is None:
        return None, result
    return (peak - before) / 1024, result


def peak_anon_growth(fn, interval: float = 0.02) -> tuple[float | None, object]:
    """Peak growth of anonymous resident memory (MiB) during ``fn()``, and its result.

    ``RssAnon`` (``/proc/self/status``) counts heap and other private memory
    but not the pages of memory-mapped files, which the kernel can drop at
    any time; ``VmHWM`` counts those too, so a fit that only reads a 4 GiB
    memory map would look like it grew by 4 GiB. A thread samples it every
    ``interval`` seconds. Returns ``None`` where this is not available
    (non-Linux systems).
    """
    import threading

    before = _status_kib("RssAnon")
    if before is None:
        return None, fn()
    peak = before
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(interval):
            peak = max(peak, _status_kib("RssAnon"))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        result = fn()
    finally:
        done.set()
        sampler.join()
    peak = max(peak, _status_kib("RssAnon"))
    return (peak - before) / 1024, result
