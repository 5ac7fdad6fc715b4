"""Import TensorFlow without its start-up notices.

Imported first by skae's modules that import TensorFlow (``_layers``,
``_network``, ``_training``, ...), which ``import skae`` does not import:
they come with the first fit, load or Keras attribute (see ``_lazy.py``).
On a CPU machine, importing
TensorFlow 2.21 writes eight lines to stderr (a oneDNN notice, "Could not
find cuda drivers" twice, a CPU instruction notice, and absl's "All log
messages before absl::InitializeLog()" line); the first operation adds an
``E``-level "failed call to cuInit" line. They come from C++ before
TensorFlow reads ``TF_CPP_MIN_LOG_LEVEL``, so setting it to 3 does not hide
them, and Python's ``sys.stderr`` never sees them. So the import and the
device initialisation run with file descriptor 2 redirected to a temporary
file; afterwards only the notices are dropped and everything else (warnings,
errors, tracebacks) is written to stderr unchanged.

``TF_CPP_MIN_LOG_LEVEL=0`` in the environment, or importing TensorFlow
before skae's first fit, shows everything as TensorFlow prints it.

Then TensorFlow's thread pools take the size ``OMP_NUM_THREADS`` asks for
(see :func:`size_thread_pools`), as numpy's BLAS and scikit-learn's OpenMP
code do.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile

# One absl/TensorFlow log record: "I0000 00:00:1796176917.152868    3716 port.cc:153] ...".
_RECORD = re.compile(r"^([IWEF])\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ [^\]]+\] ")
_ABSL_PREAMBLE = "WARNING: All log messages before absl::InitializeLog() is called"
_CPU_NOTICE_END = "To enable the following instructions:"
_NO_DRIVER = "Could not find cuda drivers on your machine"
# Follows _NO_DRIVER on a machine without a GPU driver, so it says nothing
# new there; without _NO_DRIVER (a driver that fails) it is kept.
_NO_DEVICE = "failed call to cuInit"


def without_notices(text: str) -> str:
    """``text`` without TensorFlow's start-up notices.

    Dropped, line by line: absl's pre-initialisation preamble, every ``I``
    (INFO) record, the second line of the CPU instruction notice, and the
    cuInit failure when the same text says there is no CUDA driver. Warning,
    error and fatal records and any other text are kept, in order (also the
    further lines of an unknown multi-line INFO record: better shown than an
    error hidden).
    """
    lines = text.splitlines(keepends=True)
    no_driver = any(_NO_DRIVER in line for line in lines)
    kept = []
    for line in lines:
        record = _RECORD.match(line)
        if line.startswith((_ABSL_PREAMBLE, _CPU_NOTICE_END)):
            continue
        if record and (record.group(1) == "I" or (no_driver and _NO_DEVICE in line)):
            continue
        kept.append(line)
    return "".join(kept)


def import_tensorflow_quietly() -> None:
    """Import TensorFlow and initialise its devices, dropping the notices."""
    if "tensorflow" in sys.modules or os.environ.get("TF_CPP_MIN_LOG_LEVEL") == "0":
        return
    try:
        saved = os.dup(2)
    except OSError:  # No file descriptor 2 (a detached process): nothing to hide.
        return
    sys.stderr.flush()
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow as tf

            # The cuInit line is written when the devices are first listed
            # (0.5 ms here), not at import.
            tf.config.list_physical_devices()
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            text = without_notices(captured.read().decode(errors="replace"))
            if text:
                sys.stderr.write(text)
                sys.stderr.flush()


def size_thread_pools(environ=os.environ) -> None:
    """Size TensorFlow's thread pools as ``OMP_NUM_THREADS`` asks.

    TensorFlow ignores ``OMP_NUM_THREADS`` and starts a thread per core in
    each of its two pools (one runs independent operations side by side,
    the other splits one operation). joblib sets ``OMP_NUM_THREADS`` to
    ``cpu_count() // n_jobs`` in its worker processes, so that the workers
    of ``GridSearchCV(..., n_jobs=2)`` share the cores instead of each
    starting a thread per core; HPC job scripts set it for the same
    reason. On 2 cores, with one thread a pool, the epoch of a small
    network took 0.60x to 0.65x the time of TensorFlow's default (digits,
    64-128-64-16, batches of 56 rows: 14.9 to 15.3 ms against 23.6 to 24.6
    ms), and an ``n_jobs=2`` search took 0.37x to 0.46x the time of
    ``n_jobs=1`` instead of 0.55x (``benchmarks/search.py``). A wide
    network run alone wants every core (the 784-1000-500-250-30 network
    took 1.4x as long with one thread), so without ``OMP_NUM_THREADS``
    TensorFlow keeps its default.

    TensorFlow's own settings win: a pool whose size ``TF_NUM_INTRAOP_THREADS``
    or ``TF_NUM_INTEROP_THREADS`` gives, or that the user already set with
    ``tf.config.threading``, is left alone, and so are both once TensorFlow
    has run an operation (its pools then exist).
    """
    requested = environ.get("OMP_NUM_THREADS", "")
    # isdecimal, not isdigit: int() refuses digits such as "²".
    if not requested.isascii() or not requested.isdecimal() or int(requested) < 1:
        return
    import tensorflow as tf

    threading = tf.config.threading
    pools = (
        (
            "TF_NUM_INTRAOP_THREADS",
            threading.get_intra_op_parallelism_threads,
            threading.set_intra_op_parallelism_threads,
        ),
        (
            "TF_NUM_INTEROP_THREADS",
            threading.get_inter_op_parallelism_threads,
            threading.set_inter_op_parallelism_threads,
        ),
    )
    for variable, get, set_ in pools:
        if variable in environ or get() != 0:
            continue
        try:
            set_(int(requested))
        except RuntimeError:  # TensorFlow already started its pools.
            return


import_tensorflow_quietly()
size_thread_pools()
