"""The center configuration: one TOML file a planner edits.

Every figure has a default (docs/domain.md, section 9 lists them), so an empty section is a valid section.
Loading is strict: an unknown key (a typo) or an impossible value is a :class:`ConfigError`
that names the file, the key and the fix.

Example
-------
>>> cfg = CenterConfig.from_toml_text('''
... [center]
... name = "Tiny"
... [queues.calls]
... channel = "inbound_call"
... ''')
>>> cfg.queues["calls"].aht_seconds
180.0
"""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
import types
import math
import typing
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

from wfm.errors import ConfigError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# docs/domain.md section 1: handle time per channel (seconds) and whether the channel queues live.
CHANNEL_AHT_SECONDS = {
    "inbound_call": 180.0,
    "outbound_call": 180.0,
    "chat": 240.0,
    "email": 180.0,
    "post": 160.0,
    "form": 45.0,
}
#: levels an accuracy target can be measured at ([targets] *_accuracy_level)
ACCURACY_LEVELS = ("interval", "hour", "day")
LIVE_CHANNELS = frozenset({"inbound_call", "chat"})
# Due time of deferred work (minutes): how long an item may wait before it must be handled.
CHANNEL_DUE_MINUTES = {"email": 24 * 60, "post": 120, "form": 8 * 60, "outbound_call": 8 * 60}


def parse_hhmm(text: str, *, where: str) -> int:
    """Minutes after midnight of ``"HH:MM"`` (``"24:00"`` is the end of the day)."""
    try:
        hh, mm = text.strip().split(":")
        h, m = int(hh), int(mm)
    except (ValueError, AttributeError):
        raise ConfigError(f"{text!r} is not a time", fix='write it as "HH:MM", e.g. "08:30"', column=where) from None
    if not (0 <= h <= 24 and 0 <= m < 60) or (h == 24 and m):
        raise ConfigError(f"{text!r} is not a time of day", fix="use 00:00 to 24:00", column=where)
    return h * 60 + m


def parse_hours(text: str, *, where: str) -> tuple[int, int] | None:
    """Opening hours ``"08:00-20:00"`` as minutes ``(open, close)``; ``"closed"`` is ``None``."""
    if text.strip().lower() == "closed":
        return None
    if "-" not in text:
        raise ConfigError(f"{text!r} is not a range of hours", fix='write "08:00-20:00" or "closed"', column=where)
    a, b = text.split("-", 1)
    lo, hi = parse_hhmm(a, where=where), parse_hhmm(b, where=where)
    if hi <= lo:
        raise ConfigError(
            f"{text!r} closes before it opens",
            fix="hours must lie within one day (overnight opening is not supported yet)",
            column=where,
        )
    return lo, hi


@dataclass
class CenterSection:
    """The center as a whole."""

    name: str = "Contact center"
    interval_minutes: int = 30
    #: what to do with intervals missing from history inside opening hours: "fill" (with 0) or "refuse"
    missing_intervals: str = "fill"
    seed: int = 0

    def validate(self, where: str) -> None:
        if self.interval_minutes not in (5, 10, 15, 20, 30, 60):
            raise ConfigError(
                f"interval_minutes = {self.interval_minutes} is not supported",
                column=f"{where}.interval_minutes",
                fix="use 5, 10, 15, 20, 30 or 60",
            )
        _one_of(self.missing_intervals, ("fill", "refuse"), f"{where}.missing_intervals")


@dataclass
class TargetsSection:
    """Service and accuracy targets (docs/domain.md section 2)."""

    service_level: float = 0.80
    answer_seconds: float = 20.0
    max_asa_seconds: float = 20.0
    max_abandon_rate: float = 0.05
    max_occupancy: float = 0.85
    forecast_accuracy: float = 0.90
    staffing_accuracy: float = 0.90
    schedule_accuracy: float = 0.90
    #: level each accuracy target is measured at: "interval", "hour" or "day" (errors are
    #: summed to that level before they are added up, so a day's over- and under-forecast
    #: intervals cancel at "day"). Contact-volume accuracy is a match of the day's traffic
    #: (the outsourcer's KPI sheet); at the interval level Poisson noise alone keeps a queue
    #: of a dozen contacts an interval below 80 % (the report shows that noise floor).
    #: Staffing and schedule accuracy compare agents interval by interval, as rostered.
    forecast_accuracy_level: str = "day"
    staffing_accuracy_level: str = "interval"
    schedule_accuracy_level: str = "interval"
    adherence: float = 0.99
    min_occupancy: float = 0.70
    max_aux_share: float = 0.06

    def validate(self, where: str) -> None:
        for name in ("service_level", "max_abandon_rate", "max_occupancy", "forecast_accuracy",
                     "staffing_accuracy", "schedule_accuracy", "adherence", "min_occupancy",
                     "max_aux_share"):
            _fraction(getattr(self, name), f"{where}.{name}")
        for name in ("answer_seconds", "max_asa_seconds"):
            _positive(getattr(self, name), f"{where}.{name}")
        for name in ("forecast_accuracy_level", "staffing_accuracy_level", "schedule_accuracy_level"):
            _one_of(getattr(self, name), ACCURACY_LEVELS, f"{where}.{name}")


@dataclass
class StaffingSection:
    """Turning workload into scheduled heads."""

    #: share of paid time lost to breaks, training, absence: scheduled = net / (1 - shrinkage)
    shrinkage: float = 0.30
    #: share of a deferred-work agent's time that is productive (docs/domain.md section 1: 6 h of 8 h)
    productive_utilisation: float = 0.75
    #: deferred work: "level" (fewest agent-intervals, and among those the lowest peak: a roster
    #: can follow it) or "lazy" (fewest agent-intervals, work piled up at the due time)
    deferred_plan: str = "level"

    def validate(self, where: str) -> None:
        _one_of(self.deferred_plan, ("level", "lazy"), f"{where}.deferred_plan")
        if not 0 <= self.shrinkage < 1:
            raise ConfigError(f"shrinkage = {self.shrinkage} is impossible", column=f"{where}.shrinkage",
                              fix="give a fraction from 0 to below 1, e.g. 0.30")
        if not 0 < self.productive_utilisation <= 1:
            raise ConfigError(f"productive_utilisation = {self.productive_utilisation} is impossible",
                              column=f"{where}.productive_utilisation", fix="give a fraction above 0, at most 1")


@dataclass
class AdherenceSection:
    """Adherence and attendance (docs/domain.md section 6)."""

    #: minutes either side of a scheduled change in which the neighbouring activity still counts
    grace_minutes: float = 5.0
    #: an agent-day is "kept to schedule" when the agent came and adherence reaches this
    kept_adherence: float = 0.95
    #: arriving at most this many minutes after the shift start is on time (seconds of log-in
    #: latency are no lateness); must be below the first late bound
    on_time_minutes: float = 1.0
    #: leaving more than this many minutes before the shift end is an early leave
    early_leave_minutes: float = 1.0
    #: lateness classes: on time, late < 10, 10-30, 30-60, > 60 minutes = absent the whole day
    late_bounds_minutes: list[float] = field(default_factory=lambda: [10.0, 30.0, 60.0])
    #: pay factor cap for a late start or an early leave
    late_or_early_pay_factor: float = 0.90
    #: warnings (docs/domain.md section 4): leave with too little notice, absence without leave, and
    #: suspension for suspension_days at suspend_at warnings within window_days
    late_notice_warnings: int = 1
    absence_warnings: int = 2
    suspend_at: int = 3
    window_days: int = 183
    suspension_days: int = 30

    def validate(self, where: str) -> None:
        _fraction(self.kept_adherence, f"{where}.kept_adherence")
        _fraction(self.late_or_early_pay_factor, f"{where}.late_or_early_pay_factor")
        if self.grace_minutes < 0:
            raise ConfigError("grace_minutes is negative", column=f"{where}.grace_minutes", fix="give 0 or more")
        b = self.late_bounds_minutes
        if len(b) != 3 or not 0 < b[0] < b[1] < b[2]:
            raise ConfigError(f"{b} are not three increasing minute bounds", column=f"{where}.late_bounds_minutes",
                              fix="give e.g. [10, 30, 60]")
        if not 0 <= self.on_time_minutes < b[0]:
            raise ConfigError(f"on_time_minutes = {self.on_time_minutes:g} is impossible", column=f"{where}.on_time_minutes",
                              fix=f"give 0 or more minutes, below the first late bound ({b[0]:g})")
        for name in ("late_notice_warnings", "absence_warnings", "suspend_at", "window_days", "suspension_days"):
            if getattr(self, name) < (1 if name in ("suspend_at", "window_days") else 0):
                raise ConfigError(f"{name} = {getattr(self, name)} is impossible", column=f"{where}.{name}",
                                  fix="give a whole number >= 0 (suspend_at and window_days >= 1)")
        if self.early_leave_minutes < 0:
            raise ConfigError("early_leave_minutes is negative", column=f"{where}.early_leave_minutes",
                              fix="give 0 or more minutes")


@dataclass
class ForecastSection:
    """Forecasting settings."""

    #: model names, or empty for automatic choice by backtest
    models: list[str] = field(default_factory=list)
    level: float = 0.80
    origins: int = 3
    #: country for public holidays (the `holidays` package), e.g. "US", "CN"; empty for none
    holidays: str = ""

    def validate(self, where: str) -> None:
        if not 0.5 <= self.level < 1:
            raise ConfigError(f"level = {self.level} is impossible", column=f"{where}.level",
                              fix="give the interval level as a fraction, e.g. 0.80")
        if not 1 <= self.origins <= 52:
            raise ConfigError(f"origins = {self.origins} is impossible", column=f"{where}.origins",
                              fix="use 1 to 52 backtest origins")


@dataclass
class QueueSection:
    """One queue: a channel with its handle time, hours and targets."""

    channel: str = "inbound_call"
    #: the staff group (skill) that works this queue; queues sharing a skill share agents
    skill: str = ""
    aht_seconds: float | None = None
    #: per-weekday opening hours overriding [hours], e.g. {sat = "closed"}
    hours: dict[str, str] = field(default_factory=dict)
    service_level: float | None = None
    answer_seconds: float | None = None
    max_asa_seconds: float | None = None
    max_abandon_rate: float | None = None
    #: mean patience of callers (Erlang A); 0 means callers never abandon (Erlang C)
    patience_seconds: float = 0.0
    #: sessions one agent serves at once (chat)
    concurrency: int = 1
    #: deferred work: minutes within which an item must be handled
    due_minutes: int | None = None

    @property
    def live(self) -> bool:
        return self.channel in LIVE_CHANNELS

    def validate(self, where: str) -> None:
        _one_of(self.channel, tuple(CHANNEL_AHT_SECONDS), f"{where}.channel")
        if self.aht_seconds is None:
            self.aht_seconds = CHANNEL_AHT_SECONDS[self.channel]
        _positive(self.aht_seconds, f"{where}.aht_seconds")
        if self.concurrency < 1:
            raise ConfigError(f"concurrency = {self.concurrency} is impossible", column=f"{where}.concurrency",
                              fix="an agent serves at least 1 contact at a time")
        if self.patience_seconds < 0:
            raise ConfigError("patience_seconds is negative", column=f"{where}.patience_seconds",
                              fix="give the mean patience in seconds, or 0 for no abandonment")
        if self.due_minutes is None and not self.live:
            self.due_minutes = CHANNEL_DUE_MINUTES.get(self.channel, 24 * 60)
        if self.due_minutes is not None:
            _positive(self.due_minutes, f"{where}.due_minutes")
        for day, text in self.hours.items():
            _one_of(day, WEEKDAYS, f"{where}.hours")
            parse_hours(text, where=f"{where}.hours.{day}")
        for name in ("service_level", "max_abandon_rate"):
            v = getattr(self, name)
            if v is not None:
                _fraction(v, f"{where}.{name}")


@dataclass
class BreakSection:
    """A break or lunch inside a shift: its length and where it may start."""

    kind: str = "break"
    minutes: int = 15
    #: earliest start, minutes after the shift starts
    earliest_after: int = 60
    #: latest start, minutes after the shift starts
    latest_after: int = 180

    def validate(self, where: str) -> None:
        _one_of(self.kind, ("break", "lunch"), f"{where}.kind")
        _positive(self.minutes, f"{where}.minutes")
        if self.latest_after < self.earliest_after:
            raise ConfigError("latest_after is before earliest_after", column=where,
                              fix="the break window must not be empty")


@dataclass
class ShiftSection:
    """A shift template: its length, start window and breaks."""

    minutes: int = 480
    earliest_start: str = "07:00"
    latest_start: str = "14:00"
    step_minutes: int = 30
    breaks: list[BreakSection] = field(default_factory=list)

    def validate(self, where: str) -> None:
        _positive(self.minutes, f"{where}.minutes")
        lo = parse_hhmm(self.earliest_start, where=f"{where}.earliest_start")
        hi = parse_hhmm(self.latest_start, where=f"{where}.latest_start")
        if hi < lo:
            raise ConfigError("latest_start is before earliest_start", column=where,
                              fix="the start window must not be empty")
        if hi + self.minutes > 24 * 60:
            raise ConfigError(f"a shift starting at {self.latest_start} runs past midnight", column=where,
                              fix="shifts must end by 24:00; move latest_start earlier")
        _positive(self.step_minutes, f"{where}.step_minutes")
        for i, b in enumerate(self.breaks):
            b.validate(f"{where}.breaks[{i}]")
            if b.latest_after + b.minutes > self.minutes:
                raise ConfigError("the break can end after the shift", column=f"{where}.breaks[{i}]",
                                  fix="latest_after + minutes must be within the shift")

    @property
    def start_window(self) -> tuple[int, int]:
        return parse_hhmm(self.earliest_start, where=""), parse_hhmm(self.latest_start, where="")


@dataclass
class ContractSection:
    """A contract (docs/domain.md section 5): which shifts, how many days and minutes a week."""

    shifts: list[str] = field(default_factory=list)
    min_days_per_week: int = 5
    max_days_per_week: int = 5
    min_minutes_per_week: int = 0
    max_minutes_per_week: int = 7 * 24 * 60
    max_consecutive_days: int = 6
    min_consecutive_days_off: int = 1
    #: "5on2off", "1on1off" (alternating days) or "flexible"
    pattern: str = "flexible"
    paid_days_per_month: float = 21.75

    def validate(self, where: str) -> None:
        _one_of(self.pattern, ("5on2off", "1on1off", "flexible"), f"{where}.pattern")
        if not 0 <= self.min_days_per_week <= self.max_days_per_week <= 7:
            raise ConfigError("days per week must satisfy 0 <= min <= max <= 7", column=where,
                              fix="check min_days_per_week and max_days_per_week")
        if self.min_minutes_per_week > self.max_minutes_per_week:
            raise ConfigError("min_minutes_per_week exceeds max_minutes_per_week", column=where,
                              fix="swap or correct them")
        if not self.shifts:
            raise ConfigError("the contract names no shift", column=f"{where}.shifts",
                              fix='list the shift templates it may work, e.g. shifts = ["day8"]')


@dataclass
class RulesSection:
    """Roster rules (docs/domain.md sections 3-4)."""

    min_rest_hours: float = 11.0
    handover_minutes: int = 15
    continuous_coverage: bool = True
    #: notice for leave per contract (agents.csv 'contract'), hours; unlisted contracts use
    #: default_notice_hours; a [leave.KIND] may set its own notice or be exempt
    leave_notice_hours: dict[str, float] = field(default_factory=dict)
    default_notice_hours: float = 24.0
    time_limit_seconds: float = 20.0
    #: the roster solver's deterministic work budget (CP-SAT work units; the same inputs and
    #: work give the same roster on any machine); 0 = derived from time_limit_seconds
    solver_work: float = 0.0

    def validate(self, where: str) -> None:
        if self.min_rest_hours < 0 or self.handover_minutes < 0 or self.default_notice_hours < 0:
            raise ConfigError("a rule is negative", column=where, fix="rest, handover and notice are >= 0")
        _positive(self.time_limit_seconds, f"{where}.time_limit_seconds")
        if not (math.isfinite(self.solver_work) and self.solver_work >= 0):
            raise ConfigError(f"solver_work = {self.solver_work!r} is not a number >= 0", column=f"{where}.solver_work",
                              fix="give a work budget such as 3, or 0 to derive it from time_limit_seconds")


@dataclass
class LeaveKindSection:
    """A kind of leave, ``[leave.KIND]`` (docs/domain.md section 4): its notice, pay effect, paperwork.

    ``personal`` (the contract's notice, the day's pay deducted), ``sick`` (no notice, 40 %
    deducted, certificate) and ``annual`` (the contract's notice, paid) are known by default;
    a ``[leave.KIND]`` section changes one of them or adds a kind.
    """

    #: notice this kind needs, hours; unset: the contract's notice ([rules] leave_notice_hours)
    notice_hours: float | None = None
    #: no notice needed (sick leave is called in when it happens); a shift in progress still
    #: cannot be taken as leave
    notice_exempt: bool = False
    #: share of the day's pay deducted (1 = the whole day, 0.4 = 40 %)
    pay_deduction: float = 1.0
    #: a certificate must be handed in
    certificate: bool = False

    def validate(self, where: str) -> None:
        _fraction(self.pay_deduction, f"{where}.pay_deduction")
        if self.notice_hours is not None and self.notice_hours < 0:
            raise ConfigError("notice_hours is negative", column=f"{where}.notice_hours", fix="give 0 or more hours")
        if self.notice_hours is not None and self.notice_exempt:
            raise ConfigError("notice_hours is given for a kind exempt from notice", column=f"{where}.notice_hours",
                              fix="drop notice_hours, or set notice_exempt = false")


#: the leave kinds every center knows (docs/domain.md section 4); [leave.KIND] overrides or adds
DEFAULT_LEAVE_KINDS = {
    "personal": LeaveKindSection(pay_deduction=1.0),
    "sick": LeaveKindSection(notice_exempt=True, pay_deduction=0.4, certificate=True),
    "annual": LeaveKindSection(pay_deduction=0.0),
}


@dataclass
class CenterConfig:
    """The whole center. Build with :meth:`from_toml` or :meth:`from_toml_text`."""

    center: CenterSection = field(default_factory=CenterSection)
    targets: TargetsSection = field(default_factory=TargetsSection)
    staffing: StaffingSection = field(default_factory=StaffingSection)
    forecast: ForecastSection = field(default_factory=ForecastSection)
    adherence: AdherenceSection = field(default_factory=AdherenceSection)
    #: default opening hours per weekday, e.g. mon = "08:00-20:00"
    hours: dict[str, str] = field(default_factory=lambda: {d: "08:00-20:00" for d in WEEKDAYS})
    queues: dict[str, QueueSection] = field(default_factory=dict)
    shifts: dict[str, ShiftSection] = field(default_factory=dict)
    contracts: dict[str, ContractSection] = field(default_factory=dict)
    rules: RulesSection = field(default_factory=RulesSection)
    #: leave kinds by name, ``[leave.KIND]``; the defaults of :data:`DEFAULT_LEAVE_KINDS` are always known
    leave: dict[str, LeaveKindSection] = field(
        default_factory=lambda: {k: dataclasses.replace(v) for k, v in DEFAULT_LEAVE_KINDS.items()})
    source: str = "config"

    # ----------------------------------------------------------------- loading
    @classmethod
    def from_toml(cls, path: str | Path) -> CenterConfig:
        """Read and validate a center file."""
        path = Path(path)
        if not path.exists():
            raise ConfigError("file not found", file=str(path), fix="check the path, or create one with `wfm init DIR`")
        return cls.from_toml_text(path.read_text(encoding="utf-8"), source=str(path))

    @classmethod
    def from_toml_text(cls, text: str, *, source: str = "config") -> CenterConfig:
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"not valid TOML ({exc})", file=source, fix="fix the syntax at that line") from None
        # [leave.KIND] of a default kind changes only the keys it gives
        leave = raw.get("leave")
        if isinstance(leave, dict):
            for name, given in leave.items():
                if name in DEFAULT_LEAVE_KINDS and isinstance(given, dict):
                    base = {k: v for k, v in dataclasses.asdict(DEFAULT_LEAVE_KINDS[name]).items() if v is not None}
                    leave[name] = {**base, **given}
        try:
            cfg = _build(cls, raw, "", source)
            cfg.source = source
            cfg.validate()
        except ConfigError as exc:
            if exc.file is None:
                exc.file = source
                exc.args = (exc.render(),)
            raise
        return cfg

    def validate(self) -> None:
        self.center.validate("center")
        self.targets.validate("targets")
        self.staffing.validate("staffing")
        self.forecast.validate("forecast")
        self.adherence.validate("adherence")
        self.rules.validate("rules")
        for day, text in self.hours.items():
            _one_of(day, WEEKDAYS, "hours")
            parse_hours(text, where=f"hours.{day}")
        if not self.queues:
            raise ConfigError("no queue is configured", column="queues",
                              fix='add a [queues.NAME] section with channel = "inbound_call" or another channel')
        for name, q in self.queues.items():
            q.validate(f"queues.{name}")
            if not q.skill:
                q.skill = name
        for name, s in self.shifts.items():
            s.validate(f"shifts.{name}")
            if s.minutes % self.center.interval_minutes or s.step_minutes % self.center.interval_minutes:
                raise ConfigError("shift length and step must be whole intervals", column=f"shifts.{name}",
                                  fix=f"use multiples of interval_minutes = {self.center.interval_minutes}")
        for name, c in self.contracts.items():
            c.validate(f"contracts.{name}")
            for s in c.shifts:
                if s not in self.shifts:
                    raise ConfigError(f"unknown shift {s!r}", column=f"contracts.{name}.shifts",
                                      fix=_did_you_mean(s, self.shifts, "shift"))
        # leave notice is keyed by contract, for the scheduler and adherence alike
        for pool in self.rules.leave_notice_hours:
            if self.contracts and pool not in self.contracts:
                raise ConfigError(f"unknown contract {pool!r}", column=f"rules.leave_notice_hours.{pool}",
                                  fix="notice is set per contract (agents.csv 'contract'); "
                                  + _did_you_mean(pool, self.contracts, "contract"))
            if self.rules.leave_notice_hours[pool] < 0:
                raise ConfigError("the notice is negative", column=f"rules.leave_notice_hours.{pool}",
                                  fix="give 0 or more hours")
        for name, kind in self.leave.items():
            kind.validate(f"leave.{name}")
        self.leave = {**{k: dataclasses.replace(v) for k, v in DEFAULT_LEAVE_KINDS.items() if k not in self.leave},
                      **self.leave}

    # ----------------------------------------------------------------- helpers
    @property
    def interval(self) -> int:
        """Interval length in minutes."""
        return self.center.interval_minutes

    def skills(self) -> list[str]:
        """Staff groups in queue order, each once."""
        return list(dict.fromkeys(q.skill for q in self.queues.values()))

    def opening(self, queue: str, weekday: int) -> tuple[int, int] | None:
        """Opening hours of a queue on a weekday (0 = Monday) as minutes, or None if closed."""
        day = WEEKDAYS[weekday]
        q = self.queues[queue]
        text = q.hours.get(day, self.hours.get(day, "closed"))
        return parse_hours(text, where=f"queues.{queue}.hours.{day}")

    def target(self, queue: str, name: str) -> float:
        """A queue's target, falling back to [targets]."""
        v = getattr(self.queues[queue], name, None)
        return float(getattr(self.targets, name) if v is None else v)


# --------------------------------------------------------------------- internals
def _fraction(v: float, where: str) -> None:
    if not 0 <= v <= 1:
        raise ConfigError(f"{v} is not a fraction", column=where, fix="give a value from 0 to 1, e.g. 0.80 for 80 %")


def _positive(v: float, where: str) -> None:
    if not v > 0:
        raise ConfigError(f"{v} is not positive", column=where, fix="give a value above 0")


def _one_of(v: str, allowed: tuple[str, ...], where: str) -> None:
    if v not in allowed:
        raise ConfigError(f"{v!r} is not allowed", column=where, fix=f"use one of {', '.join(allowed)}")


def _did_you_mean(key: str, known: typing.Iterable[str], what: str) -> str:
    known = list(known)
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{hint}known {what}s: {', '.join(sorted(known)) or '(none)'}"


def _build(tp: Any, raw: Any, where: str, source: str) -> Any:
    """Turn parsed TOML into the annotated type ``tp``, refusing unknown keys and wrong types."""
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        if not isinstance(raw, dict):
            raise ConfigError(f"expected a table, found {type(raw).__name__}", column=where or "(top)",
                              fix="write it as a [section] or {key = value}")
        hints = typing.get_type_hints(tp)
        names = {f.name for f in dataclasses.fields(tp) if f.name != "source"}
        kwargs = {}
        for key, value in raw.items():
            path = f"{where}.{key}" if where else key
            if key not in names:
                raise ConfigError(f"unknown key {key!r}", column=path, fix=_did_you_mean(key, names, "key"))
            kwargs[key] = _build(hints[key], value, path, source)
        return tp(**kwargs)
    if origin is dict:
        _, vt = typing.get_args(tp)
        if not isinstance(raw, dict):
            raise ConfigError(f"expected a table, found {raw!r}", column=where, fix="write it as a [section]")
        return {str(k): _build(vt, v, f"{where}.{k}", source) for k, v in raw.items()}
    if origin is list:
        (et,) = typing.get_args(tp)
        if not isinstance(raw, list):
            raise ConfigError(f"expected a list, found {raw!r}", column=where, fix="write it as [a, b, ...]")
        return [_build(et, v, f"{where}[{i}]", source) for i, v in enumerate(raw)]
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _build(args[0], raw, where, source)
    if tp is float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ConfigError(f"expected a number, found {raw!r}", column=where, fix="write a number without quotes")
        return float(raw)
    if tp is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ConfigError(f"expected a whole number, found {raw!r}", column=where, fix="write e.g. 30")
        return raw
    if tp is bool:
        if not isinstance(raw, bool):
            raise ConfigError(f"expected true or false, found {raw!r}", column=where, fix="write true or false")
        return raw
    if tp is str:
        if not isinstance(raw, str):
            raise ConfigError(f"expected text, found {raw!r}", column=where, fix='put it in quotes, e.g. "08:00"')
        return raw
    if tp is time:  # pragma: no cover - not used by sections yet
        return raw
    raise TypeError(f"unsupported config type {tp!r} at {where}")
