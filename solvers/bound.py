"""A lower bound on the objective of every roster of an interval-mode problem: the count
relaxation.

The roster model (:mod:`solvers.model`) decides, per agent and day, one shift option
(template, start, skill); breaks are already counts per (skill, day, template, start), and
coverage, continuous coverage, handover and the under/over-coverage costs are posted on the
numbers of agents starting each shift. Aggregating the agents of a *group* (same contract and
skills, :func:`solvers.construct.groups_of`) gives the count model of
:func:`solvers.construct.plan_counts` with ``relaxation=True``. It is a relaxation:

* every roster maps to counts ``n[group, day, template, start, skill]`` (the agents of the
  group on that shift) and break counts that satisfy every constraint of the count model:
  each is a sum, over the group's agents, of a rule every agent keeps (at most one shift a
  day on available days; at most the contract's maximum days and minutes a week; at least its
  minimum days, granted whole days of leave counted; at most ``max_consecutive_days`` worked
  days in any window one longer; 1-on-1-off: in two consecutive days each agent works at most
  one and at least one, a day of leave counted), while coverage, continuous coverage and
  handover are the same expressions of the counts as in the roster model;
* an agent with leave requests is a group of its own, whose leave is decided as in the roster
  model (:func:`solvers.construct._leave_choices`: a request that meets its notice is granted,
  which removes the shifts it overlaps and credits its whole days, or refused at its cost);
* the count model's objective is the roster model's under- and over-coverage terms, with the
  same weights, on the same coverage, plus, for a group whose days are a sum of its members'
  work patterns, the '5 on 2 off' cost of days off not consecutive of those patterns (each
  member pays for the pattern it works, as in the roster model:
  :func:`solvers.construct.split_cost`); every other term of the roster objective (fairness,
  preferences, stability, support pairing, and days off not consecutive of the other groups)
  is ``>= 0``.

So the count model's optimum, and any lower bound the MIP or CP-SAT proves on it, is at most the
objective of every roster. Rules the count model leaves out (minimum rest, minimum minutes,
min consecutive days or days off, weekends, forbidden successions, max shifts per template)
only make it weaker, never wrong.

The count model splits into independent *components* (:func:`solvers.construct.components`):
skills linked by an agent who can serve both. Each is solved on its own, and the bounds add.

>>> from datetime import date
>>> import numpy as np
>>> from solvers.types import Agent, Contract, Grid, Problem, ShiftTemplate
>>> g = Grid(date(2026, 1, 5), 1, 60)
>>> req = {"voice": np.zeros((1, 24), int)}; req["voice"][0, 9:19] = 1
>>> p = Problem(g, [ShiftTemplate("day", 480, 480, 600, 60)],
...             [Agent("a", Contract("c"), ("voice",))], requirement=req)
>>> count_bound(p, time_limit_s=5).value   # one 8 h shift for 10 h of need: 2 h short
200.0
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .budget import Budget, default_work
from .construct import by_parts, components, hint_counts, part, part_size, plan_counts
from .types import Problem, SolverInputError


@dataclass(frozen=True)
class CountBound:
    """What :func:`count_bound` proved.

    ``value`` is a lower bound on the objective of every roster (``inf``: no roster exists);
    ``optimal`` says every component's count model was solved to optimality (``value`` is
    then the relaxation's optimum); ``components`` the independent parts solved;
    ``wall_time_s`` the time spent; ``parts`` each part's ``(skills, bound, optimal)``.
    """

    value: float
    optimal: bool
    components: int
    wall_time_s: float
    parts: tuple = ()


def count_bound(problem: Problem, *, time_limit_s: float = 10.0, workers: int = 1,
                seed: int = 0, mip: bool = True, hint: dict | None = None,
                budget: Budget | None = None) -> CountBound:
    """A lower bound on the objective of every roster of ``problem`` (interval mode).

    Solves the count relaxation (module doc) of each component within ``time_limit_s`` in
    all, with the MIP solver of :mod:`solvers.mip` (``mip``, the default: its cuts prove far
    more on these models), ``workers`` components at a time (each MIP on one core, each with
    the time left to the limit); or, ``mip=False``, with CP-SAT on ``workers`` threads, one
    component after the other, each with an even share of the time left (time one leaves
    unused passes on). A component that stops on the time limit contributes the bound proved
    on it, so the result is valid whatever the limit. ``hint``, a roster (``{(agent_id,
    day): (template, start, skill)}``, e.g. the solve's), is where each search starts: a good
    one lets the MIP prune early (the 200-agent week's chat desk proved optimal in 15 s from
    its roster's shifts, against a bound of 93 after 45 s from nothing).
    Raises :class:`SolverInputError` in classic-cover mode.
    """
    if not problem.interval_mode:
        raise SolverInputError("count_bound needs an interval-mode problem (requirement per "
                               "interval); classic cover has no interval coverage to count")
    t0 = time.perf_counter()
    if budget is None:
        budget = Budget(default_work(time_limit_s), time_limit_s)

    def relax(p: Problem, mine: Budget):
        if not p.agents:  # nobody can serve it: its whole requirement is short
            return p.rules.under_weight * sum(
                int(np.clip(np.asarray(v), 0, None).sum()) for v in p.requirement.values()), True
        plan = plan_counts(p, det_time=max(mine.left(), 0.01), workers=1 if mip else workers,
                           seed=seed, budget=mine, relaxation=True, mip=mip,
                           hint=None if hint is None else hint_counts(p, hint))
        return plan.bound, plan.status in ("OPTIMAL", "INFEASIBLE")

    if mip:  # the MIP runs on one core and releases the GIL: components side by side
        from concurrent.futures import ThreadPoolExecutor

        parts = [part(problem, ks) for ks in components(problem)]
        if workers >= len(parts):  # all at once, each with the work left
            shares = budget.side_by_side(len(parts))
        else:  # each its size's share, reserved up front
            sizes = [part_size(p) for p in parts]
            total = budget.left()
            shares = [budget.reserve(total * size / sum(sizes)) for size in sizes]
        with ThreadPoolExecutor(max(workers, 1)) as pool:
            found = list(pool.map(relax, parts, shares))
        solved = list(zip(parts, found))
    else:
        solved = by_parts(problem, budget, relax, even=True)
    done = [(tuple(sorted(set(p.requirement) | set(p.grid.open))), float(v), o)
            for p, (v, o) in solved]
    return CountBound(sum(v for _k, v, _o in done), all(o for _k, _v, o in done), len(done),
                      time.perf_counter() - t0, tuple(done))
