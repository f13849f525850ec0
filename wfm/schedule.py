"""The schedule stage: requirements + agents + leave -> a roster, through :mod:`solvers`.

This module only translates: the center's config and the requirement/agent/leave tables become
the solver's plain typed inputs (:class:`solvers.types.Problem`), and the solver's result
becomes the roster table (one row per agent activity) and a coverage table computed from the
roster itself, independently of the solver.

Requirements are per queue; the roster covers them per skill (the staff group that works the
queue), summing the agents of the queues that share a skill.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import polars as pl

from solvers import solve
from solvers.types import (
    Agent,
    BreakRule,
    Contract,
    Grid,
    LeaveRequest,
    PreviousShift,
    Problem,
    Rules,
    ShiftTemplate,
)
from wfm.config import WEEKDAYS, CenterConfig
from wfm.errors import InputError, ScheduleError
from wfm.leave import leave_rule_fields

ROSTER_COLUMNS = ["agent_id", "date", "activity", "start", "end", "skill", "shift"]
PATTERNS = {"5on2off": "5on2off", "1on1off": "1on1off", "flexible": "part_time"}


@dataclass
class ScheduleStage:
    """What the schedule stage produced."""

    roster: pl.DataFrame
    coverage: pl.DataFrame
    leave: pl.DataFrame
    status: str
    objective: float | None
    bound: float | None
    wall_time_s: float
    violations: list = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    #: deterministic work spent, and the searches the time limit cut short (empty: any
    #: machine gives this roster for these inputs)
    work: float = 0.0
    wall_cut: tuple[str, ...] = ()


# ------------------------------------------------------------------------ to the solver
def requirement_by_skill(cfg: CenterConfig, requirements: pl.DataFrame, week: date) -> pl.DataFrame:
    """Sum the agents of queues that share a skill: ``skill, start, required`` (whole agents)."""
    skill_of = pl.DataFrame({"queue": list(cfg.queues), "skill": [q.skill for q in cfg.queues.values()]})
    end = datetime.combine(week + timedelta(days=7), datetime.min.time())
    begin = datetime.combine(week, datetime.min.time())
    return (requirements.filter((pl.col("start") >= begin) & (pl.col("start") < end))
            .join(skill_of, on="queue", how="left")
            .group_by("skill", "start").agg(pl.col("agents").sum().alias("required"))
            .with_columns(pl.col("required").ceil().cast(pl.Int64))
            .sort("skill", "start"))


def _open_array(cfg: CenterConfig, skill: str, week: date) -> np.ndarray:
    step = cfg.interval
    per_day = 24 * 60 // step
    out = np.zeros((7, per_day), dtype=bool)
    for qname, q in cfg.queues.items():
        if q.skill != skill:
            continue
        for d in range(7):
            hours = cfg.opening(qname, (week + timedelta(days=d)).weekday())
            if hours:
                lo, hi = hours
                out[d, lo // step: math.ceil(hi / step)] = True
    return out


def previous_shifts(roster: pl.DataFrame | None) -> dict[str, dict[date, PreviousShift]]:
    """The published roster's shifts per agent and date (for re-planning and leave notice)."""
    out: dict[str, dict[date, PreviousShift]] = {}
    if roster is None:
        return out
    for r in roster.filter(pl.col("activity") == "shift").iter_rows(named=True):
        if not r.get("shift"):
            raise InputError("the published roster has no shift template", column="shift",
                             fix="give a roster exported by wfm schedule or wfm plan (it has the 'shift' column)")
        out.setdefault(r["agent_id"], {})[r["date"]] = PreviousShift(
            r["shift"], r["start"].hour * 60 + r["start"].minute, r.get("skill"))
    return out


def build_problem(cfg: CenterConfig, requirements: pl.DataFrame, agents: pl.DataFrame,
                  leave: pl.DataFrame | None, week: date, previous: pl.DataFrame | None = None) -> Problem:
    """The solver's inputs for one week of the center.

    ``previous`` is the published roster of the week, if any: re-planning then keeps changes
    small (a soft cost per changed agent-day) and leave notice counts from the published shift
    a request touches (a shift already in progress cannot be taken as leave).
    """
    published = previous_shifts(previous)
    step = cfg.interval
    per_day = 24 * 60 // step
    req = requirement_by_skill(cfg, requirements, week)
    skills = cfg.skills()
    requirement = {}
    for s in skills:
        arr = np.zeros((7, per_day), dtype=np.int64)
        part = req.filter(pl.col("skill") == s)
        if part.height:
            st = part["start"]
            day = np.asarray([(d - week).days for d in st.dt.date().to_list()])
            slot = (st.dt.hour().cast(pl.Int32) * 60 + st.dt.minute().cast(pl.Int32)).to_numpy() // step
            arr[day, slot] = part["required"].to_numpy()
        requirement[s] = arr
    grid = Grid(start=week, days=7, interval_min=step, open={s: _open_array(cfg, s, week) for s in skills})
    templates = []
    for name, s in cfg.shifts.items():
        lo, hi = s.start_window
        templates.append(ShiftTemplate(
            name=name, length_min=s.minutes, earliest_start_min=lo, latest_start_min=hi, step_min=s.step_minutes,
            breaks=tuple(BreakRule(b.minutes, b.earliest_after, b.latest_after, b.kind) for b in s.breaks)))
    contracts = {}
    for name, c in cfg.contracts.items():
        contracts[name] = Contract(
            name=name, templates=tuple(c.shifts),
            days_per_week=(c.min_days_per_week, c.max_days_per_week),
            minutes_per_week=(c.min_minutes_per_week, c.max_minutes_per_week),
            max_consecutive_days=c.max_consecutive_days,
            min_consecutive_days_off=c.min_consecutive_days_off,
            pattern=PATTERNS[c.pattern],
        )
    people = []
    for row in agents.iter_rows(named=True):
        off = set()
        for wd in (row.get("days_off") or "").split("|"):
            wd = wd.strip().lower()
            if wd:
                off.add(week + timedelta(days=WEEKDAYS.index(wd)))
        people.append(Agent(
            agent_id=row["agent_id"], contract=contracts[row["contract"]],
            skills=tuple(s.strip() for s in row["skills"].split("|")),
            pool=row["contract"], fixed_days_off=frozenset(off),
            previous=published.get(row["agent_id"], {})))
    requests = []
    if leave is not None:
        for row in leave.iter_rows(named=True):
            requests.append(LeaveRequest(row["agent_id"], row["start"], row["end"], row["kind"], row["requested_at"]))
    r = cfg.rules
    rules = Rules(
        min_rest_min=int(round(r.min_rest_hours * 60)),
        handover_min=r.handover_minutes,
        continuous_coverage=r.continuous_coverage,
        **leave_rule_fields(cfg),
    )
    return Problem(grid=grid, templates=templates, agents=people, requirement=requirement,
                   leave=requests, rules=rules)


# ------------------------------------------------------------------------ from the solver
def roster_frame(result, grid: Grid) -> pl.DataFrame:
    """One row per agent activity: the shift, then its breaks and lunches; granted leave days."""
    rows = []
    for a in result.assignments:
        day = grid.date_of(a.day)
        rows.append((a.agent_id, day, "shift", grid.at(a.day, a.start_min), grid.at(a.day, a.end_min), a.skill,
                     a.template))
        for b in a.breaks:
            rows.append((a.agent_id, day, b.kind, grid.at(a.day, b.start_min), grid.at(a.day, b.end_min), a.skill,
                         a.template))
    for d in result.leave_decisions:
        if d.granted:
            req = d.request
            rows.append((req.agent_id, req.start.date(), "leave", req.start, req.end, None, None))
    schema = {"agent_id": pl.String, "date": pl.Date, "activity": pl.String, "start": pl.Datetime("us"),
              "end": pl.Datetime("us"), "skill": pl.String, "shift": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row").sort("agent_id", "start", "activity")


def assignments_from_roster(roster: pl.DataFrame, grid: Grid) -> list:
    """The solver's assignments read back from a roster table (e.g. an exported, hand-edited CSV).

    Needs the ``shift`` column (the shift template); break and lunch rows attach to the shift
    of the same agent and date. Feed the result to :func:`solvers.checker.check`.
    """
    from solvers.types import Activity, Assignment

    def minute(t: datetime) -> int:
        return t.hour * 60 + t.minute

    breaks: dict[tuple[str, date], list] = {}
    for r in roster.filter(pl.col("activity").is_in(["break", "lunch"])).iter_rows(named=True):
        breaks.setdefault((r["agent_id"], r["date"]), []).append(
            Activity(r["activity"], minute(r["start"]), minute(r["start"]) + int((r["end"] - r["start"]).total_seconds() // 60)))
    out = []
    for r in roster.filter(pl.col("activity") == "shift").iter_rows(named=True):
        if not r.get("shift"):
            raise InputError("the roster has no shift template for a shift", column="shift",
                             fix="export the roster with wfm schedule or wfm plan (it writes the 'shift' column)")
        start = minute(r["start"])
        end = start + int((r["end"] - r["start"]).total_seconds() // 60)
        out.append(Assignment(r["agent_id"], grid.day_of(r["date"]), r["shift"], start, end, r.get("skill"),
                              tuple(sorted(breaks.get((r["agent_id"], r["date"]), []), key=lambda b: b.start_min))))
    return out


def on_line(roster: pl.DataFrame, step: int) -> pl.DataFrame:
    """Agents on line per skill and interval start: on shift and not on a break, lunch or leave."""
    work = roster.filter(pl.col("activity") == "shift")
    off = roster.filter(pl.col("activity").is_in(["break", "lunch"]))

    def slots(df: pl.DataFrame) -> pl.DataFrame:
        if df.height == 0:
            return pl.DataFrame(schema={"agent_id": pl.String, "skill": pl.String, "start": pl.Datetime("us")})
        return (df.select("agent_id", "skill",
                          pl.datetime_ranges("start", pl.col("end") - pl.duration(minutes=step),
                                             interval=f"{step}m", time_unit="us").alias("start"))
                .explode("start"))

    on = slots(work).join(slots(off), on=["agent_id", "skill", "start"], how="anti")
    return on.group_by("skill", "start").agg(pl.len().cast(pl.Int64).alias("scheduled"))


def coverage_frame(cfg: CenterConfig, requirements: pl.DataFrame, roster: pl.DataFrame, week: date) -> pl.DataFrame:
    """Required vs scheduled agents per skill and open interval: ``skill, start, required, scheduled``."""
    req = requirement_by_skill(cfg, requirements, week)
    return (req.join(on_line(roster, cfg.interval), on=["skill", "start"], how="left")
            .with_columns(pl.col("scheduled").fill_null(0))
            .sort("skill", "start"))


def leave_frame(result) -> pl.DataFrame:
    rows = [{"agent_id": d.request.agent_id, "start": d.request.start, "end": d.request.end,
             "kind": d.request.kind, "requested_at": d.request.requested_at,
             "granted": d.granted, "reason": d.reason} for d in result.leave_decisions]
    schema = {"agent_id": pl.String, "start": pl.Datetime("us"), "end": pl.Datetime("us"), "kind": pl.String,
              "requested_at": pl.Datetime("us"), "granted": pl.Boolean, "reason": pl.String}
    return pl.DataFrame(rows, schema=schema)


def schedule_week(cfg: CenterConfig, requirements: pl.DataFrame, agents: pl.DataFrame,
                  leave: pl.DataFrame | None = None, week: date | None = None,
                  *, time_limit_s: float | None = None, seed: int | None = None,
                  previous: pl.DataFrame | None = None, work: float | None = None) -> ScheduleStage:
    """Build the week's roster. ``week`` defaults to the Monday of the first requirement.

    With ``previous`` (the published roster) it re-plans: see :func:`build_problem`.
    """
    if requirements.height == 0:
        raise InputError("no requirement rows", file="requirements", fix="run `wfm staff` first")
    first = requirements["start"].min().date()
    week = week or (first - timedelta(days=first.weekday()))
    problem = build_problem(cfg, requirements, agents, leave, week, previous)
    limit = time_limit_s or cfg.rules.time_limit_seconds
    result = solve(problem, time_limit_s=limit, work=work or cfg.rules.solver_work or None,
                   seed=cfg.center.seed if seed is None else seed, workers=2)
    explanation = [c.describe(problem.grid) for c in result.explanation]
    if result.status == "INFEASIBLE":
        lines = "; ".join(explanation[:8]) or "no explanation could be found in the time limit"
        raise ScheduleError(f"no roster satisfies every hard rule. Conflicting rules: {lines}. "
                            "Relax one of them in the center file, add agents, or give leave back")
    if result.status not in ("OPTIMAL", "FEASIBLE"):
        raise ScheduleError(f"{result.message or 'no roster was found'} (time limit {limit:g} s); give a "
                            "longer --time-limit and a larger --work, or check the contracts against the "
                            "opening hours")
    roster = roster_frame(result, problem.grid)
    return ScheduleStage(
        roster=roster,
        coverage=coverage_frame(cfg, requirements, roster, week),
        leave=leave_frame(result),
        status=str(result.status),
        objective=result.objective,
        bound=result.bound,
        wall_time_s=float(result.wall_time_s),
        violations=list(result.violations),
        explanation=explanation,
        work=float(result.work),
        wall_cut=tuple(result.wall_cut),
    )


__all__ = ["ScheduleStage", "build_problem", "coverage_frame", "schedule_week", "roster_frame"]
