"""What the estimators and skae's TensorFlow side both read, without TensorFlow.

The estimator modules import no TensorFlow (see :mod:`skae._lazy`), yet
their parameter constraints name the optimisers and dtype policies that
``_training`` implements, they draw seeds below the bound that ``_layers``
accepts, users catch :class:`DivergenceError` before anything is fitted, and
both sides read wide rows in blocks of one size (``rows_per_block``).
"""

# Seeds are drawn below this bound (what NumPy and TensorFlow seeds accept).
MAX_SEED = 2**31 - 1
# The estimators' optimizer values (``_training`` builds each).
OPTIMIZERS = frozenset({"adam", "adamw", "nadam", "rmsprop", "sgd"})
# The estimators' dtype_policy values: Keras' own policy names.
DTYPE_POLICIES = ("float32", "mixed_float16", "mixed_bfloat16")
# The working set of one block of rows that skae densifies, converts,
# decodes or squares: wide rows take fewer rows a block. Counted by rows
# alone, 8,192 rows of 50,000 features were 1.6 GB as float32 and 3.3 GB
# as float64 (a synthetic TF-IDF table: measuring the explained variance
# of 2,000 of its rows at 8 codes peaked at 16.8 GB, and 76 s; now 1.5 GB
# and 9 s).
BLOCK_BYTES = 64 * 2**20


def rows_per_block(row_bytes: float, most: int) -> int:
    """How many rows of ``row_bytes`` bytes a block of ``BLOCK_BYTES``
    holds: at least one, at most ``most``."""
    return int(max(1, min(most, BLOCK_BYTES // max(row_bytes, 1))))


class DivergenceError(ValueError):
    """Raised when the training loss becomes NaN or infinite."""
