"""The shared model interface and the registry of model names.

Every model fits on one queue's history (a :class:`Series`) and predicts the point forecast
for any set of future interval starts. Prediction intervals are added around it by
:mod:`models.intervals` from backtest residuals, so every model gets calibrated intervals
the same way.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from models.calendar import DayCalendar, day_of, slot_of, slots_per_day, weekday_of
from models.errors import InsufficientHistoryError, UnknownModelError


@dataclass(frozen=True)
class Series:
    """One queue's history as arrays sorted by ``start``.

    ``weight`` is None for a count target (contacts); for a rate target (AHT) it holds the
    volume each value is averaged over, and every mean becomes a weighted mean.
    """

    start: np.ndarray
    y: np.ndarray
    step: np.timedelta64
    calendar: DayCalendar
    weight: np.ndarray | None = None

    @property
    def is_rate(self) -> bool:
        """True for a weighted-average target such as AHT."""
        return self.weight is not None

    @property
    def w(self) -> np.ndarray:
        """Weights of the values (ones for a count target)."""
        return np.ones_like(self.y) if self.weight is None else self.weight

    @property
    def day(self) -> np.ndarray:
        return day_of(self.start)

    def key(self, start: np.ndarray | None = None) -> np.ndarray:
        """Seasonal key weekday x slot of the day for ``start`` (default: the history)."""
        t = self.start if start is None else start
        return weekday_of(day_of(t)) * slots_per_day(self.step) + slot_of(t, self.step)

    def before(self, cutoff: np.datetime64) -> Series:
        """The part of the history strictly before ``cutoff``."""
        keep = self.start < cutoff
        return Series(
            self.start[keep],
            self.y[keep],
            self.step,
            self.calendar,
            None if self.weight is None else self.weight[keep],
        )

    def weeks(self) -> float:
        """Span of the history in weeks."""
        if self.start.size == 0:
            return 0.0
        return float((self.start.max() - self.start.min()) / np.timedelta64(7, "D"))


class Forecaster:
    """Base of every model: ``fit(series)`` returns self, ``predict(start)`` the point forecast.

    Subclasses store their parameters in ``__init__`` and learned state in attributes ending
    in ``_`` (at least ``series_``, the history they were fitted on). ``min_weeks`` is the
    history a model needs. ``predict_interval`` adds an in-sample interval to ``predict``.

    >>> from models.baselines import WeekdayMean
    >>> WeekdayMean(weeks=4).name
    'weekday_mean'
    """

    name: str = "forecaster"
    min_weeks: float = 1.0

    def fit(self, series: Series) -> Forecaster:
        raise NotImplementedError

    def predict(self, start: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def predict_interval(
        self, start: np.ndarray, level: float = 0.80
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Point forecast (>= 0) with a ``level`` interval from the fit's in-sample residuals.

        ``models.forecast`` replaces these with intervals from out-of-sample backtest
        residuals, which are wider and calibrated; use this when no backtest is possible.
        """
        from models.intervals import IntervalModel

        s = self.series_
        fitted = np.maximum(self.predict(s.start), 0.0)
        im = IntervalModel.fit(s.y, fitted, level, is_rate=s.is_rate)
        point = np.maximum(self.predict(start), 0.0)
        lo, hi = im.bounds(point)
        return point, lo, hi

    def _check_history(self, series: Series) -> None:
        if series.start.size == 0 or series.weeks() < self.min_weeks - 1.0 / 7.0:
            raise InsufficientHistoryError(
                f"model '{self.name}' needs at least {self.min_weeks:g} week(s) of history, "
                f"got {series.weeks():.1f}; give more history or choose a baseline model"
            )

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.endswith("_"))
        return f"{type(self).__name__}({params})"


F = TypeVar("F", bound=type[Forecaster])
_REGISTRY: dict[str, Callable[..., Forecaster]] = {}


def register(name: str) -> Callable[[F], F]:
    """Class decorator adding a model to the registry under ``name``.

    >>> @register("my_model")
    ... class MyModel(Forecaster): ...
    >>> "my_model" in available()
    True
    >>> _ = _REGISTRY.pop("my_model")
    """

    def deco(cls: F) -> F:
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return deco


def available() -> list[str]:
    """Names of the registered models, sorted.

    >>> "seasonal_naive" in available()
    True
    """
    return sorted(_REGISTRY)


def make(name: str | Forecaster, **params: Any) -> Forecaster:
    """A fresh model from its registry name (or a copy of the given model's parameters)."""
    if isinstance(name, Forecaster):
        accepted = inspect.signature(type(name).__init__).parameters
        return type(name)(**{k: v for k, v in vars(name).items() if k in accepted})
    try:
        return _REGISTRY[name](**params)
    except KeyError:
        raise UnknownModelError(
            f"unknown model '{name}'; available models: {', '.join(available())}"
        ) from None
