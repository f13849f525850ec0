"""Deferred work (posts, e-mail, forms, outbound lists): staff by workload within a due time.

Deferred contacts do not queue in real time. Each interval brings ``work`` seconds of handling
(volume x AHT); an item may be handled in the interval it arrives or in any later interval up
to its due interval; what is not handled is carried over as backlog. A scheduled agent gives
``capacity`` productive seconds per interval (interval length x productive utilisation,
DOMAIN.md: 6 productive hours of 8, so one agent-day covers 135 posts at 160 s).

:func:`lazy_schedule` finds the fewest agent-intervals that clear every item by its due
time. It works earliest-due-first and, in each interval, staffs only the whole agents needed
to clear what falls due now; spare minutes of those agents go to the next-due items
(work conserving). Because the due times are in arrival order (one due time per queue),
an exchange argument shows no schedule uses fewer agents up to any interval, so none uses
fewer in total; ``tests/test_deferred.py`` checks it against brute force on small cases.
The plan is as late as allowed: planners who want smoother staffing can spread it later.

Example
-------
>>> plan = lazy_schedule(work=[3600.0, 0.0, 0.0, 0.0], due=[3, 3, 3, 3], capacity=1350.0)
>>> plan.agents.tolist(), plan.backlog.tolist()
([0, 0, 0, 3], [3600.0, 3600.0, 3600.0, 0.0])
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: DOMAIN.md section 1: productive seconds in an 8-hour day at 75 % utilisation.
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


def due_intervals(starts: np.ndarray, due_seconds: float, interval_seconds: float) -> np.ndarray:
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


def lazy_schedule(work, due, capacity: float, *, tolerance: float = 1e-9) -> DeferredPlan:
    """Fewest whole agents per interval that handle every item by its due interval.

    ``work[i]`` seconds arrive in interval ``i`` and must be handled by interval ``due[i]``
    (non-decreasing, ``due[i] >= i``); each agent gives ``capacity`` seconds per interval.
    The backlog recursion is sequential by nature (what is left carries over), so this walks
    the intervals of one queue once: O(intervals), a week of 30-minute intervals in microseconds.

    >>> lazy_schedule([100.0, 100.0], [0, 1], 150.0).agents.tolist()
    [1, 1]
    """
    work = np.asarray(work, dtype=float)
    due = np.asarray(due, dtype=np.int64)
    if work.shape != due.shape:
        raise ValueError("work and due must have the same length")
    if np.any(due < np.arange(due.size)) or np.any(np.diff(due) < 0):
        raise ValueError("due must be non-decreasing and no earlier than each interval")
    if not capacity > 0:
        raise ValueError("capacity must be positive")
    n = work.size
    arrived = np.cumsum(work)
    # work due by the end of interval t: everything arriving in rows whose due index <= t
    due_by = np.zeros(n)
    np.add.at(due_by, due, work)
    due_by = np.cumsum(due_by)
    agents = np.zeros(n, dtype=np.int64)
    processed = np.zeros(n)
    done = 0.0
    for t in range(n):
        need = due_by[t] - done
        k = math.ceil(need / capacity - tolerance) if need > tolerance * capacity else 0
        agents[t] = k
        new_done = min(arrived[t], done + k * capacity)
        processed[t] = new_done - done
        done = new_done
    return DeferredPlan(agents=agents, processed=processed, backlog=np.maximum(arrived - np.cumsum(processed), 0.0))


def _capped_plan(work: np.ndarray, due_by: np.ndarray, capacity: float, cap: int,
                 tolerance: float) -> DeferredPlan | None:
    """Work as early as possible with at most ``cap`` agents; None if some item misses its due time."""
    n = work.size
    arrived = np.cumsum(work)
    agents = np.zeros(n, dtype=np.int64)
    processed = np.zeros(n)
    done = 0.0
    for t in range(n):
        waiting = arrived[t] - done
        k = min(cap, math.ceil(waiting / capacity - tolerance)) if waiting > tolerance * capacity else 0
        new_done = min(arrived[t], done + k * capacity)
        if new_done < due_by[t] - tolerance * capacity:
            return None
        agents[t] = k
        processed[t] = new_done - done
        done = new_done
    return DeferredPlan(agents=agents, processed=processed, backlog=np.maximum(arrived - np.cumsum(processed), 0.0))


def level_schedule(work, due, capacity: float, *, tolerance: float = 1e-9) -> DeferredPlan:
    """A smooth plan a roster can follow: the lowest peak of agents that still meets every due time.

    Finds the smallest cap ``K`` such that handling work earliest-due-first, as soon as it
    arrives, with at most ``K`` agents per interval clears every item by its due interval (with a
    fixed capacity per interval, working as early as possible is the best one can do for due
    times, so the check is exact), then staffs each interval with only the agents its waiting
    work needs, up to ``K``. The peak is the lowest possible; the backlog is worked down early
    instead of at the last moment (:func:`lazy_schedule` uses the fewest agent-intervals but
    piles work up at the due time, which gives a roster sharp spikes).

    >>> level_schedule([3600.0, 0.0, 0.0, 0.0], [3, 3, 3, 3], 1350.0).agents.tolist()
    [1, 1, 1, 0]
    """
    work = np.asarray(work, dtype=float)
    due = np.asarray(due, dtype=np.int64)
    lazy = lazy_schedule(work, due, capacity, tolerance=tolerance)  # validates; its peak is an upper bound
    n = work.size
    due_by = np.zeros(n)
    np.add.at(due_by, due, work)
    due_by = np.cumsum(due_by)
    lo, hi = 0, int(lazy.agents.max()) if n else 0
    best = _capped_plan(work, due_by, capacity, hi, tolerance) if n else lazy
    while lo < hi:
        mid = (lo + hi) // 2
        plan = _capped_plan(work, due_by, capacity, mid, tolerance)
        if plan is None:
            lo = mid + 1
        else:
            hi, best = mid, plan
    return best if best is not None else lazy
