"""Planning accuracy: how good were the forecast, the staffing and the schedule (docs/domain.md section 2).

Three measures, each ``1 - sum|estimate - reference| / sum reference`` (1 - WAPE, floored at 0)
over the intervals of a group, reported per day, per week (Monday start) and for the whole
period, per queue (or skill) and for all of them together, against the >= 90 % targets:

* forecast accuracy: forecast contacts vs actual contacts, per queue;
* staffing accuracy: agents the staffing engine requires for the forecast vs agents it requires
  for the actual contacts (same engine, same config), per queue;
* schedule accuracy: agents the roster puts on duty (shift minus breaks, lunches and leave) vs
  agents required, per skill (the queues of a skill share its agents).

Example
-------
>>> from datetime import datetime as dt
>>> f = pl.DataFrame({"queue": ["q", "q"], "start": [dt(2026, 11, 2, 9), dt(2026, 11, 2, 10)],
...                   "contacts": [90.0, 110.0]})
>>> a = f.with_columns(contacts=pl.Series([100.0, 100.0]))
>>> forecast_accuracy(f, a).filter(period="all", group="q")["accuracy"].to_list()  # 1 - 20/200
[0.9]
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import polars as pl
from models import metrics

from wfm.adherence import schedule_segments
from wfm.errors import InputError

#: staffing engine: (contacts frame ``queue, start, contacts, aht_s``, config) -> ``queue, start, agents``
StaffFn = Callable[[pl.DataFrame, object], pl.DataFrame]

ACCURACY_COLUMNS = ("measure", "group", "level", "period", "period_start", "reference", "estimate", "abs_error",
                    "accuracy", "noise_floor", "target", "ok", "miss")
ALL = "all"
#: accuracy level -> the bin errors are summed to before they are added up (None: the interval)
LEVEL_BINS = {"interval": None, "hour": "1h", "day": "1d"}


def default_staff(frame: pl.DataFrame, cfg) -> pl.DataFrame:
    """The project's staffing engine, :func:`wfm.staffing.requirements`, imported when first used."""
    return importlib.import_module("wfm.staffing").requirements(frame, cfg)


def accuracy_table(
    frame: pl.DataFrame,
    *,
    group: str,
    estimate: str,
    reference: str,
    measure: str,
    target: float = 0.90,
    level: str = "interval",
    rate: str | None = None,
) -> pl.DataFrame:
    """Score ``estimate`` against ``reference`` per day, week and period, per group and for all.

    ``frame`` has columns ``group``, ``start`` (interval start) and the two value columns, one row
    per group and interval (a missing side must already be 0). ``level`` (interval, hour or day)
    is the bin the values are summed to before the absolute errors are taken, per group: at
    "day" a day's over- and under-forecast intervals cancel. Returns the long frame ``measure,
    group, level, period (day|week|all), period_start, reference, estimate, abs_error, accuracy,
    noise_floor, target, ok, miss`` where ``accuracy = max(0, 1 - abs_error / reference)`` (null
    when the reference is 0 and the estimate is not, 1 when both are 0).

    ``rate`` names a column of Poisson means of the reference (counts only): then
    ``noise_floor`` is the best accuracy a perfect forecast of those means could expect at
    ``level`` (:func:`models.metrics.noise_floor`), and a score that misses its target has
    ``miss = "noise"`` when it lies within ``models.metrics.NOISE_SIGMAS`` standard deviations
    of that floor (a perfect forecast could have scored it: the volume is too small for the
    target at this level) or ``"forecast"`` below that (the forecast itself is off).

    >>> from datetime import datetime as dt
    >>> f = pl.DataFrame({"queue": ["q"], "start": [dt(2026, 11, 2, 9)], "est": [8.0], "ref": [10.0]})
    >>> accuracy_table(f, group="queue", estimate="est", reference="ref", measure="m")["accuracy"].to_list()
    [0.8, 0.8, 0.8]
    """
    if level not in LEVEL_BINS:
        raise InputError(f"accuracy level {level!r} is not known", column="level",
                         fix=f"use one of {', '.join(LEVEL_BINS)}")
    every = LEVEL_BINS[level]
    start = pl.col("start").dt.truncate(every) if every else pl.col("start")
    base = frame.select(
        grp=pl.col(group).cast(pl.String),
        start=start,
        est=pl.col(estimate).cast(pl.Float64),
        ref=pl.col(reference).cast(pl.Float64),
        rate=pl.col(rate).cast(pl.Float64) if rate else pl.lit(None, pl.Float64),
    ).group_by("grp", "start").agg(pl.col("est", "ref", "rate").sum())
    mad = metrics.poisson_mad(base["rate"].fill_null(0.0).to_numpy())
    base = base.with_columns(
        err=(pl.col("est") - pl.col("ref")).abs(), day=pl.col("start").dt.date(), mad=mad,
        var=pl.col("rate") - pl.Series(mad) ** 2,
    ).with_columns(week=pl.col("day").dt.truncate("1w"))
    both = pl.concat([base, base.with_columns(grp=pl.lit(ALL))]) if base["grp"].n_unique() > 1 else base
    parts = []
    for period, col in (("day", "day"), ("week", "week"), (ALL, None)):
        keys = ["grp"] + ([col] if col else [])
        agg = both.group_by(keys).agg(reference=pl.col("ref").sum(), estimate=pl.col("est").sum(),
                                      abs_error=pl.col("err").sum(), _rate=pl.col("rate").sum(),
                                      _mad=pl.col("mad").sum(), _var=pl.col("var").sum())
        agg = agg.with_columns(
            period=pl.lit(period),
            period_start=pl.col(col) if col else pl.lit(None, pl.Date),
        )
        parts.append(agg.select("grp", "period", "period_start", "reference", "estimate", "abs_error",
                                "_rate", "_mad", "_var"))
    out = pl.concat(parts)
    acc = (pl.when(pl.col("reference") > 0).then((1 - pl.col("abs_error") / pl.col("reference")).clip(lower_bound=0))
           .when(pl.col("abs_error") == 0).then(1.0).otherwise(None))
    has_rate = pl.lit(rate is not None) & (pl.col("_rate") > 0)
    floor = pl.when(has_rate).then(1 - pl.col("_mad") / pl.col("_rate")).otherwise(None)
    sd = pl.when(has_rate).then(pl.col("_var").clip(lower_bound=0).sqrt() / pl.col("_rate")).otherwise(None)
    out = out.with_columns(measure=pl.lit(measure), group=pl.col("grp"), level=pl.lit(level), accuracy=acc,
                           noise_floor=floor, _sd=sd, target=pl.lit(target))
    out = out.with_columns(ok=pl.col("accuracy") >= pl.col("target"))
    noise = pl.col("accuracy") >= pl.col("noise_floor") - metrics.NOISE_SIGMAS * pl.col("_sd")
    out = out.with_columns(
        miss=pl.when(pl.col("ok").not_() & pl.col("noise_floor").is_not_null())
        .then(pl.when(noise).then(pl.lit("noise")).otherwise(pl.lit("forecast")))
        .otherwise(pl.lit(None, pl.String)))
    order = pl.col("period").replace_strict({"day": 0, "week": 1, ALL: 2}, return_dtype=pl.Int8)
    return out.sort(order, "period_start", pl.col("group") == ALL, "group", nulls_last=True).select(ACCURACY_COLUMNS)


def _outer(est: pl.DataFrame, ref: pl.DataFrame, key: list[str], value: str) -> pl.DataFrame:
    """Join two per-interval frames on ``key``; an interval missing on one side counts as 0."""
    return (est.select(*key, est=pl.col(value)).join(ref.select(*key, ref=pl.col(value)), on=key, how="full",
                                                     coalesce=True)
            .with_columns(pl.col("est", "ref").fill_null(0.0)))


def forecast_accuracy(forecast: pl.DataFrame, actuals: pl.DataFrame, target: float = 0.90,
                      level: str = "interval") -> pl.DataFrame:
    """Forecast contacts vs actual contacts, per queue, at ``level`` (see :func:`accuracy_table`).

    ``noise_floor`` is the best accuracy a perfect forecast could expect on these volumes at
    this level: Poisson counts around the forecast's intraday shape scaled to each queue's
    actual day (:func:`models.metrics.perfect_rate`), scored as the contacts are.
    """
    j = _outer(forecast, actuals, ["queue", "start"], "contacts")
    day = j.select(pl.struct("queue", pl.col("start").dt.date()).hash()).to_series().to_numpy()
    j = j.with_columns(_rate=metrics.perfect_rate(j["ref"].to_numpy(), j["est"].to_numpy(), day))
    return accuracy_table(j, group="queue", estimate="est", reference="ref", measure="forecast", target=target,
                          level=level, rate="_rate")


def _with_aht(actuals: pl.DataFrame, cfg) -> pl.DataFrame:
    """Actuals with ``aht_s``: as logged, else the queue's configured AHT."""
    aht = pl.DataFrame({"queue": list(cfg.queues), "_aht": [float(q.aht_seconds) for q in cfg.queues.values()]})
    df = actuals.join(aht, on="queue", how="left")
    if "aht_s" in df.columns:
        df = df.with_columns(aht_s=pl.col("aht_s").fill_null(pl.col("_aht")))
    else:
        df = df.with_columns(aht_s=pl.col("_aht"))
    return df.drop("_aht")


def staffing_accuracy(
    forecast: pl.DataFrame,
    actuals: pl.DataFrame,
    cfg,
    staff: StaffFn | None = None,
    target: float | None = None,
    level: str | None = None,
) -> pl.DataFrame:
    """Agents required for the forecast vs agents required for the actual contacts, per queue.

    Measured at ``level`` (default ``[targets] staffing_accuracy_level``).

    ``staff`` is the staffing engine ``(contacts frame, cfg) -> queue, start, agents``; by default
    :func:`wfm.staffing.requirements`. Both sides go through the same engine and config, so the
    measure isolates how the forecast error moves the headcount. Deferred work (e-mail, posts,
    forms) may be handled in any interval before its due time, so for those queues the agent-
    intervals are compared per day, not per interval (two plans that place the same work a
    half-hour apart are equally right).

    >>> from datetime import datetime as dt
    >>> from wfm.config import CenterConfig
    >>> cfg = CenterConfig.from_toml_text("[queues.calls]")
    >>> f = pl.DataFrame({"queue": ["calls"], "start": [dt(2026, 11, 2, 9)], "contacts": [100.0]})
    >>> a = f.with_columns(contacts=pl.lit(80.0))
    >>> per_hour = lambda c, _: c.select("queue", "start", agents=(c["contacts"] * c["aht_s"] / 1800).ceil())
    >>> staffing_accuracy(f, a, cfg, staff=per_hour).filter(period="all")["accuracy"].to_list()  # 10 vs 8
    [0.75]
    """
    staff = staff or default_staff
    target = cfg.targets.staffing_accuracy if target is None else target
    level = cfg.targets.staffing_accuracy_level if level is None else level
    want = ["queue", "start", "contacts", "aht_s"]
    deferred = [name for name, q in cfg.queues.items() if not q.live]

    def bucket(req: pl.DataFrame) -> pl.DataFrame:
        start = pl.when(pl.col("queue").is_in(deferred)).then(pl.col("start").dt.truncate("1d")).otherwise("start")
        return req.select("queue", start.alias("start"), "agents").group_by("queue", "start").agg(pl.col("agents").sum())

    req_f = bucket(staff(_with_aht(forecast, cfg).select(want), cfg))
    req_a = bucket(staff(_with_aht(actuals, cfg).select(want), cfg))
    j = _outer(req_f, req_a, ["queue", "start"], "agents")
    return accuracy_table(j, group="queue", estimate="est", reference="ref", measure="staffing", target=target,
                          level=level)


def scheduled_agents(roster: pl.DataFrame, interval_minutes: int, default_skill: str | None = None) -> pl.DataFrame:
    """Agents on duty per skill and interval: ``skill, start, agents`` (fractional for part intervals).

    On duty = inside a shift and not on break, lunch or leave. A shift on a day with a roster
    leave row is not counted. ``default_skill`` names the skill of rows without one.

    >>> from datetime import date, datetime as dt
    >>> r = pl.DataFrame({"agent_id": ["a"], "date": [date(2026, 11, 2)], "activity": ["shift"],
    ...                   "start": [dt(2026, 11, 2, 9, 15)], "end": [dt(2026, 11, 2, 10)], "skill": ["voice"]})
    >>> scheduled_agents(r, 30)["agents"].to_list()  # 09:00 half covered, 09:30 fully
    [0.5, 1.0]
    """
    key = ["agent_id", "date"]
    if "skill" in roster.columns:
        skills = roster.filter(pl.col("activity") == "shift").select(*key, skill=pl.col("skill"))
    else:
        skills = roster.filter(pl.col("activity") == "shift").select(*key, skill=pl.lit(None, pl.String))
    if default_skill is not None:
        skills = skills.with_columns(pl.col("skill").fill_null(default_skill))
    if skills["skill"].null_count():
        raise InputError("the roster gives no skill for some shifts", column="skill",
                         fix="add a 'skill' column to the roster: schedule accuracy is measured per skill")
    on_leave = roster.filter(pl.col("activity") == "leave").select(key).unique()
    work = (schedule_segments(roster).filter(pl.col("activity") == "work")
            .join(on_leave, on=key, how="anti").join(skills, on=key))
    iv = f"{interval_minutes}m"
    length = interval_minutes * 60.0
    ex = work.with_columns(
        start=pl.datetime_ranges(pl.col("seg_start").dt.truncate(iv), pl.col("seg_end") - pl.duration(microseconds=1),
                                 interval=iv)).explode("start")
    overlap = (pl.min_horizontal("seg_end", pl.col("start") + pl.duration(minutes=interval_minutes))
               - pl.max_horizontal("seg_start", "start")).dt.total_seconds() / length
    return ex.group_by("skill", "start").agg(agents=overlap.sum()).sort("skill", "start")


def schedule_accuracy(
    roster: pl.DataFrame,
    requirements: pl.DataFrame,
    cfg,
    target: float | None = None,
    level: str | None = None,
) -> pl.DataFrame:
    """Scheduled vs required agent-intervals per skill: ``1 - sum|scheduled - required| / sum required``.

    Measured at ``level`` (default ``[targets] schedule_accuracy_level``).

    Requirements of the queues of one skill (``[queues.X] skill``) are added up; an interval with
    agents scheduled and nothing required counts as over-staffing error.
    """
    target = cfg.targets.schedule_accuracy if target is None else target
    level = cfg.targets.schedule_accuracy_level if level is None else level
    skills = cfg.skills()
    sched = scheduled_agents(roster, cfg.interval, skills[0] if len(skills) == 1 else None)
    qskill = pl.DataFrame({"queue": list(cfg.queues), "skill": [q.skill for q in cfg.queues.values()]})
    req = (requirements.join(qskill, on="queue", how="left").group_by("skill", "start")
           .agg(agents=pl.col("agents").sum()))
    j = _outer(sched, req, ["skill", "start"], "agents")
    return accuracy_table(j, group="skill", estimate="est", reference="ref", measure="schedule", target=target,
                          level=level)


def planning_accuracy(
    cfg,
    *,
    forecast: pl.DataFrame,
    actuals: pl.DataFrame,
    requirements: pl.DataFrame | None = None,
    roster: pl.DataFrame | None = None,
    staff: StaffFn | None = None,
    staffing: bool = True,
) -> pl.DataFrame:
    """The three accuracy measures in one long frame (see :func:`accuracy_table`), targets from ``cfg``.

    Schedule accuracy needs ``roster`` and ``requirements``; it is left out when either is None.
    Staffing accuracy is left out when ``staffing`` is false.
    """
    parts = [forecast_accuracy(forecast, actuals, cfg.targets.forecast_accuracy, cfg.targets.forecast_accuracy_level)]
    if staffing:
        parts.append(staffing_accuracy(forecast, actuals, cfg, staff))
    if roster is not None and requirements is not None:
        parts.append(schedule_accuracy(roster, requirements, cfg))
    return pl.concat(parts)


def forecast_accuracy_by_level(forecast: pl.DataFrame, actuals: pl.DataFrame, target: float = 0.90) -> pl.DataFrame:
    """Forecast accuracy over the whole period at the interval, hour and day level, each with its noise floor.

    The same forecast scores lower the finer the level, and so does the best any forecast could
    reach: the table shows how much of the gap to the target is Poisson noise at each level.
    """
    parts = [forecast_accuracy(forecast, actuals, target, level).filter(pl.col("period") == ALL)
             for level in LEVEL_BINS]
    return pl.concat(parts)
