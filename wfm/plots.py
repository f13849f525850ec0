"""Figures a planner reads: forecast vs history, required vs scheduled agents, the roster Gantt.

Each function draws into a new matplotlib figure and returns it; :func:`saver` wraps a figure
as a callable for :func:`wfm.io.write_outputs`, so plots are written atomically with the tables.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import polars as pl  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

ACTIVITY_COLORS = {"shift": "#4C72B0", "break": "#DD8452", "lunch": "#C44E52", "leave": "#8C8C8C"}


def saver(fig: Figure, dpi: int = 110) -> Callable[[Path], None]:
    """A writer for :func:`wfm.io.write_outputs` that saves ``fig`` as PNG and closes it."""

    def write(path: Path) -> None:
        fig.savefig(path, format="png", dpi=dpi, bbox_inches="tight")
        plt.close(fig)

    return write


def _day_axis(ax, days: int = 7) -> None:
    ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, round(days / 8))))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %d %b"))
    ax.grid(True, alpha=0.3)


def _with_gaps(df: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Rows that draw each open stretch to its end and break the line across closed hours.

    After the last interval of each stretch (and of the series) a row one interval later repeats
    the values, so a step drawn "post" covers that last interval too, then an empty row stops the
    line there instead of drawing it across the closed hours.
    """
    if df.height < 2:
        return df
    step = df["start"].diff().drop_nulls().min()
    df = df.with_columns([pl.col(c).cast(pl.Float64) for c in columns])
    last = (df["start"].diff().shift(-1) > step).fill_null(True)
    ends = df.filter(last).with_columns(pl.col("start") + step)
    breaks = ends.with_columns([pl.lit(None, dtype=pl.Float64).alias(c) for c in columns])
    return pl.concat([df, ends, breaks], how="diagonal_relaxed").sort("start", maintain_order=True)


def _span_days(df: pl.DataFrame) -> int:
    return max(1, (df["start"].max() - df["start"].min()).days + 1)


def plot_forecast(history: pl.DataFrame, forecast: pl.DataFrame, *, weeks_back: int = 2) -> Figure:
    """One panel per queue: the last ``weeks_back`` weeks of history, then the forecast with its interval."""
    queues = forecast["queue"].unique(maintain_order=True).to_list()
    fig, axes = plt.subplots(len(queues), 1, figsize=(13, 2.4 * len(queues)), squeeze=False, sharex=False)
    first = forecast["start"].min() - timedelta(weeks=weeks_back)
    for ax, q in zip(axes[:, 0], queues, strict=True):
        h = _with_gaps(history.filter((pl.col("queue") == q) & (pl.col("start") >= first)).sort("start"),
                       ["contacts"])
        cols = [c for c in ("contacts", "lo", "hi") if c in forecast.columns]
        f = _with_gaps(forecast.filter(pl.col("queue") == q).sort("start"), cols)
        ax.plot(h["start"].to_list(), h["contacts"].to_numpy(), lw=0.8, color="#555555", label="history")
        if "lo" in f.columns and "hi" in f.columns:
            ax.fill_between(f["start"].to_list(), f["lo"].to_numpy(), f["hi"].to_numpy(), color="#4C72B0",
                            alpha=0.25, lw=0, label="prediction interval")
        ax.plot(f["start"].to_list(), f["contacts"].to_numpy(), lw=1.0, color="#4C72B0", label="forecast")
        model = f["model"].drop_nulls()[0] if "model" in f.columns and f["model"].drop_nulls().len() else ""
        ax.set_title(f"{q}: contacts per interval" + (f" (model: {model})" if model else ""), fontsize=10)
        ax.set_ylabel("contacts")
        _day_axis(ax, _span_days(pl.concat([h.select("start"), f.select("start")])))
        ax.legend(loc="upper left", fontsize=8, ncols=3)
    fig.tight_layout()
    return fig


def plot_coverage(coverage: pl.DataFrame) -> Figure:
    """One panel per skill: agents required vs scheduled (on line, breaks taken out) per interval.

    ``coverage`` has ``skill, start, required, scheduled``.
    """
    skills = coverage["skill"].unique(maintain_order=True).to_list()
    fig, axes = plt.subplots(len(skills), 1, figsize=(13, 2.6 * len(skills)), squeeze=False)
    for ax, s in zip(axes[:, 0], skills, strict=True):
        c = _with_gaps(coverage.filter(pl.col("skill") == s).sort("start"), ["required", "scheduled"])
        x = c["start"].to_list()
        ax.step(x, c["required"].to_numpy(), where="post", color="#C44E52", lw=1.2, label="required")
        sched = c["scheduled"].to_numpy()
        ax.fill_between(x, 0, sched, where=~np.isnan(sched), step="post", color="#4C72B0", alpha=0.35,
                        label="scheduled (on line)")
        ax.set_title(f"{s}: agents required vs scheduled", fontsize=10)
        ax.set_ylabel("agents")
        _day_axis(ax)
        ax.legend(loc="upper left", fontsize=8, ncols=2)
    fig.tight_layout()
    return fig


def plot_roster(roster: pl.DataFrame, *, max_agents: int = 80) -> Figure:
    """A Gantt of the week: one row per agent, shifts with their breaks, lunches and leave."""
    agents = roster["agent_id"].unique(maintain_order=False).sort().to_list()[:max_agents]
    height = max(3.0, 0.18 * len(agents) + 1.2)
    fig, ax = plt.subplots(figsize=(14, height))
    y_of = {a: i for i, a in enumerate(agents)}
    r = roster.filter(pl.col("agent_id").is_in(agents))
    for act in ("shift", "leave", "lunch", "break"):
        part = r.filter(pl.col("activity") == act)
        if part.height == 0:
            continue
        starts = mdates.date2num(part["start"].to_list())
        widths = mdates.date2num(part["end"].to_list()) - starts
        ys = [y_of[a] for a in part["agent_id"].to_list()]
        h = 0.8 if act in ("shift", "leave") else 0.5
        ax.barh(ys, widths, left=starts, height=h, color=ACTIVITY_COLORS[act], label=act,
                edgecolor="none")
    ax.set_yticks(range(len(agents)), agents, fontsize=6)
    ax.invert_yaxis()
    ax.xaxis_date()
    _day_axis(ax)
    ax.set_title("Roster of the week" + (f" (first {max_agents} agents)" if roster["agent_id"].n_unique() > max_agents else ""),
                 fontsize=10)
    ax.legend(loc="upper right", fontsize=8, ncols=4)
    fig.tight_layout()
    return fig


def plot_backtest(backtest: pl.DataFrame, scores: pl.DataFrame) -> Figure:
    """Forecast vs actual of the latest backtest week, per queue, for the model chosen for it.

    ``backtest``: ``queue, model, origin, start, actual, forecast, lo, hi``; ``scores`` has ``queue,
    model, chosen, accuracy``. The title gives the week's accuracy (1 - WAPE) and interval coverage.
    """
    chosen = scores.filter(pl.col("chosen")).select("queue", "model")
    bt = backtest.join(chosen, on=["queue", "model"])
    queues = chosen["queue"].to_list()
    fig, axes = plt.subplots(len(queues), 1, figsize=(13, 2.4 * len(queues)), squeeze=False)
    for ax, q in zip(axes[:, 0], queues, strict=True):
        part = bt.filter(pl.col("queue") == q)
        newest = part.sort("start")["origin"][-1] if part.height else None  # the origin nearest today
        last = part.filter(pl.col("origin") == newest).sort("start")
        a, f = last["actual"].to_numpy(), last["forecast"].to_numpy()
        acc = 1 - np.abs(a - f).sum() / a.sum() if a.sum() else float("nan")
        cov = float(((a >= last["lo"].to_numpy()) & (a <= last["hi"].to_numpy())).mean()) if last.height else float("nan")
        g = _with_gaps(last, ["actual", "forecast", "lo", "hi"])
        x = g["start"].to_list()
        ax.fill_between(x, g["lo"].to_numpy(), g["hi"].to_numpy(), color="#4C72B0", alpha=0.25, lw=0,
                        label="prediction interval")
        ax.plot(x, g["actual"].to_numpy(), lw=0.9, color="#333333", label="actual")
        ax.plot(x, g["forecast"].to_numpy(), lw=1.0, color="#4C72B0", label="forecast")
        model = last["model"][0] if last.height else ""
        ax.set_title(f"{q}: backtest week, {model}: accuracy {acc:.1%}, interval coverage {cov:.0%}", fontsize=10)
        ax.set_ylabel("contacts")
        _day_axis(ax, _span_days(last) if last.height else 7)
        ax.legend(loc="upper left", fontsize=8, ncols=3)
    fig.tight_layout()
    return fig
