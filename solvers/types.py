"""Typed inputs and outputs of the roster solver.

Plain dataclasses, no dependency on ``wfm``. Times inside a day are minutes from midnight
(``0..1440``); a shift starts and ends on the same calendar day (shifts never cross midnight).
Dates are :class:`datetime.date`, leave instants are naive :class:`datetime.datetime` in the
center's local time.

Two ways to state what is needed:

* **interval mode** (a contact center): ``Problem.requirement[skill]`` is an integer array
  ``(days, intervals_per_day)`` of agents needed on line per interval; breaks and lunches take
  agents off line.
* **classic mode** (nurse-rostering style, e.g. the Curtois benchmark): ``Problem.cover`` lists
  how many agents each shift template needs on each day.

Example
-------
>>> from datetime import date
>>> import numpy as np
>>> grid = Grid(start=date(2026, 1, 5), days=1, interval_min=60,
...             open={"voice": np.ones((1, 24), dtype=bool)})
>>> grid.intervals_per_day
24
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

import numpy as np

MINUTES_PER_DAY = 1440


class SolverInputError(ValueError):
    """A roster problem is malformed (unknown template, misaligned times, bad array shape ...).

    The message names the object, the field and the fix.
    """


@dataclass(frozen=True)
class Grid:
    """The planning horizon cut into intervals.

    Parameters
    ----------
    start : first day of the horizon.
    days : number of days.
    interval_min : interval length in minutes (15 or 30 in a contact center); must divide 1440.
    open : opening hours per skill/queue, bool array ``(days, intervals_per_day)``.

    >>> Grid(date(2026, 1, 5), 7, 30).intervals_per_day
    48
    """

    start: date
    days: int
    interval_min: int = 15
    open: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def intervals_per_day(self) -> int:
        return MINUTES_PER_DAY // self.interval_min

    def date_of(self, day: int) -> date:
        return self.start + timedelta(days=day)

    def day_of(self, when: date) -> int:
        return (when - self.start).days

    def at(self, day: int, minute: int) -> datetime:
        """Datetime of ``minute`` past midnight on horizon day ``day``."""
        return datetime.combine(self.date_of(day), datetime.min.time()) + timedelta(minutes=minute)


@dataclass(frozen=True)
class BreakRule:
    """A break or lunch inside a shift, placed by the solver.

    Its start lies between ``earliest_after_min`` and ``latest_after_min`` after the shift start.

    >>> BreakRule(15, 90, 150).kind
    'break'
    """

    length_min: int
    earliest_after_min: int
    latest_after_min: int
    kind: Literal["break", "lunch"] = "break"


@dataclass(frozen=True)
class ShiftTemplate:
    """A kind of shift: its length, the window its start may lie in, its breaks.

    Starts are ``earliest_start_min, earliest_start_min + step_min, ... <= latest_start_min``;
    a start whose shift would cross midnight is dropped.
    ``forbidden_next`` names templates that may not be worked the next day.

    >>> ShiftTemplate("early", 480, 360, 480, 60).starts()
    [360, 420, 480]
    """

    name: str
    length_min: int
    earliest_start_min: int = 0
    latest_start_min: int = 0
    step_min: int = 15
    breaks: tuple[BreakRule, ...] = ()
    forbidden_next: frozenset[str] = frozenset()

    def starts(self) -> list[int]:
        step = max(self.step_min, 1)
        last = min(self.latest_start_min, MINUTES_PER_DAY - self.length_min)
        return list(range(self.earliest_start_min, last + 1, step))


@dataclass(frozen=True)
class Contract:
    """What an agent's contract allows. ``None`` means "no limit".

    * ``templates``: the shift templates this contract may work (empty = all).
    * ``days_per_week`` / ``minutes_per_week``: (min, max) per full 7-day week of the horizon.
    * ``total_minutes``: (min, max) over the whole horizon.
    * ``max_shifts``: max number of shifts of each template over the horizon.
    * ``max_consecutive_days`` (default 6: no 7-day stretches), ``min_consecutive_days``,
      ``min_consecutive_days_off``: runs touching the horizon's edges are not held to minimums.
    * ``max_weekends``: max weekends worked (a weekend is worked if Saturday or Sunday is).
    * ``pattern``: ``"5on2off"`` (two days off a week, preferably consecutive: soft),
      ``"1on1off"`` (alternating days, hard), ``"part_time"`` or ``None``.
    * ``leave_credit_min``: minutes a granted full day of leave counts toward minimum minutes.

    >>> Contract("full_time", days_per_week=(5, 5), pattern="5on2off").max_consecutive_days
    6
    """

    name: str
    templates: tuple[str, ...] = ()
    days_per_week: tuple[int, int] | None = None
    minutes_per_week: tuple[int, int] | None = None
    total_minutes: tuple[int, int] | None = None
    max_shifts: dict[str, int] = field(default_factory=dict)
    max_consecutive_days: int | None = 6
    min_consecutive_days: int = 1
    min_consecutive_days_off: int = 1
    max_weekends: int | None = None
    pattern: Literal["5on2off", "1on1off", "part_time"] | None = None
    leave_credit_min: int = 480


@dataclass(frozen=True)
class ShiftRequest:
    """A soft wish: work (``on=True``) or not work (``on=False``) on a day.

    ``template=None`` means any shift. The weight is the cost of not granting it.

    >>> ShiftRequest(date(2026, 1, 5), on=False, weight=3).template is None
    True
    """

    day: date
    on: bool
    template: str | None = None
    weight: int = 1


@dataclass(frozen=True)
class PreviousShift:
    """A shift of the published (previous) roster, for stability and leave notice."""

    template: str
    start_min: int
    skill: str | None = None


@dataclass(frozen=True)
class Agent:
    """A person to roster.

    * ``skills``: queues the agent can serve; the agent serves exactly one skill per shift.
    * ``pool``: leave-notice and support pool (e.g. ``"chat_desk"``, ``"cloud"``).
    * ``unavailable`` / ``fixed_days_off``: days the agent must not work (hard).
    * ``requests``: soft shift on/off wishes.
    * ``previous``: the published roster, per date, for stability and leave notice.

    >>> Agent("a1", Contract("ft"), ("voice",)).pool
    'default'
    """

    agent_id: str
    contract: Contract
    skills: tuple[str, ...] = ()
    pool: str = "default"
    unavailable: frozenset[date] = frozenset()
    fixed_days_off: frozenset[date] = frozenset()
    requests: tuple[ShiftRequest, ...] = ()
    previous: dict[date, PreviousShift] = field(default_factory=dict)


@dataclass(frozen=True)
class LeaveRequest:
    """Leave asked for ``[start, end)`` by ``agent_id``, filed at ``requested_at``.

    >>> LeaveRequest("a1", datetime(2026, 1, 6), datetime(2026, 1, 7),
    ...              requested_at=datetime(2026, 1, 4)).kind
    'personal'
    """

    agent_id: str
    start: datetime
    end: datetime
    kind: str = "personal"
    requested_at: datetime = datetime.min


@dataclass(frozen=True)
class LeaveKind:
    """A kind of leave (docs/domain.md section 4): the notice it needs, its pay effect, its paperwork.

    * ``notice_min``: notice this kind needs, minutes; ``None`` = the agent's pool notice
      (:meth:`Rules.notice_min`).
    * ``notice_exempt``: no notice needed (sick leave is called in when it happens); a shift
      already in progress still cannot be taken as leave.
    * ``pay_deduction``: share of the day's pay deducted (personal 1.0, sick 0.4, annual 0).
    * ``certificate``: a certificate must be handed in (sick leave).

    >>> DEFAULT_LEAVE_KINDS["sick"].pay_deduction
    0.4
    """

    name: str
    notice_min: int | None = None
    notice_exempt: bool = False
    pay_deduction: float = 1.0
    certificate: bool = False


#: the kinds of docs/domain.md section 4 (and paid annual leave, which the sample center files)
DEFAULT_LEAVE_KINDS: dict[str, LeaveKind] = {
    "personal": LeaveKind("personal", pay_deduction=1.0),
    "sick": LeaveKind("sick", notice_exempt=True, pay_deduction=0.4, certificate=True),
    "annual": LeaveKind("annual", pay_deduction=0.0),
}


@dataclass(frozen=True)
class ShiftCover:
    """Classic cover: ``required`` agents on ``template`` on horizon day ``day`` (soft)."""

    day: int
    template: str
    required: int
    weight_under: int = 100
    weight_over: int = 1


@dataclass(frozen=True)
class Rules:
    """Hard-rule switches and numbers, and the weights of soft rules.

    Defaults are the domain's (docs/domain.md, sections 3-4): 11 h rest, 15 min handover, continuous coverage on,
    leave notice 24 h for the chat desk and 2 h for cloud agents, sick leave without notice.

    >>> Rules().notice_min("cloud")
    120
    """

    min_rest_min: int = 660
    handover_min: int = 15
    continuous_coverage: bool = True
    handover: bool = True
    notice_min_by_pool: dict[str, int] = field(
        default_factory=lambda: {"chat_desk": 24 * 60, "cloud": 2 * 60}
    )
    default_notice_min: int = 24 * 60
    #: leave kinds by name; a kind not listed needs the pool's notice
    leave_kinds: dict[str, LeaveKind] = field(default_factory=lambda: dict(DEFAULT_LEAVE_KINDS))
    support_pools: dict[str, str] = field(default_factory=dict)
    support_hard: bool = False
    late_after_min: int = 20 * 60
    # soft weights
    under_weight: int = 100
    over_weight: int = 1
    support_weight: int = 50
    split_days_off_weight: int = 5
    stability_weight: int = 2
    weekend_fairness_weight: int = 1
    late_fairness_weight: int = 1
    leave_refusal_weight: int = 10_000

    def notice_min(self, pool: str) -> int:
        return self.notice_min_by_pool.get(pool, self.default_notice_min)

    def leave_notice_min(self, pool: str, kind: str) -> int:
        """Notice (minutes) a leave of ``kind`` by an agent of ``pool`` needs; 0 when exempt.

        >>> Rules().leave_notice_min("chat_desk", "sick"), Rules().leave_notice_min("chat_desk", "personal")
        (0, 1440)
        """
        k = self.leave_kinds.get(kind)
        if k is None or (k.notice_min is None and not k.notice_exempt):
            return self.notice_min(pool)
        return 0 if k.notice_exempt else int(k.notice_min)


@dataclass
class Problem:
    """Everything the solver needs. Give ``requirement`` (interval mode) or ``cover`` (classic).

    ``requirement[skill]`` is an int array ``(days, intervals_per_day)`` of agents needed.
    """

    grid: Grid
    templates: list[ShiftTemplate]
    agents: list[Agent]
    requirement: dict[str, np.ndarray] = field(default_factory=dict)
    cover: list[ShiftCover] = field(default_factory=list)
    leave: list[LeaveRequest] = field(default_factory=list)
    rules: Rules = field(default_factory=Rules)

    @property
    def interval_mode(self) -> bool:
        return bool(self.requirement)

    def template(self, name: str) -> ShiftTemplate:
        for t in self.templates:
            if t.name == name:
                return t
        raise SolverInputError(f"shift template {name!r} is not defined; define it in templates")

    def skills(self) -> list[str]:
        names = set(self.requirement) | set(self.grid.open)
        for a in self.agents:
            names |= set(a.skills)
        return sorted(names)


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Activity:
    """A break or lunch inside a shift, minutes from midnight."""

    kind: Literal["break", "lunch"]
    start_min: int
    end_min: int


@dataclass(frozen=True)
class Assignment:
    """One agent's shift on one day."""

    agent_id: str
    day: int
    template: str
    start_min: int
    end_min: int
    skill: str | None = None
    breaks: tuple[Activity, ...] = ()


@dataclass(frozen=True)
class LeaveDecision:
    """The answer to a leave request, with the reason a person can read."""

    request: LeaveRequest
    granted: bool
    reason: str


@dataclass(frozen=True)
class SoftViolation:
    """A soft rule not fully met, and what it costs in the objective."""

    rule: str
    cost: int
    detail: str
    agent_id: str | None = None
    day: int | None = None


@dataclass(frozen=True)
class Conflict:
    """One rule (on one agent or day) in a set of rules that cannot all hold together."""

    rule: str
    agent_id: str | None = None
    day: int | None = None
    detail: str = ""

    def describe(self, grid: Grid | None = None) -> str:
        """The conflict in a planner's words; with ``grid`` the day is named by its date.

        >>> Conflict("handover", "a1", 0, "no overlap").describe(Grid(date(2026, 11, 16), 7, 30))
        'handover (agent a1, Mon 16 Nov 2026): no overlap'
        """
        where = []
        if self.agent_id is not None:
            where.append(f"agent {self.agent_id}")
        if self.day is not None:
            where.append(f"{grid.date_of(self.day):%a %d %b %Y}" if grid is not None else f"day {self.day}")
        text = self.rule + (f" ({', '.join(where)})" if where else "")
        return text + (f": {self.detail}" if self.detail else "")

    def __str__(self) -> str:
        return self.describe()


@dataclass
class RosterResult:
    """What :func:`solvers.solve` found.

    ``status`` is CP-SAT's (``OPTIMAL``, ``FEASIBLE``, ``INFEASIBLE``, ``UNKNOWN``,
    ``MODEL_INVALID``). For ``INFEASIBLE``, ``explanation`` lists rules that cannot hold
    together (by rule, agent and day) so a planner can relax one of them.
    ``first_solution_s`` is the wall time (from the call, model building included) at which
    the first feasible roster was found; ``build_s`` the time spent building the model.
    ``work`` is the deterministic work spent (:mod:`solvers.budget`); ``wall_cut`` names the
    searches the wall-clock limit stopped before their work was spent (empty: the roster is the
    one any machine gives for the same inputs, seed and work); ``message`` says, when there is
    no roster, whether none exists (proved) or none was found in time, and what to do.
    """

    status: str
    objective: float | None
    bound: float | None
    wall_time_s: float
    problem: Problem
    first_solution_s: float | None = None
    build_s: float | None = None
    assignments: list[Assignment] = field(default_factory=list)
    leave_decisions: list[LeaveDecision] = field(default_factory=list)
    violations: list[SoftViolation] = field(default_factory=list)
    explanation: list[Conflict] = field(default_factory=list)
    work: float = 0.0
    wall_cut: tuple[str, ...] = ()
    message: str = ""

    @property
    def deterministic(self) -> bool:
        """Whether no search was stopped by the wall clock (the answer depends only on the
        inputs, the seed and the work budget)."""
        return not self.wall_cut

    @property
    def feasible(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")

    @property
    def gap(self) -> float | None:
        """Relative gap ``(objective - bound) / objective`` (0 when solved to optimality; None
        without a bound or when the bound is not a valid one: negative or above the objective)."""
        if self.objective is None or self.bound is None:
            return None
        if self.bound < 0 or self.bound > self.objective + 1e-9:
            return None
        return 0.0 if self.objective == 0 else (self.objective - self.bound) / abs(self.objective)

    def coverage(self) -> dict[str, np.ndarray]:
        """Agents on line per skill and interval ``(days, intervals_per_day)`` (breaks excluded)."""
        g = self.problem.grid
        out = {k: np.zeros((g.days, g.intervals_per_day), dtype=np.int64)
               for k in self.problem.skills()}
        for a in self.assignments:
            if a.skill is None:
                continue
            row = out.setdefault(a.skill, np.zeros((g.days, g.intervals_per_day), np.int64))[a.day]
            row[a.start_min // g.interval_min: a.end_min // g.interval_min] += 1
            for b in a.breaks:
                row[b.start_min // g.interval_min: b.end_min // g.interval_min] -= 1
        return out

    def coverage_frame(self):
        """Long polars frame: ``queue``, ``start``, ``required``, ``scheduled``."""
        import polars as pl

        g = self.problem.grid
        cov = self.coverage()
        starts = np.array(
            [g.at(d, i * g.interval_min) for d in range(g.days) for i in range(g.intervals_per_day)]
        )
        frames = []
        for k, arr in cov.items():
            req = self.problem.requirement.get(k, np.zeros_like(arr))
            frames.append(pl.DataFrame({
                "queue": [k] * arr.size, "start": starts,
                "required": np.asarray(req).ravel().astype(np.int64),
                "scheduled": arr.ravel(),
            }))
        return pl.concat(frames) if frames else pl.DataFrame()

    def roster_rows(self) -> list[dict]:
        """One row per agent activity: ``agent_id, date, activity, start, end, skill``.

        ``activity`` is ``shift``, ``break``, ``lunch`` or ``leave`` (granted leave only).
        """
        g = self.problem.grid
        rows: list[dict] = []
        for a in sorted(self.assignments, key=lambda r: (r.agent_id, r.day)):
            day = g.date_of(a.day)
            rows.append({"agent_id": a.agent_id, "date": day, "activity": "shift",
                         "start": g.at(a.day, a.start_min), "end": g.at(a.day, a.end_min),
                         "skill": a.skill})
            for b in a.breaks:
                rows.append({"agent_id": a.agent_id, "date": day, "activity": b.kind,
                             "start": g.at(a.day, b.start_min), "end": g.at(a.day, b.end_min),
                             "skill": a.skill})
        for dec in self.leave_decisions:
            if dec.granted:
                r = dec.request
                rows.append({"agent_id": r.agent_id, "date": r.start.date(), "activity": "leave",
                             "start": r.start, "end": r.end, "skill": None})
        return rows

    def roster_frame(self):
        """:meth:`roster_rows` as a polars frame (the roster data contract)."""
        import polars as pl

        schema = {"agent_id": pl.Utf8, "date": pl.Date, "activity": pl.Utf8,
                  "start": pl.Datetime, "end": pl.Datetime, "skill": pl.Utf8}
        return pl.DataFrame(self.roster_rows(), schema=schema)

    def to_csv(self, path) -> None:
        """Write the roster CSV, one row per agent activity."""
        self.roster_frame().write_csv(path)
