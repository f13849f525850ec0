"""Leave notice: the one rule that says whether a leave request was filed in time.

:func:`judge_notice` is the rule itself, on plain values, so the scheduler (here, against the
published roster) and adherence (``wfm.adherence``, against the roster worked) apply the same
rule the same way. A request is judged against the first shift it touches; when it touches no
known shift, against the first moment inside the leave at which the agent's shifts may start
(a whole-day leave 00:00-24:00 of an agent whose shifts start from 08:00 counts from 08:00):

* filed while that shift is in progress -> ``in_progress`` (a shift already started cannot
  be taken as leave);
* filed less than the notice of the leave's kind and the agent's pool before it starts ->
  ``notice``; a kind exempt from notice (sick leave) needs none;
* otherwise ``ok``; the solver then grants it unless granting would break a hard rule
  (e.g. continuous coverage).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .types import Agent, Grid, LeaveDecision, LeaveRequest, Rules

#: outcomes of :func:`judge_notice`
NOTICE_OK, NOTICE_LATE, IN_PROGRESS, INVALID = "ok", "notice", "in_progress", "invalid"
#: how a refusal's reason starts, per outcome (:func:`refusal_rule` reads it back)
_REASON_START = {NOTICE_LATE: "notice:", IN_PROGRESS: "shift in progress:", INVALID: "invalid:"}


@dataclass(frozen=True)
class NoticeVerdict:
    """What :func:`judge_notice` found for one request.

    ``reference`` is the start the notice counts to (of the touched shift, else the first
    possible shift start inside the leave); ``given_h`` the hours between filing and it
    (negative when filed after it), ``needed_h`` the notice needed; ``reason`` is for people.
    """

    rule: str
    reference: datetime
    shift: tuple[datetime, datetime] | None
    given_h: float
    needed_h: float
    reason: str

    @property
    def ok(self) -> bool:
        return self.rule == NOTICE_OK


def judge_notice(req: LeaveRequest, notice_min: int, shifts: Iterable[tuple[datetime, datetime]] = (),
                 first_start_min: int = 0, who: str = "") -> NoticeVerdict:
    """Judge one leave request against the notice rule.

    Parameters
    ----------
    req : the request (``start, end, kind, requested_at``).
    notice_min : the notice it needs, minutes (0 for a kind exempt from notice).
    shifts : the agent's known shifts as ``(start, end)`` (published or worked roster).
    first_start_min : minutes after midnight before which none of the agent's shifts starts;
        the reference when the request touches no known shift.
    who : words naming whose notice it is, for the reason (e.g. ``"personal leave, pool 'x'"``).

    >>> r = LeaveRequest("a", datetime(2026, 1, 6), datetime(2026, 1, 7), "personal",
    ...                  requested_at=datetime(2026, 1, 5, 6))
    >>> v = judge_notice(r, 24 * 60, [(datetime(2026, 1, 6, 9), datetime(2026, 1, 6, 17))])
    >>> v.rule, v.given_h  # 27 h before the 09:00 shift, not 18 h before midnight
    ('ok', 27.0)
    """
    touched = sorted((s, e) for s, e in shifts if s < req.end and req.start < e)
    shift = touched[0] if touched else None
    if shift:
        ref = shift[0]
    else:
        ref = req.start
        day = datetime.combine(req.start.date(), datetime.min.time())
        while day < req.end:
            first = max(req.start, day + timedelta(minutes=first_start_min))
            if first < req.end and first < day + timedelta(days=1):
                ref = first
                break
            day += timedelta(days=1)
    given = (ref - req.requested_at).total_seconds() / 3600
    need = notice_min / 60

    def verdict(rule: str, text: str = "") -> NoticeVerdict:
        return NoticeVerdict(rule, ref, shift, given, need, f"{_REASON_START[rule]} {text}" if text else "")

    if req.end <= req.start:
        return verdict(INVALID, "leave ends before it starts")
    if shift and shift[0] <= req.requested_at < shift[1]:
        return verdict(IN_PROGRESS, f"filed {req.requested_at:%Y-%m-%d %H:%M}, during the shift "
                       f"{shift[0]:%Y-%m-%d %H:%M}-{shift[1]:%H:%M}; a shift already started cannot be "
                       "taken as leave")
    if given < need:
        what = "the shift" if shift else "its first possible shift"
        return verdict(NOTICE_LATE, f"filed {given:.1f} h before {what} starts ({ref:%Y-%m-%d %H:%M}); "
                       f"{who or 'this leave'} needs {need:g} h")
    return verdict(NOTICE_OK)


def refusal_rule(reason: str) -> str | None:
    """The outcome of :func:`judge_notice` a refusal's reason was written for (``notice``,
    ``in_progress``, ``invalid``), or None for a refusal by another rule (e.g. coverage).

    >>> refusal_rule("shift in progress: filed ..."), refusal_rule("continuous coverage ...")
    ('in_progress', None)
    """
    for rule, start in _REASON_START.items():
        if reason.startswith(start):
            return rule
    return None


@dataclass(frozen=True)
class NoticeCheck:
    """Outcome of the notice check of one request: a refusal, or a candidate for the solver."""

    request: LeaveRequest
    refusal: LeaveDecision | None
    reference: datetime  # start of the touched shift (or of the first possible one)


def published_shifts(agent: Agent, templates: dict) -> list[tuple[datetime, datetime]]:
    """``(start, end)`` of the agent's shifts in the published roster (``Agent.previous``)."""
    out = []
    for day, prev in sorted(agent.previous.items()):
        t = templates.get(prev.template)
        if t is None:
            continue
        start = datetime.combine(day, datetime.min.time()) + timedelta(minutes=prev.start_min)
        out.append((start, start + timedelta(minutes=t.length_min)))
    return out


def first_start_min(agent: Agent, templates: dict) -> int:
    """Earliest start (minutes after midnight) of the shift templates the agent's contract allows."""
    allowed = [t for name, t in templates.items() if not agent.contract.templates or name in agent.contract.templates]
    return min((t.earliest_start_min for t in allowed), default=0)


def check_notice(req: LeaveRequest, agent: Agent, rules: Rules, grid: Grid,
                 templates: dict) -> NoticeCheck:
    """Apply the notice rule (:func:`judge_notice`) of the request's kind and the agent's pool.

    >>> from datetime import date
    >>> from solvers.types import Contract
    >>> a = Agent("a", Contract("c"), pool="cloud")
    >>> r = LeaveRequest("a", datetime(2026, 1, 5, 9), datetime(2026, 1, 5, 11),
    ...                  requested_at=datetime(2026, 1, 5, 8))
    >>> check_notice(r, a, Rules(), Grid(date(2026, 1, 5), 1), {}).refusal.reason[:6]
    'notice'
    """
    v = judge_notice(req, rules.leave_notice_min(agent.pool, req.kind), published_shifts(agent, templates),
                     first_start_min(agent, templates), who=f"{req.kind} leave in pool {agent.pool!r}")
    return NoticeCheck(req, None if v.ok else LeaveDecision(req, False, v.reason), v.reference)
