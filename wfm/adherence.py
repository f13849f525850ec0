"""Adherence and attendance: how each agent kept to the roster (docs/domain.md sections 2, 4 and 6).

Inputs are the roster as exported (``agent_id, date, activity, start, end[, skill]``; activity is
shift, break, lunch or leave, and break/lunch rows lie inside their shift) and the agents' state
log (``agent_id, state, start, end``). The measures:

* per agent and day (:func:`agent_days`): time-based adherence (the agent was in the scheduled
  activity at the scheduled time, with a grace around each scheduled change), conformance
  (worked time / scheduled work time), lateness class, early leave, the in-shift service ratio
  with its pay factor and the paid hours;
* per team and day (:func:`team_days`): schedule adherence (agents who kept to their schedule /
  all agents rostered), aux + break share of logged time, occupancy;
* leave (:func:`judge_leave`): each request judged by the scheduler's notice rule
  (:func:`solvers.leave.judge_notice`, per contract and leave kind) or by its decision in
  ``leave_decisions.csv``;
* warnings (:func:`leave_warnings`): leave taken with too little notice and absences without
  leave, counted into warnings and suspensions.

Every threshold is a field of :class:`AttendanceRules` (or :class:`WarningRules`) with its
default from docs/domain.md.

Example
-------
>>> from datetime import date, datetime as dt
>>> roster = pl.DataFrame({"agent_id": ["a"], "date": [date(2026, 11, 2)], "activity": ["shift"],
...                        "start": [dt(2026, 11, 2, 9)], "end": [dt(2026, 11, 2, 11)]})
>>> states = pl.DataFrame({"agent_id": ["a"], "state": ["available"],
...                        "start": [dt(2026, 11, 2, 9)], "end": [dt(2026, 11, 2, 11)]})
>>> agent_days(roster, states)["adherence"].to_list()
[1.0]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from solvers.leave import NOTICE_LATE, NOTICE_OK, judge_notice, refusal_rule
from solvers.types import LeaveKind, LeaveRequest, Rules
from wfm.errors import InputError
from wfm.io import LEAVE, ROSTER, STATE_LOG, _unknown, check_table, read_raw

#: the state an agent logs -> the roster activity it fulfils ("work" is the shift minus its breaks)
STATE_ACTIVITY: dict[str, str] = {
    "logged_out": "off",
    "available": "work",
    "on_contact": "work",
    "acw": "work",
    "break": "break",
    "lunch": "lunch",
    "training": "training",
    "aux": "aux",
}
ACTIVITIES = ("shift", "break", "lunch", "leave")

# lateness classes (docs/domain.md section 6)
ON_TIME, LATE_LT_10, LATE_10_30, LATE_30_60, ABSENT = "on_time", "late_lt_10", "late_10_30", "late_30_60", "absent"
LEAVE_DAY = "leave"


@dataclass
class AttendanceRules:
    """Thresholds of the attendance measures; defaults from docs/domain.md sections 2 and 6.

    >>> AttendanceRules().pay_factor(np.array([0.69]), np.array([False])).tolist()
    [0.75]
    """

    #: minutes after and before each scheduled change (shift start/end, break start/end) in which
    #: being in the neighbouring activity still counts as adherent
    grace_minutes: float = 5.0
    #: arriving (logged in during the shift for the first time) at most this many minutes after
    #: the shift start is on time: seconds of log-in latency are no lateness
    on_time_minutes: float = 1.0
    #: upper bounds (minutes) of the classes late < 10, 10-30, 30-60; beyond the last: absent
    late_bounds: tuple[float, float, float] = (10.0, 30.0, 60.0)
    #: leaving (the last log-out inside the shift) more than this many minutes before the shift
    #: end is an early leave
    early_leave_minutes: float = 1.0
    #: an agent-day "kept to the schedule" when the agent came (not absent, not on leave) and
    #: adherence >= this; 0.95 forgives about 24 minutes out of activity in an 8-hour shift
    kept_adherence: float = 0.95
    #: in-shift service ratio -> pay factor, highest band first: (lowest ratio of the band, factor)
    pay_bands: tuple[tuple[float, float], ...] = ((0.80, 1.0), (0.75, 0.90), (0.60, 0.75), (0.40, 0.50), (0.0, 0.0))
    #: late or leaving early: at most this share of the hours is paid
    late_or_early_factor: float = 0.90
    #: states that count as serving customers / waiting for one / aux time (docs/domain.md section 2)
    serving_states: tuple[str, ...] = ("on_contact", "acw")
    available_states: tuple[str, ...] = ("available",)
    aux_states: tuple[str, ...] = ("aux", "break")
    #: which roster activity each logged state fulfils
    state_activity: Mapping[str, str] = field(default_factory=lambda: dict(STATE_ACTIVITY))
    #: adherence is sampled every this many seconds
    step_seconds: int = 60

    @classmethod
    def from_config(cls, cfg, **overrides) -> AttendanceRules:
        """The center's ``[adherence]`` section; keyword arguments override it."""
        a = cfg.adherence
        values = dict(grace_minutes=a.grace_minutes, kept_adherence=a.kept_adherence,
                      on_time_minutes=a.on_time_minutes, early_leave_minutes=a.early_leave_minutes,
                      late_bounds=tuple(a.late_bounds_minutes), late_or_early_factor=a.late_or_early_pay_factor)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def work_states(self) -> tuple[str, ...]:
        return tuple(s for s, a in self.state_activity.items() if a == "work")

    def lateness(self, late_minutes: np.ndarray, logged_in: np.ndarray) -> np.ndarray:
        """Lateness class of each agent-day from minutes late and whether the agent logged in at all."""
        b10, b30, b60 = self.late_bounds
        late = np.nan_to_num(np.asarray(late_minutes, dtype=float), nan=np.inf)
        out = np.select(
            [late <= self.on_time_minutes, late < b10, late < b30, late <= b60],
            [ON_TIME, LATE_LT_10, LATE_10_30, LATE_30_60],
            default=ABSENT,
        )
        return np.where(np.asarray(logged_in, dtype=bool), out, ABSENT)

    def pay_factor(self, ratio: np.ndarray, late_or_early: np.ndarray) -> np.ndarray:
        """Pay factor from the in-shift service ratio; late or early caps it at ``late_or_early_factor``."""
        ratio = np.asarray(ratio, dtype=float)
        bands = sorted(self.pay_bands, reverse=True)
        factor = np.select([ratio >= lo for lo, _ in bands], [f for _, f in bands], default=0.0)
        return np.where(np.asarray(late_or_early, dtype=bool), np.minimum(factor, self.late_or_early_factor), factor)


# ------------------------------------------------------------------------- reading
def check_roster(df: pl.DataFrame, file: str = "roster") -> pl.DataFrame:
    """Validate a roster frame: activities, times, one shift per agent and day, breaks inside shifts."""
    df = check_table(df, ROSTER, file)
    _unknown(df, "activity", list(ACTIVITIES), file, "activity")
    _first_bad(df["end"] <= df["start"], file, "end", "the activity ends before it starts", "end must be after start")
    shifts = df.with_row_index("_i").filter(pl.col("activity") == "shift")
    dup = shifts.select("agent_id", "date").is_duplicated()
    if dup.any():
        i = int(shifts["_i"][int(dup.arg_true()[1])])
        raise InputError(f"agent {df['agent_id'][i]!r} has two shifts on {df['date'][i]}", file=file, row=i + 2,
                         column="date", fix="give one shift row per agent and day")
    inner = (df.with_row_index("_i").filter(pl.col("activity").is_in(["break", "lunch"]))
             .join(shifts.select("agent_id", "date", s=pl.col("start"), e=pl.col("end")), on=["agent_id", "date"],
                   how="left"))
    outside = inner.filter(pl.col("s").is_null() | (pl.col("start") < pl.col("s")) | (pl.col("end") > pl.col("e")))
    if outside.height:
        i = int(outside.sort("_i")["_i"][0])
        raise InputError(f"the {df['activity'][i]} lies outside the agent's shift that day", file=file, row=i + 2,
                         column="start", fix="breaks and lunches must lie inside a shift row of the same agent and date")
    return df


def read_roster_checked(path) -> pl.DataFrame:
    """Read and validate a roster file (see :func:`check_roster`)."""
    return check_roster(read_raw(path), str(path))


def check_state_log(df: pl.DataFrame, file: str = "states", rules: AttendanceRules | None = None) -> pl.DataFrame:
    """Validate a state log frame: known states, end not before start, no overlap per agent."""
    rules = rules or AttendanceRules()
    df = check_table(df, STATE_LOG, file)
    _unknown(df, "state", list(rules.state_activity), file, "state")
    _first_bad(df["end"] < df["start"], file, "end", "the state ends before it starts", "end must not be before start")
    idx = df.with_row_index("_i").sort("agent_id", "start")
    overlap = idx.select((pl.col("start") < pl.col("end").shift(1).over("agent_id")).fill_null(False)).to_series()
    if overlap.any():
        i = int(idx["_i"][int(overlap.arg_true()[0])])
        raise InputError(f"agent {df['agent_id'][i]!r} is in two states at {df['start'][i]}", file=file, row=i + 2,
                         column="start", fix="states of one agent must not overlap")
    return df.sort("agent_id", "start")


def read_state_log_checked(path, rules: AttendanceRules | None = None) -> pl.DataFrame:
    """Read and validate a state log file (see :func:`check_state_log`)."""
    return check_state_log(read_raw(path), str(path), rules)


def read_leave_requests(path, cfg=None) -> pl.DataFrame:
    """Read leave requests (``agent_id, start, end, kind, requested_at``), or the scheduler's
    ``leave_decisions.csv`` (the same columns plus ``granted, reason``): an unknown leave kind
    (of ``cfg.leave``, else the default kinds) is an error naming the row and the known kinds."""
    from wfm.config import CenterConfig

    file = str(path)
    raw = read_raw(path)
    decided = "granted" in raw.columns
    df = check_table(raw.drop([c for c in ("granted", "reason") if c in raw.columns]), LEAVE, file)
    _first_bad(df["end"] <= df["start"], file, "end", "the leave ends before it starts", "end must be after start")
    _unknown(df, "kind", list((cfg or CenterConfig()).leave), file, "leave kind")
    if decided:
        text = raw["granted"].cast(pl.String).str.strip_chars().str.to_lowercase()
        _first_bad(~text.is_in(["true", "false"]), file, "granted", "granted is not true or false",
                   "give the leave_decisions.csv written by wfm schedule or wfm plan")
        reason = raw["reason"].cast(pl.String).fill_null("") if "reason" in raw.columns else pl.lit("")
        df = df.with_columns(granted=text == "true", reason=reason)
    return df


def _first_bad(mask: pl.Series, file: str, column: str, problem: str, fix: str) -> None:
    if mask.any():
        raise InputError(problem, file=file, row=int(mask.arg_true()[0]) + 2, column=column, fix=fix)


# ------------------------------------------------------------------------- leave: the notice rule
@dataclass
class LeavePolicy:
    """How leave requests are judged: the notice per contract and kind (the scheduler's
    :class:`solvers.types.Rules`), each agent's contract and the earliest start of its shifts.

    The rule is :func:`solvers.leave.judge_notice`, the scheduler's own.

    >>> LeavePolicy(contract_of={"a": "cloud"}).notice_min("a", "personal")
    120
    """

    rules: Rules = field(default_factory=Rules)
    #: agent_id -> contract (the scheduler's pool); agents not listed get the default notice
    contract_of: Mapping[str, str] = field(default_factory=dict)
    #: contract -> earliest shift start (minutes after midnight); key "" for agents without one
    first_start: Mapping[str, int] = field(default_factory=dict)
    kinds: Mapping[str, LeaveKind] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.kinds = dict(self.kinds or self.rules.leave_kinds)

    def notice_min(self, agent: str, kind: str) -> int:
        return self.rules.leave_notice_min(self.contract_of.get(agent, ""), kind)

    @classmethod
    def from_config(cls, cfg, contract_of: Mapping[str, str] | None = None) -> LeavePolicy:
        """The center's leave policy (:mod:`wfm.leave`) for agents of known contracts."""
        from wfm.leave import first_start_min, solver_rules

        rules = solver_rules(cfg)
        starts = {c: first_start_min(cfg, c) for c in cfg.contracts} | {"": first_start_min(cfg, None)}
        return cls(rules, dict(contract_of or {}), starts)


def judge_leave(leave: pl.DataFrame, roster: pl.DataFrame, policy: LeavePolicy | None = None) -> pl.DataFrame:
    """Each leave request judged by the notice rule against the roster's shifts, or taken from the
    scheduler's decisions (``granted, reason`` columns of ``leave_decisions.csv``).

    Adds ``notice_rule`` (ok, notice, in_progress, invalid, refused: refused by another rule,
    e.g. coverage), ``reference`` (the shift start the notice counts to), ``given_h, needed_h``,
    ``taken`` (it counts as leave: in time, or with too little notice (a warning); not when
    filed during the shift in progress or refused by another rule), ``pay_deduction`` and
    ``certificate`` of its kind.
    """
    policy = policy or LeavePolicy()
    shifts: dict[str, list] = {}
    for a, s0, s1 in roster.filter(pl.col("activity") == "shift").select("agent_id", "start", "end").iter_rows():
        shifts.setdefault(a, []).append((s0, s1))
    decided = "granted" in leave.columns
    rows = []
    for r in leave.iter_rows(named=True):
        req = LeaveRequest(r["agent_id"], r["start"], r["end"], r["kind"], r["requested_at"])
        contract = policy.contract_of.get(req.agent_id, "")
        first = policy.first_start.get(contract, policy.first_start.get("", 0))
        v = judge_notice(req, policy.notice_min(req.agent_id, req.kind), shifts.get(req.agent_id, ()), first)
        rule = v.rule
        if decided:  # the scheduler's decision stands; its reason says which rule refused
            rule = NOTICE_OK if r["granted"] else (refusal_rule(r["reason"] or "") or "refused")
        kind = policy.kinds.get(req.kind)
        rows.append((rule, v.reference, v.given_h, v.needed_h, rule in (NOTICE_OK, NOTICE_LATE),
                     1.0 if kind is None else kind.pay_deduction, bool(kind and kind.certificate)))
    schema = {"notice_rule": pl.String, "reference": pl.Datetime("us"), "given_h": pl.Float64,
              "needed_h": pl.Float64, "taken": pl.Boolean, "pay_deduction": pl.Float64, "certificate": pl.Boolean}
    return leave.hstack(pl.DataFrame(rows, schema=schema, orient="row"))


def _judged(leave: pl.DataFrame | None, roster: pl.DataFrame) -> pl.DataFrame | None:
    if leave is None or "taken" in leave.columns:
        return leave
    return judge_leave(leave, roster)


# ------------------------------------------------------------------------- per agent and day
def schedule_segments(roster: pl.DataFrame) -> pl.DataFrame:
    """The roster cut into consecutive segments ``agent_id, date, seg_start, seg_end, activity,
    prev_activity, next_activity``.

    A shift with a lunch 12:00-12:30 from 09:00 to 17:00 becomes work 09-12, lunch 12-12:30,
    work 12:30-17. Activities are "work", "break" and "lunch"; before and after the shift "off".

    >>> from datetime import date, datetime as dt
    >>> r = pl.DataFrame({"agent_id": ["a", "a"], "date": [date(2026, 11, 2)] * 2, "activity": ["shift", "lunch"],
    ...                   "start": [dt(2026, 11, 2, 9), dt(2026, 11, 2, 12)],
    ...                   "end": [dt(2026, 11, 2, 17), dt(2026, 11, 2, 12, 30)]})
    >>> schedule_segments(r)["activity"].to_list()
    ['work', 'lunch', 'work']
    """
    key = ["agent_id", "date"]
    shifts = roster.filter(pl.col("activity") == "shift")
    pauses = roster.filter(pl.col("activity").is_in(["break", "lunch"]))
    # work segments run from the shift start and each pause end to each pause start and the shift end
    starts = pl.concat([shifts.select(*key, t=pl.col("start")), pauses.select(*key, t=pl.col("end"))])
    ends = pl.concat([shifts.select(*key, t=pl.col("end")), pauses.select(*key, t=pl.col("start"))])
    work = (
        starts.group_by(key).agg(seg_start=pl.col("t").sort())
        .join(ends.group_by(key).agg(seg_end=pl.col("t").sort()), on=key)
        .explode("seg_start", "seg_end")
        .filter(pl.col("seg_end") > pl.col("seg_start"))
        .with_columns(activity=pl.lit("work"))
    )
    pause = pauses.select(*key, seg_start=pl.col("start"), seg_end=pl.col("end"), activity=pl.col("activity"))
    return pl.concat([work, pause]).sort(*key, "seg_start").with_columns(
        prev_activity=pl.col("activity").shift(1).over(key).fill_null("off"),
        next_activity=pl.col("activity").shift(-1).over(key).fill_null("off"),
    )


def _state_at(samples: pl.DataFrame, states: pl.DataFrame) -> pl.DataFrame:
    """Add column ``state``: the logged state of each sample's agent at time ``t`` (else logged_out)."""
    s = states.select("agent_id", s_start=pl.col("start"), s_end=pl.col("end"), state=pl.col("state")).sort("s_start")
    out = samples.sort("t").join_asof(s, left_on="t", right_on="s_start", by="agent_id", strategy="backward",
                                       check_sortedness=False)
    return out.with_columns(
        state=pl.when(pl.col("t") < pl.col("s_end")).then(pl.col("state")).otherwise(pl.lit("logged_out"))
    ).drop("s_start", "s_end")


def _daily_state_minutes(days: pl.DataFrame, states: pl.DataFrame) -> pl.DataFrame:
    """Minutes per agent, date and state, each state row clipped to the calendar day."""
    d = days.select("agent_id", "date").unique()
    # each state row once per calendar day it touches (almost always one), then clipped to that day
    per_day = states.filter(pl.col("end") > pl.col("start")).with_columns(
        date=pl.date_ranges(pl.col("start").dt.date(), (pl.col("end") - pl.duration(microseconds=1)).dt.date()),
    ).explode("date")
    j = per_day.join(d, on=["agent_id", "date"]).with_columns(
        d0=pl.col("date").cast(pl.Datetime("us")), d1=pl.col("date").cast(pl.Datetime("us")) + pl.duration(days=1),
    ).with_columns(lo=pl.max_horizontal("start", "d0"), hi=pl.min_horizontal("end", "d1"))
    j = j.filter(pl.col("hi") > pl.col("lo"))
    return j.group_by("agent_id", "date", "state").agg(
        minutes=((pl.col("hi") - pl.col("lo")).dt.total_seconds() / 60).sum(),
        first=pl.col("lo").min(), last=pl.col("hi").max())


def agent_days(
    roster: pl.DataFrame,
    states: pl.DataFrame,
    rules: AttendanceRules | None = None,
    leave: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Attendance and adherence of every rostered agent-day.

    Parameters
    ----------
    roster : the roster (``agent_id, date, activity, start, end[, skill]``), validated.
    states : the state log (``agent_id, state, start, end``), validated.
    rules : thresholds (:class:`AttendanceRules`).
    leave : optional leave requests (``agent_id, start, end, kind, requested_at``), judged by
        :func:`judge_leave` (here with the default :class:`LeavePolicy` unless judged already);
        a shift a request *taken* overlaps, or a shift with a roster ``leave`` row the same day,
        is a leave day: not measured, paid by its kind (``leave_kind, pay_deduction,
        certificate_needed``; a roster leave row without a request is unpaid).

    Returns
    -------
    One row per shift: ``agent_id, date, skill, shift_start, shift_end, status`` (worked, absent,
    leave), ``scheduled_min`` (shift length), ``adherent_min, adherence`` (share of the shift spent
    in the scheduled activity, grace applied), ``work_min`` (shift minus breaks), ``worked_min``
    (minutes in work states that day), ``conformance`` (worked / work), ``first_login`` (of the
    day), ``arrival`` (first logged-in instant inside the shift), ``late_min`` (arrival - shift
    start), ``lateness, last_logout`` (of the day), ``departure`` (last logged-in instant inside
    the shift), ``early_min`` (shift end - departure), ``early_leave, serving_min, available_min, service_ratio``
    ((serving + available inside the shift) / shift length), ``pay_factor, paid_hours`` and
    ``kept``: the agent came (status worked) and adherence >= ``rules.kept_adherence``.

    >>> from datetime import date, datetime as dt
    >>> r = pl.DataFrame({"agent_id": ["a"], "date": [date(2026, 11, 2)], "activity": ["shift"],
    ...                   "start": [dt(2026, 11, 2, 9)], "end": [dt(2026, 11, 2, 17)]})
    >>> s = pl.DataFrame({"agent_id": ["a"], "state": ["available"],
    ...                   "start": [dt(2026, 11, 2, 9, 20)], "end": [dt(2026, 11, 2, 17)]})
    >>> agent_days(r, s)["lateness"].to_list()
    ['late_10_30']
    """
    rules = rules or AttendanceRules()
    key = ["agent_id", "date"]
    has_skill = "skill" in roster.columns
    shifts = roster.filter(pl.col("activity") == "shift").select(
        *key, skill=pl.col("skill") if has_skill else pl.lit(None, pl.String),
        shift_start=pl.col("start"), shift_end=pl.col("end"))
    if shifts.height == 0:
        raise InputError("the roster has no shift rows", column="activity", fix="give at least one shift to measure")
    segs = schedule_segments(roster)

    # ---- sample the schedule and the log every step, compare activity with state
    step = rules.step_seconds
    samples = segs.with_columns(
        t=pl.datetime_ranges("seg_start", "seg_end", interval=f"{step}s", closed="left")).explode("t")
    samples = _state_at(samples, states).with_columns(
        done=pl.col("state").replace_strict(dict(rules.state_activity), default="off"))
    # grace: near a scheduled change, being in the activity on the other side of it also adheres
    grace = timedelta(minutes=rules.grace_minutes)
    after_change = ((pl.col("t") - pl.col("seg_start")) < grace) & (pl.col("done") == pl.col("prev_activity"))
    before_change = ((pl.col("seg_end") - pl.col("t") - timedelta(seconds=step)) < grace) & (
        pl.col("done") == pl.col("next_activity"))
    minute = step / 60
    per_day = samples.group_by(key).agg(
        adherent_min=((pl.col("done") == pl.col("activity")) | after_change | before_change).sum() * minute,
        serving_min=pl.col("state").is_in(list(rules.serving_states)).sum() * minute,
        available_min=pl.col("state").is_in(list(rules.available_states)).sum() * minute,
    )
    work_min = segs.filter(pl.col("activity") == "work").group_by(key).agg(
        work_min=((pl.col("seg_end") - pl.col("seg_start")).dt.total_seconds() / 60).sum())

    # ---- daily totals from the log: worked time, first login and last logout
    daily = _daily_state_minutes(shifts, states)
    logged = daily.filter(pl.col("state") != "logged_out").group_by(key).agg(
        first_login=pl.col("first").min(), last_logout=pl.col("last").max())
    worked = daily.filter(pl.col("state").is_in(list(rules.work_states))).group_by(key).agg(
        worked_min=pl.col("minutes").sum())

    presence = _presence(shifts, states)

    df = (shifts.join(per_day, on=key, how="left").join(work_min, on=key, how="left")
          .join(logged, on=key, how="left").join(worked, on=key, how="left").join(presence, on=key, how="left")
          .with_columns(pl.col("adherent_min", "serving_min", "available_min", "work_min", "worked_min").fill_null(0.0))
          .sort(key))
    scheduled = (df["shift_end"] - df["shift_start"]).dt.total_seconds().to_numpy() / 60
    # lateness and early leave come from presence inside the shift, not the day's first and last
    # log-in: a log-in before the shift that ends before it starts is no arrival
    logged_in = df["arrival"].is_not_null().to_numpy()
    late = (df["arrival"] - df["shift_start"]).dt.total_seconds().to_numpy(allow_copy=True).astype(float) / 60
    early = (df["shift_end"] - df["departure"]).dt.total_seconds().to_numpy(allow_copy=True).astype(float) / 60
    lateness = rules.lateness(late, logged_in)
    on_leave, leave_kind, deduction, certificate = _leave_days(df, roster, _judged(leave, roster))
    status = np.where(on_leave, LEAVE_DAY, np.where(lateness == ABSENT, ABSENT, "worked"))
    worked_day = status == "worked"
    lateness = np.where(on_leave, LEAVE_DAY, lateness)
    early_leave = worked_day & (np.nan_to_num(early, nan=0.0) > rules.early_leave_minutes)
    ratio = (df["serving_min"].to_numpy() + df["available_min"].to_numpy()) / scheduled
    late_or_early = (lateness != ON_TIME) | early_leave
    factor = np.where(worked_day, rules.pay_factor(ratio, late_or_early), 0.0)
    # absent counts as absent the whole day (docs/domain.md section 6): nothing adhered; leave days are not measured
    adherent = np.where(status == ABSENT, 0.0, df["adherent_min"].to_numpy())
    adherence = adherent / scheduled
    work = df["work_min"].to_numpy()
    conformance = np.divide(df["worked_min"].to_numpy(), work, out=np.zeros_like(work), where=work > 0)
    return df.with_columns(
        status=pl.Series(status),
        scheduled_min=pl.Series(scheduled),
        adherent_min=pl.Series(adherent),
        adherence=_unless(on_leave, adherence),
        conformance=_unless(on_leave, conformance),
        late_min=_unless(~worked_day, late),
        lateness=pl.Series(lateness),
        early_min=_unless(~worked_day, early),
        early_leave=pl.Series(early_leave),
        service_ratio=_unless(on_leave, ratio),
        pay_factor=pl.Series(factor),
        # a leave day is paid by its kind: personal leave deducts the day, sick leave 40 % of it
        paid_hours=pl.Series(np.where(on_leave, scheduled / 60 * (1 - deduction), scheduled / 60 * factor)),
        leave_kind=pl.Series(list(leave_kind), dtype=pl.String),
        pay_deduction=_unless(~on_leave, deduction),
        certificate_needed=pl.Series(on_leave & certificate),
        kept=pl.Series(worked_day & (adherence >= rules.kept_adherence)),
    ).select(
        "agent_id", "date", "skill", "shift_start", "shift_end", "status", "scheduled_min", "adherent_min",
        "adherence", "work_min", "worked_min", "conformance", "first_login", "arrival", "late_min", "lateness",
        "last_logout", "departure", "early_min", "early_leave", "serving_min", "available_min", "service_ratio",
        "pay_factor", "paid_hours", "kept", "leave_kind", "pay_deduction", "certificate_needed",
    )


def _presence(shifts: pl.DataFrame, states: pl.DataFrame) -> pl.DataFrame:
    """``agent_id, date, arrival, departure``: the first and last logged-in instant inside each
    shift (null when the agent was never logged in during it)."""
    on = states.filter((pl.col("state") != "logged_out") & (pl.col("end") > pl.col("start")))
    j = shifts.select("agent_id", "date", "shift_start", "shift_end").join(
        on.select("agent_id", s0=pl.col("start"), s1=pl.col("end")), on="agent_id").filter(
        (pl.col("s0") < pl.col("shift_end")) & (pl.col("s1") > pl.col("shift_start")))
    return j.group_by("agent_id", "date").agg(
        arrival=pl.max_horizontal("s0", "shift_start").min(),
        departure=pl.min_horizontal("s1", "shift_end").max())


def _unless(mask: np.ndarray, values: np.ndarray) -> pl.Series:
    """``values`` as a float column, null where ``mask`` is set."""
    return pl.Series(np.where(mask, np.nan, values).astype(float)).fill_nan(None)


def _leave_days(df: pl.DataFrame, roster: pl.DataFrame, leave: pl.DataFrame | None):
    """Which shifts (rows of ``df``) are leave days, by a roster leave row or a leave request
    taken (see :func:`judge_leave`), with the leave's kind, pay deduction and certificate need.

    A roster leave row without a request of known kind is unpaid (deduction 1)."""
    key = ["agent_id", "date"]
    rows = df.select(*key, "shift_start", "shift_end").with_row_index("_i")
    n = df.height
    on = np.zeros(n, dtype=bool)
    kind = np.full(n, None, dtype=object)
    deduction = np.ones(n)
    cert = np.zeros(n, dtype=bool)
    on[rows.join(roster.filter(pl.col("activity") == "leave").select(*key).unique(), on=key, how="semi")["_i"]
       .to_numpy()] = True
    if leave is not None and leave.height:
        taken = leave.filter(pl.col("taken"))
        req = rows.join(taken.select("agent_id", "kind", "pay_deduction", "certificate", l0=pl.col("start"),
                                     l1=pl.col("end")), on="agent_id").filter(
            (pl.col("l0") < pl.col("shift_end")) & (pl.col("l1") > pl.col("shift_start"))).unique("_i", keep="first")
        # a roster leave row of that day: the request filed for the day gives its kind
        day = rows.join(taken.select("agent_id", "kind", "pay_deduction", "certificate",
                                     date=pl.col("start").dt.date()), on=key).unique("_i", keep="first")
        day = day.filter(pl.Series(on[day["_i"].to_numpy()]))
        for part in (day, req):
            i = part["_i"].to_numpy()
            if i.size:
                on[i] = True
                kind[i] = part["kind"].to_list()
                deduction[i] = part["pay_deduction"].to_numpy()
                cert[i] = part["certificate"].to_numpy()
    return on, kind, deduction, cert


# ------------------------------------------------------------------------- team
def team_days(
    days: pl.DataFrame,
    states: pl.DataFrame,
    rules: AttendanceRules | None = None,
    *,
    adherence_target: float = 0.99,
    max_aux_share: float = 0.06,
    min_occupancy: float = 0.70,
) -> pl.DataFrame:
    """Team measures per date and for the whole period (``date`` null on the last row).

    * ``kept_share`` (agents kept to schedule: the target's "schedule adherence" of
      ``docs/domain.md``) = agent-days kept / agent-days rostered to work (leave days excluded;
      "kept" = came and adherence >= ``rules.kept_adherence``, see :func:`agent_days`), with
      ``kept_target`` (``adherence_target``) and ``kept_ok``;
    * ``time_adherence`` = minutes in the scheduled activity / scheduled minutes (absent days
      count 0);
    * ``conformance`` = minutes worked / scheduled work minutes;
    * ``aux_share`` = minutes in ``rules.aux_states`` (aux, break) / logged-in minutes
      (lunch is neither aux nor counted against the target);
    * ``occupancy`` = serving minutes (on contact + after-contact work) / (serving + available).

    The kept share, aux share and occupancy come with a target and a ``*_ok`` pass flag.
    Defaults from docs/domain.md section 2.

    >>> from datetime import date, datetime as dt
    >>> r = pl.DataFrame({"agent_id": ["a", "b"], "date": [date(2026, 11, 2)] * 2, "activity": ["shift"] * 2,
    ...                   "start": [dt(2026, 11, 2, 9)] * 2, "end": [dt(2026, 11, 2, 11)] * 2})
    >>> s = pl.DataFrame({"agent_id": ["a", "a"], "state": ["on_contact", "available"],
    ...                   "start": [dt(2026, 11, 2, 9), dt(2026, 11, 2, 10, 30)],
    ...                   "end": [dt(2026, 11, 2, 10, 30), dt(2026, 11, 2, 11)]})
    >>> team_days(agent_days(r, s), s).select("kept_share", "occupancy").row(-1)  # b never came
    (0.5, 0.75)
    """
    rules = rules or AttendanceRules()
    measured = days.filter(pl.col("status") != LEAVE_DAY)
    daily = _daily_state_minutes(measured, states)
    tot = daily.group_by("date").agg(
        logged_min=pl.col("minutes").filter(pl.col("state") != "logged_out").sum(),
        aux_min=pl.col("minutes").filter(pl.col("state").is_in(list(rules.aux_states))).sum(),
        serving_min=pl.col("minutes").filter(pl.col("state").is_in(list(rules.serving_states))).sum(),
        available_min=pl.col("minutes").filter(pl.col("state").is_in(list(rules.available_states))).sum(),
    )
    people = measured.group_by("date").agg(
        agents=pl.len().cast(pl.Int64), kept=pl.col("kept").sum().cast(pl.Int64),
        absent=(pl.col("status") == ABSENT).sum().cast(pl.Int64),
        **{c: pl.col(c).sum().cast(pl.Float64) for c in ("adherent_min", "scheduled_min", "worked_min", "work_min")})
    per = people.join(tot, on="date", how="left").with_columns(pl.col(tot.columns[1:]).fill_null(0.0)).sort("date")
    total = per.select(pl.lit(None, pl.Date).alias("date"), pl.exclude("date").sum())
    per = pl.concat([per, total.cast(per.schema)])
    return per.with_columns(
        kept_share=_ratio(pl.col("kept"), pl.col("agents")),
        time_adherence=_ratio(pl.col("adherent_min"), pl.col("scheduled_min")),
        conformance=_ratio(pl.col("worked_min"), pl.col("work_min")),
        aux_share=_ratio(pl.col("aux_min"), pl.col("logged_min")),
        occupancy=_ratio(pl.col("serving_min"), pl.col("serving_min") + pl.col("available_min")),
    ).with_columns(
        kept_target=pl.lit(adherence_target),
        kept_ok=pl.col("kept_share") >= adherence_target,
        aux_target=pl.lit(max_aux_share),
        aux_ok=pl.col("aux_share") < max_aux_share,
        occupancy_target=pl.lit(min_occupancy),
        occupancy_ok=pl.col("occupancy") >= min_occupancy,
    )


def _ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den > 0).then(num / den).otherwise(None)


# ------------------------------------------------------------------------- leave and warnings
@dataclass
class WarningRules:
    """Warnings for leave and absence (docs/domain.md section 4); the notice itself is
    :class:`LeavePolicy`'s (the scheduler's rule, per contract and kind).

    >>> WarningRules().suspend_at
    3
    """

    late_notice_warnings: int = 1
    absence_warnings: int = 2
    #: this many warnings within ``window_days`` suspend the agent for ``suspension_days``
    suspend_at: int = 3
    window_days: int = 183
    suspension_days: int = 30

    @classmethod
    def from_config(cls, cfg) -> WarningRules:
        """The warning figures of the center's ``[adherence]`` section."""
        a = cfg.adherence
        return cls(a.late_notice_warnings, a.absence_warnings, a.suspend_at, a.window_days, a.suspension_days)


def warning_events(days: pl.DataFrame, leave: pl.DataFrame | None, rules: WarningRules | None = None,
                   policy: LeavePolicy | None = None) -> pl.DataFrame:
    """Every event that earns warnings: ``agent_id, at, event, detail, warnings``.

    ``late_notice``: leave taken with less notice than its kind and the agent's contract need
    (:func:`judge_leave`; a request filed during the shift in progress is no leave: the day is
    measured, and not coming is an absence). ``absent_without_leave``: an agent-day with status
    absent (see :func:`agent_days`). ``leave`` is judged here against the shifts of ``days``
    (``shift_start, shift_end``) with ``policy`` unless it is judged already.
    """
    rules = rules or WarningRules()
    schema = {"agent_id": pl.String, "at": pl.Datetime("us"), "event": pl.String, "detail": pl.String,
              "warnings": pl.Int64}
    parts = [pl.DataFrame(schema=schema)]
    absent = days.filter(pl.col("status") == ABSENT)
    parts.append(absent.select(
        "agent_id", at=pl.col("shift_start"), event=pl.lit("absent_without_leave"),
        detail=pl.format("shift {} absent", pl.col("shift_start").dt.strftime("%Y-%m-%d %H:%M")),
        warnings=pl.lit(rules.absence_warnings, pl.Int64)))
    if leave is not None and leave.height:
        if "taken" not in leave.columns:
            shifts = days.select("agent_id", activity=pl.lit("shift"), start=pl.col("shift_start"),
                                 end=pl.col("shift_end"))
            leave = judge_leave(leave, shifts, policy)
        late = leave.filter(pl.col("taken") & (pl.col("notice_rule") == NOTICE_LATE))
        parts.append(late.select(
            "agent_id", at=pl.col("requested_at"), event=pl.lit("late_notice"),
            detail=pl.format("{} leave from {} filed {} h before the shift at {}, {} h notice needed",
                             pl.col("kind"), pl.col("start").dt.strftime("%Y-%m-%d %H:%M"),
                             pl.col("given_h").round(1), pl.col("reference").dt.strftime("%Y-%m-%d %H:%M"),
                             pl.col("needed_h")),
            warnings=pl.lit(rules.late_notice_warnings, pl.Int64)))
    return pl.concat([p.cast(schema) for p in parts]).sort("agent_id", "at")


def leave_warnings(
    days: pl.DataFrame,
    leave: pl.DataFrame | None = None,
    rules: WarningRules | None = None,
    policy: LeavePolicy | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Warnings per agent and the events behind them.

    Returns ``(per_agent, events)``; ``per_agent`` has ``agent_id, late_notice, absent_without_leave,
    warnings, suspended_from, suspended_until`` with one row per agent in ``days``. An agent is
    suspended from the first event at which the warnings of the trailing ``window_days`` reach
    ``suspend_at``.

    >>> from datetime import date, datetime as dt
    >>> days = pl.DataFrame({"agent_id": ["a"], "date": [date(2026, 11, 2)], "skill": ["chat"],
    ...                      "shift_start": [dt(2026, 11, 2, 9)], "status": ["absent"]})
    >>> leave_warnings(days)[0]["warnings"].to_list()
    [2]
    """
    rules = rules or WarningRules()
    events = warning_events(days, leave, rules, policy)
    agents = days.select("agent_id").unique().sort("agent_id")
    susp_from: dict[str, datetime] = {}
    for agent, grp in events.group_by("agent_id"):
        at = grp["at"].to_numpy()
        w = grp["warnings"].to_numpy()
        # warnings in the trailing window ending at each event (events are sorted by time)
        lo = np.searchsorted(at, at - np.timedelta64(rules.window_days, "D"), side="right")
        csum = np.concatenate([[0], np.cumsum(w)])
        trailing = csum[1:] - csum[lo]
        hit = np.flatnonzero(trailing >= rules.suspend_at)
        if hit.size:
            susp_from[agent[0]] = grp["at"][int(hit[0])]
    counts = events.group_by("agent_id").agg(
        late_notice=(pl.col("event") == "late_notice").sum(),
        absent_without_leave=(pl.col("event") == "absent_without_leave").sum(),
        warnings=pl.col("warnings").sum())
    susp = pl.DataFrame({"agent_id": list(susp_from), "suspended_from": list(susp_from.values())},
                        schema={"agent_id": pl.String, "suspended_from": pl.Datetime("us")})
    per = (agents.join(counts, on="agent_id", how="left").fill_null(0).join(susp, on="agent_id", how="left")
           .with_columns(suspended_until=pl.col("suspended_from") + pl.duration(days=rules.suspension_days)))
    return per, events



def agent_summary(days: pl.DataFrame) -> pl.DataFrame:
    """One row per agent over the period: shifts, adherence and conformance (time-weighted over
    measured days), days per lateness class, early leaves, paid hours and days kept.

    >>> from datetime import date
    >>> d = pl.DataFrame({"agent_id": ["a", "a"], "date": [date(2026, 11, 2), date(2026, 11, 3)],
    ...     "status": ["worked", "worked"], "scheduled_min": [480.0, 240.0], "adherent_min": [480.0, 120.0],
    ...     "work_min": [450.0, 240.0], "worked_min": [450.0, 120.0], "lateness": ["on_time", "late_10_30"],
    ...     "early_leave": [False, False], "service_ratio": [0.9, 0.5], "paid_hours": [8.0, 2.0], "kept": [True, False]})
    >>> agent_summary(d)["adherence"].to_list()  # (480 + 120) / (480 + 240)
    [0.8333333333333334]
    """
    measured = pl.col("status") != LEAVE_DAY
    return days.group_by("agent_id").agg(
        shifts=pl.len(),
        leave_days=(~measured).sum(),
        adherence=pl.col("adherent_min").filter(measured).sum() / pl.col("scheduled_min").filter(measured).sum(),
        conformance=pl.col("worked_min").filter(measured).sum() / pl.col("work_min").filter(measured).sum(),
        **{c: (pl.col("lateness") == c).sum() for c in (ON_TIME, LATE_LT_10, LATE_10_30, LATE_30_60, ABSENT)},
        early_leaves=pl.col("early_leave").sum(),
        service_ratio=(pl.col("service_ratio") * pl.col("scheduled_min")).filter(measured).sum()
        / pl.col("scheduled_min").filter(measured).sum(),
        scheduled_hours=pl.col("scheduled_min").filter(measured).sum() / 60,
        paid_hours=pl.col("paid_hours").sum(),
        kept_days=pl.col("kept").sum(),
    ).sort("agent_id")
