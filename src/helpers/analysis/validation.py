"""The statistics' inputs checked and their results shaped, as PHStatsMethods keeps its checks apart.

Every statistics function accepts scalars, numpy arrays or pandas Series: scalar input gives python floats,
array input gives arrays and Series input gives Series that keep the index. Invalid input raises ``ValueError``
with one line naming the argument and the problem.
"""

from __future__ import annotations

from numbers import Real
from typing import TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

Shaped: TypeAlias = float | np.ndarray | pd.Series
"""A result in the form of the inputs: float, array or Series."""

__all__ = ["Shaped", "normalise_confidence", "numbers", "number", "whole_count", "positive", "shaped"]


def normalise_confidence(confidence: object) -> float:
    """Return the confidence level as a fraction: 95 and 0.95 both give 0.95.

    Values above 1 are read as percentages (as PHEindicatormethods does for
    values of 90 or more). Anything not strictly between 0 and 1 after that
    conversion raises ``ValueError``.
    """
    if isinstance(confidence, bool) or not isinstance(confidence, Real) or not np.isfinite(float(confidence)):
        raise ValueError(f"confidence must be a finite number, got {confidence!r}")
    level = float(confidence)
    if level > 1:
        level /= 100
    if not 0 < level < 1:
        raise ValueError(
            f"confidence must be between 0 and 1 (e.g. 0.95) or a percentage (e.g. 95), got {confidence!r}"
        )
    return level


def numbers(name: str, value: ArrayLike) -> np.ndarray:
    """``value`` as a float array, refusing non-numeric and non-finite entries."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric, got {value!r}") from None
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite numbers (no NaN or infinity)")
    return array


def number(name: str, value: ArrayLike) -> float:
    """``value`` as one finite float."""
    array = numbers(name, value)
    if array.ndim:
        raise ValueError(f"{name} must be a single number")
    return float(array)


def whole_count(name: str, value: ArrayLike) -> int:
    """``value`` as a whole number, zero or more."""
    count = number(name, value)
    if count < 0 or count != int(count):
        raise ValueError(f"{name} must be a whole number, zero or more, got {value!r}")
    return int(count)


def positive(name: str, value: ArrayLike) -> float:
    """``value`` as one number greater than zero."""
    checked = number(name, value)
    if checked <= 0:
        raise ValueError(f"{name} must be greater than zero, got {value!r}")
    return checked


def shaped(result: np.ndarray, name: str, *inputs: object) -> Shaped:
    """Return ``result`` in the form of the inputs: float, array or Series (named ``name``, keeping the index)."""
    for item in inputs:
        if isinstance(item, pd.Series):
            return pd.Series(np.broadcast_to(result, item.shape), index=item.index, name=name)
    if result.ndim == 0:
        return float(result)
    return result
