"""Baselines every better model has to beat: seasonal naive and the weekday-interval mean."""

from __future__ import annotations

import numpy as np

from models.base import Forecaster, Series, register
from models.calendar import slot_of
from models.tables import ROBUST_Z, fill, keyed_mean, lookup

WEEK = np.timedelta64(7, "D")


@register("weekday_mean")
class WeekdayMean(Forecaster):
    """Mean of the same weekday x interval over the last ``weeks`` weeks (outliers clipped).

    >>> import numpy as np
    >>> from models.calendar import build_calendar
    >>> t = np.arange("2024-01-01", "2024-01-15", dtype="datetime64[D]").astype("datetime64[us]")
    >>> s = Series(t, np.arange(14.0), np.timedelta64(1, "D"), build_calendar(t, t[:0]))
    >>> WeekdayMean(weeks=2, robust_z=None).fit(s).predict(t[:1] + np.timedelta64(14, "D"))
    array([3.5])
    """

    min_weeks = 1.0

    def __init__(self, weeks: int = 8, robust_z: float | None = ROBUST_Z) -> None:
        self.weeks = weeks
        self.robust_z = robust_z

    def fit(self, series: Series) -> WeekdayMean:
        self._check_history(series)
        recent = series.start >= series.start.max() - self.weeks * WEEK + np.timedelta64(1, "us")
        keys = series.key()
        self.series_ = series
        self.keys_, self.means_ = keyed_mean(
            keys[recent], series.y[recent], series.w[recent], robust_z=self.robust_z
        )
        self.all_keys_, self.all_means_ = keyed_mean(keys, series.y, series.w, robust_z=None)
        slots = slot_of(series.start, series.step)
        self.slot_keys_, self.slot_means_ = keyed_mean(slots, series.y, series.w, robust_z=None)
        self.overall_ = float(np.average(series.y, weights=series.w)) if series.w.sum() else 0.0
        return self

    def predict(self, start: np.ndarray) -> np.ndarray:
        keys = self.series_.key(start)
        return fill(
            lookup(keys, self.keys_, self.means_),
            lookup(keys, self.all_keys_, self.all_means_),
            lookup(slot_of(start, self.series_.step), self.slot_keys_, self.slot_means_),
            self.overall_,
        )


@register("seasonal_naive")
class SeasonalNaive(Forecaster):
    """The same interval in the latest week of history (weekday mean where that is missing)."""

    min_weeks = 1.0

    def __init__(self, max_weeks_back: int = 4) -> None:
        self.max_weeks_back = max_weeks_back

    def fit(self, series: Series) -> SeasonalNaive:
        self._check_history(series)
        self.series_ = series
        self.fallback_ = WeekdayMean(weeks=4).fit(series)
        return self

    def predict(self, start: np.ndarray) -> np.ndarray:
        s = self.series_
        end = s.start.max()
        lag = np.ceil((start - end) / WEEK).astype(np.int64)
        lag = np.maximum(lag, 1)
        out = np.full(start.shape, np.nan)
        for extra in range(self.max_weeks_back):
            miss = ~np.isfinite(out)
            if not miss.any():
                break
            src = start[miss] - (lag[miss] + extra) * WEEK
            at = np.clip(np.searchsorted(s.start, src), 0, s.start.size - 1)
            hit = s.start[at] == src
            vals = np.where(hit, s.y[at], np.nan)
            out[miss] = vals
        return fill(out, self.fallback_.predict(start))
