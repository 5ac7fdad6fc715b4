"""How a fit gets its network and trainer: one rule, in one function.

A fit trains a :class:`~skae._training.Trainer` (a network, an optimiser
and their compiled epoch). :func:`acquire_trainer` decides which one:

1. ``partial_fit`` on a fitted estimator continues with the estimator's
   own trainer, optimiser state included, while that trainer's network is
   the one it continues (not rebuilt under another strategy, rule 2).
2. Any other continuation (``warm_start=True``, or ``partial_fit`` under a
   new strategy) trains the fitted network with a new optimiser. A network
   built under another ``tf.distribute`` strategy is rebuilt under the
   active one with its weights, because variables belong to the strategy
   they were created under.
   In both, the fitted network first takes the fit's numbers of the loss
   (``alpha``, dropout rates, the objective's), and a parameter that would
   build another network must not have changed (``_continue_with_params``).
3. A new network (``fit``, the first ``partial_fit``) comes from the pool
   of idle trainers when one of the same structure waits there (see
   :mod:`skae._reuse`), restarted to exactly the state a new build would
   have; otherwise it is built, with its PCA start.

Every network, new or rebuilt (rule 2, pickle, :func:`skae.load`), comes
from :func:`build_network`, from the estimator parameters recorded with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sklearn.base import clone

from ._architectures import DenseArchitecture, ResidualArchitecture, saved_params
from ._lazy import LazyModule
from ._reuse import POOL, graph_changes, structure_key

if TYPE_CHECKING:
    from ._network import Network
    from ._training import Trainer

_network = LazyModule("skae._network")
_training = LazyModule("skae._training")

# Parameters that are not part of a network: runtime objects a fit uses.
_RUNTIME_PARAMS = ("distribute_strategy", "callbacks")
# What a network recorded before a parameter existed was built as: without
# a PCA path, whitening, nested dropout or mixed precision.
_BEFORE_PARAMETER_EXISTED = {
    "init": "random",
    "whiten": False,
    "nested_dropout": 0.0,
    "dtype_policy": "float32",
}


def network_params(estimator, width: int) -> dict:
    """The parameters a network of ``width`` codes is built from.

    Copies of ``estimator``'s parameters, without the runtime objects;
    ``n_components`` is the width, whatever chose it.
    """
    params = {
        key: clone(value, safe=False)
        for key, value in estimator.get_params(deep=False).items()
        if key not in _RUNTIME_PARAMS
    }
    params["n_components"] = width
    return params


def build_network(
    estimator_type: type, params: dict, n_features: int, seed: int = 0, start=None
) -> Network:
    """Build the network of an ``estimator_type`` with parameters ``params``.

    ``start`` is the PCA start of a new ``init="pca"`` network; a network
    rebuilt to hold saved weights gets none and loads its weights next
    (``seed`` then only seeds the generators of its dropout layers). The
    network records ``params``, so
    that pickle and :func:`skae.load` rebuild it even after ``set_params``
    changed the estimator's own parameters for the next fit.
    """
    source = configured_estimator(estimator_type, params)
    architecture = source._architecture()
    # The contract is encode and decode; a BaseArchitecture (or any
    # scikit-learn estimator) also checks its _parameter_constraints.
    if callable(getattr(architecture, "_validate_params", None)):
        architecture._validate_params()
    network = _network.Network.build(
        architecture,
        source._objective(),
        n_features,
        source.n_components,
        seed,
        source.alpha,
        pca_path=source.init == "pca",
        start=start,
        whiten=source.whiten,
        nested_dropout=source.nested_dropout,
        dtype_policy=source.dtype_policy,
    )
    network.params = params
    return network


def configured_estimator(estimator_type: type, params: dict):
    """An ``estimator_type`` with the (validated) parameters a network records."""
    source = estimator_type(
        **saved_params({**_BEFORE_PARAMETER_EXISTED, **params}, estimator_type)
    )
    source._validate_params()
    return source


def rebuild_network(network: Network, estimator_type: type, seed: int = 0) -> Network:
    """``network`` rebuilt with its weights, under the active strategy.

    ``seed`` seeds what the weights do not hold: the state of the layers'
    seed generators (dropout), which continue from there.
    """
    rebuilt = build_network(estimator_type, network.params, network.n_features, seed)
    rebuilt.set_weights(network.get_weights())
    return rebuilt


@dataclass(frozen=True)
class TrainerRequest:
    """What one fit needs a trainer for.

    ``params`` are the network's (see :func:`network_params`); ``scale``
    is the root mean column variance of the ``n_train`` training rows, in
    which the objective's loss unit is measured.
    """

    estimator_type: type
    params: dict
    n_features: int
    n_train: int
    batch_size: int
    scale: float
    network_seed: int
    training_seed: int

    @property
    def steps_per_epoch(self) -> int:
        return -(-self.n_train // self.batch_size)

    @property
    def learning_rate(self) -> tuple[float, float, int]:
        """The learning rate, its decay per epoch and the steps per epoch."""
        return (
            self.params["learning_rate"],
            self.params["learning_rate_decay"],
            self.steps_per_epoch,
        )

    def new_trainer(self, network: Network, pool_key: str | None = None) -> Trainer:
        """A trainer of ``network`` with a new optimiser."""
        learning_rate = _training.LearningRate(*self.learning_rate)
        return _training.Trainer(
            network,
            _training.make_optimizer(
                self.params["optimizer"],
                learning_rate,
                loss_scale=self.params["dtype_policy"] == "mixed_float16",
            ),
            self.batch_size,
            self.params["shuffle"],
            self.training_seed,
            self.loss_unit(network),
            pool_key,
            learning_rate,
        )

    def loss_unit(self, network: Network) -> float:
        """The unit of ``network``'s training loss on these rows."""
        return network.objective.loss_unit(self.n_features, self.scale)


def acquire_trainer(
    request: TrainerRequest,
    *,
    start=None,
    fitted: Network | None = None,
    held: Trainer | None = None,
) -> Trainer:
    """The trainer a fit trains, by the rule in this module's docstring.

    ``fitted`` is the fitted estimator's network when the fit continues
    (rules 1 and 2), ``None`` for a new network at PCA start ``start``
    (rule 3). ``held`` is the trainer ``partial_fit`` continues with: the
    estimator's own, if it still has one (pickle and :func:`skae.load` do
    not keep optimisers). Call it in the scope of the fit's strategy.
    """
    if fitted is None:
        return _new_network_trainer(request, start)
    _continue_with_params(fitted, request)
    if fitted.strategy is not _network.active_strategy():
        return request.new_trainer(
            rebuild_network(fitted, request.estimator_type, request.network_seed)
        )
    if held is not None and held.network is fitted:
        return held
    return request.new_trainer(fitted)


def give_params(network: Network, params: dict, source) -> None:
    """Train ``network`` from now on with ``params`` (of its graph): their
    L2 weight, dropout rates and objective's numbers, as ``source`` (their
    :func:`configured_estimator`) builds them."""
    network.take_params(params, source._objective(), _stock_dropout(source._architecture()))


def _stock_dropout(architecture) -> float | None:
    """The rate of every dropout layer of a stock architecture (``None``
    for others, whose rates then key the pool: see
    :func:`_new_network_trainer`)."""
    if type(architecture) in (DenseArchitecture, ResidualArchitecture):
        return architecture.dropout
    return None


def _keyed(source) -> tuple[str, ...]:
    """Loop parameters whose values still key a network of ``source``:
    ``give_params`` sets a stock architecture's dropout rates, but cannot
    know another architecture's."""
    return () if _stock_dropout(source._architecture()) is not None else ("dropout",)


def _continue_with_params(fitted: Network, request: TrainerRequest) -> None:
    """Give the fitted network the continuation's numbers (the L2 weight,
    dropout rates, the objective's), as ``MLPRegressor`` reads its ``alpha``
    at every fit; a parameter that would build another network must not
    have changed since it was fitted.

    A failed fit gives the network its previous parameters back
    (``BaseAutoEncoder._fit``).
    """
    source = configured_estimator(request.estimator_type, request.params)
    keyed = _keyed(source)
    # Read as the network was built: a network saved by an earlier skae
    # recorded parameters under their old meanings (saved_params).
    recorded = saved_params(fitted.params, request.estimator_type)
    changes = graph_changes(recorded, request.params, keyed=keyed)
    if changes:
        raise ValueError(
            f"warm_start and partial_fit continue the fitted network, which these "
            f"parameters would change: {'; '.join(changes)}. Set them back, or fit "
            "a new network (warm_start=False, or a clone for partial_fit)."
        )
    give_params(fitted, request.params, source)


def _new_network_trainer(request: TrainerRequest, start) -> Trainer:
    """Rule 3: a pooled trainer restarted, or a new network's."""
    source = configured_estimator(request.estimator_type, request.params)
    key = None
    if _network.active_strategy() is None:
        key = structure_key(
            request.estimator_type,
            request.params,
            request.n_features,
            request.batch_size,
            keyed=_keyed(source),
        )
    trainer = POOL.take_idle(key) if key is not None else None
    if trainer is not None and trainer.network.can_restart(request.network_seed):
        # The remembered initial values, with this fit's PCA start.
        trainer.network.restart(start, request.params.get("whiten", False))
    else:
        network = build_network(
            request.estimator_type,
            request.params,
            request.n_features,
            request.network_seed,
            start,
        )
        if key is not None:
            network.remember_initial_state(request.network_seed)
        if trainer is None:
            return request.new_trainer(network, pool_key=key)
        # Same graphs, another seed (or a start-dependent objective): the
        # pooled trainer takes the new network's values.
        trainer.network.restart_from(network)
    give_params(trainer.network, request.params, source)
    trainer.reset(request.training_seed, request.loss_unit(trainer.network), request.learning_rate)
    return trainer
