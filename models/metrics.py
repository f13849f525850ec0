"""Forecast accuracy metrics on plain arrays (numpy, polars Series or lists).

>>> from models import metrics
>>> metrics.wape([10, 20], [12, 18])
0.13333333333333333
>>> metrics.accuracy([10, 20], [12, 18])
0.8666666666666667
"""

from __future__ import annotations

from typing import Any

import numpy as np

from models.errors import InputError


_NAMES = ("actual", "forecast", "third")


def _arrays(*xs: Any, names: tuple[str, ...] = _NAMES) -> list[np.ndarray]:
    """Float arrays of equal length, all finite, the first (the actuals) >= 0.

    A NaN or an infinity would turn every score into NaN without a word, and a negative
    actual is not a count: all three are :class:`models.errors.InputError` (a ``ValueError``).
    """
    out = [np.asarray(x, dtype=float) for x in xs]
    if any(o.shape != out[0].shape for o in out):
        raise InputError(f"metric inputs differ in length: {[o.shape for o in out]}")
    for name, o in zip(names, out, strict=False):
        bad = ~np.isfinite(o)
        if bad.any():
            i = int(np.argmax(bad))
            raise InputError(
                f"{name}[{i}] is {o[i]} ({int(bad.sum())} non-finite values); metrics need "
                "finite numbers: drop or fill those intervals first"
            )
    if (out[0] < 0).any():
        i = int(np.argmax(out[0] < 0))
        raise InputError(f"actual[{i}] is {out[0][i]}: actuals are counts or rates >= 0")
    return out


def wape(actual: Any, forecast: Any) -> float:
    """Weighted absolute percentage error: sum |actual - forecast| / sum actual.

    >>> wape([10, 30], [20, 30])
    0.25
    """
    a, f = _arrays(actual, forecast)
    total = np.abs(a).sum()
    return float(np.abs(a - f).sum() / total) if total > 0 else float("nan")


def accuracy(actual: Any, forecast: Any) -> float:
    """Forecast accuracy as planners quote it: 1 - WAPE.

    >>> accuracy([10, 30], [20, 30])
    0.75
    """
    return 1.0 - wape(actual, forecast)


def mape(actual: Any, forecast: Any) -> float:
    """Mean absolute percentage error over the intervals with actual > 0.

    >>> mape([10, 20, 0], [11, 18, 5])
    0.1
    """
    a, f = _arrays(actual, forecast)
    keep = a > 0
    return float(np.mean(np.abs(a[keep] - f[keep]) / a[keep])) if keep.any() else float("nan")


def bias(actual: Any, forecast: Any) -> float:
    """Relative bias: sum (forecast - actual) / sum actual; > 0 means over-forecast.

    >>> bias([10, 30], [20, 30])
    0.25
    """
    a, f = _arrays(actual, forecast)
    total = np.abs(a).sum()
    return float((f - a).sum() / total) if total > 0 else float("nan")


def coverage(actual: Any, lo: Any, hi: Any) -> float:
    """Share of actuals inside their prediction interval [lo, hi].

    >>> coverage([1, 5, 9], [0, 0, 0], [2, 6, 8])
    0.6666666666666666
    """
    a, low, high = _arrays(actual, lo, hi, names=("actual", "lo", "hi"))
    return float(np.mean((a >= low) & (a <= high))) if a.size else float("nan")
