"""Leave notice: which leave requests may be granted before coverage is looked at.

A request is judged against the shift it touches in the published roster (``Agent.previous``);
when no published shift touches it, against the start of the leave itself:

* filed while that shift is in progress -> refused ("shift in progress");
* filed less than the pool's notice before that shift starts -> refused ("notice");
* otherwise it is a candidate; the solver then grants it unless granting would break a
  hard rule (e.g. continuous coverage).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .types import Agent, Grid, LeaveDecision, LeaveRequest, Rules


@dataclass(frozen=True)
class NoticeCheck:
    """Outcome of the notice check of one request: a refusal, or a candidate for the solver."""

    request: LeaveRequest
    refusal: LeaveDecision | None
    reference: datetime  # start of the touched shift (or of the leave)


def _touched_shift(agent: Agent, req: LeaveRequest, grid: Grid, templates: dict):
    """(start, end) of the first published shift overlapping the request, or None."""
    for day, prev in sorted(agent.previous.items()):
        t = templates.get(prev.template)
        if t is None:
            continue
        start = datetime.combine(day, datetime.min.time()) + timedelta(minutes=prev.start_min)
        end = start + timedelta(minutes=t.length_min)
        if start < req.end and req.start < end:
            return start, end
    return None


def check_notice(req: LeaveRequest, agent: Agent, rules: Rules, grid: Grid,
                 templates: dict) -> NoticeCheck:
    """Apply the notice rules of the agent's pool to one request.

    >>> from datetime import date
    >>> from solvers.types import Contract
    >>> a = Agent("a", Contract("c"), pool="cloud")
    >>> r = LeaveRequest("a", datetime(2026, 1, 5, 9), datetime(2026, 1, 5, 11),
    ...                  requested_at=datetime(2026, 1, 5, 8))
    >>> check_notice(r, a, Rules(), Grid(date(2026, 1, 5), 1), {}).refusal.reason[:6]
    'notice'
    """
    notice = timedelta(minutes=rules.notice_min(agent.pool))
    touched = _touched_shift(agent, req, grid, templates)
    ref_start, ref_end = touched if touched else (req.start, req.end)
    if req.end <= req.start:
        return NoticeCheck(req, LeaveDecision(req, False, "invalid: leave ends before it starts"),
                           ref_start)
    if touched and ref_start <= req.requested_at < ref_end:
        return NoticeCheck(req, LeaveDecision(
            req, False, f"shift in progress: filed {req.requested_at:%Y-%m-%d %H:%M}, during the "
            f"shift {ref_start:%Y-%m-%d %H:%M}-{ref_end:%H:%M}; a shift already started cannot "
            "be taken as leave"), ref_start)
    given = ref_start - req.requested_at
    if given < notice:
        hours = given.total_seconds() / 3600
        return NoticeCheck(req, LeaveDecision(
            req, False, f"notice: filed {hours:.1f} h before {'the shift' if touched else 'it'} "
            f"starts ({ref_start:%Y-%m-%d %H:%M}); pool {agent.pool!r} needs "
            f"{notice.total_seconds() / 3600:g} h"), ref_start)
    return NoticeCheck(req, None, ref_start)
