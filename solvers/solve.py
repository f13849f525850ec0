"""Public entry points: :func:`solve` a roster problem, :func:`explain` an infeasible one."""

from __future__ import annotations

import math
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from .budget import Budget, default_work
from .greedy import greedy_hint
from .mip import set_full_hint
from .model import COVERAGE_REFUSAL, _FirstSolution, build, extract, make_solver
from .types import Conflict, LeaveDecision, Problem, RosterResult, SolverInputError

_LOG = bool(os.environ.get("SOLVERS_LNS_LOG"))

#: CP-SAT parameters used unless the caller overrides them. With 2 workers CP-SAT runs a
#: single full subsolver besides its LNS one; the reduced-costs subsolver gives real lower
#: bounds and good solutions on rostering models (measured on the Curtois benchmark).
DEFAULT_PARAMS: dict = {}
#: Parameters of the global search not passed on to the small LNS sub-solves.
LNS_IGNORED = {"subsolvers"}
#: Classic-cover LNS sub-solves: the full LP relaxation (level 2) proves small neighbourhoods
#: optimal much more often than the default (measured on Curtois 8), and 3 s steps beat 1 s.
CLASSIC_LNS_PARAMS: dict = {"linearization_level": 2}
CLASSIC_LNS_STEP_S = 3.0
#: Classic cover with LNS: column generation (:mod:`solvers.colgen`) solves the master LP
#: within ``CG_LP_SHARE`` of the time limit; the LP gives the bound, its rounding the first
#: roster, and the global CP-SAT search then runs with the choices the LP agrees on fixed.
CG_LP_SHARE = 0.45
CG_DIVE_SHARE = 0.5

#: How the work of a solve is shared among its stages (interval mode), in one place. Each
#: share is of the work left when the stage starts; a stage that needs less passes the rest on.
#: ``construct``: the first roster (counts, then agents) while the model is built (at least
#: the work the construction needs, :func:`solvers.construct.default_budget`, even past
#: the budget);
#: ``complete``: the hinted shifts fixed, breaks and costs solved (at most ``complete_max``);
#: ``feasible``: a plain search for any roster when the construction gives none (never
#: starved: this share of everything left, at least ``feasible_min``, then rounds of twice
#: as much work until a roster is found, the problem is proved infeasible or the time is up);
#: ``refine``: a second construction from the roster's own count plan (with at least
#: ``refine_min`` left, and ``bound_reserve`` kept for the bound);
#: ``bound``: the count relaxation as a MIP from the roster; the main search gets the rest.
SHARES = {"construct": 0.4, "complete": 0.35, "complete_max": 20.0, "feasible": 0.8,
          "feasible_min": 0.2, "refine": 0.7, "refine_min": 1.0, "bound_reserve": 0.3, "bound": 0.6,
          "bound_min": 0.1, "main_min": 0.05, "explain": 0.5}


@dataclass(frozen=True)
class SolveOptions:
    """How :func:`solve` works; every field has a default, so ``SolveOptions()`` is the usual.

    time_limit_s : the wall-clock cap of the whole solve (model build, construction, search,
        bound, extraction and explanations included). A safety cap: the answer depends on
        ``work``, unless the cap stops a search first (``RosterResult.wall_cut`` then names it).
    work : deterministic work units (CP-SAT deterministic time; :mod:`solvers.budget`) shared
        among the stages (``SHARES``); default ``WORK_PER_SECOND x time_limit_s``. The same
        problem, ``work``, seed and workers give the same roster on any machine, idle or busy.
    seed, workers : CP-SAT ``random_seed`` and ``num_workers``.
    deterministic : run parallel workers interleaved in a fixed order (``interleave_search``),
        so the answer is the same whatever the load; ``False`` lets them race.
    hint : ``{(agent_id, day): (template, start_min, skill) | None}`` warm start; by default the
        constructive roster (:func:`solvers.greedy.greedy_hint`) or the published one.
    use_greedy_hint : construct a first roster when no hint is given (interval mode).
    stop_at_first : return as soon as a feasible roster exists.
    explain_infeasible : explain an infeasible problem and each refusal of leave for coverage.
    params : extra CP-SAT parameters of the main search (e.g. ``{"subsolvers": [...]}``).
    complete_hint : first solve with the hinted shifts fixed (a roster within seconds).
    lns, lns_share_global, lns_workers, lns_stall_s : the large-neighbourhood search after the
        main one (classic cover: column generation first; see :func:`solve`). The LNS and
        column generation still stop on the wall clock: with ``lns`` the result is not
        deterministic (``RosterResult.wall_cut`` says so).
    """

    time_limit_s: float = 30.0
    work: float | None = None
    seed: int = 0
    workers: int = 2
    deterministic: bool = True
    hint: dict | None = None
    use_greedy_hint: bool = True
    stop_at_first: bool = False
    explain_infeasible: bool = True
    params: dict | None = None
    complete_hint: bool = True
    lns: bool = False
    lns_share_global: float = 0.3
    lns_workers: int | None = None
    lns_stall_s: float | None = None

    def __post_init__(self):
        if not (isinstance(self.time_limit_s, (int, float)) and math.isfinite(self.time_limit_s)
                and self.time_limit_s > 0):
            raise SolverInputError(f"SolveOptions.time_limit_s: {self.time_limit_s!r} is not a "
                                   "positive number of seconds; give e.g. 20")
        if self.work is not None and not (math.isfinite(self.work) and self.work > 0):
            raise SolverInputError(f"SolveOptions.work: {self.work!r} is not a positive number of "
                                   "work units; leave it out for the default")

    @property
    def budget_work(self) -> float:
        return default_work(self.time_limit_s) if self.work is None else float(self.work)


def solve(problem: Problem, options: SolveOptions | None = None, **overrides) -> RosterResult:
    """Build the CP-SAT roster model of ``problem`` and solve it (:class:`SolveOptions`; its
    fields may also be given as keywords: ``solve(p, time_limit_s=10, seed=1)``).

    Interval mode runs named stages on one :class:`~solvers.budget.Budget`, each returning the
    roster so far: *construct* (counts first, then agents; :mod:`solvers.construct`, while the
    model is built) -> *complete* (that roster's shifts fixed, breaks and costs solved) ->
    *feasible* (only when no roster yet: a plain search for any roster, with most of the work
    left) -> *refine* (a second construction from the roster's own count plan, kept part by
    part where it costs less) -> *bound* (the count relaxation solved as a MIP from the roster,
    :mod:`solvers.bound`: the result is OPTIMAL and the search skipped when the roster reaches
    it) -> *improve* (the main CP-SAT search from the roster) -> *extract* -> *explain* (refused
    leave, or the rules of an infeasible problem, within what is left).

    Classic cover mode (``Problem.cover``) with ``lns``: column generation first (its LP gives
    the bound, a dive or its rounding the first roster), the global search with the agent-days
    the LP and that roster agree on fixed, then the LNS on small per-agent sub-models.

    Returns a :class:`RosterResult`: with a roster, ``OPTIMAL`` (proved) or ``FEASIBLE``; without,
    ``INFEASIBLE`` (proved; ``explanation`` says which rules conflict) or ``UNKNOWN`` (not
    decided within the budget; ``message`` says so and what to do).

    >>> from datetime import date
    >>> import numpy as np
    >>> from solvers.types import Grid, ShiftTemplate, Contract, Agent
    >>> g = Grid(date(2026, 1, 5), 1, 60, open={"voice": np.zeros((1, 24), bool)})
    >>> req = {"voice": np.zeros((1, 24), int)}; req["voice"][0, 9:17] = 1
    >>> p = Problem(g, [ShiftTemplate("day", 480, 480, 600, 60)],
    ...             [Agent("a", Contract("c"), ("voice",))], requirement=req)
    >>> r = solve(p, time_limit_s=5)
    >>> r.status, r.objective, r.assignments[0].start_min
    ('OPTIMAL', 0.0, 540)
    """
    opt = replace(options or SolveOptions(), **overrides)
    t0 = time.perf_counter()
    budget = Budget(opt.budget_work, opt.time_limit_s)
    run = _Run(problem, opt, budget, t0)
    stages = [run.construct if problem.interval_mode else run.classic_start, run.complete,
              run.feasible, run.refine, run.bound, run.improve]
    for stage in stages:
        stage()
        if _LOG:
            print(f"[solve] {stage.__name__:>13}: work {budget.spent:6.2f}/{budget.work:.2f}, "
                  f"{time.perf_counter() - t0:5.1f} s, objective "
                  f"{None if run.best is None else run.best.ObjectiveValue()}, bound {run.lower}, "
                  f"cut {budget.cut}", flush=True)
    return run.result()


class _Run:
    """The state of one :func:`solve`: the model, the budget and the roster so far."""

    def __init__(self, problem: Problem, opt: SolveOptions, budget: Budget, t0: float):
        self.problem, self.opt, self.budget, self.t0 = problem, opt, budget, t0
        self.hint = opt.hint
        self.params = {**DEFAULT_PARAMS, **(opt.params or {})}
        if opt.deterministic and opt.workers > 1:
            self.params.setdefault("interleave_search", True)  # parallel search in a fixed order
        self.rm = None
        self.first_s = None  # wall time of the first roster
        self.best = None  # the solver holding the best roster so far
        self.status = cp_model.UNKNOWN
        self.lower = None  # a proved lower bound (column generation or count relaxation)
        self.search_bound = None  # the main search's own bound
        self.cg = None
        self.cb = _FirstSolution(t0, opt.stop_at_first)
        self.wall_stages: list[str] = []  # stages that stop on the wall clock by design

    # -- stages ------------------------------------------------------------------------
    def construct(self) -> None:
        """Interval mode: the published roster and/or the constructed one as the hint; the
        construction runs while the model is built (CP-SAT releases the GIL)."""
        p, opt = self.problem, self.opt
        constructed = None
        if self.hint is None and opt.use_greedy_hint:
            self.hint = previous_hint(p)  # re-planning starts from the published roster
            if self.hint is None or any(not a.previous for a in p.agents):
                pool = ThreadPoolExecutor(max_workers=1)
                # the work the construction needs, even past the budget: a roster first
                from .construct import default_budget
                work = max(SHARES["construct"] * self.budget.left(), default_budget(p))
                mine = Budget(work, deadline=self.budget.deadline, _parent=self.budget)
                constructed = pool.submit(greedy_hint, p, mine)
                pool.shutdown(wait=False)
        self._build()
        if constructed is not None:
            self.hint = {**constructed.result(), **(self.hint or {})}
        if self.hint:
            _add_hint(self.rm, self.hint)

    def classic_start(self) -> None:
        """Classic cover: the model, and with ``lns`` column generation's roster and bound."""
        self._build()
        opt = self.opt
        if opt.lns and self.hint is None and not opt.stop_at_first:
            self.cg = _column_generation(self.problem, self.t0, opt.time_limit_s)
            self.wall_stages.append("column generation")
        if self.cg is not None:
            self.hint = {(self.problem.agents[a].agent_id, d): ch
                         for (a, d), ch in self.cg.choices.items()}
            self.lower = math.ceil(self.cg.bound - 1e-6)  # the objective is an integer
        if self.hint:
            _add_hint(self.rm, self.hint)

    def complete(self) -> None:
        """The hinted shifts fixed (breaks, counts and costs left free): the first roster."""
        if not (self.hint and self.opt.complete_hint and (self.problem.interval_mode or self.cg)):
            return
        mine = self.budget.share(SHARES["complete"], at_most=SHARES["complete_max"])
        found, solver = _complete_hint(self.rm, self.t0, mine, self.opt.seed)
        if solver is not None:
            self.first_s, self.best = found, solver

    def feasible(self) -> None:
        """No roster yet: a plain search for any roster, from the hint when there is one, with
        most of the work left (improvements come after and cannot starve it)."""
        if self.best is not None or not self.problem.interval_mode:
            return
        # rounds of doubling work, the first this stage's share: the roster a round finds does
        # not depend on the machine; only whether the wall clock lets a later round run does
        # (then the result says so). Later rounds may overdraw the budget: a roster first.
        work = max(self.budget.left() * (1.0 if self.opt.stop_at_first else SHARES["feasible"]),
                   SHARES["feasible_min"])
        first = _FirstSolution(self.t0, True)
        while True:
            solver = make_solver(1.0, self.opt.seed, self.opt.workers, self.params)
            mine = Budget(work, deadline=self.budget.deadline, _parent=self.budget)
            status = mine.solve(solver, self.rm.model, first, name="first roster")
            if status != cp_model.UNKNOWN or mine.wall_left() < 0.05 or self.budget.cut:
                break
            work *= 2
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.best, self.first_s = solver, first.first
            if status == cp_model.OPTIMAL:
                self.status = status
            set_full_hint(self.rm.model, list(solver.ResponseProto().solution))
        elif status == cp_model.INFEASIBLE:
            self.status = status

    def refine(self) -> None:
        if (self.best is None or self.opt.stop_at_first or not self.problem.interval_mode
                or not self.hint or self.status == cp_model.OPTIMAL):
            return
        left = self.budget.left()
        if left < SHARES["refine_min"]:
            return
        mine = self.budget.share(at_most=min(SHARES["refine"] * left,
                                             (1 - SHARES["bound_reserve"]) * left))
        self.best = _refine(self.rm, self.hint, self.best, self.t0, mine, self.opt.seed)

    def bound(self) -> None:
        """Interval mode: the count relaxation's bound from the roster found."""
        if (self.best is None or not self.problem.interval_mode or self.opt.stop_at_first
                or self.budget.left() < SHARES["bound_min"]):
            return
        self.lower = _count_bound(self.rm, self.best, self.budget.share(SHARES["bound"]),
                                  self.opt.seed, self.opt.workers)

    def improve(self) -> None:
        """The main CP-SAT search (from the roster when there is one), then with ``lns`` the
        large-neighbourhood search."""
        opt, rm, budget = self.opt, self.rm, self.budget
        if self.status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
            return
        if self.best is not None and (opt.stop_at_first or self._proved()):
            self.status = cp_model.FEASIBLE
            return
        if self.best is not None and budget.left() < SHARES["main_min"]:
            self.status = cp_model.FEASIBLE
            return
        # wall reserve for loading the answer and reporting (60.3 s were spent for a 60 s
        # limit on the 200-agent week without it)
        reserve = min(self.build_s / 2 + 0.25, 0.1 * opt.time_limit_s)
        mine = budget.share(opt.lns_share_global if opt.lns else 1.0)
        mine.deadline = min(mine.deadline, self.t0 + opt.time_limit_s - reserve)
        solver = make_solver(1.0, opt.seed, opt.workers, self.params)
        if opt.lns and opt.lns_stall_s:
            watch = _stall_watch(solver, self.cb, opt.lns_stall_s)
            self.wall_stages.append("stall watch")
        else:
            watch = None
        settle = self.cg is not None  # after column generation: the LP's choices fixed
        if opt.lns:  # the LNS path shares the time limit, not the work
            solver.parameters.max_time_in_seconds = max(
                (self.t0 + opt.time_limit_s - reserve - time.perf_counter()) *
                (opt.lns_share_global), 0.1)
            status = solver.Solve(_settled_model(rm, self.cg) if settle else rm.model, self.cb)
            self.wall_stages.append("global search")
        else:
            status = mine.solve(solver, rm.model, self.cb, name="main search")
        if watch:
            watch.set()
        bound = solver.BestObjectiveBound()
        if settle:  # optimal and bounded within the settled choices only
            bound = None
            left = self.t0 + opt.time_limit_s - reserve - time.perf_counter()
            if status == cp_model.OPTIMAL and left > 1.0:
                # the settled choices bind: search the whole model from that roster
                set_full_hint(rm.model, list(solver.ResponseProto().solution))
                whole = make_solver(left * opt.lns_share_global, opt.seed, opt.workers, self.params)
                if whole.Solve(rm.model, self.cb) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    solver, bound = whole, whole.BestObjectiveBound()
            status = cp_model.FEASIBLE if status == cp_model.OPTIMAL else status
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.best, self.status, self.search_bound = solver, status, bound
        elif status == cp_model.INFEASIBLE and self.best is None:
            self.status = status
        elif self.best is not None:
            self.status = cp_model.FEASIBLE  # the search found nothing better
        elif status == cp_model.MODEL_INVALID:
            raise RuntimeError(f"CP-SAT says the model is invalid: {rm.model.Validate()}")
        if bound is not None and self.lower is not None:
            self.lower = max(self.lower, math.ceil(bound - 1e-6))
        if opt.lns and self.status == cp_model.FEASIBLE and not opt.stop_at_first:
            # room after the LNS for the final fixed re-solve and the report: about two builds
            self.best = _lns(rm, self.best, self.t0 + opt.time_limit_s - 2 * self.build_s,
                             opt.seed, opt.lns_workers or opt.workers, self.params, self.lower,
                             None if self.cg is None else self.cg.lp_use)
            self.wall_stages.append("LNS")

    # -- the answer --------------------------------------------------------------------
    def result(self) -> RosterResult:
        opt, problem = self.opt, self.problem
        if self.best is not None and self.status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.status = cp_model.FEASIBLE
        if self._proved() and self.status == cp_model.FEASIBLE:
            self.status = cp_model.OPTIMAL  # the column-generation or count bound proves it
        name = cp_model.CpSolver().StatusName(self.status) if self.best is None else \
            self.best.StatusName(self.status)
        result = RosterResult(status=name, objective=None, bound=None, wall_time_s=0.0,
                              problem=problem, first_solution_s=self.first_s or self.cb.first,
                              build_s=self.build_s)
        if self.best is not None:
            objective = float(self.best.ObjectiveValue())
            result.objective = objective
            result.bound = _sane_bound(self.lower if self.lower is not None else self.search_bound,
                                       objective, result.status == "OPTIMAL")
            result.assignments, result.leave_decisions, result.violations = extract(self.rm, self.best)
            if opt.explain_infeasible:
                mine = self.budget.share(1.0)
                result.leave_decisions = [_why_refused(problem, dec, mine, opt.seed)
                                          for dec in result.leave_decisions]
        elif self.status == cp_model.INFEASIBLE and opt.explain_infeasible:
            result.explanation = explain(problem, budget=self.budget.share(1.0), seed=opt.seed)
        result.work = self.budget.spent
        result.wall_cut = tuple(dict.fromkeys(self.wall_stages + list(self.budget.cut)))
        if not result.feasible:
            result.message = _no_roster_message(result, opt, self.budget)
        result.wall_time_s = time.perf_counter() - self.t0
        return result

    # -- helpers -----------------------------------------------------------------------
    def _build(self) -> None:
        self.rm = build(self.problem)
        self.build_s = time.perf_counter() - self.t0

    def _proved(self) -> bool:
        return (self.best is not None and self.lower is not None
                and self.best.ObjectiveValue() <= self.lower)


def _sane_bound(bound: float | None, objective: float, optimal: bool) -> float | None:
    """A lower bound fit to print: never above the objective, never below 0 (every term of the
    objective is a non-negative count times a non-negative weight); the objective itself when
    it is proved optimal."""
    if optimal:
        return objective
    if bound is None or not math.isfinite(bound):
        return None
    return float(min(max(bound, 0.0), objective))


def _no_roster_message(result: RosterResult, opt: SolveOptions, budget: Budget) -> str:
    if result.status == "INFEASIBLE":
        return ("no roster satisfies every hard rule (proved); the explanation names rules that "
                "cannot all hold")
    spent = f"{budget.spent:.2f} of {budget.work:.2f} work units"
    why = ("the time limit stopped the search first" if budget.cut else
           "its work budget was spent first")
    return (f"no roster was found and none was proved impossible within the limit ({spent}; "
            f"{why}): give more time (a longer time limit) or more work")


def _stall_watch(solver, cb, stall_s: float) -> threading.Event:
    """Stop the global search once it has a roster and found nothing better for ``stall_s``
    seconds, so the large-neighbourhood search gets the rest of the time."""
    done = threading.Event()

    def watch():
        while not done.wait(0.25):
            if cb.last is not None and time.perf_counter() - cb.last > stall_s:
                solver.StopSearch()
                return

    threading.Thread(target=watch, daemon=True).start()
    return done


def _column_generation(problem: Problem, t0: float, time_limit_s: float):
    """Classic cover: the column-generation roster and bound (:mod:`solvers.colgen`), or None
    where it does not apply."""
    from . import colgen
    from .lns import agent_decomposable

    if not (agent_decomposable(problem) and colgen.supported(problem)):
        return None
    cg = colgen.column_generation(problem, deadline=t0 + CG_LP_SHARE * time_limit_s,
                                  dive_deadline=t0 + CG_DIVE_SHARE * time_limit_s)
    if cg is not None and _LOG:
        print("\n".join(cg.log), flush=True)
    return cg


def _settled_model(rm, cg):
    """A copy of the model with the agent-days the LP solution agrees on fixed to its choice
    (the relaxation-induced neighbourhood; same variables, so solutions carry over)."""
    m = rm.model.Clone()
    for a, d in cg.settled:
        ch = cg.choices[a, d]
        for o in rm.options.get((a, d), ()):
            m.Add(m.GetBoolVarFromProtoIndex(o.var.Index()) == int(
                ch is not None and (o.template.name, o.start) == ch[:2]))
    return m


def _lns(rm, solver, deadline: float, seed: int, lns_workers: int, params: dict,
         lower: int | None = None, prefer: dict | None = None):
    """Improve the search's roster by LNS (until ``deadline`` or the objective reaches the
    lower bound ``lower``); returns a solver holding the best roster."""
    from .lns import agent_decomposable, choices_of, improve, improve_classic

    values = list(solver.ResponseProto().solution)
    sub = {k: v for k, v in params.items() if k not in LNS_IGNORED}
    rm.model.ClearHints()
    if agent_decomposable(rm.problem):
        # classic cover: re-solve a few agents at a time in small models of their own
        floor = None if lower is None else lower - solver.ObjectiveValue()
        choices, _, steps = improve_classic(
            rm.problem, choices_of(rm, values), deadline=deadline - 0.5, seed=seed,
            step_s=CLASSIC_LNS_STEP_S, params={**CLASSIC_LNS_PARAMS, **sub},
            parallel=max(1, lns_workers), floor=floor, prefer=prefer)
        _add_hint(rm, {(rm.agents[a].agent_id, d): ch for (a, d), ch in choices.items()})
    else:
        values, _, steps = improve(rm, values, solver.ObjectiveValue(), deadline=deadline - 0.5,
                                   seed=seed, workers=lns_workers, params=sub)
        set_full_hint(rm.model, values)
    if not steps:
        return solver
    # re-solve with the improved roster fixed: a solver holding it (and its exact costs)
    fixed = make_solver(10.0, 0, 1, {"fix_variables_to_their_hinted_value": True})
    if fixed.Solve(rm.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return fixed
    return solver


def _complete_hint(rm, t0: float, budget: Budget, seed: int):
    """Solve with the hinted shifts fixed (breaks, counts and costs left free) within
    ``budget``: if that gives a roster, hint every variable with it so the main search starts
    from a feasible roster. Returns (time the roster was found, the solver holding it) or
    (None, None)."""
    fixed = make_solver(1.0, seed, 1, {"fix_variables_to_their_hinted_value": True})
    if budget.solve(fixed, rm.model, name="completion") not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, None
    found = time.perf_counter() - t0
    values = list(fixed.ResponseProto().solution)
    set_full_hint(rm.model, values)
    return found, fixed


def _count_bound(rm, solver, budget: Budget, seed: int, workers: int) -> int | None:
    """Interval mode: the count relaxation's bound (:func:`solvers.bound.count_bound`, a MIP
    per independent part, ``workers`` at a time) started from the solver's roster, within
    ``budget``. CP-SAT's own bound stays near 0 on large roster models (the 200-agent week: 0
    after 60 s, where this proves 798 in about 15 s against a roster of 804)."""
    from .bound import count_bound
    from .lns import choices_of

    values = list(solver.ResponseProto().solution)
    roster = {(rm.agents[a].agent_id, d): ch
              for (a, d), ch in choices_of(rm, values).items() if ch is not None}
    found = count_bound(rm.problem, budget=budget, seed=seed, workers=max(workers, 1), hint=roster)
    return math.ceil(found.value - 1e-6) if math.isfinite(found.value) else None


def _refine(rm, hint: dict, fallback, t0: float, budget: Budget, seed: int):
    """Interval mode: a second constructed roster from the first one's count plan (its shifts
    and the breaks the solver placed, ``construct_hint(exact_week=True, start_from=hint,
    start_breaks=...)``), within ``budget``. Independent parts
    (:func:`solvers.construct.components`) are compared one by one: each keeps the cheaper of
    its two rosters (a part can end worse when its time runs out). Returns the solver holding
    the cheapest roster."""
    from .construct import construct_hint

    keep = list(fallback.ResponseProto().solution)
    breaks = {(k, d, t, s, j, o): v for (k, d, t, s, j), bvars in rm.breaks.items()
              for o, var in bvars.items() if (v := fallback.Value(var))}
    # most of the work to the construction, the rest to completing its rosters
    better = construct_hint(rm.problem, exact_week=True, budget=budget.share(0.8),
                            start_from=hint, start_breaks=breaks, seed=seed)
    best = fallback
    if better:
        found = _completed(rm, better, t0, budget.share(0.5), seed)
        if found is not None:
            old, new = _part_costs(rm, fallback), _part_costs(rm, found)
            worse = [ids for ids, cost in new.items() if cost > old[ids]]
            if worse and len(worse) < len(new):  # a part got worse: it keeps the first roster
                merged = {**better, **{key: c for key, c in hint.items() if key[0] in
                                       set().union(*worse)}}
                mixed = _completed(rm, merged, t0, budget.share(1.0), seed)
                if mixed is not None and mixed.ObjectiveValue() < found.ObjectiveValue():
                    found = mixed
            if found.ObjectiveValue() < fallback.ObjectiveValue():
                best = found
    set_full_hint(rm.model, keep if best is fallback else list(best.ResponseProto().solution))
    return best


def _completed(rm, hint: dict, t0: float, budget: Budget, seed: int):
    """The solver holding ``hint`` completed (breaks, counts, costs), or None."""
    rm.model.ClearHints()
    _add_hint(rm, hint)
    return _complete_hint(rm, t0, budget, seed)[1]


def _part_costs(rm, solver) -> dict[frozenset, float]:
    """Soft costs of the solver's roster per independent part, keyed by the part's agent ids:
    coverage terms by skill, agent terms by agent (costs over all agents are left out)."""
    from .construct import components, part

    parts = [(set(ks), frozenset(a.agent_id for a in part(rm.problem, ks).agents))
             for ks in components(rm.problem)]
    out = dict.fromkeys((ids for _ks, ids in parts), 0.0)
    for pen in rm.penalties:
        skill = pen.detail[6:] if pen.detail.startswith("skill ") else None
        for ks, ids in parts:
            if skill in ks or pen.agent_id in ids:
                v = pen.expr if isinstance(pen.expr, int) else solver.Value(pen.expr)
                out[ids] += v * pen.weight
                break
    return out


def previous_hint(problem: Problem) -> dict | None:
    """The published roster as a warm start: ``{(agent_id, day): (template, start_min, skill) | None}``
    for the agents that have one (``Agent.previous``); None when nobody has."""
    if not any(a.previous for a in problem.agents):
        return None
    hint = {}
    for ag in problem.agents:
        if not ag.previous:
            continue
        for d in range(problem.grid.days):
            prev = ag.previous.get(problem.grid.date_of(d))
            hint[(ag.agent_id, d)] = (prev.template, prev.start_min, prev.skill) if prev else None
    return hint


def _add_hint(rm, hint: dict) -> None:
    ids = {ag.agent_id: a for a, ag in enumerate(rm.problem.agents)}
    for (aid, d), choice in hint.items():
        a = ids.get(aid)
        if a is None or (a, d) not in rm.options:
            continue
        for o in rm.options[a, d]:
            hit = choice is not None and (o.template.name, o.start) == tuple(choice[:2]) and (
                len(choice) < 3 or choice[2] is None or choice[2] == o.skill)
            rm.model.AddHint(o.var, bool(hit))


def _why_refused(problem: Problem, dec: LeaveDecision, budget: Budget, seed: int) -> LeaveDecision:
    """Name the hard rules a coverage refusal protects (solve again with the leave granted),
    within half the work left (refusals past it keep the short reason)."""
    if dec.granted or dec.reason != COVERAGE_REFUSAL or budget.exhausted(SHARES["main_min"]):
        return dec
    idx = next(i for i, r in enumerate(problem.leave) if r is dec.request)
    conflicts = explain(problem, budget=budget.share(SHARES["explain"]), seed=seed,
                        force_leave=frozenset({idx}))
    if not conflicts:
        return dec
    rules = "; ".join(str(c) for c in conflicts[:3])
    return LeaveDecision(dec.request, False, f"coverage: granting it would break {rules}")


def explain(problem: Problem, *, time_limit_s: float = 30.0, seed: int = 0, workers: int = 2,
            minimise: bool = True, force_leave: frozenset[int] = frozenset(),
            budget: Budget | None = None) -> list[Conflict]:
    """Rules (with agent/day) that cannot all hold together, for an infeasible problem.

    Every hard rule gets an assumption literal; CP-SAT reports a set of assumptions sufficient
    for infeasibility, which is then shrunk by deletion (each rule dropped in turn; kept if the
    rest becomes feasible). Returns ``[]`` when the problem is feasible or no answer was found
    within the budget (``budget``, or the default work of ``time_limit_s``, which caps the
    wall time); soft rules never make a problem infeasible. Runs single-threaded on work
    limits (``workers`` is accepted for symmetry with :func:`solve`), so the answer is
    reproducible.

    >>> from datetime import date
    >>> from solvers.types import Grid, ShiftTemplate, Contract, Agent, ShiftCover
    >>> p = Problem(Grid(date(2026, 1, 5), 7, 60), [ShiftTemplate("d", 480)],
    ...             [Agent("a", Contract("c", days_per_week=(7, 7)))], cover=[ShiftCover(0, "d", 1)])
    >>> sorted({c.rule for c in explain(p, time_limit_s=5)})
    ['contract days/minutes per week', 'max consecutive working days']
    """
    if budget is None:
        budget = Budget(default_work(time_limit_s), time_limit_s)
    rm = build(problem, explain=True, objective=False, force_leave=force_leave)
    lit_to_key = {lit.Index(): key for key, lit in rm.assumptions.items()}

    def core_of(active: list) -> list | None:
        m = rm.model.Clone()
        m.ClearAssumptions()
        m.AddAssumptions(active)
        s = make_solver(1.0, seed, 1, None)
        st = budget.solve(s, m, name="explanation")
        if st == cp_model.INFEASIBLE:
            return [rm.model.GetBoolVarFromProtoIndex(i) for i in
                    s.SufficientAssumptionsForInfeasibility()]
        return None if st == cp_model.UNKNOWN else []

    core = core_of(list(rm.assumptions.values()))
    if not core:
        return []
    if minimise and len(core) <= 40:
        i = 0
        while i < len(core) and not budget.exhausted():
            trial = core[:i] + core[i + 1:]
            sub = core_of(trial) if trial else []
            if sub:  # still infeasible without core[i]: drop it
                core = [c for c in trial if c.Index() in {s.Index() for s in sub}] or trial
            else:
                i += 1
    out = []
    for lit in core:
        rule, a, d = lit_to_key[lit.Index()]
        aid = problem.agents[a].agent_id if a is not None else None
        out.append(Conflict(rule, aid, d, _hint_for(rule)))
    return sorted(out, key=lambda c: (c.rule, c.agent_id or "", c.day or 0))


_FIXES = {
    "continuous coverage": "too few agents can be on line there; add agents or close the interval",
    "handover": "no overlapping shift to hand over to; add a template start or an agent",
    "minimum rest": "shorten the rest or widen the start windows",
    "day off": "the agent's day off conflicts with other rules",
    "contract days/minutes per week": "the contract's weekly days/minutes cannot be met",
}


def _hint_for(rule: str) -> str:
    return _FIXES.get(rule, "relax this rule or change the inputs it applies to")
