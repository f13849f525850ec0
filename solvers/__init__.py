"""Roster solvers around OR-Tools CP-SAT. A leaf library: never imports wfm.

>>> from solvers import solve, Problem, Grid, ShiftTemplate, Contract, Agent  # doctest: +SKIP
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
    "LeaveDecision", "LeaveRequest", "PreviousShift", "Problem", "RosterResult", "Rules",
    "ShiftCover", "ShiftRequest", "ShiftTemplate", "SoftViolation", "SolverInputError",
    "check", "explain", "solve",
]
