"""skae's version, in a module of its own: the build reads it without
importing skae, and the file format records it without importing skae."""

__version__ = "0.1.0"
