"""Roster solvers around OR-Tools CP-SAT. A leaf library: never imports wfm.

* :mod:`solvers.types` - the typed inputs (Grid, ShiftTemplate, BreakRule, Contract, Agent,
  LeaveRequest, ShiftCover, Rules, Problem) and the result (RosterResult with assignments,
  coverage, soft violations, leave decisions, explanation; ``roster_frame()`` / ``to_csv()``).
* :mod:`solvers.model` - the CP-SAT model, one ``add_*_rule`` function per planner's rule.
* :func:`solve` / :func:`explain` - solve a problem; explain an infeasible one by rule, agent, day.
* :func:`check` (:mod:`solvers.checker`) - an independent checker of every hard rule.
* :mod:`solvers.plots` - ``plot_gantt(result)`` and ``plot_coverage(result)`` (matplotlib).
* :mod:`solvers.colgen` - classic cover: column generation (exact per-agent pricing DP, LP
  master) for a lower bound and a first roster; used by ``solve(..., lns=True)``.
* :mod:`solvers.construct` - interval mode: counts first, then agents (the constructed
  rosters); :mod:`solvers.bound` - the count relaxation, a lower bound on every roster,
  solved as a MIP (:mod:`solvers.mip`, SCIP from OR-Tools); both used by :func:`solve`.
* :mod:`solvers.greedy` (constructive hint), :mod:`solvers.lns` (large-neighbourhood search),
  :mod:`solvers.leave` (leave notice), :mod:`solvers.synthetic` (scale test problems).

Shifts never cross midnight. An agent serves one skill per shift. Breaks are counted per
(skill, day, template, start) in the model and handed to agents afterwards.

>>> from datetime import date
>>> import numpy as np
>>> grid = Grid(date(2026, 1, 5), days=1, interval_min=60,
...             open={"voice": np.r_[np.zeros(8), np.ones(10), np.zeros(6)].astype(bool)[None]})
>>> need = {"voice": grid.open["voice"].astype(int)}
>>> day = ShiftTemplate("day", 360, 7 * 60, 12 * 60, 60)
>>> agents = [Agent(f"a{i}", Contract("ft"), ("voice",)) for i in range(3)]
>>> result = solve(Problem(grid, [day], agents, requirement=need), time_limit_s=10)
>>> result.status, check(result.problem, result.assignments)
('OPTIMAL', [])
"""

from .checker import check
from .solve import explain, solve
from .types import (
    Activity,
    Agent,
    Assignment,
    BreakRule,
    Conflict,
    Contract,
    Grid,
    LeaveDecision,
    LeaveKind,
    LeaveRequest,
    PreviousShift,
    Problem,
    RosterResult,
    Rules,
    ShiftCover,
    ShiftRequest,
    ShiftTemplate,
    SoftViolation,
    SolverInputError,
)

__all__ = [
    "Activity", "Agent", "Assignment", "BreakRule", "Conflict", "Contract", "Grid",
    "LeaveDecision", "LeaveKind", "LeaveRequest", "PreviousShift", "Problem", "RosterResult", "Rules",
    "ShiftCover", "ShiftRequest", "ShiftTemplate", "SoftViolation", "SolverInputError",
    "check", "explain", "solve",
]
