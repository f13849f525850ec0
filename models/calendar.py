"""Time keys and the day calendar: interval length, (weekday, time of day) slots, closures.

Contact-center history holds only opening-hour rows: nights, closed weekdays and public
holidays are absent. Nothing here assumes a gapless series. Seasonality is keyed by
(weekday, slot of the day); days are placed on the grid of *open days*, and a day that
follows a closure (a public holiday, say) is flagged, because callers who could not get
through on the holiday call the next open day.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

DAY = np.timedelta64(1, "D")
#: Calendar day effects every daily-level model may use (names of the feature columns).
DAY_FEATURES: tuple[str, ...] = (
    "post_closure_1",
    "post_closure_2",
    "month_first",
    "month_early",
    "month_last",
)


def as_datetime(values: np.ndarray) -> np.ndarray:
    """Timestamps as ``datetime64[us]``."""
    return np.asarray(values).astype("datetime64[us]")


def infer_step(start: np.ndarray) -> np.timedelta64:
    """Interval length of a series: the most common gap between consecutive timestamps.

    Gaps of a day or more (nights, weekends) are ignored unless there is nothing else,
    in which case the series is daily.

    >>> s = np.array(["2024-01-01T09:00", "2024-01-01T09:15", "2024-01-02T09:00"], "datetime64[us]")
    >>> int(infer_step(s) / np.timedelta64(1, "m"))
    15
    """
    t = np.unique(as_datetime(start))
    if t.size < 2:
        return np.timedelta64(1, "D").astype("timedelta64[us]")
    gaps = np.diff(t)
    within = gaps[gaps < DAY]
    if within.size == 0:
        return np.timedelta64(1, "D").astype("timedelta64[us]")
    values, counts = np.unique(within, return_counts=True)
    return values[np.argmax(counts)].astype("timedelta64[us]")


def day_of(start: np.ndarray) -> np.ndarray:
    """Calendar date (``datetime64[D]``) of each timestamp."""
    return as_datetime(start).astype("datetime64[D]")


def weekday_of(day: np.ndarray) -> np.ndarray:
    """Weekday, Monday = 0 ... Sunday = 6, of ``datetime64[D]`` values."""
    return ((day.astype("int64") + 3) % 7).astype(np.int64)


def slot_of(start: np.ndarray, step: np.timedelta64) -> np.ndarray:
    """Index of the interval within its day (0 = the interval starting at midnight)."""
    t = as_datetime(start)
    return ((t - t.astype("datetime64[D]")) // step.astype("timedelta64[us]")).astype(np.int64)


def slots_per_day(step: np.timedelta64) -> int:
    """Number of intervals of length ``step`` in a day."""
    return int(DAY.astype("timedelta64[us]") // step.astype("timedelta64[us]"))


@dataclass(frozen=True)
class DayCalendar:
    """Which days a queue is open, which open weekdays were closed, which days are excluded.

    ``closures`` are open weekdays without any row (public holidays and other closed days);
    ``excluded`` are days the planner left out of training (they are not closures).
    """

    open_weekdays: tuple[int, ...]
    closures: np.ndarray = field(default_factory=lambda: np.array([], "datetime64[D]"))
    excluded: np.ndarray = field(default_factory=lambda: np.array([], "datetime64[D]"))

    def open_days(self, first: np.datetime64, last: np.datetime64) -> np.ndarray:
        """Open days in [first, last]: open weekdays that are not closures."""
        days = np.arange(first, last + DAY, dtype="datetime64[D]")
        keep = np.isin(weekday_of(days), self.open_weekdays) & ~np.isin(days, self.closures)
        return days[keep]

    def features(self, days: np.ndarray) -> dict[str, np.ndarray]:
        """Calendar day effects (0/1 floats, see ``DAY_FEATURES``) for ``datetime64[D]`` days.

        ``post_closure_k``: the k-th open day after a closure; ``month_first`` / ``month_last``:
        the first and last open day of a month; ``month_early``: its 2nd and 3rd open day
        (pay days and statements make month turns busy).
        """
        days = np.asarray(days, dtype="datetime64[D]")
        if days.size == 0:
            return {name: np.zeros(0) for name in DAY_FEATURES}
        grid = self.open_days(days.min() - 21 * DAY, days.max() + 21 * DAY)
        grid = np.union1d(grid, days)
        closed = np.sort(self.closures)
        before = np.searchsorted(closed, grid, side="left")
        prev_after = np.searchsorted(closed, grid[:-1], side="right")
        post1 = np.zeros(grid.size)
        post1[1:] = (before[1:] - prev_after) > 0
        post2 = np.zeros(grid.size)
        post2[1:] = post1[:-1]
        post2[post1 > 0] = 0.0
        month = grid.astype("datetime64[M]")
        first = np.ones(grid.size)
        first[1:] = month[1:] != month[:-1]
        last = np.ones(grid.size)
        last[:-1] = month[:-1] != month[1:]
        idx = np.arange(grid.size)
        rank = idx - np.maximum.accumulate(np.where(first > 0, idx, 0)) + 1
        at = np.searchsorted(grid, days)
        table = {
            "month_early": ((rank == 2) | (rank == 3)).astype(float),
            "post_closure_1": post1,
            "post_closure_2": post2,
            "month_first": first,
            "month_last": last,
        }
        return {name: table[name][at] for name in DAY_FEATURES}


def build_calendar(
    history_days: np.ndarray,
    future_days: np.ndarray,
    *,
    holiday_days: np.ndarray | None = None,
    excluded: np.ndarray | None = None,
    min_share: float = 0.5,
    bridge_days: int = 7,
) -> DayCalendar:
    """Infer the open weekdays and the closures of one queue from the days that have rows.

    An open weekday is one present in at least ``min_share`` of the history's weeks. A closure
    is an open weekday without rows inside the history span, inside the future span, or in a gap
    of at most ``bridge_days`` between them, plus every given holiday that has no rows.
    """
    hist = np.unique(np.asarray(history_days, dtype="datetime64[D]"))
    fut = np.unique(np.asarray(future_days, dtype="datetime64[D]"))
    excl = np.unique(np.asarray(excluded if excluded is not None else [], dtype="datetime64[D]"))
    weeks = max(1.0, (hist.max() - hist.min()).astype(int) / 7.0) if hist.size else 1.0
    counts = np.bincount(weekday_of(hist), minlength=7) if hist.size else np.zeros(7)
    open_wd = tuple(int(w) for w in np.flatnonzero(counts >= min_share * min(weeks, counts.max())))
    seen = np.union1d(np.union1d(hist, fut), excl)
    spans = []
    if hist.size:
        spans.append((hist.min(), hist.max()))
    if fut.size:
        spans.append((fut.min(), fut.max()))
    if hist.size and fut.size and 0 < (fut.min() - hist.max()).astype(int) <= bridge_days:
        spans.append((hist.max(), fut.min()))
    candidates = [np.arange(a, b + DAY, dtype="datetime64[D]") for a, b in spans]
    if holiday_days is not None:
        candidates.append(np.asarray(holiday_days, dtype="datetime64[D]"))
    pool = np.unique(np.concatenate(candidates)) if candidates else np.array([], "datetime64[D]")
    closed = pool[np.isin(weekday_of(pool), open_wd) & ~np.isin(pool, seen)]
    return DayCalendar(open_weekdays=open_wd, closures=closed, excluded=excl)
