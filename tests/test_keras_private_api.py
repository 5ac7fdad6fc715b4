"""The private Keras optimizer API that ``skae/_training.py`` relies on.

The fused optimiser steps (``FusedAdamStep``, ``FusedNesterovSGD``) read
Keras' slot variables through private attributes, ``FusedAdamStep``
replaces the private ``_backend_update_step`` outside a strategy, and the
memory-leak fix ``_skip_single_replica_all_reduce`` replaces a private
method. A Keras
release that renames any of them breaks the fused steps, or worse, switches
the leak fix off without an error (its ``hasattr`` guard then does nothing).
These tests fail first, naming the installed Keras version.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from skae._shared import OPTIMIZERS
from skae._training import (
    _OPTIMIZERS,
    FusedAdamStep,
    FusedNesterovSGD,
    _skip_single_replica_all_reduce,
    make_optimizer,
)

# The private slot lists each optimizer's update step reads, by name in
# OPTIMIZERS; an optimizer without a fused step reads none.
SLOTS = {
    "adam": ("_momentums", "_velocities"),
    "adamw": ("_momentums", "_velocities"),
    "nadam": (),
    "rmsprop": (),
    "sgd": ("momentums",),
}
FUSED = sorted(name for name, slots in SLOTS.items() if slots)
# The method each fused optimizer updates one variable with, outside a
# strategy: FusedAdamStep's own per-step loop calls `_fused_update`.
UPDATES = {"adam": "_fused_update", "adamw": "_fused_update", "sgd": "update_step"}
SHAPES = [(4, 3), (3,)]


def _fail_unless(condition, what: str) -> None:
    if not condition:
        pytest.fail(
            f"Keras {keras.__version__} changed a private optimizer API that "
            f"skae/_training.py relies on: {what}. Update FusedAdamStep, "
            "FusedNesterovSGD or _skip_single_replica_all_reduce for this Keras "
            "version (or pin keras to a version these tests pass with).",
            pytrace=False,
        )


def _built(name):
    variables = [keras.Variable(np.zeros(shape, "float32")) for shape in SHAPES]
    optimizer = make_optimizer(name, 1e-2, 1.0, steps_per_epoch=1)
    optimizer.build(variables)
    return optimizer, variables


def _gradients():
    return [tf.ones(shape, tf.float32) for shape in SHAPES]


def _apply(optimizer, variables) -> None:
    """One eager optimiser step with gradients of ones."""
    try:
        optimizer.apply(_gradients(), variables)
    except Exception as exc:
        _fail_unless(False, f"one optimizer step raised {type(exc).__name__}: {exc}")


def test_every_optimizer_is_listed():
    # The estimators validate `optimizer` against _shared.OPTIMIZERS without
    # importing TensorFlow; _training builds each of them.
    assert set(_OPTIMIZERS) == OPTIMIZERS
    assert set(SLOTS) == OPTIMIZERS, (
        "skae._shared.OPTIMIZERS changed: list the private attributes the new "
        "optimizer's update step reads in SLOTS."
    )


def test_fused_optimizers_are_the_ones_listed():
    for name in sorted(OPTIMIZERS):
        optimizer, _ = _built(name)
        fused = isinstance(optimizer, FusedAdamStep | FusedNesterovSGD)
        assert fused == bool(SLOTS[name]), f"{name}: update SLOTS"


@pytest.mark.parametrize("name", FUSED)
def test_fused_steps_find_keras_slot_variables(name, monkeypatch):
    optimizer, variables = _built(name)
    for attribute in SLOTS[name]:
        _fail_unless(
            hasattr(optimizer, attribute),
            f"a built {type(optimizer).__name__} has no `{attribute}`",
        )
        slots = getattr(optimizer, attribute)
        _fail_unless(
            len(slots) == len(variables) and all(hasattr(slot, "handle") for slot in slots),
            f"`optimizer.{attribute}` is no longer one variable with a `.handle` per "
            "trainable variable",
        )
    _fail_unless(
        callable(getattr(optimizer, "_get_variable_index", None)),
        "optimizers have no `_get_variable_index(variable)` method",
    )
    # Every variable must go through the fused update, and the index of
    # what it is passed must point at that variable's slots.
    seen = []
    fused_update = getattr(optimizer, UPDATES[name])

    def spy(gradient, variable, *args):
        seen.append(variable)
        return fused_update(gradient, variable, *args)

    monkeypatch.setattr(optimizer, UPDATES[name], spy)
    _apply(optimizer, variables)
    _fail_unless(
        len(seen) == len(variables),
        f"apply() no longer calls `{UPDATES[name]}` once per variable",
    )
    for variable, shape in zip(seen, SHAPES, strict=True):
        index = optimizer._get_variable_index(variable)
        for attribute in SLOTS[name]:
            slot = getattr(optimizer, attribute)[index]
            _fail_unless(
                tuple(slot.shape) == shape,
                f"`_get_variable_index` does not index `{attribute}` by variable",
            )
            # The fused kernel wrote the step into Keras' own slot variables.
            _fail_unless(
                np.any(keras.ops.convert_to_numpy(slot) != 0),
                f"the fused step did not update `{attribute}`",
            )
    for variable in variables:
        assert np.all(keras.ops.convert_to_numpy(variable) != 0)


def test_keras_applies_adam_through_backend_update_step(monkeypatch):
    # FusedAdamStep computes Adam's scalars once per step in its
    # `_backend_update_step`; Keras must still call it with the gradients,
    # the variables and the learning rate (else every step falls back to
    # `update_step`: the same values, more operations).
    optimizer, variables = _built("adam")
    calls = []
    backend_update_step = optimizer._backend_update_step

    def spy(grads, trainable_variables, learning_rate):
        calls.append(len(trainable_variables))
        return backend_update_step(grads, trainable_variables, learning_rate)

    monkeypatch.setattr(optimizer, "_backend_update_step", spy)
    _apply(optimizer, variables)
    _fail_unless(
        calls == [len(variables)],
        "apply() no longer calls `_backend_update_step(grads, variables, learning_rate)`",
    )


def test_adam_matches_keras_adam():
    # The fused kernel computes Keras' own Adam, step after step (to float32
    # rounding: they order the operations differently, 7e-6 apart here).
    optimizer, variables = _built("adam")
    reference = [keras.Variable(np.zeros(shape, "float32")) for shape in SHAPES]
    keras_adam = keras.optimizers.Adam(1e-2)
    for _ in range(3):
        _apply(optimizer, variables)
        keras_adam.apply(_gradients(), reference)
    for fused, plain in zip(variables, reference, strict=True):
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(fused), keras.ops.convert_to_numpy(plain), rtol=2e-5
        )


# FusedAdamStep's own step loop does no all-reduce outside a strategy.
@pytest.mark.parametrize("name", sorted(set(OPTIMIZERS) - {"adam", "adamw"}))
def test_single_replica_all_reduce_is_skipped(name, monkeypatch):
    optimizer, variables = _built(name)
    _fail_unless(
        callable(getattr(type(optimizer), "_all_reduce_sum_gradients", None)),
        "optimizers have no `_all_reduce_sum_gradients` method, so "
        "_skip_single_replica_all_reduce silently does nothing and the graph leak "
        "of tensorflow/tensorflow#97697 is back",
    )
    # make_optimizer replaced the method on the instance by the identity.
    assert "_all_reduce_sum_gradients" in vars(optimizer), (
        f"make_optimizer({name!r}) outside a strategy did not skip the all-reduce"
    )
    pairs = list(zip(_gradients(), variables, strict=True))
    assert optimizer._all_reduce_sum_gradients(pairs) is pairs
    # Keras must still call it, through the instance, when applying gradients.
    calls = []

    def spy(grads_and_vars):
        calls.append(grads_and_vars)
        return grads_and_vars

    monkeypatch.setattr(optimizer, "_all_reduce_sum_gradients", spy)
    _apply(optimizer, variables)
    _fail_unless(
        len(calls) == 1,
        "apply() no longer calls `_all_reduce_sum_gradients`; the leak fix has to "
        "replace whatever Keras calls instead",
    )


def test_all_reduce_is_kept_under_a_strategy():
    with tf.distribute.OneDeviceStrategy("/cpu:0").scope():
        optimizer = make_optimizer("adam", 1e-2, 1.0, steps_per_epoch=1)
    assert "_all_reduce_sum_gradients" not in vars(optimizer)
    # And the helper itself does replace it when asked.
    _skip_single_replica_all_reduce(optimizer)
    _fail_unless(
        "_all_reduce_sum_gradients" in vars(optimizer),
        "_skip_single_replica_all_reduce no longer replaces `_all_reduce_sum_gradients`",
    )
