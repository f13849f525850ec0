"""The forecast stage: history -> next week's contacts and handle time per queue and interval.

Composes :mod:`models` (which knows nothing of centers) with the center's config: the future
rows are the queue's open intervals of the plan week, the model list, interval level, backtest
origins and holiday calendar come from ``[forecast]``.

Example
-------
>>> from wfm.config import CenterConfig
>>> from wfm.sample import generate_history, sample_config_path
>>> cfg = CenterConfig.from_toml(sample_config_path())
>>> stage = forecast_week(cfg, generate_history(cfg, weeks=6))  # doctest: +SKIP
>>> stage.forecast.columns  # doctest: +SKIP
['queue', 'start', 'contacts', 'lo', 'hi', 'aht_s', 'model']
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

import models
from models.errors import ForecastError, InsufficientHistoryError
from wfm.config import CenterConfig
from wfm.errors import InputError
from wfm.grid import interval_grid, next_week_after

FORECAST_COLUMNS = ["queue", "start", "contacts", "lo", "hi", "aht_s", "model"]


@dataclass
class ForecastStage:
    """What the forecast stage produced."""

    week: date
    forecast: pl.DataFrame
    backtest: pl.DataFrame
    scores: pl.DataFrame


def forecast_week(cfg: CenterConfig, history: pl.DataFrame, week: date | None = None,
                  *, special_days: pl.DataFrame | None = None) -> ForecastStage:
    """Forecast contacts and AHT for every open interval of the week starting ``week``.

    ``week`` defaults to the Monday after the last day of history.
    """
    last = history["start"].max().date()
    week = week or next_week_after(last)
    future = interval_grid(cfg, week, 7)
    if future.height == 0:
        raise InputError("the center is closed all week", file=cfg.source, column="hours",
                         fix="give opening hours for at least one day")
    kwargs = dict(
        models=cfg.forecast.models or None,
        level=cfg.forecast.level,
        origins=cfg.forecast.origins,
        special_days=special_days,
        holidays=cfg.forecast.holidays or None,
        seed=cfg.center.seed,
    )
    try:
        volume = models.forecast(history.select("queue", "start", "contacts"), future, target="contacts", **kwargs)
    except InsufficientHistoryError as exc:
        raise InputError(str(exc), file="history", fix="give more weeks of history") from None
    except ForecastError as exc:  # the history passed wfm's checks, so a model failed
        raise InputError(str(exc), file=cfg.source, column="forecast.models",
                         fix="name models that work for this queue in [forecast] models") from None
    fc = volume.forecast
    defaults = pl.DataFrame({"queue": list(cfg.queues), "_aht_default": [q.aht_seconds for q in cfg.queues.values()]})
    if "aht_s" in history.columns and history["aht_s"].drop_nulls().len() > 0:
        h = history.filter(pl.col("aht_s").is_not_null() & (pl.col("contacts") > 0)).select(
            "queue", "start", "aht_s", "contacts")
        try:
            aht = models.forecast(h, future, target="aht_s", weight="contacts",
                                  **{**kwargs, "models": None}).forecast.select("queue", "start", "aht_s")
        except ForecastError:
            aht = future.with_columns(aht_s=pl.lit(None, dtype=pl.Float64))
        fc = fc.join(aht, on=["queue", "start"], how="left")
    else:
        fc = fc.with_columns(aht_s=pl.lit(None, dtype=pl.Float64))
    fc = (fc.join(defaults, on="queue", how="left")
          .with_columns(pl.col("aht_s").fill_null(pl.col("_aht_default")))
          .drop("_aht_default")
          .select(FORECAST_COLUMNS)
          .sort("queue", "start"))
    return ForecastStage(week=week, forecast=fc, backtest=volume.backtest, scores=volume.scores)
