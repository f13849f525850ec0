"""A constructive roster used as a CP-SAT hint: fast, not necessarily feasible.

Days off follow the contract's pattern, staggered over agents; each working day takes the
shift option that covers most of the requirement still open (numpy over intervals).
"""

from __future__ import annotations

import numpy as np

from .types import MINUTES_PER_DAY, Problem


def _work_days(problem: Problem, a: int) -> np.ndarray:
    """Which horizon days agent ``a`` works in the hint (bool array)."""
    agent = problem.agents[a]
    c, days = agent.contract, problem.grid.days
    d = np.arange(days)
    if c.pattern == "1on1off":
        work = (d + a) % 2 == 0
    else:
        per_week = (c.days_per_week or ((5, 5) if c.pattern == "5on2off" else (7, 7)))[1]
        if c.max_consecutive_days is not None:
            per_week = min(per_week, c.max_consecutive_days)
        off = 7 - per_week
        # consecutive days off, staggered over agents; same weekdays every week
        first = (a * 3) % 7
        work = ~np.isin((d - first) % 7, np.arange(off))
    blocked = {problem.grid.day_of(x) for x in agent.fixed_days_off | agent.unavailable}
    work[[x for x in blocked if 0 <= x < days]] = False
    return work


def greedy_hint(problem: Problem) -> dict:
    """``{(agent_id, day): (template, start_min, skill) | None}`` built greedily.

    >>> greedy_hint(Problem(grid=__import__("solvers.types").types.Grid(
    ...     __import__("datetime").date(2026, 1, 5), 1), templates=[], agents=[]))
    {}
    """
    g = problem.grid
    iv, ipd = g.interval_min, g.intervals_per_day
    if problem.interval_mode:
        need = {k: np.asarray(v, dtype=float).copy() for k, v in problem.requirement.items()}
    else:
        need = {}
        cover = {(c.day, c.template): c.required for c in problem.cover}
    hint: dict = {}
    last_end = {}
    for d in range(g.days):
        for a in range(len(problem.agents)):
            agent = problem.agents[a]
            if not _work_days(problem, a)[d]:
                hint[agent.agent_id, d] = None
                continue
            allowed = [t for t in problem.templates
                       if not agent.contract.templates or t.name in agent.contract.templates]
            best, best_score = None, -np.inf
            for t in allowed:
                if problem.interval_mode:
                    for k in agent.skills:
                        if k not in need:
                            continue
                        pos = np.concatenate([[0.0], np.cumsum(np.clip(need[k][d], 0, None))])
                        starts = np.array(t.starts())
                        if starts.size == 0:
                            continue
                        ends = starts + t.length_min
                        score = pos[ends // iv] - pos[starts // iv]
                        prev_end = last_end.get(a)
                        if prev_end is not None and d - prev_end[0] == 1:
                            gap = MINUTES_PER_DAY + starts - prev_end[1]
                            score = np.where(gap >= problem.rules.min_rest_min, score, -1e9)
                        j = int(np.argmax(score))
                        if score[j] > best_score:
                            best, best_score = (t.name, int(starts[j]), k), score[j]
                else:
                    left = cover.get((d, t.name), 0)
                    limit = agent.contract.max_shifts.get(t.name)
                    if limit == 0:
                        continue
                    if left > best_score:
                        best, best_score = (t.name, t.starts()[0] if t.starts() else 0, None), left
            if best is None or (not problem.interval_mode and best_score <= 0):
                hint[agent.agent_id, d] = None
                continue
            hint[agent.agent_id, d] = best
            t = problem.template(best[0])
            last_end[a] = (d, best[1] + t.length_min)
            if problem.interval_mode:
                need[best[2]][d, best[1] // iv:(best[1] + t.length_min) // iv] -= 1
            else:
                cover[d, best[0]] = cover.get((d, best[0]), 0) - 1
    del ipd
    return hint
