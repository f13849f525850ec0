"""Solver budgets: deterministic work, with the wall clock as a safety cap.

Every stage of :func:`solvers.solve` spends *work*, counted in CP-SAT's deterministic time
(``CpSolverResponse.deterministic_time``, a measure of the work done that does not depend on
the machine's speed or load) and, for the MIP solver, in branch-and-bound nodes and simplex
iterations converted to the same unit. Stages and loops decide only on the work left, so the
same inputs and seed give the same roster whether the machine is idle or busy. The wall-clock
limit stays as a cap: when it stops a search before its work is spent, the budget records it
(:attr:`Budget.cut`) and the result says that it may differ from run to run.

Shares are taken with :meth:`Budget.share` (a child whose spending is charged to its parent)
or :meth:`Budget.reserve` (a child for a search that runs beside others: its whole allotment
is charged up front, so what the parent has left does not depend on which finished first).

>>> b = Budget(10.0, wall_s=60.0)
>>> child = b.share(0.5)
>>> child.work, b.left()
(5.0, 10.0)
>>> child.charge(2.0); b.left()
8.0
>>> side = b.reserve(3.0); b.left(), side.left()
(5.0, 3.0)
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

#: Work a stage gets per second of the caller's time limit when no work budget is given:
#: on an idle 2-core machine the whole solve then spends its work in about half the limit,
#: leaving the other half as headroom for a busy machine before the wall clock cuts in.
WORK_PER_SECOND = 0.12
#: MIP work: branch-and-bound nodes and simplex iterations per unit of work (measured on
#: the count models of the sample and the 200-agent week against CP-SAT's deterministic time).
MIP_NODES_PER_WORK = 10
MIP_ITERATIONS_PER_WORK = 10_000
#: Smallest work worth starting a CP-SAT search with.
MIN_WORK = 0.01


@dataclass
class _Root:
    lock: threading.Lock = field(default_factory=threading.Lock)
    cut: list = field(default_factory=list)  # names of the searches the wall clock stopped


class Budget:
    """``work`` units to spend before the wall-clock instant ``deadline`` (a
    ``time.perf_counter()`` value; ``wall_s`` seconds from now when given instead)."""

    def __init__(self, work: float, wall_s: float | None = None, *, deadline: float | None = None,
                 _parent: Budget | None = None, _charge_parent: bool = True):
        if not math.isfinite(work) or work < 0:
            raise ValueError(f"a budget's work must be a finite number >= 0, not {work!r}")
        if deadline is None:
            deadline = time.perf_counter() + (math.inf if wall_s is None else wall_s)
        self.work = float(work)
        self.deadline = deadline
        self._spent = 0  # in micro-units: sums do not depend on the order of charges
        self._parent = _parent if _charge_parent else None
        self._root = _parent._root if _parent is not None else _Root()

    # -- what is left --------------------------------------------------------------------
    @property
    def spent(self) -> float:
        return self._spent / 1e6

    def left(self) -> float:
        """Work left (never negative)."""
        return max(self.work - self.spent, 0.0)

    def wall_left(self) -> float:
        return max(self.deadline - time.perf_counter(), 0.0)

    def exhausted(self, at_least: float = MIN_WORK) -> bool:
        """Whether less than ``at_least`` work is left (the wall clock is not looked at: a
        loop that stops on it would not be deterministic; searches are capped by it)."""
        return self.left() < at_least

    @property
    def cut(self) -> tuple[str, ...]:
        """The searches (of the whole solve) the wall clock stopped before their work."""
        return tuple(self._root.cut)

    # -- shares --------------------------------------------------------------------------
    def share(self, frac: float = 1.0, *, at_most: float | None = None,
              at_least: float = 0.0) -> Budget:
        """A child with ``frac`` of the work left (at least ``at_least``, at most ``at_most``,
        never more than is left); what it spends is charged here."""
        left = self.left()
        work = max(frac * left, at_least)
        if at_most is not None:
            work = min(work, at_most)
        return Budget(min(work, left), deadline=self.deadline, _parent=self)

    def reserve(self, work: float) -> Budget:
        """A child of ``work`` (at most what is left) charged here in full now: for a search
        that runs beside others or may be stopped early by another."""
        work = min(work, self.left())
        self.charge(work)
        return Budget(work, deadline=self.deadline, _parent=self, _charge_parent=False)

    def side_by_side(self, n: int) -> list[Budget]:
        """``n`` children with all the work left each, for searches that run at the same time
        on their own cores (charged here once, in full, now)."""
        work = self.left()
        self.charge(work)
        return [Budget(work, deadline=self.deadline, _parent=self, _charge_parent=False)
                for _ in range(n)]

    def charge(self, work: float) -> None:
        units = int(round(max(work, 0.0) * 1e6))
        node = self
        with self._root.lock:
            while node is not None:
                node._spent += units
                node = node._parent

    # -- running searches ----------------------------------------------------------------
    def cp_params(self, params, cap: float | None = None) -> float:
        """Set CP-SAT ``params`` (a ``SatParameters``) to this budget: deterministic time
        ``min(cap, left)``, wall time what is left to the deadline. Returns the work allotted."""
        work = self.left() if cap is None else min(cap, self.left())
        params.max_deterministic_time = max(work, MIN_WORK)
        params.max_time_in_seconds = max(min(self.wall_left(), 1e9), 0.01)
        return work

    def solve(self, solver, model, callback=None, *, cap: float | None = None, name: str = "search"):
        """Solve ``model`` with the CP-SAT ``solver`` within this budget (and ``cap``); charges
        the deterministic time spent and records a stop by the wall clock. Returns the status."""
        allotted = self.cp_params(solver.parameters, cap)
        status = solver.Solve(model, callback) if callback is not None else solver.Solve(model)
        r = solver.ResponseProto()
        self.charge(min(r.deterministic_time, allotted))
        ended = status in (3, 4)  # INFEASIBLE or OPTIMAL: the search ended on its own
        self.note_wall(r.wall_time, solver.parameters.max_time_in_seconds,
                       not ended and r.deterministic_time < 0.99 * allotted, name)
        return status

    def note_wall(self, wall_s: float, wall_limit_s: float, stopped_early: bool, name: str) -> None:
        """Record ``name`` as cut by the wall clock when it ran to its wall limit and stopped
        before spending its work."""
        if stopped_early and wall_s >= 0.98 * wall_limit_s:
            with self._root.lock:
                self._root.cut.append(name)

    def mip_limits(self, cap: float | None = None) -> tuple[int, int, float, float]:
        """(node limit, simplex iteration limit of one LP, wall seconds, work allotted) of a
        MIP run within this budget."""
        work = self.left() if cap is None else min(cap, self.left())
        return (max(int(work * MIP_NODES_PER_WORK), 1), max(int(work * MIP_ITERATIONS_PER_WORK), 100),
                max(self.wall_left(), 0.01), work)

    def charge_mip(self, nodes: int, iterations: int, allotted: float) -> None:
        self.charge(min(max(nodes / MIP_NODES_PER_WORK, iterations / MIP_ITERATIONS_PER_WORK),
                        allotted))


def default_work(time_limit_s: float) -> float:
    """The work a solve gets for a time limit when none is given (``WORK_PER_SECOND``)."""
    return WORK_PER_SECOND * time_limit_s
