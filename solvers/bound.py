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
  minimum days, for groups without leave requests, whose granted leave could count instead;
  at most ``max_consecutive_days`` worked days in any window one longer; 1-on-1-off: in two
  consecutive days each agent works at most one and at least one), while coverage,
  continuous coverage and handover are the same expressions of the counts as in the roster
  model;
* the count model's objective is the roster model's under- and over-coverage terms, with the
  same weights, on the same coverage; every other term of the roster objective (days off not
  consecutive, fairness, preferences, stability, support pairing, leave refused) is ``>= 0``.

So the count model's optimum, and any lower bound CP-SAT proves on it, is at most the
objective of every roster. Rules the count model leaves out (minimum rest, minimum minutes,
min consecutive days or days off, weekends, forbidden successions, max shifts per template)
only make it weaker, never wrong.

The count model splits into independent *components* (:func:`solvers.construct.components`):
skills linked by an agent who can serve both. Each is solved on its own (a share of the time limit by size), and the bounds add.

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

from .construct import by_parts, plan_counts
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
                seed: int = 0) -> CountBound:
    """A lower bound on the objective of every roster of ``problem`` (interval mode).

    Solves the count relaxation (module doc) of each component with CP-SAT within
    ``time_limit_s`` in all (``workers`` threads); a component that stops on the time limit
    contributes the bound CP-SAT proved on it, so the result is valid whatever the limit.
    Raises :class:`SolverInputError` in classic-cover mode.
    """
    if not problem.interval_mode:
        raise SolverInputError("count_bound needs an interval-mode problem (requirement per "
                               "interval); classic cover has no interval coverage to count")
    t0 = time.perf_counter()

    def relax(p: Problem, budget_s: float):
        if not p.agents:  # nobody can serve it: its whole requirement is short
            return p.rules.under_weight * sum(
                int(np.clip(np.asarray(v), 0, None).sum()) for v in p.requirement.values()), True
        plan = plan_counts(p, det_time=max(budget_s, 0.01), workers=workers, seed=seed,
                           max_wall_s=max(budget_s, 0.01), relaxation=True)
        return plan.bound, plan.status in ("OPTIMAL", "INFEASIBLE")

    done = [(tuple(sorted(set(p.requirement) | set(p.grid.open))), float(v), o)
            for p, (v, o) in by_parts(problem, time_limit_s, relax)]
    return CountBound(sum(v for _k, v, _o in done), all(o for _k, _v, o in done), len(done),
                      time.perf_counter() - t0, tuple(done))
