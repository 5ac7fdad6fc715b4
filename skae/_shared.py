"""What the estimators and skae's TensorFlow side both read, without TensorFlow.

The estimator modules import no TensorFlow (see :mod:`skae._lazy`), yet
their parameter constraints name the optimisers and dtype policies that
``_training`` implements, they draw seeds below the bound that ``_layers``
accepts, and users catch :class:`DivergenceError` before anything is fitted.
"""

# Seeds are drawn below this bound (what NumPy and TensorFlow seeds accept).
MAX_SEED = 2**31 - 1
# The estimators' optimizer values (``_training`` builds each).
OPTIMIZERS = frozenset({"adam", "adamw", "nadam", "rmsprop", "sgd"})
# The estimators' dtype_policy values: Keras' own policy names.
DTYPE_POLICIES = ("float32", "mixed_float16", "mixed_bfloat16")


class DivergenceError(ValueError):
    """Raised when the training loss becomes NaN or infinite."""
