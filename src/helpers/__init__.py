"""Safer Communities quarterly performance report: the package behind the notebooks."""

__version__ = "0.1.0"
