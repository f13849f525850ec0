"""Forecasting models for contact volume and handle time. A leaf library: never imports wfm.

Long polars frames in and out, in the planner's words (``queue``, ``start``, ``contacts``):

- ``forecast(history, future, target=..., weight=..., models=..., level=..., origins=...,
  special_days=..., holidays=...)`` -> ``ForecastResult`` with ``.forecast`` (queue, start,
  target, lo, hi, model), ``.backtest`` and ``.scores`` (per queue x model, ``chosen``).
- ``backtest`` / ``cross_validation``: rolling-origin forecasts next to actuals;
  ``evaluate`` scores them at the interval, hour or day level; ``metrics`` holds WAPE, MAPE,
  bias, accuracy and coverage.
- Models share one interface (``Forecaster``: ``fit(series)``, ``predict(start)``) and are
  named in a registry: ``available()``, ``make(name, **params)``, ``register(name)``.

>>> import models
>>> "weekday_mean" in models.available()
True
"""

from models import baselines as _baselines  # noqa: F401  (registers the models)
from models import combo as _combo  # noqa: F401
from models import errors, metrics
from models import profile as _profile  # noqa: F401
from models.api import AUTO_MODELS, ForecastResult, backtest, cross_validation, evaluate, forecast
from models.base import Forecaster, Series, available, make, register
from models.errors import (
    ForecastError,
    InsufficientHistoryError,
    ModelFailedError,
    UnknownModelError,
)

__all__ = [
    "AUTO_MODELS",
    "ForecastError",
    "ForecastResult",
    "Forecaster",
    "InsufficientHistoryError",
    "ModelFailedError",
    "Series",
    "UnknownModelError",
    "available",
    "backtest",
    "cross_validation",
    "errors",
    "evaluate",
    "forecast",
    "make",
    "metrics",
    "register",
]
