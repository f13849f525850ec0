"""Public entry points: :func:`solve` a roster problem, :func:`explain` an infeasible one."""

from __future__ import annotations

import math
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from ortools.sat.python import cp_model

from .greedy import greedy_hint
from .mip import set_full_hint
from .model import COVERAGE_REFUSAL, _FirstSolution, build, extract, make_solver
from .types import Conflict, LeaveDecision, Problem, RosterResult

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
#: Interval mode: with at least ``REFINE_MIN_S`` left after the first roster, a second
#: construction from that roster's own count plan gets ``REFINE_SHARE`` of what is left, but
#: leaves ``COUNT_BOUND_RESERVE_S`` for the bound (the sample week at 15 s under load: the
#: refine left 1.6 s and the solve reported no bound).
REFINE_MIN_S = 10.0
REFINE_SHARE = 0.8
COUNT_BOUND_RESERVE_S = 3.0
#: Interval mode: with at least ``COUNT_BOUND_MIN_S`` left once a roster is found (and
#: refined), the count relaxation's bound (:func:`_count_bound`) gets ``COUNT_BOUND_SHARE``
#: of what is left; the search stops there when the roster reaches it.
COUNT_BOUND_MIN_S = 1.0
COUNT_BOUND_SHARE = 0.8
#: Classic cover with LNS: column generation (:mod:`solvers.colgen`) solves the master LP
#: within ``CG_LP_SHARE`` of the time limit; the LP gives the bound, its rounding the first
#: roster, and the global CP-SAT search then runs with the choices the LP agrees on fixed.
CG_LP_SHARE = 0.45
CG_DIVE_SHARE = 0.5


def solve(problem: Problem, *, time_limit_s: float = 30.0, seed: int = 0, workers: int = 2,
          hint: dict | None = None, use_greedy_hint: bool = True, stop_at_first: bool = False,
          explain_infeasible: bool = True, params: dict | None = None,
          complete_hint: bool = True, lns: bool = False,
          lns_share_global: float = 0.3, lns_workers: int | None = None,
          deterministic: bool = True, lns_stall_s: float | None = None) -> RosterResult:
    """Build the CP-SAT roster model of ``problem`` and solve it.

    Parameters
    ----------
    time_limit_s : wall-time limit, always honoured (the explanation of an infeasible problem
        gets its own limit of the same length).
    seed, workers : CP-SAT ``random_seed`` and ``num_workers``.
    deterministic : run the parallel workers interleaved in a fixed order
        (``interleave_search``), so the same inputs, seed and workers give the same roster
        whenever the search ends on its own (optimal) or on a deterministic work limit
        (``params={"max_deterministic_time": ...}``); a wall-time stop depends on the
        machine's speed. ``False`` lets the workers race (often faster on big problems).
    hint : ``{(agent_id, day): (template, start_min, skill) | None}`` warm start; by default a
        greedy constructive roster is used as hint.
    stop_at_first : return as soon as a feasible roster exists.
    complete_hint : first solve with the hinted shifts fixed; when that gives a roster the main
        search starts from it (so a roster exists within seconds on large problems). In
        interval mode, with ``REFINE_MIN_S`` left, a second construction from that roster's
        count plan improved a few days at a time (:func:`solvers.construct.construct_hint`,
        :func:`solvers.construct.improve_plan`) replaces it, part by part, where it costs less.
        Then the count relaxation (:mod:`solvers.bound`, solved as a MIP from that roster)
        gives the bound: the result is OPTIMAL, and the search skipped, when the roster
        reaches it; otherwise the bound is the better of it and the global search's.
    params : extra CP-SAT parameters (e.g. ``{"subsolvers": ["reduced_costs"]}``).
    lns : after the global search (at most ``lns_share_global`` of the time left, cut short
        when it finds nothing better for ``lns_stall_s`` seconds) spend the rest in a
        large-neighbourhood search (:mod:`solvers.lns`; in classic cover mode on small
        per-agent sub-models, :func:`solvers.lns.improve_classic`, two at a time).
        In classic cover mode without a ``hint``, when :func:`solvers.colgen.supported`,
        column generation comes first (at most ``CG_LP_SHARE`` of the limit): its LP gives
        the bound (the result is OPTIMAL when the roster reaches it, and the LNS stops
        there), a dive or the LP's rounding the first roster, and the global search runs with
        the agent-days the LP and that roster agree on fixed (RINS), on the whole model once
        that part is solved. Otherwise the bound is the global search's.
        (A stall cut of 8 s was tried on Curtois 8 and 12 and did not help: off by default.)

    Returns a :class:`RosterResult`.

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
    t0 = time.perf_counter()
    constructed = None
    if hint is None and use_greedy_hint and problem.interval_mode:  # in classic cover mode
        # the naive greedy misleads the search more than it helps (measured on Curtois)
        hint = previous_hint(problem)  # re-planning starts from the published roster
        if hint is None or any(not a.previous for a in problem.agents):
            # the construction (mostly CP-SAT, which releases the GIL) runs while the model
            # is built: about 2 s off the first roster of a 200-agent week
            pool = ThreadPoolExecutor(max_workers=1)
            constructed = pool.submit(greedy_hint, problem,
                                      time_budget_s=min(0.3 * time_limit_s, 10.0))
            pool.shutdown(wait=False)
    rm = build(problem)
    build_s = time.perf_counter() - t0
    if constructed is not None:
        hint = {**constructed.result(), **(hint or {})}
    merged = {**DEFAULT_PARAMS, **(params or {})}
    if deterministic and workers > 1:
        merged.setdefault("interleave_search", True)  # parallel search in a fixed order
    cg = _column_generation(problem, t0, time_limit_s) if (
        lns and hint is None and not stop_at_first) else None
    if cg is not None:
        hint = {(problem.agents[a].agent_id, d): ch for (a, d), ch in cg.choices.items()}
    first, fallback = None, None
    if hint:
        _add_hint(rm, hint)
        if complete_hint and (problem.interval_mode or cg is not None):
            first, fallback = _complete_hint(rm, t0, time_limit_s, seed, workers)
            if fallback is not None and not stop_at_first:
                fallback = _refine(rm, hint, fallback, t0, time_limit_s, seed)
    counted = None  # interval mode: the count relaxation's bound, from the roster found
    if fallback is not None and problem.interval_mode and not stop_at_first:
        counted = _count_bound(rm, fallback, t0, time_limit_s, seed, workers)
    proved = counted is not None and fallback.ObjectiveValue() <= counted
    # what is left, less a reserve for loading the answer and reporting (60.3 s were spent for
    # a 60 s limit on the 200-agent week without it, 60.1 s with a third of a build)
    remaining = time_limit_s - (time.perf_counter() - t0) - min(build_s / 2 + 0.25,
                                                                0.1 * time_limit_s)
    main_s = remaining * (lns_share_global if lns else 1.0)
    cb = _FirstSolution(t0, stop_at_first)
    bound = None
    # CP-SAT needs about a build's time just to load a large model: with less than that left,
    # return the constructed roster rather than overrun the limit
    if fallback is not None and (stop_at_first or proved or remaining < max(0.5, 2 * build_s)):
        solver, status = fallback, cp_model.UNKNOWN
    else:
        solver = make_solver(max(main_s, 0.1), seed, workers, merged)
        watch = _stall_watch(solver, cb, lns_stall_s) if lns and lns_stall_s else None
        # after column generation: search with the choices the LP settles fixed
        settle = cg is not None
        status = solver.Solve(_settled_model(rm, cg) if settle else rm.model, cb)
        if watch:
            watch.set()
        bound = solver.BestObjectiveBound()
        if settle:  # optimal and bounded within the settled choices only
            bound = None
            left = main_s - solver.WallTime()
            if status == cp_model.OPTIMAL and left > 1.0:
                # the settled choices bind: search the whole model from that roster
                set_full_hint(rm.model, list(solver.ResponseProto().solution))
                whole = make_solver(left, seed, workers, merged)
                if whole.Solve(rm.model, cb) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    solver, bound = whole, whole.BestObjectiveBound()
            status = cp_model.FEASIBLE if status == cp_model.OPTIMAL else status
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) and fallback is not None:
        solver, status = fallback, cp_model.FEASIBLE  # the search found nothing better in time
    lower = None if cg is None else math.ceil(cg.bound - 1e-6)  # the objective is an integer
    lower = counted if counted is not None else lower
    if bound is not None and lower is not None:
        lower = max(lower, math.ceil(bound - 1e-6))
    if lns and status == cp_model.FEASIBLE and not stop_at_first:
        # room after the LNS for the final fixed re-solve and the report: about two builds
        solver = _lns(rm, solver, t0 + time_limit_s - 2 * build_s, seed, lns_workers or workers,
                      merged, lower, None if cg is None else cg.lp_use)
    if lower is not None and status == cp_model.FEASIBLE and solver.ObjectiveValue() <= lower:
        status = cp_model.OPTIMAL  # the column-generation or count bound proves it
    name = solver.StatusName(status)
    result = RosterResult(status=name, objective=None, bound=None, wall_time_s=0.0,
                          problem=problem, first_solution_s=first or cb.first,
                          build_s=build_s)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        result.objective = float(solver.ObjectiveValue())
        result.bound = None if bound is None else float(bound)
        if lower is not None:
            result.bound = float(lower)
        result.assignments, result.leave_decisions, result.violations = extract(rm, solver)
        if explain_infeasible:
            # within what is left of the time limit (refusals beyond it keep the short reason)
            result.leave_decisions = [
                _why_refused(problem, dec, time_limit_s - (time.perf_counter() - t0), seed)
                for dec in result.leave_decisions]
    elif status == cp_model.INFEASIBLE and explain_infeasible:
        result.explanation = explain(problem, time_limit_s=time_limit_s, seed=seed,
                                     workers=workers)
    elif status == cp_model.MODEL_INVALID:
        raise RuntimeError(f"CP-SAT says the model is invalid: {rm.model.Validate()}")
    result.wall_time_s = time.perf_counter() - t0
    return result


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


def _complete_hint(rm, t0: float, time_limit_s: float, seed: int, workers: int):
    """Solve with the hinted shifts fixed (breaks, counts and costs left free): if that gives a
    roster, hint every variable with it so the main search starts from a feasible roster.
    Returns (time the roster was found, the solver holding it) or (None, None)."""
    budget = min(max(time_limit_s - (time.perf_counter() - t0), 0.1) / 3, 20.0)
    fixed = make_solver(budget, seed, 1, {"fix_variables_to_their_hinted_value": True})
    if fixed.Solve(rm.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, None
    found = time.perf_counter() - t0
    values = list(fixed.ResponseProto().solution)
    set_full_hint(rm.model, values)
    return found, fixed


def _count_bound(rm, solver, t0: float, time_limit_s: float, seed: int,
                 workers: int) -> int | None:
    """Interval mode: the count relaxation's bound (:func:`solvers.bound.count_bound`, a MIP
    per independent part, ``workers`` at a time) started from the solver's roster, within
    ``COUNT_BOUND_SHARE`` of the time left; ``None`` with less than ``COUNT_BOUND_MIN_S``
    left. CP-SAT's own bound stays near 0 on large roster models (the 200-agent week: 0
    after 60 s, where this proves 798 in about 15 s against a roster of 804)."""
    from .bound import count_bound
    from .lns import choices_of

    left = time_limit_s - (time.perf_counter() - t0)
    if left < COUNT_BOUND_MIN_S:
        return None
    values = list(solver.ResponseProto().solution)
    roster = {(rm.agents[a].agent_id, d): ch
              for (a, d), ch in choices_of(rm, values).items() if ch is not None}
    found = count_bound(rm.problem, time_limit_s=COUNT_BOUND_SHARE * left, seed=seed,
                        workers=max(workers, 1), hint=roster)
    return math.ceil(found.value - 1e-6) if math.isfinite(found.value) else None


def _refine(rm, hint: dict, fallback, t0: float, time_limit_s: float, seed: int):
    """Interval mode: a second constructed roster from the first one's count plan (its shifts
    and the breaks the solver placed, ``construct_hint(exact_week=True, start_from=hint,
    start_breaks=...)``), within ``REFINE_SHARE`` of the time left. Independent parts
    (:func:`solvers.construct.components`) are compared one by one: each keeps the cheaper of
    its two rosters (a part can end worse when its time runs out). Returns the solver holding
    the cheapest roster."""
    from .construct import construct_hint

    left = time_limit_s - (time.perf_counter() - t0)
    if left < REFINE_MIN_S:
        return fallback
    keep = list(fallback.ResponseProto().solution)
    breaks = {(k, d, t, s, j, o): v for (k, d, t, s, j), bvars in rm.breaks.items()
              for o, var in bvars.items() if (v := fallback.Value(var))}
    better = construct_hint(rm.problem, exact_week=True,
                            time_budget_s=min(REFINE_SHARE * left, left - COUNT_BOUND_RESERVE_S),
                            start_from=hint, start_breaks=breaks, seed=seed)
    best = fallback
    if better:
        found = _completed(rm, better, t0, time_limit_s, seed)
        if found is not None:
            old, new = _part_costs(rm, fallback), _part_costs(rm, found)
            worse = [ids for ids, cost in new.items() if cost > old[ids]]
            if worse and len(worse) < len(new):  # a part got worse: it keeps the first roster
                merged = {**better, **{key: c for key, c in hint.items() if key[0] in
                                       set().union(*worse)}}
                mixed = _completed(rm, merged, t0, time_limit_s, seed)
                if mixed is not None and mixed.ObjectiveValue() < found.ObjectiveValue():
                    found = mixed
            if found.ObjectiveValue() < fallback.ObjectiveValue():
                best = found
    set_full_hint(rm.model, keep if best is fallback else list(best.ResponseProto().solution))
    return best


def _completed(rm, hint: dict, t0: float, time_limit_s: float, seed: int):
    """The solver holding ``hint`` completed (breaks, counts, costs), or None."""
    rm.model.ClearHints()
    _add_hint(rm, hint)
    return _complete_hint(rm, t0, time_limit_s, seed, 1)[1]


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


def _why_refused(problem: Problem, dec: LeaveDecision, time_limit_s: float,
                 seed: int) -> LeaveDecision:
    """Name the hard rules a coverage refusal protects (solve again with the leave granted)."""
    if dec.granted or dec.reason != COVERAGE_REFUSAL or time_limit_s < 0.5:
        return dec
    idx = next(i for i, r in enumerate(problem.leave) if r is dec.request)
    conflicts = explain(problem, time_limit_s=min(time_limit_s, 10.0), seed=seed,
                        force_leave=frozenset({idx}))
    if not conflicts:
        return dec
    rules = "; ".join(str(c) for c in conflicts[:3])
    return LeaveDecision(dec.request, False, f"coverage: granting it would break {rules}")


def explain(problem: Problem, *, time_limit_s: float = 30.0, seed: int = 0, workers: int = 2,
            minimise: bool = True, force_leave: frozenset[int] = frozenset()) -> list[Conflict]:
    """Rules (with agent/day) that cannot all hold together, for an infeasible problem.

    Every hard rule gets an assumption literal; CP-SAT reports a set of assumptions sufficient
    for infeasibility, which is then shrunk by deletion (each rule dropped in turn; kept if the
    rest becomes feasible). Returns ``[]`` when the problem is feasible or no answer was found
    within the time limit; soft rules never make a problem infeasible. Runs single-threaded
    (``workers`` is accepted for symmetry with :func:`solve`) so the answer is reproducible.

    >>> from datetime import date
    >>> from solvers.types import Grid, ShiftTemplate, Contract, Agent, ShiftCover
    >>> p = Problem(Grid(date(2026, 1, 5), 7, 60), [ShiftTemplate("d", 480)],
    ...             [Agent("a", Contract("c", days_per_week=(7, 7)))], cover=[ShiftCover(0, "d", 1)])
    >>> sorted({c.rule for c in explain(p, time_limit_s=5)})
    ['contract days/minutes per week', 'max consecutive working days']
    """
    t0 = time.perf_counter()
    rm = build(problem, explain=True, objective=False, force_leave=force_leave)
    lit_to_key = {lit.Index(): key for key, lit in rm.assumptions.items()}

    def core_of(active: list) -> list | None:
        m = rm.model.Clone()
        m.ClearAssumptions()
        m.AddAssumptions(active)
        left = max(time_limit_s - (time.perf_counter() - t0), 0.1)
        s = make_solver(left, seed, 1, None)
        st = s.Solve(m)
        if st == cp_model.INFEASIBLE:
            return [rm.model.GetBoolVarFromProtoIndex(i) for i in
                    s.SufficientAssumptionsForInfeasibility()]
        return None if st == cp_model.UNKNOWN else []

    core = core_of(list(rm.assumptions.values()))
    if not core:
        return []
    if minimise and len(core) <= 40:
        i = 0
        while i < len(core) and time.perf_counter() - t0 < time_limit_s:
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
