"""Daily level x intraday profile models.

A day's volume is forecast as one number (the daily level) and spread over the day by the
weekday's intraday profile (each interval's share of the day, robust to outlier days). For a
rate target such as AHT the level is the day's weighted mean and the profile the interval's
ratio to it. The models below differ in how they forecast the daily level:

- ``poisson_glm``: Poisson GLM (Gamma for rates) on daily totals with weekday effects, a
  recency-weighted level, an optional trend and calendar effects (the day after a closure,
  month turns). With the multinomial intraday shares this is exactly the Poisson GLM with
  weekday x interval effects plus day-level terms, fitted in two cheap separable steps.
- ``ets_profile``: Holt-Winters exponential smoothing (statsmodels) with weekly seasonality on
  the calendar-adjusted daily levels of the open-day grid.
- ``uc_profile``: an unobserved-components state-space model (statsmodels) on the log daily
  levels: a mean plus an AR(1) deviation and a weekday season; closed and excluded days are
  missing values the Kalman filter skips.

Days with far fewer intervals than usual for their weekday (a partial day at the end of the
history, a feed outage) are left out of both the level and the profile; outlier days are left
out of the level fit.
"""

from __future__ import annotations

import warnings

import numpy as np

from models.base import Forecaster, Series, register
from models.calendar import DAY_FEATURES, day_of, slot_of, slots_per_day, weekday_of
from models.tables import ROBUST_Z, fill, keyed_mean, lookup

WEEK_DAYS = 7.0
#: Floor of the robust spread of log daily residuals (2 %), so a near-perfect fit does not
#: turn ordinary days into outliers.
MIN_LOG_SPREAD = 0.02
#: A day with fewer rows than this share of its weekday's usual count is a partial day.
PARTIAL_DAY_SHARE = 0.5
#: Refits of the Poisson GLM's outlier search at most (it stops earlier once the set of outlier
#: days no longer changes; two or three rounds settle it on real contact histories).
OUTLIER_ROUNDS = 5


def daily_levels(
    series: Series, min_share: float = PARTIAL_DAY_SHARE
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Days with rows, each day's level (total, or weighted mean for a rate) and row -> day.

    A day with fewer than ``min_share`` of the usual number of rows for its weekday gets a
    NaN level (a partial day would understate the total).
    """
    days, inv = np.unique(series.day, return_inverse=True)
    wy = np.bincount(inv, series.y * series.w)
    rows = np.bincount(inv).astype(float)
    wd = weekday_of(days)
    usual = np.zeros(7)
    for w in np.unique(wd):  # at most seven weekdays
        usual[w] = np.median(rows[wd == w])
    partial = rows < min_share * usual[wd]
    if series.is_rate:
        w = np.bincount(inv, series.w)
        with np.errstate(invalid="ignore", divide="ignore"):
            wy = np.where(w > 0, wy / w, np.nan)
    return days, np.where(partial, np.nan, wy), inv


class IntradayProfile:
    """Weekday x interval shares of the daily level (ratios for a rate), outliers clipped.

    Estimated over the last ``weeks`` weeks, recent days weighted more when
    ``half_life_weeks`` is set.
    """

    def __init__(
        self,
        weeks: int = 8,
        robust_z: float | None = ROBUST_Z,
        half_life_weeks: float | None = None,
    ):
        self.weeks = weeks
        self.robust_z = robust_z
        self.half_life_weeks = half_life_weeks

    def fit(self, series: Series, level: np.ndarray, inv: np.ndarray) -> IntradayProfile:
        recent = series.start >= series.start.max() - np.timedelta64(
            self.weeks * 7, "D"
        ) + np.timedelta64(1, "us")
        lv = level[inv]
        ok = recent & (lv > 0) & np.isfinite(lv)
        ratio = np.where(ok, series.y / np.where(ok, lv, 1.0), np.nan)
        wt = (lv if not series.is_rate else series.w) * ok
        if self.half_life_weeks:
            age = (series.start.max() - series.start) / np.timedelta64(7, "D")
            wt = wt * 0.5 ** (age / self.half_life_weeks)
        self.step_ = series.step
        self.n_slots_ = slots_per_day(series.step)
        keys = series.key()
        self.keys_, self.values_ = keyed_mean(keys[ok], ratio[ok], wt[ok], robust_z=self.robust_z)
        slots = slot_of(series.start, series.step)
        self.slot_keys_, self.slot_values_ = keyed_mean(
            slots[ok], ratio[ok], wt[ok], robust_z=self.robust_z
        )
        if not series.is_rate:  # shares of each weekday sum to one
            wd = self.keys_ // self.n_slots_
            total = np.bincount(wd, self.values_, minlength=7)
            self.values_ = self.values_ / np.where(total[wd] > 0, total[wd], 1.0)
            self.slot_values_ = self.slot_values_ / max(self.slot_values_.sum(), 1e-12)
        self.default_ = 1.0 if series.is_rate else 1.0 / max(self.slot_keys_.size, 1)
        return self

    def __call__(self, start: np.ndarray) -> np.ndarray:
        keys = weekday_of(day_of(start)) * self.n_slots_ + slot_of(start, self.step_)
        return fill(
            lookup(keys, self.keys_, self.values_),
            lookup(keys % self.n_slots_, self.slot_keys_, self.slot_values_),
            self.default_,
        )


class DailyProfileModel(Forecaster):
    """Base of the daily level x intraday profile models; subclasses forecast the level."""

    min_weeks = 2.0

    def __init__(
        self, profile_weeks: int = 26, profile_half_life_weeks: float | None = 8.0
    ) -> None:
        self.profile_weeks = profile_weeks
        self.profile_half_life_weeks = profile_half_life_weeks

    def fit(self, series: Series) -> DailyProfileModel:
        self._check_history(series)
        self.series_ = series
        days, level, inv = daily_levels(series)
        self.profile_ = IntradayProfile(
            self.profile_weeks, half_life_weeks=self.profile_half_life_weeks
        ).fit(series, level, inv)
        self.last_day_ = days[-1]
        self._fit_level(series, days, level)
        return self

    def predict(self, start: np.ndarray) -> np.ndarray:
        days, inv = np.unique(day_of(start), return_inverse=True)
        level = np.maximum(self._predict_level(days), 0.0)
        return level[inv] * self.profile_(start)

    def _fit_level(self, series: Series, days: np.ndarray, level: np.ndarray) -> None:
        raise NotImplementedError

    def _predict_level(self, days: np.ndarray) -> np.ndarray:
        raise NotImplementedError


def _design(
    series: Series, days: np.ndarray, end: np.datetime64, trend: bool, features: tuple[str, ...]
) -> np.ndarray:
    """Day-level design: one column per open weekday, calendar effects, optional trend."""
    open_wd = series.calendar.open_weekdays
    wd = weekday_of(days)
    cols = [(wd == w).astype(float) for w in open_wd]
    cal = series.calendar.features(days)
    cols += [cal[name] for name in features]
    if trend:
        cols.append((days - end).astype(float) / WEEK_DAYS)
    return np.column_stack(cols) if cols else np.zeros((days.size, 0))


@register("poisson_glm")
class PoissonGLM(DailyProfileModel):
    """Poisson GLM on daily totals (Gamma for a rate) x weekday intraday profile.

    ``half_life_weeks`` down-weights old days, so the level follows recent weeks; ``trend``
    adds a linear trend; calendar effects ``features`` (see ``models.calendar.DAY_FEATURES``)
    capture the day after a public holiday and month turns. Outlier days (log residual more
    than ``robust_z`` robust standard deviations off) are left out of the fit, found all at once
    in at most ``outlier_rounds`` refits (each warm-started from the last, so the cost does not
    grow with the length of the history); they are listed in ``outlier_days_``.
    """

    def __init__(
        self,
        half_life_weeks: float = 4.0,
        trend: bool = False,
        features: tuple[str, ...] = DAY_FEATURES,
        profile_weeks: int = 26,
        profile_half_life_weeks: float | None = 8.0,
        robust_z: float | None = 4.0,
        outlier_rounds: int = OUTLIER_ROUNDS,
    ) -> None:
        super().__init__(profile_weeks, profile_half_life_weeks)
        self.half_life_weeks = half_life_weeks
        self.trend = trend
        self.features = features
        self.robust_z = robust_z
        self.outlier_rounds = outlier_rounds

    def _fit_level(self, series: Series, days: np.ndarray, level: np.ndarray) -> None:
        volume = np.bincount(np.unique(series.day, return_inverse=True)[1], series.w)
        ok = np.isfinite(level) & np.isin(weekday_of(days), series.calendar.open_weekdays)
        days, level, volume = days[ok], level[ok], volume[ok]
        x = _design(series, days, self.last_day_, self.trend, self.features)
        keep = x.any(axis=0)
        keep[: len(series.calendar.open_weekdays)] = True
        self.keep_ = keep
        age = (self.last_day_ - days).astype(float) / WEEK_DAYS
        weights = 0.5 ** (age / self.half_life_weeks)
        if series.is_rate:  # a day's mean AHT is as precise as the number of contacts behind it
            weights = weights * volume / max(volume.mean(), 1e-12)
        import statsmodels.api as sm  # imported on first fit: it is slow to import

        family = (
            sm.families.Gamma(sm.families.links.Log()) if series.is_rate else sm.families.Poisson()
        )
        xk = x[:, keep]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sm.GLM(level, xk, family=family, var_weights=weights).fit()
            out = np.zeros(days.size, dtype=bool)
            # all outlier days at once, a bounded number of rounds, each fit warm-started from
            # the last: a round flags every day off the current fit, and a day flagged only
            # because a spike distorted its weekday's coefficient is cleared the next round
            for _ in range(self.outlier_rounds if self.robust_z is not None else 0):
                flagged, dev = self._outliers(level, np.exp(xk @ res.params), out)
                # never leave a weekday or a calendar effect without days: keep its least
                # deviant flagged day (a distorted weekday clears once the spike is out)
                for col in np.flatnonzero(~xk[~flagged].any(axis=0)):
                    on = np.flatnonzero(flagged & (xk[:, col] != 0))
                    flagged[on[np.argmin(dev[on])]] = False
                if (flagged == out).all():
                    break
                out = flagged
                res = sm.GLM(
                    level[~out], xk[~out], family=family, var_weights=weights[~out]
                ).fit(start_params=res.params)
            self.outlier_days_ = days[out]
        self.params_ = res.params

    def _outliers(
        self, level: np.ndarray, fitted: np.ndarray, out: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Days whose log residual is more than ``robust_z`` robust SDs off (median / MAD of
        the days not yet flagged, the spread floored at ``MIN_LOG_SPREAD``), and every day's
        absolute deviation."""
        resid = np.log(np.maximum(level, 1e-9)) - np.log(np.maximum(fitted, 1e-9))
        centre = np.median(resid[~out])
        spread = max(1.4826 * np.median(np.abs(resid[~out] - centre)), MIN_LOG_SPREAD)
        dev = np.abs(resid - centre)
        return dev > self.robust_z * spread, dev

    def _predict_level(self, days: np.ndarray) -> np.ndarray:
        x = _design(self.series_, days, self.last_day_, self.trend, self.features)[:, self.keep_]
        return np.exp(x @ self.params_)


class _GridLevelModel(PoissonGLM):
    """Shared steps of the models working on the grid of open weekdays (closures included).

    The calendar effects come from the Poisson GLM fit (its coefficients are divided out before
    and multiplied back after the time-series model), days without a level (closures, excluded
    days) are filled with the GLM's value for a normal day, and the grid keeps every open
    weekday so its weekly season has a fixed period.
    """

    def __init__(self, half_life_weeks: float = 8.0) -> None:
        super().__init__(half_life_weeks, False, DAY_FEATURES)

    def _grid(self, first: np.datetime64, last: np.datetime64) -> np.ndarray:
        days = np.arange(first, last + np.timedelta64(1, "D"), dtype="datetime64[D]")
        return days[np.isin(weekday_of(days), self.series_.calendar.open_weekdays)]

    def _calendar_log_effect(self, days: np.ndarray) -> np.ndarray:
        x = _design(self.series_, days, self.last_day_, False, self.features)[:, self.keep_]
        n_wd = len(self.series_.calendar.open_weekdays)
        return x[:, n_wd:] @ self.params_[n_wd:]

    def _fit_level(self, series: Series, days: np.ndarray, level: np.ndarray) -> None:
        super()._fit_level(series, days, level)
        grid = self._grid(days[0], days[-1])
        self.grid_first_ = grid[0]
        at = np.searchsorted(days, grid)
        at = np.clip(at, 0, days.size - 1)
        y = np.where(
            (days[at] == grid) & np.isfinite(level[at]) & (level[at] > 0), level[at], np.nan
        )
        y = y / np.exp(self._calendar_log_effect(grid))
        y[np.isin(grid, self.outlier_days_)] = np.nan
        self.period_ = len(series.calendar.open_weekdays)
        self._fit_grid(grid, y)

    def _predict_level(self, days: np.ndarray) -> np.ndarray:
        out = self._normal_day(days)  # days inside the history: the GLM's normal day
        ahead = days > self.last_day_
        if ahead.any():
            grid = self._grid(self.last_day_ + np.timedelta64(1, "D"), days[ahead].max())
            if grid.size:
                path = self._forecast_grid(grid)
                out[ahead] = path[np.clip(np.searchsorted(grid, days[ahead]), 0, grid.size - 1)]
        return out * np.exp(self._calendar_log_effect(days))

    def _normal_day(self, grid: np.ndarray) -> np.ndarray:
        return PoissonGLM._predict_level(self, grid) / np.exp(self._calendar_log_effect(grid))

    def _fit_grid(self, grid: np.ndarray, y: np.ndarray) -> None:
        raise NotImplementedError

    def _forecast_grid(self, grid: np.ndarray) -> np.ndarray:
        raise NotImplementedError


@register("ets_profile")
class ETSProfile(_GridLevelModel):
    """Holt-Winters smoothing (statsmodels) of calendar-adjusted daily levels x intraday profile.

    Multiplicative weekly season over the open weekdays, no trend (a week-ahead trend
    extrapolation costs more than it earns on contact volumes).
    """

    def __init__(
        self,
        half_life_weeks: float = 8.0,
        smoothing_level: float | None = 0.1,
        initialization: str = "heuristic",
    ) -> None:
        super().__init__(half_life_weeks)
        self.smoothing_level = smoothing_level
        self.initialization = initialization

    def _fit_grid(self, grid: np.ndarray, y: np.ndarray) -> None:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        miss = ~np.isfinite(y)
        y = y.copy()
        y[miss] = self._normal_day(grid[miss])
        init = self.initialization
        if init == "heuristic" and y.size < 10 + 2 * (self.period_ // 2):
            init = "estimated"  # statsmodels' heuristic needs a few seasons of data
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.ets_ = ExponentialSmoothing(
                y,
                seasonal="mul",
                seasonal_periods=self.period_,
                initialization_method=init,
            ).fit(smoothing_level=self.smoothing_level)

    def _forecast_grid(self, grid: np.ndarray) -> np.ndarray:
        return np.asarray(self.ets_.forecast(grid.size))


@register("uc_profile")
class UCProfile(_GridLevelModel):
    """Unobserved components (statsmodels state space) on log daily levels x intraday profile.

    Default: a fixed mean plus an AR(1) deviation (the level reverts to the mean, as contact
    volumes of a stable center do) and a fixed weekday season; ``level="llevel"`` gives a
    random-walk level instead. Missing days (closures, excluded days) are skipped by the
    Kalman filter instead of being filled.
    """

    def __init__(
        self,
        half_life_weeks: float = 8.0,
        level: str = "fixed intercept",
        autoregressive: int | None = 1,
    ) -> None:
        super().__init__(half_life_weeks)
        self.level = level
        self.autoregressive = autoregressive

    def _fit_grid(self, grid: np.ndarray, y: np.ndarray) -> None:
        from statsmodels.tsa.statespace.structural import UnobservedComponents

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mod = UnobservedComponents(
                np.log(y),
                level=self.level,
                autoregressive=self.autoregressive,
                seasonal=self.period_,
                stochastic_seasonal=False,
            )
            self.uc_ = mod.fit(disp=False, maxiter=200)

    def _forecast_grid(self, grid: np.ndarray) -> np.ndarray:
        return np.exp(np.asarray(self.uc_.forecast(grid.size)))
