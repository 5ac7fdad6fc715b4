"""
==============================================
Watching training with Keras callbacks
==============================================

Every skae estimator takes Keras callbacks. Here a
:class:`keras.callbacks.CSVLogger` and a :class:`keras.callbacks.TensorBoard`
callback record the losses of an :class:`~skae.AutoEncoder` on the digits,
and the plot is drawn from TensorBoard's event files, as TensorBoard would
draw it (``tensorboard --logdir <folder>`` shows the same curves). The
CSV rows are exactly ``loss_curve_`` and minus ``validation_scores_``.
TensorFlow writes event files only when the ``tensorboard`` package is
installed.
"""

# %%
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import csv
import tempfile
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import tensorflow as tf
from sklearn.datasets import load_digits

from skae import AutoEncoder

X = load_digits().data / 16.0
folder = Path(tempfile.mkdtemp())

ae = AutoEncoder(
    n_components=8,
    max_iter=40,
    n_iter_no_change=None,  # all 40 epochs
    random_state=0,
    callbacks=[
        keras.callbacks.CSVLogger(str(folder / "log.csv")),
        keras.callbacks.TensorBoard(log_dir=str(folder / "board")),
    ],
).fit(X)

with open(folder / "log.csv", newline="") as file:
    rows = list(csv.DictReader(file))
print(f"{len(rows)} CSV rows; equal to loss_curve_:",
      [float(row["loss"]) for row in rows] == ae.loss_curve_)


# %%
# Read the scalars back from the event files (``epoch_loss`` in the
# ``train`` and ``validation`` folders) and plot them.
def read_scalars(folder, tag="epoch_loss"):
    points = []
    for path in sorted(folder.glob("events.out.tfevents.*")):
        for record in tf.data.TFRecordDataset(str(path)):
            event = tf.compat.v1.Event.FromString(record.numpy())
            for value in event.summary.value:
                if value.tag == tag:
                    points.append((event.step, float(tf.make_ndarray(value.tensor))))
    return zip(*sorted(points), strict=True)


fig, ax = plt.subplots(figsize=(6, 3.5))
for name in ("train", "validation"):
    epochs, losses = read_scalars(folder / "board" / name)
    ax.plot([epoch + 1 for epoch in epochs], losses, label=name)
ax.set_xlabel("epoch")
ax.set_ylabel("mean squared error")
ax.set_yscale("log")
ax.set_title("epoch_loss from TensorBoard's event files")
ax.legend()
fig.tight_layout()
plt.show()
