"""Empirical prediction intervals from backtest residuals.

Counts get the variance model ``var = f + c2 * f**2`` (Poisson noise plus a relative level
error ``c2`` estimated from the residuals); the residuals standardised by it give the
interval's half-width: the ``level`` quantile of their absolute value (with the split-conformal
finite-sample correction), so the interval is
symmetric (the sign of past errors, a week's bias, does not carry over to the next week).
Rates (AHT) use relative residuals ``(actual - f) / f``.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from models.errors import InputError


@dataclass(frozen=True)
class IntervalModel:
    """Quantiles ``q_lo``, ``q_hi`` of standardised residuals and the level-error term ``c2``.

    >>> m = IntervalModel.poisson(0.8)
    >>> lo, hi = m.bounds(np.array([100.0]))
    >>> round(float(lo[0]), 1), round(float(hi[0]), 1)
    (87.1, 112.9)
    """

    is_rate: bool
    c2: float
    q_lo: float
    q_hi: float

    @staticmethod
    def poisson(level: float) -> IntervalModel:
        """Pure Poisson noise around the forecast (used when there are no residuals)."""
        z = NormalDist().inv_cdf(0.5 + level / 2)
        return IntervalModel(False, 0.0, -z, z)

    @staticmethod
    def fit(
        actual: np.ndarray, forecast: np.ndarray, level: float, *, is_rate: bool
    ) -> IntervalModel:
        """Fit on paired actuals and forecasts; needs at least a few residuals."""
        a = np.asarray(actual, float)
        f = np.maximum(np.asarray(forecast, float), 0.0)
        keep = np.isfinite(a) & np.isfinite(f)
        a, f = a[keep], f[keep]
        if a.size == 0:
            raise InputError("no finite pair of actual and forecast to fit a prediction interval on")
        if is_rate:
            pos = f > 0
            q = float(np.quantile(np.abs(a[pos] - f[pos]) / f[pos], _conformal(level, pos.sum())))
            return IntervalModel(True, 0.0, -q, q)
        r = a - f
        c2 = max(0.0, float((r @ r - f.sum()) / max(f @ f, 1e-12)))
        q = float(np.quantile(np.abs(r) / np.sqrt(f + c2 * f * f + 1.0), _conformal(level, r.size)))
        return IntervalModel(False, c2, -q, q)

    def bounds(self, forecast: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds (>= 0) around point forecasts."""
        f = np.maximum(np.asarray(forecast, float), 0.0)
        scale = f if self.is_rate else np.sqrt(f + self.c2 * f * f + 1.0)
        lo = np.maximum(f + self.q_lo * scale, 0.0)
        hi = np.maximum(f + self.q_hi * scale, lo)
        return lo, hi


def _conformal(level: float, n: int) -> float:
    """Split-conformal quantile level ceil((n + 1) level) / n: covers ``level`` with n residuals."""
    return min(1.0, float(np.ceil((n + 1) * level) / max(n, 1)))
