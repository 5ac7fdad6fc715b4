"""
====================================================
An autoencoder feeding a Keras classifier (scikeras)
====================================================

`scikeras <https://adriangb.com/scikeras/>`_ wraps a Keras model as a
scikit-learn classifier. With it, a skae autoencoder and a Keras network
sit in one :class:`~sklearn.pipeline.Pipeline`, which is fitted, scored,
cloned and pickled as a whole. Install scikeras with
``pip install ".[interop]"`` in skae's source folder (see
:doc:`/install`).

.. note::

   **scikeras 0.13.0 with scikit-learn 1.9.1** (the versions this example
   was checked with). Inside a pipeline, scikeras fits, predicts, scores,
   clones, pickles and grid-searches. One thing breaks: scikit-learn does
   not recognise ``KerasClassifier`` as a classifier.
   ``sklearn.base.is_classifier(KerasClassifier(...))`` returns ``False``,
   because ``KerasClassifier`` lists ``ClassifierMixin`` after
   ``BaseEstimator`` and so its estimator-type tag is lost. As a result:

   * ``ConfusionMatrixDisplay.from_estimator`` and other classifier-only
     tools raise ``ValueError: ... only supports classifiers``;
   * ``cross_val_score`` and ``GridSearchCV`` with an integer ``cv`` use
     plain ``KFold`` instead of ``StratifiedKFold``.

   The subclass below restores the tag (``TaggedKerasClassifier``), and
   then both work as usual. Without it, use
   ``ConfusionMatrixDisplay.from_predictions`` and pass
   ``cv=StratifiedKFold(...)`` explicitly.
"""

# %%
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import matplotlib.pyplot as plt
from scikeras.wrappers import KerasClassifier
from sklearn.base import is_classifier
from sklearn.datasets import load_digits
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import ClassifierTags

from skae import AutoEncoder
from skae.plotting import LossCurveDisplay


class TaggedKerasClassifier(KerasClassifier):
    """KerasClassifier that recent scikit-learn recognises as a classifier."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags()
        return tags


print("is_classifier(KerasClassifier):", is_classifier(KerasClassifier()))
print("is_classifier(TaggedKerasClassifier):", is_classifier(TaggedKerasClassifier()))


# %%
# The Keras model
# ---------------
# scikeras calls the model function with ``meta``, which holds the input
# width and the number of classes seen by ``fit``. The classifier never
# needs to know how wide the autoencoder's codes are. Extra arguments such
# as ``hidden_units`` become parameters of the wrapper
# (``kerasclassifier__hidden_units`` in a grid search).
def build_classifier(meta, hidden_units=64):
    return keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(hidden_units, activation="relu"),
            keras.layers.Dense(meta["n_classes_"], activation="softmax"),
        ]
    )


def keras_classifier():
    return TaggedKerasClassifier(
        model=build_classifier,
        hidden_units=64,
        loss="sparse_categorical_crossentropy",
        optimizer="adam",
        optimizer__learning_rate=3e-3,
        epochs=15,
        batch_size=64,
        verbose=0,
        random_state=0,
    )


X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16.0, y, test_size=0.3, stratify=y, random_state=0
)

# %%
# One pipeline
# ------------
# The autoencoder compresses the 64 pixels into 16 codes and the Keras
# network classifies the standardised codes. ``fit`` trains the autoencoder
# first, then the classifier on its codes.
pipe = make_pipeline(
    AutoEncoder(n_components=16, random_state=0),
    StandardScaler(),
    keras_classifier(),
)
pipe.fit(X_train, y_train)
print(f"autoencoder + Keras classifier: accuracy {pipe.score(X_test, y_test):.3f}")

raw = keras_classifier().fit(X_train, y_train)
print(f"Keras classifier on raw pixels: accuracy {raw.score(X_test, y_test):.3f}")

# %%
# The printed accuracies show that on 16 codes instead of 64 pixels the
# classifier is about as accurate: the autoencoder kept what distinguishes
# the digits.
#
# The training curves of both networks and the confusion matrix of the
# pipeline. Thanks to the restored tag, ``from_estimator`` accepts the
# pipeline.
fig, axes = plt.subplots(1, 3, figsize=(14, 4))
LossCurveDisplay.from_estimator(pipe[0], ax=axes[0], name="AutoEncoder (MSE)")
classifier = pipe[-1]
axes[1].plot(range(1, len(classifier.history_["loss"]) + 1), classifier.history_["loss"])
axes[1].set(xlabel="Epoch", ylabel="Loss", title="Keras classifier")
ConfusionMatrixDisplay.from_estimator(pipe, X_test, y_test, ax=axes[2], colorbar=False)
axes[2].set_title("Pipeline on the test digits")
fig.tight_layout()
plt.show()
