import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Lets sklearn's array-API estimator check run (with NumPy inputs) instead of
# being skipped; it must be set before SciPy is imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
