"""The interval grid: which (queue, interval) pairs a center is open for."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import polars as pl


def interval_grid(cfg, first: date, days: int) -> pl.DataFrame:
    """Every open interval of every queue for ``days`` days from ``first``.

    Returns a frame ``queue, start`` sorted by queue and time.

    >>> from wfm.config import CenterConfig
    >>> cfg = CenterConfig.from_toml_text('[hours]\\nmon = "08:00-09:00"\\n[queues.calls]')
    >>> interval_grid(cfg, date(2026, 11, 16), 1).height
    2
    """
    step = cfg.interval
    queues, starts = [], []
    for q in cfg.queues:
        for d in range(days):
            day = first + timedelta(days=d)
            hours = cfg.opening(q, day.weekday())
            if hours is None:
                continue
            lo, hi = hours
            mins = np.arange(lo - lo % step, hi, step)
            base = datetime(day.year, day.month, day.day)
            starts.extend(base + timedelta(minutes=int(m)) for m in mins)
            queues.extend([q] * len(mins))
    return pl.DataFrame({"queue": queues, "start": starts},
                        schema={"queue": pl.String, "start": pl.Datetime("us")}).sort("queue", "start")


def week_start(d: date) -> date:
    """The Monday of the week containing ``d``."""
    return d - timedelta(days=d.weekday())


def next_week_after(last: date) -> date:
    """The Monday after the last day of history (the plan week)."""
    return week_start(last) + timedelta(days=7)
