"""Tiny roster problems for the solver tests, and a solve that always runs the checker."""

from __future__ import annotations

from datetime import date

import numpy as np

from solvers.budget import default_work
from solvers import Agent, Contract, Grid, Problem, Rules, ShiftCover, ShiftTemplate, check, solve

MONDAY = date(2026, 1, 5)
FREE = Contract("free", max_consecutive_days=None)


def classic(agents: list[Agent], templates: list[ShiftTemplate], cover: list[tuple],
            days: int, **rules) -> Problem:
    """Classic-cover problem: ``cover`` items are (day, template, required[, w_under, w_over])."""
    base = {"min_rest_min": 0, "continuous_coverage": False, "handover": False,
                "weekend_fairness_weight": 0, "stability_weight": 0}
    base.update(rules)
    return Problem(Grid(MONDAY, days, 60), templates, agents,
                   cover=[ShiftCover(*c) for c in cover], rules=Rules(**base))


def interval(agents: list[Agent], templates: list[ShiftTemplate], req: np.ndarray,
             open_hours: tuple[int, int] | None = None, interval_min: int = 60,
             skill: str = "voice", **rules) -> Problem:
    """Interval problem for one skill; ``req`` is (days, intervals_per_day)."""
    days, ipd = req.shape
    open_ = {}
    if open_hours:
        hrs = np.arange(ipd) * interval_min / 60
        open_[skill] = np.tile((hrs >= open_hours[0]) & (hrs < open_hours[1]), (days, 1))
    base = {"weekend_fairness_weight": 0, "late_fairness_weight": 0}
    base.update(rules)
    return Problem(Grid(MONDAY, days, interval_min, open_), templates, agents,
                   requirement={skill: req}, rules=Rules(**base))


def day_shift(name="day", length=480, earliest=8 * 60, latest=8 * 60, step=60, **kw):
    return ShiftTemplate(name, length, earliest, latest, step, **kw)


def solved(problem: Problem, limit: float = 10.0, **kw):
    """Solve with the work of a ``limit``-second solve (the wall clock a generous cap, so the
    answer does not depend on the machine's load) and assert the independent checker finds no
    hard-rule violation."""
    kw.setdefault("work", default_work(limit))
    r = solve(problem, time_limit_s=max(6 * limit, 60.0), **kw)
    if r.feasible:
        bad = check(problem, r.assignments, r.leave_decisions)
        assert bad == [], bad
    return r


def worked(result, agent_id: str) -> list[int]:
    return sorted(a.day for a in result.assignments if a.agent_id == agent_id)


def agent(aid="a", contract=FREE, skills=("voice",), **kw) -> Agent:
    return Agent(aid, contract, skills, **kw)
