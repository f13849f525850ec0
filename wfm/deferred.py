"""Deferred work (posts, e-mail, forms, outbound lists): staff by workload within a due time.

Deferred contacts do not queue in real time. Each interval brings ``work`` seconds of handling
(volume x AHT); an item may be handled in the interval it arrives or in any later interval up
to its due interval; what is not handled is carried over as backlog. A scheduled agent gives
``capacity`` productive seconds per interval (interval length x productive utilisation,
docs/domain.md section 1: 6 productive hours of 8, so one agent-day covers 135 posts at 160 s).

:func:`lazy_schedule` finds the fewest agent-intervals that clear every item by its due
time. It works earliest-due-first and, in each interval, staffs only the whole agents needed
to clear what falls due now; spare minutes of those agents go to the next-due items
(work conserving). Because the due times are in arrival order (one due time per queue),
an exchange argument shows no schedule uses fewer agents up to any interval, so none uses
fewer in total; ``tests/test_deferred.py`` checks it against brute force and an integer
program. That plan is as late as allowed, so it is spiky (a day's e-mail at the last
interval before its due time); :func:`level_schedule`, which :mod:`wfm.staffing` uses, keeps
the fewest agent-intervals and lowers the peak as far as that allows.

Example
-------
>>> plan = lazy_schedule(work=[3600.0, 0.0, 0.0, 0.0], due=[3, 3, 3, 3], capacity=1350.0)
>>> plan.agents.tolist(), plan.backlog.tolist()
([0, 0, 0, 3], [3600.0, 3600.0, 3600.0, 0.0])
>>> level_schedule(work=[3600.0, 0.0, 0.0, 0.0], due=[3, 3, 3, 3], capacity=1350.0).agents.tolist()
[0, 1, 1, 1]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

#: docs/domain.md section 1: productive seconds in an 8-hour day at 75 % utilisation.
PRODUCTIVE_SECONDS_PER_DAY = 8 * 3600 * 0.75


@dataclass
class DeferredPlan:
    """Agents per interval and the work they clear.

    ``agents`` whole scheduled agents, ``processed`` seconds of work handled, ``backlog``
    seconds of work waiting at the end of the interval (carried over).
    """

    agents: np.ndarray
    processed: np.ndarray
    backlog: np.ndarray


def daily_capacity(aht_seconds: float, productive_utilisation: float = 0.75, day_hours: float = 8.0) -> float:
    """Items one agent handles in a day: ``day_hours x 3600 x utilisation / AHT``.

    >>> round(daily_capacity(160.0)), round(daily_capacity(180.0)), round(daily_capacity(45.0))
    (135, 120, 480)
    """
    return day_hours * 3600.0 * productive_utilisation / aht_seconds


def due_intervals(starts: ArrayLike, due_seconds: float, interval_seconds: float) -> np.ndarray:
    """Index of the last interval each row's work may be handled in.

    ``starts`` are the (sorted) interval starts of one queue in seconds. Work arriving in the
    interval starting at ``s`` is due at ``s + due_seconds``, so it may be handled in every
    interval that starts no later than ``s + due_seconds - interval_seconds`` (and at least in
    its own). Closed hours simply have no rows, and work due after the last row is due in the
    last row: the plan clears everything within the horizon.

    >>> due_intervals(np.array([0.0, 1800.0, 3600.0]), 3600.0, 1800.0).tolist()
    [1, 2, 2]
    """
    starts = np.asarray(starts, dtype=float)
    last = np.searchsorted(starts, starts + due_seconds - interval_seconds, side="right") - 1
    return np.maximum(last, np.arange(starts.size))


def _validate(work, due, capacity) -> tuple[np.ndarray, np.ndarray]:
    work = np.asarray(work, dtype=float)
    due = np.asarray(due, dtype=np.int64)
    if work.shape != due.shape or work.ndim != 1:
        raise ValueError("work and due must be 1-d and of the same length")
    if np.any(due < np.arange(due.size)) or np.any(np.diff(due) < 0) or np.any(due >= due.size):
        raise ValueError("due must be non-decreasing, no earlier than each interval and inside the horizon")
    if np.any(work < 0) or not np.all(np.isfinite(work)):
        raise ValueError("work must be finite and >= 0")
    if not capacity > 0:
        raise ValueError("capacity must be positive")
    return work, due


def lazy_schedule(work: ArrayLike, due: ArrayLike, capacity: float, *, peak: int | None = None,
                  tolerance: float = 1e-9) -> DeferredPlan | None:
    """Fewest whole agents per interval that handle every item by its due interval.

    ``work[i]`` seconds arrive in interval ``i`` and must be handled by interval ``due[i]``
    (non-decreasing, ``due[i] >= i``); each agent gives ``capacity`` seconds per interval.
    With ``peak``, no interval gets more than ``peak`` agents: work that would then be late is
    pulled forward just enough (``need(s) = max_{t >= s} due_by(t) - (t - s) peak capacity``);
    ``None`` is returned when no plan within that peak exists.
    The backlog recursion is sequential by nature (what is left carries over), so this walks
    the intervals of one queue once: O(intervals), a week of 30-minute intervals in microseconds.

    >>> lazy_schedule([100.0, 100.0], [0, 1], 150.0).agents.tolist()
    [1, 1]
    """
    work, due = _validate(work, due, capacity)
    n = work.size
    arrived = np.cumsum(work)
    # work due by the end of interval t: everything arriving in rows whose due index <= t
    due_by = np.zeros(n)
    np.add.at(due_by, due, work)
    due_by = np.cumsum(due_by)
    need = due_by
    if peak is not None:
        step = np.arange(n) * (peak * capacity)
        need = np.maximum.accumulate((due_by - step)[::-1])[::-1] + step
        # nothing can be done before the first interval, nor more than has arrived
        if need[0] > (peak + tolerance) * capacity or np.any(need > arrived + tolerance * capacity):
            return None
    agents = np.zeros(n, dtype=np.int64)
    processed = np.zeros(n)
    done = 0.0
    for t in range(n):
        gap = need[t] - done
        k = math.ceil(gap / capacity - tolerance) if gap > tolerance * capacity else 0
        agents[t] = k
        new_done = min(arrived[t], done + k * capacity)
        processed[t] = new_done - done
        done = new_done
    return DeferredPlan(agents=agents, processed=processed, backlog=np.maximum(arrived - np.cumsum(processed), 0.0))


def level_schedule(work: ArrayLike, due: ArrayLike, capacity: float) -> DeferredPlan:
    """The fewest agent-intervals that clear every item by its due time, and among those plans
    the one with the lowest peak (agents in the busiest interval).

    The unconstrained lazy plan piles work up to its due time, e.g. a whole Friday of e-mail
    at 17:30; pulling work forward costs nothing while it does not add rounding, so the peak
    is lowered by bisection to the smallest cap whose plan still uses the fewest agent-intervals.

    >>> level_schedule([1350.0, 1350.0, 1350.0, 0.0], [3, 3, 3, 3], 1350.0).agents.tolist()
    [0, 1, 1, 1]
    """
    work, due = _validate(work, due, capacity)
    best = lazy_schedule(work, due, capacity)
    total = int(best.agents.sum())
    lo, hi = 0, int(best.agents.max(initial=0))  # lo: too low (or 0), hi: keeps the total
    while hi - lo > 1:
        mid = (lo + hi) // 2
        plan = lazy_schedule(work, due, capacity, peak=mid)
        if plan is not None and int(plan.agents.sum()) == total:
            hi, best = mid, plan
        else:
            lo = mid
    return best
