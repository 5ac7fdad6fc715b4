"""Reuse of compiled trainers across fits of the same structure.

Tracing a new network's compiled epoch and inference functions is most of
the cost of a small fit: on 2 idle CPU cores a repeat fit of a 100 x 10
``AutoEncoder`` for one epoch took 1.03 s when it compiled afresh and
0.055 s when it reused a trainer (``benchmarks/search.py``).
Cross-validation and searches fit one clone per fold, all with the same
structure, so this module keeps the :class:`~skae._training.Trainer`
(network, optimiser and traced functions) of a fitted estimator once the
estimator is garbage collected or refitted, and lends it to the next fit
with the same key.

A reused trainer is first given the exact state a new one would have. Its
network returns to the initial values it remembered when they were built
from the same seed, with the new PCA start loaded into its fixed layers;
otherwise (another seed, or an objective whose weights depend on the
start) it takes the variables of a freshly built network. The optimiser
returns to its initial state, and the training seed and the loss unit are
the new fit's. The traced graphs are the ones a new trainer would trace,
so a fit that reuses one is bit-identical to one that compiles afresh.

A trainer is lent to one estimator at a time. It comes back only when that
estimator is garbage collected or refitted, and never once the estimator
handed out its Keras models (``encoder_``, ``decoder_``), which a user may
keep using.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict

import joblib

# Parameters that only steer the training loop or the PCA start. The traced graphs do not
# depend on them (batch_size enters the key as the number of rows actually
# used, the seeds as variables), so fits that differ only in these share a
# trainer.
_LOOP_PARAMS = frozenset(
    {
        # How the PCA start is computed and scaled: its values go into the
        # fixed layers when a pooled network restarts, the graph is the same.
        "whiten",
        "svd_solver",
        "iterated_power",
        "n_oversamples",
        "power_iteration_normalizer",
        "batch_size",
        # Read by nothing: skae never modifies X (PCA's permission to).
        "copy",
        # The optimiser's schedule reads them from variables (see
        # _training.LearningRate).
        "learning_rate",
        "learning_rate_decay",
        # The L2 penalty's weight is a variable too (_layers.VariableL2);
        # only whether there is a penalty enters the key.
        "alpha",
        # The objectives' numbers are variables (BaseObjective.take_values);
        # for the noise level only whether it is "auto" enters the key.
        "noise_level",
        "sparsity_weight",
        "sparsity_target",
        "contraction",
        "beta",
        "kl_warmup",
        # Dropout layers read their rates from variables (_layers.RateDropout,
        # NestedDropout); whether there is one enters the key.
        "dropout",
        "nested_dropout",
        "early_stopping",
        "max_iter",
        "n_iter_no_change",
        "random_state",
        "restore_best_weights",
        "tol",
        "validation_fraction",
        "verbose",
        "warm_start",
    }
)
# Of the parameters above, those whose kind of value decides the graph: the
# kind enters the key.
_GRAPH_KINDS = {
    "alpha": lambda alpha: alpha > 0,  # an L2 penalty or none
    "noise_level": lambda level: level == "auto",  # "auto" follows X's units
    "dropout": lambda rate: rate > 0,  # dropout layers or none
    "nested_dropout": lambda rate: rate > 0,  # a NestedDropout layer or none
}
# Of the parameters above, those a continued fit (warm_start, partial_fit)
# cannot change all the same: it keeps the network's PCA path (warm_start
# as it was built, partial_fit as it updates it with new chunks), and
# whiten scales its codes.
_FIXED_AT_START = frozenset({"whiten"})
# Idle trainers kept per process, the least recently returned dropped
# first, within a memory budget. Eight covers the structures of a typical
# grid: with four, a grid of 6 structures on Dask workers compiled them
# again in every search, and worker memory grew by about 3.5 MiB per fit
# (benchmarks/scaling.py --dask). The MNIST network's trainer (weights,
# remembered initial values, Adam moments) is about 50 MiB.
MAX_IDLE = 8
MAX_IDLE_BYTES = 256 * 1024**2


# What _graph_part returns for a parameter the traced graphs do not read.
_NOTHING = ("loop",)


def _graph_part(name: str, value, keyed: tuple[str, ...]):
    """What of parameter ``name``'s ``value`` the traced graphs depend on:
    its kind (:data:`_GRAPH_KINDS`), nothing (:data:`_NOTHING`, for the
    other :data:`_LOOP_PARAMS`), or the value itself (any other parameter,
    or one named in ``keyed``)."""
    if name in keyed:
        return ("value", value)
    if name in _GRAPH_KINDS:
        return ("kind", _GRAPH_KINDS[name](value))
    if name in _LOOP_PARAMS:
        return _NOTHING
    return ("value", value)


def graph_changes(recorded: dict, requested: dict, keyed: tuple[str, ...] = ()) -> list[str]:
    """The parameters, as ``"name: old -> new"``, whose ``requested`` value
    would build another network than the one built from ``recorded`` (a
    fitted network's ``params``); ``keyed`` as for :func:`structure_key`,
    and :data:`_FIXED_AT_START` are compared by value too. Names
    ``recorded`` lacks (a network saved before they existed) are not
    compared."""
    keyed = (*keyed, *_FIXED_AT_START)
    return [
        f"{name}: {old!r} -> {requested[name]!r}"
        for name, old in recorded.items()
        if name in requested
        and _hash(_graph_part(name, old, keyed))
        != _hash(_graph_part(name, requested[name], keyed))
    ]


def _hash(value) -> str:
    try:
        return joblib.hash(value)
    except Exception:  # An unhashable value (a lambda): compare it as text.
        return repr(value)


def structure_key(
    estimator_type: type,
    network_params: dict,
    n_features: int,
    batch_size: int,
    keyed: tuple[str, ...] = (),
) -> str | None:
    """The key under which trainers with identical traced graphs are pooled.

    ``keyed`` names parameters of :data:`_LOOP_PARAMS` whose values enter
    the key all the same (a restart could not set them). ``None`` when a
    parameter cannot be hashed (for example a custom architecture holding a
    lambda): such fits always trace afresh.
    """
    graph = {name: _graph_part(name, value, keyed) for name, value in network_params.items()}
    graph = {name: part for name, part in graph.items() if part is not _NOTHING}
    try:
        return joblib.hash(
            (
                estimator_type.__module__,
                estimator_type.__qualname__,
                graph,
                n_features,
                batch_size,
            )
        )
    except Exception:
        return None


class TrainerPool:
    """Idle trainers by structure key, and the leases of lent ones.

    Thread-safe: concurrent fits (a threading joblib backend) each take a
    different trainer.
    """

    def __init__(self, max_idle: int = MAX_IDLE, max_bytes: int = MAX_IDLE_BYTES) -> None:
        self.max_idle = max_idle
        self.max_bytes = max_bytes
        # (key, id) -> (trainer, its size in bytes), least recent first.
        self._idle: OrderedDict[tuple[str, int], tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()

    def take_idle(self, key: str):
        """An idle trainer with this key (removed from the pool), or None."""
        with self._lock:
            for slot in self._idle:
                if slot[0] == key:
                    return self._idle.pop(slot)[0]
        return None

    def give_back(self, key: str, trainer, nbytes: int = 0) -> None:
        """Make ``trainer`` (``nbytes`` of variables) available to the next
        fit with ``key``, dropping the least recent ones beyond the limits."""
        with self._lock:
            self._idle[(key, id(trainer))] = (trainer, nbytes)
            while len(self._idle) > self.max_idle or (
                sum(size for _, size in self._idle.values()) > self.max_bytes
            ):
                self._idle.popitem(last=False)

    def lend(self, owner, key: str, trainer) -> weakref.finalize:
        """Lend ``trainer`` to ``owner`` until the returned lease is called.

        The lease is called when ``owner`` is garbage collected, or by the
        owner itself when it stops using the trainer's network; ``detach()``
        keeps the trainer with the owner for good.
        """
        lease = weakref.finalize(owner, self.give_back, key, trainer, trainer.nbytes())
        # At interpreter exit there is no next fit to give it to.
        lease.atexit = False
        return lease

    def clear(self) -> None:
        """Drop every idle trainer."""
        with self._lock:
            self._idle.clear()


# The process-wide pool that estimators draw from.
POOL = TrainerPool()
