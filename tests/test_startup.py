"""``import skae`` is quiet, and hides only TensorFlow's start-up notices."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from skae._startup import size_thread_pools, without_notices

ROOT = Path(__file__).resolve().parents[1]

# What TensorFlow 2.21 wrote to stderr on import and first device listing
# on a CPU machine (timestamps shortened), with two records that matter.
TRANSCRIPT = """\
WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
I0000 00:00:1796176917.152868    3716 port.cc:153] oneDNN custom operations are on.
I0000 00:00:1796176917.153156    3716 cudart_stub.cc:31] Could not find cuda drivers on your \
machine, GPU will not be used.
I0000 00:00:1796176917.192316    3716 cpu_feature_guard.cc:227] This TensorFlow binary is \
optimized to use available CPU instructions in performance-critical operations.
To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild TensorFlow.
W0000 00:00:1796176918.000000    3716 loader.cc:12] Could not load dynamic library 'libfoo.so'
E0000 00:00:1796176920.369931    3716 cuda_platform.cc:52] failed call to cuInit: INTERNAL: \
CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)
/site-packages/foo.py:3: UserWarning: a Python warning
  warnings.warn("a Python warning")
"""


# The variables that size TensorFlow's thread pools, which a test sets itself.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def _python(code: str, **env) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k != "TF_CPP_MIN_LOG_LEVEL" and k not in THREAD_VARIABLES
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


# A first fit imports TensorFlow (through skae._lazy) and runs its first op.
FIRST_FIT = (
    "skae.AutoEncoder(n_components=1, max_iter=2, n_iter_no_change=None)"
    ".fit([[0.0, 1.0], [1.0, 0.0]] * 10)"
)


def test_import_and_a_first_fit_print_nothing():
    # Default settings: no TF_CPP_MIN_LOG_LEVEL (the test session sets it).
    result = _python(f"import skae; {FIRST_FIT}")
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")


def test_estimators_are_built_cloned_and_pickled_without_tensorflow():
    result = _python(
        "import pickle, sys\n"
        "import skae\n"
        "from sklearn.base import clone\n"
        "from sklearn.model_selection import GridSearchCV\n"
        "from sklearn.pipeline import make_pipeline\n"
        "names = [n for n in skae.__all__ if n[0].isupper() and n != 'LayerFactory']\n"
        "for name in names:\n"
        "    est = getattr(skae, name)\n"
        "    if hasattr(est, 'get_params') and not name.startswith('Base'):\n"
        "        pickle.loads(pickle.dumps(clone(est()))).get_params()\n"
        "GridSearchCV(make_pipeline(skae.AutoEncoder()), {'autoencoder__n_components': [1, 2]})\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
        f"{FIRST_FIT}\n"
        "assert 'tensorflow' in sys.modules\n"
    )
    assert result.returncode == 0, result.stderr


def test_notices_dropped_warnings_and_errors_kept():
    kept = without_notices(TRANSCRIPT)
    assert kept.splitlines() == [
        "W0000 00:00:1796176918.000000    3716 loader.cc:12] Could not load dynamic library "
        "'libfoo.so'",
        "/site-packages/foo.py:3: UserWarning: a Python warning",
        '  warnings.warn("a Python warning")',
    ]


def test_cuinit_failure_kept_when_a_driver_was_found():
    # Without "Could not find cuda drivers" the driver exists and failed:
    # the user needs that line.
    text = "".join(
        line
        for line in TRANSCRIPT.splitlines(keepends=True)
        if "cuda drivers" not in line and "machine, GPU" not in line
    )
    assert "failed call to cuInit" in without_notices(text)


def test_errors_during_import_reach_the_user(tmp_path):
    # A TensorFlow whose import writes a notice and an error to file
    # descriptor 2 and then fails: the error and the traceback get through.
    fake = tmp_path / "tensorflow"
    fake.mkdir()
    (fake / "__init__.py").write_text(
        "import os\n"
        "os.write(2, b'I0000 00:00:1.5 1 port.cc:1] a notice\\n')\n"
        "os.write(2, b'E0000 00:00:1.5 1 loader.cc:2] libcudnn is broken\\n')\n"
        "raise ImportError('fake TensorFlow failed')\n"
    )
    path = str(tmp_path)
    result = _python(f"import sys; sys.path.insert(0, {path!r}); import skae; {FIRST_FIT}")
    assert result.returncode == 1
    assert "libcudnn is broken" in result.stderr
    assert "ImportError: fake TensorFlow failed" in result.stderr
    assert "a notice" not in result.stderr


# Prints the sizes of TensorFlow's pools as tf.config.threading reports
# them after a first fit: 0 is TensorFlow's own choice.
POOL_SIZES = (
    f"import skae; {FIRST_FIT}\n"
    "import tensorflow as tf\n"
    "print(tf.config.threading.get_intra_op_parallelism_threads(),"
    " tf.config.threading.get_inter_op_parallelism_threads())"
)


@pytest.mark.parametrize(
    "env, sizes",
    [
        ({}, "0 0"),
        ({"OMP_NUM_THREADS": "1"}, "1 1"),
        # TensorFlow's own variable wins for its pool.
        ({"OMP_NUM_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "2"}, "0 1"),
    ],
)
def test_thread_pools_follow_omp_num_threads(env, sizes):
    result = _python(POOL_SIZES, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == sizes.split()


def test_thread_pools_set_by_the_user_or_already_running_are_kept():
    # The user sized one pool before skae's first fit; TensorFlow had not
    # run an operation yet, so skae sizes only the other.
    result = _python(
        "import tensorflow as tf\ntf.config.threading.set_intra_op_parallelism_threads(2)\n"
        + POOL_SIZES,
        OMP_NUM_THREADS="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", "1"]
    # In this process TensorFlow has run operations: its pools exist and
    # cannot change, so nothing is set and nothing fails.
    import tensorflow as tf

    tf.constant(0.0).numpy()
    before = (
        tf.config.threading.get_intra_op_parallelism_threads(),
        tf.config.threading.get_inter_op_parallelism_threads(),
    )
    size_thread_pools({"OMP_NUM_THREADS": "1"})
    after = (
        tf.config.threading.get_intra_op_parallelism_threads(),
        tf.config.threading.get_inter_op_parallelism_threads(),
    )
    assert after == before


@pytest.mark.parametrize("value", ["", "0", "-1", "two", "4,2"])
def test_omp_num_threads_that_is_not_one_count_changes_nothing(value, monkeypatch):
    import tensorflow as tf

    calls = []
    monkeypatch.setattr(
        tf.config.threading, "set_intra_op_parallelism_threads", lambda n: calls.append(n)
    )
    monkeypatch.setattr(
        tf.config.threading, "set_inter_op_parallelism_threads", lambda n: calls.append(n)
    )
    monkeypatch.setattr(tf.config.threading, "get_intra_op_parallelism_threads", lambda: 0)
    monkeypatch.setattr(tf.config.threading, "get_inter_op_parallelism_threads", lambda: 0)
    size_thread_pools({"OMP_NUM_THREADS": value})
    assert calls == []
    size_thread_pools({"OMP_NUM_THREADS": "3"})
    assert calls == [3, 3]


def test_joblib_workers_size_tensorflow_by_their_omp_num_threads():
    # joblib's process workers get OMP_NUM_THREADS = cpu_count() // n_jobs;
    # a fit there sizes TensorFlow's pools to it. A subprocess, so that the
    # workers are new processes whatever this session imported.
    result = _python(
        "import os\n"
        "from joblib import Parallel, delayed\n"
        "def pools(_):\n"
        "    import skae\n"
        f"    {FIRST_FIT}\n"
        "    import tensorflow as tf\n"
        "    return (os.environ['OMP_NUM_THREADS'],\n"
        "            tf.config.threading.get_intra_op_parallelism_threads(),\n"
        "            tf.config.threading.get_inter_op_parallelism_threads())\n"
        "for omp, intra, inter in Parallel(n_jobs=2)(delayed(pools)(i) for i in range(2)):\n"
        "    print(omp, intra, inter)\n"
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")[:2]
    for line in lines:
        omp, intra, inter = line.split()
        assert int(omp) >= 1
        assert intra == inter == omp
