"""Fits under ``MirroredStrategy`` over two logical CPU devices.

Run by ``test_distribute.py`` in a subprocess: the logical devices must be
configured before TensorFlow initialises, which the test process has done
long before. Prints one JSON object of measurements.
"""

import io
import json
import os
import pickle
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

import skae  # noqa: E402
from skae import (  # noqa: E402
    AutoEncoder,
    DenoisingAutoEncoder,
    DenseArchitecture,
    ResNetAutoEncoder,
)
from skae._training import _ReplicaSeedGenerator  # noqa: E402

# 301 rows in batches of 64: the last batch of 45 rows splits 22 / 23.
X = load_digits().data[:301] / 16
STRATEGY = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])


def max_difference(estimator) -> dict:
    """Single-device and mirrored fits of ``estimator`` from the same seed."""
    single = clone(estimator).fit(X)
    mirrored = clone(estimator).set_params(distribute_strategy=STRATEGY).fit(X)
    return {
        "codes": float(np.abs(single.transform(X) - mirrored.transform(X)).max()),
        "losses": float(np.abs(np.subtract(single.loss_curve_, mirrored.loss_curve_)).max()),
        "final_loss": mirrored.loss_curve_[-1],
    }


def replica_draws() -> list:
    """A normal draw of each replica from one shared generator."""
    with STRATEGY.scope():
        shared = keras.random.SeedGenerator(0)

    @tf.function
    def draw():
        def replica_fn():
            replica = tf.distribute.get_replica_context().replica_id_in_sync_group
            return keras.random.normal((8,), seed=_ReplicaSeedGenerator(shared, replica))

        return STRATEGY.experimental_local_results(STRATEGY.run(replica_fn))

    return [values.numpy().tolist() for values in draw()]


def main() -> None:
    results = {"replicas": STRATEGY.num_replicas_in_sync}
    # The engine's equivalence on the classical network (all rows trained,
    # a fixed number of epochs); "pca_start" repeats it with the PCA path.
    # Nested dropout draws its prefixes and batch means per replica (as
    # dropout does), so the equivalence holds without it.
    classical = {"init": "random", "early_stopping": False, "nested_dropout": 0.0}
    dense = AutoEncoder(
        4, hidden_layer_sizes=(32,), batch_size=64, max_iter=5, random_state=0, **classical
    )
    results["dense"] = max_difference(dense)
    results["pca_start"] = max_difference(clone(dense).set_params(init="pca"))
    results["batch_norm"] = max_difference(
        clone(dense).set_params(
            hidden_layer_sizes=(128, 64),
            architecture=DenseArchitecture((32,), batch_normalization=True),
        )
    )
    results["resnet"] = max_difference(
        ResNetAutoEncoder(
            4,
            image_shape=(8, 8, 1),
            n_levels=1,
            filters=4,
            batch_normalization=True,
            max_iter=2,
            random_state=0,
            **classical,
        )
    )
    results["denoising"] = max_difference(
        DenoisingAutoEncoder(4, batch_size=64, max_iter=5, random_state=0, **classical)
    )
    results["replica_draws"] = replica_draws()

    mirrored = clone(dense).set_params(distribute_strategy=STRATEGY).fit(X)
    codes = mirrored.transform(X)
    results["pickled_strategy"] = repr(pickle.loads(pickle.dumps(mirrored)).distribute_strategy)
    results["pickle_codes"] = float(
        np.abs(pickle.loads(pickle.dumps(mirrored)).transform(X) - codes).max()
    )
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.skae")
        mirrored.save(path)
        loaded = skae.load(path)
    results["saved_strategy"] = repr(loaded.distribute_strategy)
    results["save_codes"] = float(np.abs(loaded.transform(X) - codes).max())

    n_iter = mirrored.n_iter_
    mirrored.partial_fit(X)
    # Continue on one device from the mirrored weights, then back.
    mirrored.set_params(warm_start=True, max_iter=1, distribute_strategy=None).fit(X)
    mirrored.set_params(distribute_strategy=STRATEGY).partial_fit(sp.csr_matrix(X))
    results["continued_epochs"] = mirrored.n_iter_ - n_iter
    results["continued_loss_finite"] = bool(np.isfinite(mirrored.loss_curve_).all())

    # 65 rows in batches of 64 leave a last batch of one row for two replicas.
    one_row_left = clone(dense).set_params(
        architecture=DenseArchitecture((32,), batch_normalization=True),
        hidden_layer_sizes=(128, 64),
        distribute_strategy=STRATEGY,
    )
    results["one_row_left_finite"] = bool(np.isfinite(one_row_left.fit(X[:65]).transform(X)).all())
    try:
        clone(one_row_left).fit(X[:1])
        results["too_few_rows"] = None
    except ValueError as error:
        results["too_few_rows"] = str(error)

    search = GridSearchCV(
        clone(dense).set_params(max_iter=2, distribute_strategy=STRATEGY),
        {"n_components": [2, 4]},
        cv=2,
    ).fit(X)
    results["grid_search_best"] = search.best_params_["n_components"]

    out = io.StringIO()
    json.dump(results, out)
    sys.stdout.write("\nRESULTS " + out.getvalue() + "\n")


if __name__ == "__main__":
    main()
