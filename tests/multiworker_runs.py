"""One worker of a two-worker ``MultiWorkerMirroredStrategy`` fit.

Run by ``test_multiworker.py``, twice at once, each process with its own
``TF_CONFIG``: the same program on every worker, as on real machines.
Every worker fits on all rows with the same ``random_state``; the engine
gives each worker its share of every batch. After the fit and ``save``, a
second fit starts in which worker 1 exits in epoch 3: worker 0 must fail
with a clear error. The argument is the output folder.
"""

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import tensorflow as tf
from sklearn.datasets import load_digits

from skae import AutoEncoder
from skae._training import Trainer

# The fit test_multiworker repeats in one process for comparison.
PARAMS = {
    # Nested dropout draws per replica (as dropout does): off, so that two
    # workers match one process.
    "nested_dropout": 0.0,
    "n_components": 4,
    "hidden_layer_sizes": (32,),
    "batch_size": 64,
    "max_iter": 5,
    "random_state": 0,
    "init": "random",
    "early_stopping": False,
    "n_iter_no_change": None,
}
# A worker that hangs rather than exits fails its peers' collectives after
# this long (an exited worker fails them at once: connection reset).
TIMEOUT_SECONDS = 30.0


def data() -> np.ndarray:
    # 301 rows in batches of 64: the last batch of 45 rows splits 22 / 23.
    return load_digits().data[:301] / 16


def main(out: Path) -> None:
    index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
    strategy = tf.distribute.MultiWorkerMirroredStrategy(
        communication_options=tf.distribute.experimental.CommunicationOptions(
            timeout_seconds=TIMEOUT_SECONDS
        )
    )
    X = data()
    est = AutoEncoder(**PARAMS, distribute_strategy=strategy).fit(X)
    # Each worker names its own file, so a write by a non-chief would show.
    est.save(out / f"model-{index}.skae")
    np.save(out / f"codes-{index}.npy", est.transform(X))
    (out / f"losses-{index}.json").write_text(json.dumps(est.loss_curve_))

    if index == 1:
        run_epoch = Trainer.run_epoch

        def exit_in_epoch_3(self, data, epoch):
            if epoch == 2:
                os._exit(3)
            return run_epoch(self, data, epoch)

        Trainer.run_epoch = exit_in_epoch_3
    est.fit(X)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
