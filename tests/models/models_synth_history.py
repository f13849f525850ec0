"""Synthetic contact-center history: weekdays only, opening hours only, seeded Poisson counts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

WEEKDAY_LEVEL = np.array([1.3, 1.1, 1.0, 1.0, 1.05])  # Monday busiest


def make_history(
    *,
    weeks: int = 16,
    step_minutes: int = 30,
    open_hour: int = 8,
    close_hour: int = 18,
    daily_total: float = 2000.0,
    first_monday: dt.date = dt.date(2024, 1, 1),
    closed: tuple[dt.date, ...] = (),
    post_closure_factor: float = 1.0,
    queue: str = "q1",
    seed: int = 0,
    noise: bool = True,
) -> pl.DataFrame:
    """Poisson counts with a weekday level and a two-peak intraday shape, weekdays only."""
    rng = np.random.default_rng(seed)
    n_slots = (close_hour - open_hour) * 60 // step_minutes
    x = (np.arange(n_slots) + 0.5) / n_slots
    shape = 1.0 + 0.8 * np.exp(-((x - 0.25) ** 2) / 0.01) + 0.6 * np.exp(-((x - 0.7) ** 2) / 0.02)
    shape = shape / shape.sum()
    rows_start, rows_rate = [], []
    prev_closed = False
    for d in range(weeks * 7):
        day = first_monday + dt.timedelta(days=d)
        if day.weekday() >= 5:
            continue
        if day in closed:
            prev_closed = True
            continue
        factor = post_closure_factor if prev_closed else 1.0
        prev_closed = False
        base = dt.datetime.combine(day, dt.time(open_hour))
        rows_start += [base + dt.timedelta(minutes=step_minutes * i) for i in range(n_slots)]
        rows_rate.append(daily_total * WEEKDAY_LEVEL[day.weekday()] * factor * shape)
    rate = np.concatenate(rows_rate)
    y = rng.poisson(rate).astype(float) if noise else rate
    return pl.DataFrame(
        {"queue": queue, "start": rows_start, "contacts": y, "rate": rate}
    ).with_columns(pl.col("start").cast(pl.Datetime("us")))


def split(frame: pl.DataFrame, at: dt.datetime) -> tuple[pl.DataFrame, pl.DataFrame]:
    """History before ``at`` and the following week as the actuals to forecast."""
    hist = frame.filter(pl.col("start") < at)
    fut = frame.filter(pl.col("start") >= at, pl.col("start") < at + dt.timedelta(days=7))
    return hist, fut
