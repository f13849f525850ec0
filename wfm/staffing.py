"""From a forecast to the agents each queue needs per interval (the requirements table).

:func:`requirements` is the one entry point the weekly pipeline calls. It maps every queue of
the center onto the right model:

* **Live calls** (``inbound_call``): Erlang C when the queue's ``patience_seconds`` is 0,
  Erlang A (M/M/n+M, exponential patience) otherwise; the smallest number of agents on line
  (``net_agents``) that meets the service level, the ASA limit, the abandonment limit
  (Erlang A only) and the occupancy cap at once (:func:`wfm.erlang.required_agents`).
* **Chat** with ``concurrency = k``: an agent serving k sessions at once is modelled as one
  server working k times as fast, i.e. offered load ``contacts x AHT / (k x interval)`` and a
  handle time of ``AHT / k`` per session in the waiting-time formulas. This is the usual
  planner's convention ("divide the load by the concurrency"); it is conservative against a
  model with k independent session slots per agent, which pools more.
* **Deferred work** (e-mail, posts, forms, outbound lists): by workload within the queue's due
  time (:func:`wfm.deferred.level_schedule`): ``agents`` are whole scheduled agents per
  interval using the fewest agent-intervals that clear every item by its due time, when each
  agent gives ``interval x productive_utilisation`` seconds of work, and among such plans the
  one with the lowest peak (a roster cannot put a day's e-mail into its last half hour);
  ``net_agents`` is the work handled in the interval in agent-intervals at full productivity
  (a float); ``backlog`` the seconds of work carried into the next interval. Productive utilisation (docs/domain.md section 1: 6 h of 8) already covers
  breaks and aux time, so shrinkage is not applied on top of it for deferred queues.

Live queues turn net agents into scheduled agents with the center's shrinkage:
``agents = ceil(net_agents / (1 - shrinkage))``. Zero contacts need 0 agents.

Example
-------
>>> import polars as pl
>>> from datetime import datetime
>>> from wfm.config import CenterConfig
>>> cfg = CenterConfig.from_toml_text('[queues.calls]\\nchannel = "inbound_call"\\n[targets]\\nmax_asa_seconds = 60')
>>> fc = pl.DataFrame({"queue": ["calls"], "start": [datetime(2026, 11, 16, 9)], "contacts": [100.0]})
>>> requirements(fc, cfg).select("net_agents", "agents").row(0)
(14.0, 20)
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
from numpy.typing import ArrayLike

from wfm import deferred, erlang
from wfm.config import CenterConfig
from wfm.errors import InputError

__all__ = ["OUTPUT_COLUMNS", "requirements", "scheduled_agents"]

#: Columns of the frame :func:`requirements` returns, in order.
OUTPUT_COLUMNS = (
    "queue", "start", "skill", "contacts", "aht_s", "load_erlangs", "net_agents", "agents",
    "service_level", "asa_s", "p_wait", "abandon", "occupancy", "backlog",
)


def scheduled_agents(net_agents: ArrayLike, shrinkage: float) -> np.ndarray:
    """Heads to schedule so that ``net_agents`` are on line after shrinkage.

    >>> scheduled_agents([14, 0], 0.30).tolist()
    [20, 0]
    """
    if not 0 <= shrinkage < 1:
        raise InputError(f"shrinkage = {shrinkage} is impossible", fix="give a fraction from 0 to below 1, e.g. 0.30")
    net = np.asarray(net_agents, dtype=float)
    return np.ceil(net / (1.0 - shrinkage) - 1e-9).astype(np.int64)


def requirements(forecast: pl.DataFrame, cfg: CenterConfig) -> pl.DataFrame:
    """Agents per queue and interval for a forecast (one output row per input row, same order).

    ``forecast`` has ``queue``, ``start``, ``contacts`` and optionally ``aht_s`` (missing or
    null -> the queue's ``aht_seconds``); other columns (``lo``, ``hi``, ``model``) are ignored.
    ``cfg`` is a :class:`wfm.config.CenterConfig`. Returns the columns of
    :data:`OUTPUT_COLUMNS`: ``net_agents`` (agents on line; workload for deferred queues),
    ``agents`` (scheduled, whole), and the service the net agents give: ``service_level``,
    ``asa_s``, ``p_wait``, ``abandon``, ``occupancy`` (NaN where not meaningful, e.g.
    deferred), ``backlog`` (deferred: seconds of work carried over; 0 for live queues).
    """
    for col in ("queue", "start", "contacts"):
        if col not in forecast.columns:
            raise InputError("missing column", file="forecast", column=col,
                             fix="the forecast needs queue, start and contacts")
    unknown = set(forecast["queue"].unique().to_list()) - set(cfg.queues)
    if unknown:
        raise InputError(f"unknown queue {min(unknown)!r}", file="forecast", column="queue",
                         fix=f"known queues: {', '.join(cfg.queues)}")
    queues = pl.DataFrame({
        "queue": list(cfg.queues),
        "skill": [q.skill or name for name, q in cfg.queues.items()],
        "_aht": [float(q.aht_seconds) for q in cfg.queues.values()],
    })
    df = forecast.with_row_index("_row").join(queues, on="queue", how="left")
    aht = pl.col("aht_s").fill_null(pl.col("_aht")) if "aht_s" in df.columns else pl.col("_aht")
    df = df.with_columns(aht.cast(pl.Float64).alias("aht_s"), pl.col("contacts").cast(pl.Float64))
    contacts = df["contacts"]
    if contacts.is_null().any() or contacts.is_nan().any() or contacts.is_infinite().any() or (contacts < 0).any():
        raise InputError("contacts must be numbers >= 0", file="forecast", column="contacts",
                         fix="fill the gaps with 0 or drop the rows")
    if df["aht_s"].is_nan().any() or df["aht_s"].is_infinite().any() or (df["aht_s"] <= 0).any():
        raise InputError("aht_s must be above 0", file="forecast", column="aht_s", fix="give the handle time in seconds")

    live_names = [n for n, q in cfg.queues.items() if q.live]
    parts = []
    live = df.filter(pl.col("queue").is_in(live_names))
    if live.height:
        parts.append(_live(live, cfg))
    for name in cfg.queues:
        if name in live_names:
            continue
        rows = df.filter(pl.col("queue") == name)
        if rows.height:
            parts.append(_deferred(rows, cfg, name))
    if not parts:
        return pl.DataFrame(schema=_schema(forecast))
    out = pl.concat(parts, how="vertical_relaxed").sort("_row")
    return out.select(OUTPUT_COLUMNS)


def _schema(forecast: pl.DataFrame) -> dict:
    start_type = forecast.schema.get("start", pl.Datetime("us"))
    types = {"queue": pl.String, "start": start_type, "skill": pl.String, "agents": pl.Int64}
    return {c: types.get(c, pl.Float64) for c in OUTPUT_COLUMNS}


def _per_queue(df: pl.DataFrame, cfg, fn) -> np.ndarray:
    """A per-row array of a per-queue setting ``fn(name, queue_section)``."""
    mapping = {name: float(fn(name, q)) for name, q in cfg.queues.items()}
    return df["queue"].replace_strict(mapping, return_dtype=pl.Float64).to_numpy()


def _live(df: pl.DataFrame, cfg) -> pl.DataFrame:
    interval_s = cfg.interval * 60.0
    conc = _per_queue(df, cfg, lambda n, q: q.concurrency)
    contacts = df["contacts"].to_numpy()
    aht = df["aht_s"].to_numpy()
    load = contacts * aht / (interval_s * conc)
    eff_aht = aht / conc
    patience = _per_queue(df, cfg, lambda n, q: q.patience_seconds)
    t = _per_queue(df, cfg, lambda n, q: cfg.target(n, "answer_seconds"))
    targets = {
        "service_level": _per_queue(df, cfg, lambda n, q: cfg.target(n, "service_level")),
        "answer_seconds": t,
        "max_asa": _per_queue(df, cfg, lambda n, q: cfg.target(n, "max_asa_seconds")),
        "max_abandon": _per_queue(df, cfg, lambda n, q: cfg.target(n, "max_abandon_rate")),
        "max_occupancy": np.full(load.shape, float(cfg.targets.max_occupancy)),
    }
    net = erlang.required_agents(load, eff_aht, patience=patience, **targets)
    s = erlang.service(net, load, eff_aht, t, patience)
    busy = load > 0
    return df.select("_row", "queue", "start", "skill", "contacts", "aht_s").with_columns(
        pl.Series("load_erlangs", load),
        pl.Series("net_agents", net),
        pl.Series("agents", scheduled_agents(net, cfg.staffing.shrinkage)),
        pl.Series("service_level", np.where(busy, s.service_level, 1.0)),
        pl.Series("asa_s", np.where(busy, s.asa, 0.0)),
        pl.Series("p_wait", np.where(busy, s.p_wait, 0.0)),
        pl.Series("abandon", np.where(busy, s.abandon, 0.0)),
        pl.Series("occupancy", np.where(busy, s.occupancy, np.nan)),
        pl.Series("backlog", np.zeros(load.shape)),
    )


def _deferred(df: pl.DataFrame, cfg, name: str) -> pl.DataFrame:
    q = cfg.queues[name]
    interval_s = cfg.interval * 60.0
    df = df.sort("start")
    starts = df["start"].dt.epoch("ms").to_numpy() / 1000.0
    work = df["contacts"].to_numpy() * df["aht_s"].to_numpy()
    due_s = float(q.due_minutes if q.due_minutes is not None else 24 * 60) * 60.0
    due = deferred.due_intervals(starts, due_s, interval_s)
    capacity = interval_s * cfg.staffing.productive_utilisation
    schedule = deferred.level_schedule if cfg.staffing.deferred_plan == "level" else deferred.lazy_schedule
    plan = schedule(work, due, capacity)
    nan = np.full(work.shape, math.nan)
    return df.select("_row", "queue", "start", "skill", "contacts", "aht_s").with_columns(
        pl.Series("load_erlangs", work / interval_s),
        pl.Series("net_agents", plan.processed / interval_s),
        pl.Series("agents", plan.agents),
        pl.Series("service_level", nan),
        pl.Series("asa_s", nan),
        pl.Series("p_wait", nan),
        pl.Series("abandon", nan),
        pl.Series("occupancy", nan),
        pl.Series("backlog", plan.backlog),
    )
