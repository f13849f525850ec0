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


# ------------------------------------------------------------------ Poisson noise floor
#: How many standard deviations below the noise floor a score may lie and still be what a
#: perfect rate forecast scores on that volume (see :func:`noise_band`).
NOISE_SIGMAS = 2.0


def poisson_mad(rate: Any) -> np.ndarray:
    """Exact mean absolute deviation ``E|X - rate|`` of Poisson counts ``X`` with mean ``rate``.

    ``2 exp(-rate) rate**(n + 1) / n!`` with ``n = floor(rate)`` (computed in logs, so large
    rates do not overflow). It is the error a perfect forecast of the rate still makes on
    average in one bin: about ``sqrt(2 rate / pi)`` for large rates.

    >>> [round(float(m), 4) for m in poisson_mad([0.0, 1.0, 12.0])]
    [0.0, 0.7358, 2.7448]
    """
    from scipy.special import gammaln

    lam = np.asarray(rate, dtype=float)
    n = np.floor(lam)
    with np.errstate(divide="ignore"):
        log = np.log(2.0) - lam + (n + 1.0) * np.log(lam) - gammaln(n + 1.0)
    return np.where(lam > 0, np.exp(log), 0.0)


def noise_floor(rate: Any) -> float:
    """Best expected accuracy (1 - WAPE) of any forecast of Poisson counts with these means.

    ``rate`` holds one mean per bin at the level accuracy is measured at (an interval, an hour
    or a day: sum the interval rates of a bin first, a sum of Poisson counts being Poisson).
    The floor is ``1 - sum E|X - rate| / sum rate``: the ratio of the expected error to the
    expected volume, which is within a fraction of a point of the expected ratio once a
    period holds a few hundred contacts (the tests check it against simulation).

    >>> round(noise_floor([12.0] * 20), 3)  # a dozen contacts an interval: 77 % at best
    0.771
    >>> round(noise_floor([240.0]), 3)  # the same contacts as one day's total
    0.949
    """
    lam = np.asarray(rate, dtype=float)
    total = lam.sum()
    return float(1.0 - poisson_mad(lam).sum() / total) if total > 0 else float("nan")


def noise_band(rate: Any) -> tuple[float, float]:
    """The noise floor and the standard deviation of a perfect forecast's accuracy around it.

    ``Var|X - rate| = rate - E|X - rate|**2`` per bin (as ``E(X - rate)**2 = rate``), summed
    over independent bins and divided by the squared volume. A score at or above
    ``floor - NOISE_SIGMAS * sd`` is what a perfect forecast of the rate could have scored.

    >>> floor, sd = noise_band([12.0] * 20)
    >>> round(floor, 3), round(sd, 3)
    (0.771, 0.039)
    """
    lam = np.asarray(rate, dtype=float)
    total = lam.sum()
    if total <= 0:
        return float("nan"), float("nan")
    mad = poisson_mad(lam)
    return float(1.0 - mad.sum() / total), float(np.sqrt(np.sum(lam - mad * mad)) / total)


def perfect_rate(actual: Any, forecast: Any, group: Any) -> np.ndarray:
    """The Poisson means a perfect forecast would have had: the forecast's shape scaled to the
    actual volume of each ``group`` (a queue's day, say).

    The true rate is unknown; the actual counts are too noisy to stand in for it interval by
    interval (an interval with 0 contacts would get no noise at all), and a forecast with a
    wrong level would move the floor. So each interval gets ``forecast x actual total /
    forecast total`` of its group, and the actual count where the group's forecast is 0.

    >>> perfect_rate([3, 5, 4, 0], [2, 6, 1, 0], ["a", "a", "b", "b"]).tolist()
    [2.0, 6.0, 4.0, 0.0]
    """
    a, f = _arrays(actual, forecast)
    f = np.maximum(f, 0.0)
    _, inv = np.unique(np.asarray(group), return_inverse=True)
    a_tot, f_tot = np.bincount(inv, a), np.bincount(inv, f)
    scale = np.divide(a_tot, f_tot, out=np.zeros_like(a_tot), where=f_tot > 0)[inv]
    return np.where(f_tot[inv] > 0, f * scale, a)
