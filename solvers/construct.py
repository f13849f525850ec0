"""A constructive roster for interval mode by decomposition: counts first, then agents.

0. The problem splits into independent *parts* (:func:`components`: skills no agent links),
   built one by one (:func:`by_parts`).
1. :func:`plan_counts` decides how many agents of each *group* (agents sharing contract and
   skills) start each template at each minute, for each day and skill, in a small CP-SAT
   model on integer counts: weighted under- and over-coverage, and the supply of each group
   (agents available per day, contract days and minutes per week, max consecutive days,
   1-on-1-off alternation; for a group on one template, its day totals as a sum of its
   members' work patterns, :func:`work_patterns`) as constraints. The weekly pass is coarse
   (starts every ``COARSE_STEP_MIN``, each break in the middle of its window): it mainly
   decides how many shifts each group works each day. Solved exactly (``exact_week``: every
   start, breaks as counts, continuous coverage and handover hard, started from a roster
   with ``start_from``) it is the relaxation of :mod:`solvers.bound`.
2. The agents' days: :func:`pattern_days` picks a work pattern per agent among all the
   patterns that keep the day-level rules (groups on one template, short horizons, no
   leave); otherwise :func:`work_days` runs the roster model of :mod:`solvers.model` in
   classic-cover mode (one start per template), so every day-level rule is the model's own.
   Either way the counted shifts per day are the target.
3. Day by day, :func:`plan_counts` again on every start, with breaks as counts (as in the
   roster model), continuous coverage and handover (steeply weighted), each group's shifts
   per template fixed to the days chosen (at most those, for a contract that can always
   work a day less) and, from the agents' finishing times the day before, no more early
   starts than agents rested enough for them (:func:`rest_floors`); then :func:`assign_day`
   hands the counted starts to the group's agents, keeping the minimum rest.
4. :func:`construct_hint` joins them into ``{(agent_id, day): (template, start, skill) | None}``.

>>> from datetime import date
>>> import numpy as np
>>> from solvers.types import Agent, Contract, Grid, Problem, ShiftTemplate
>>> g = Grid(date(2026, 1, 5), 1, 60)
>>> req = {"voice": np.zeros((1, 24), int)}; req["voice"][0, 9:17] = 1
>>> p = Problem(g, [ShiftTemplate("day", 480, 480, 600, 60)],
...             [Agent("a", Contract("c"), ("voice",))], requirement=req)
>>> construct_hint(p)
{('a', 0): ('day', 540, 'voice')}
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field, replace

import numpy as np
from ortools.sat.python import cp_model

from .budget import Budget
from .mip import available as mip_available
from .mip import hinted, set_full_hint, solve_linear
from .types import Agent, Problem, Rules, ShiftCover, ShiftTemplate

#: Deterministic-time budgets (CP-SAT work units, about seconds on this machine; the wall
#: limit is 4 times that) of the weekly and per-day count passes, for a problem of
#: ``FULL_SIZE`` agent-days; smaller problems get a proportional share (at least ``MIN_SHARE``).
COUNT_DET_TIME = 1.0
DAY_DET_TIME = 1.5
FULL_SIZE = 1400
MIN_SHARE = 0.15
#: Default wall budget of the whole construction: ``MIN_BUDGET_S`` plus the size share of
#: ``DEFAULT_BUDGET_S`` (a caller with a time limit passes its own).
MIN_BUDGET_S = 0.5
DEFAULT_BUDGET_S = 8.0
#: Relative gap at which the count passes stop (the search's tail rarely pays here).
COARSE_GAP = 0.02
DAY_GAP = 0.005
#: Start and break step of the first, weekly count pass (the per-day pass uses every start).
COARSE_STEP_MIN = 30
ASSIGN_DET_TIME = 1.0
#: Cost of one counted shift left without agent (under) or one agent on an uncounted shift
#: (over) when the agents' days are chosen.
ASSIGN_UNDER_WEIGHT = 20
ASSIGN_OVER_WEIGHT = 20
#: Continuous coverage and handover are soft in the count model, at this many times the cost
#: of one agent-interval short (a plan always exists; in practice they hold).
HARD_RULE_WEIGHT = 100


@dataclass
class CountPlan:
    """What :func:`plan_counts` decided.

    ``counts[(g, d, template, start, skill)]`` agents of group ``g`` on that shift;
    ``coverage[skill]`` agents on line ``(days, intervals_per_day)`` with the counted breaks;
    ``status`` CP-SAT's; ``under`` / ``over`` agent-intervals short / in excess; ``misses``
    open intervals left without anybody plus shift ends without handover.
    """

    counts: dict
    coverage: dict
    status: str
    under: int
    over: int
    misses: int = 0
    objective: float | None = None
    bound: float | None = None
    breaks: dict = field(default_factory=dict)


def groups_of(problem: Problem) -> list[list[int]]:
    """Agent indices grouped by contract and skills, in order of first appearance. An agent
    with leave requests is a group of its own: the others' days can then be planned as sums of
    their work patterns (:func:`work_patterns`), which leave would upset, and the count
    relaxation decides its leave as the roster model does (:func:`_leave_choices`)."""
    out: dict = {}
    asked = {r.agent_id for r in problem.leave}
    for a, ag in enumerate(problem.agents):
        alone = ag.agent_id if ag.agent_id in asked else None
        out.setdefault((id(ag.contract), ag.skills, alone), []).append(a)
    return list(out.values())


def _skills(problem: Problem, agent: Agent) -> list[str]:
    return [k for k in agent.skills if k in problem.requirement or k in problem.grid.open]


def _templates(problem: Problem, agent: Agent) -> list[ShiftTemplate]:
    c = agent.contract
    return [t for t in problem.templates if not c.templates or t.name in c.templates]


def _blocked(problem: Problem, agent: Agent, leave: bool = False) -> set[int]:
    """Horizon days ``agent`` cannot work: fixed days off, unavailability and, with ``leave``,
    the whole days of leave it asked for in time (:func:`leave_days`)."""
    g = problem.grid
    out = {g.day_of(x) for x in agent.fixed_days_off | agent.unavailable} & set(range(g.days))
    return out | leave_days(problem, agent) if leave else out


def leave_days(problem: Problem, agent: Agent) -> set[int]:
    """Horizon days wholly inside a leave request of ``agent`` that meets its notice
    (:func:`solvers.leave.check_notice`). The roster model grants such leave unless that breaks
    a hard rule (refusing costs ``leave_refusal_weight`` a day), so the construction plans those
    days off; the bound does not (a refusal stays possible)."""
    return {d for _req, spans in _leave_spans(problem, agent) for d, lo, hi in spans
            if lo <= 0 and hi >= 24 * 60}


def _leave_spans(problem: Problem, agent: Agent) -> list:
    """``[(request, [(day, from_min, to_min), ...]), ...]``: the leave requests of ``agent``
    that meet their notice, with the minutes of each horizon day they touch (relative to that
    day's midnight, so a whole day is ``from <= 0`` and ``to >= 1440``)."""
    from datetime import datetime, timedelta

    from .leave import check_notice

    g, out = problem.grid, []
    templates = {t.name: t for t in problem.templates}
    for req in problem.leave:
        if req.agent_id != agent.agent_id or check_notice(
                req, agent, problem.rules, g, templates).refusal:
            continue
        spans = []
        for d in range(g.days):
            day0 = datetime.combine(g.date_of(d), datetime.min.time())
            lo = (req.start - day0) / timedelta(minutes=1)
            hi = (req.end - day0) / timedelta(minutes=1)
            if hi > 0 and lo < 24 * 60:
                spans.append((d, lo, hi))
        out.append((req, spans))
    return out


def _solver(det_time: float, workers: int, seed: int, gap: float = 0.0,
            max_wall_s: float | None = None) -> cp_model.CpSolver:
    s = cp_model.CpSolver()
    s.parameters.relative_gap_limit = gap
    s.parameters.log_search_progress = bool(os.environ.get("WFM_CONSTRUCT_LOG"))
    s.parameters.max_deterministic_time = det_time
    s.parameters.max_time_in_seconds = max(min(4 * det_time, max_wall_s or np.inf), 0.01)
    s.parameters.num_workers = workers
    s.parameters.random_seed = seed
    if workers > 1:
        s.parameters.interleave_search = True
    return s


def _starts(t: ShiftTemplate, step_min: int | None) -> list[int]:
    """The template's starts, thinned to every ``step_min`` minutes when given."""
    return [s for s in t.starts()
            if not step_min or (s - t.earliest_start_min) % step_min == 0]


def plan_counts(problem: Problem, *, det_time: float = COUNT_DET_TIME, workers: int = 1,
                seed: int = 0, day_totals: dict | None = None,
                start_step_min: int | None = None, coarse: bool = False,
                max_wall_s: float | None = None, relaxation: bool = False,
                hint: dict | None = None, rest_floors: dict | None = None,
                break_hint: dict | None = None, keep_days=(), mip: bool = False,
                grant_leave: bool = False, budget: Budget | None = None) -> CountPlan:
    """Stage 1: shift counts per group, day, template, start and skill (see module doc).

    ``day_totals[(group, day, template)]``, when given, fixes how many shifts of the template
    the group works that day (the second pass, once the agents' days are known), or the
    range ``(lo, hi)`` they may take.
    ``start_step_min`` thins the starts; ``coarse`` puts every break in the middle of its
    window and leaves continuous coverage and handover out (a fast first pass that mainly
    decides the shifts per day and template). ``max_wall_s`` caps the wall time (the plan
    is then deterministic only if the cap is not reached). ``budget``
    (:class:`solvers.budget.Budget`), when given, is charged the work spent: the search gets
    at most ``det_time`` of what it has left, with its deadline as the wall cap.

    ``relaxation`` builds the model as a relaxation of the roster model (see
    :mod:`solvers.bound`): continuous coverage and handover hard, no lower limits on the
    worked days of a group with leave requests (granted leave counts toward them), the
    under-coverage of intervals nobody can serve as a constant; ``bound`` is then a lower
    bound on the objective of every roster. ``hint`` (counts keyed as ``CountPlan.counts``, e.g.
    :func:`hint_counts` of a roster) is where the search starts, with ``break_hint``
    (``{(skill, day, template, start, break, offset): agents}``, as ``CountPlan.breaks``) its
    breaks, so the search starts from a complete plan; ``keep_days`` are then kept as
    hinted (a neighbourhood of :func:`improve_plan`; the bound is then not a bound). ``rest_floors[(group,
    template)]``, on a one-day problem, lists the earliest start each agent of the group
    working that template may take (:func:`rest_floors`): the counted starts are then kept
    such that every one can be handed to its own agent (a start before ``x`` for at most the
    agents whose earliest start is before ``x``).
    ``mip`` solves the model with the MIP solver of :mod:`solvers.mip` within ``max_wall_s``
    (default 4 ``det_time``) instead of CP-SAT: on the weekly models it finds and proves far
    more in the same time (the 200-agent week's voice desk optimal in 8 s).
    ``grant_leave`` plans the whole days of leave asked in time off, credited toward the
    contract's days (:func:`leave_days`; for the construction: the model would grant it),
    which a bound may not assume.
    """
    if keep_days and (hint is None or break_hint is None):
        raise ValueError("keep_days keeps the hinted plan: give hint and break_hint")
    if relaxation and (coarse or start_step_min or day_totals is not None):
        raise ValueError("a relaxation needs every start, breaks as counts and free day totals")
    p, g, rules = problem, problem.grid, problem.rules
    iv, ipd, days = g.interval_min, g.intervals_per_day, g.days
    m = cp_model.CpModel()
    groups = groups_of(p)
    n: dict = {}
    per_start: dict = defaultdict(list)
    pattern_costs: list = []
    for gi, members in enumerate(groups):
        ag = p.agents[members[0]]
        c = ag.contract
        blocked = {a: _blocked(p, p.agents[a], leave=grant_leave) for a in members}
        avail = [sum(d not in blocked[a] for a in members) for d in range(days)]
        day_total, day_min = [], []
        for d in range(days):
            xs = []
            for t in _templates(p, ag):
                for s in _starts(t, start_step_min):
                    for k in _skills(p, ag):
                        v = m.NewIntVar(0, avail[d], f"n{gi}_{d}_{t.name}_{s}_{k}")
                        n[gi, d, t.name, s, k] = v
                        per_start[k, d, t.name, s].append(v)
                        xs.append(v)
            if day_totals is not None:
                for t in _templates(p, ag):
                    want = day_totals.get((gi, d, t.name), 0)
                    lo, hi = want if isinstance(want, tuple) else (want, want)
                    m.AddLinearConstraint(sum(n[gi, d, t.name, s, k]
                                              for s in _starts(t, start_step_min)
                                              for k in _skills(p, ag)), lo, hi)
            if xs:
                m.Add(sum(xs) <= avail[d])  # one shift a day
            day_total.append(sum(xs) if xs else 0)
            day_min.append(sum(t.length_min * n[gi, d, t.name, s, k] for t in _templates(p, ag)
                               for s in _starts(t, start_step_min)
                               for k in _skills(p, ag)) if xs else 0)
        if all(isinstance(x, int) for x in day_total):
            continue  # the group serves no skill of the problem: nothing to count
        size = len(members)
        ids = {p.agents[a].agent_id for a in members}
        credit = [0] * days  # granted whole days of leave, toward the contract's days
        decide = relaxation and not grant_leave and size == 1
        if decide:  # an agent's own leave requests: granted or refused, as in the roster model
            credit = _leave_choices(p, m, gi, ag, n, start_step_min, pattern_costs)
        floors = grant_leave or decide or not (
            relaxation and any(r.agent_id in ids for r in p.leave))
        days_range = c.days_per_week or ((5, 5) if c.pattern == "5on2off" else None)
        for w in range(days // 7):
            wk = range(7 * w, 7 * w + 7)
            blocked_w = sum(min(len(blocked[a] & set(wk)), 7) for a in members)
            if days_range:
                lo = max(days_range[0] * size - blocked_w, 0) if floors else 0
                m.Add(sum(day_total[d] + credit[d] for d in wk) >= lo)
                m.Add(sum(day_total[d] for d in wk) <= days_range[1] * size)
            if c.minutes_per_week:
                m.Add(sum(day_min[d] for d in wk) <= c.minutes_per_week[1] * size)
        if c.total_minutes:
            m.Add(sum(day_min) <= c.total_minutes[1] * size)
        mc = c.max_consecutive_days
        if mc is not None and days > mc:
            for d0 in range(days - mc):
                m.Add(sum(day_total[d0:d0 + mc + 1]) <= mc * size)
        found = work_patterns(p, members) if day_totals is None and days > 1 else None
        if found is not None:  # the group's day totals as a sum of its members' patterns
            _t, pats, classes = found
            worked = [0] * days
            for blocked, people in classes.items():
                ok = [w for w in pats if not any(w[d] for d in blocked)]
                ys = [m.NewIntVar(0, len(people), f"y{gi}_{j}") for j in range(len(ok))]
                m.Add(sum(ys) == len(people))
                for y, w in zip(ys, ok):
                    worked = [x + y if w[d] else x for d, x in enumerate(worked)]
                    if cost := split_cost(p, c, w):  # each member pays for its own pattern
                        pattern_costs.append(cost * y)
            for d in range(days):
                m.Add(day_total[d] == worked[d])
        if c.pattern == "1on1off":
            for d in range(days - 1):
                m.Add(day_total[d] + day_total[d + 1] <= size)
                if floors:
                    m.Add(day_total[d] + day_total[d + 1] + credit[d] + credit[d + 1]
                          >= min(avail[d], avail[d + 1]))
    for (gi, tn), lbs in (rest_floors or {}).items():
        t = p.template(tn)
        skills = _skills(p, p.agents[groups[gi][0]])
        starts = _starts(t, start_step_min)
        for x in sorted(set(lbs)):
            if starts and starts[0] < x <= starts[-1]:
                m.Add(sum(n[gi, 0, tn, s, k] for s in starts if s < x for k in skills)
                      <= sum(lb < x for lb in lbs))
    # breaks as counts, coverage per (skill, day, interval)
    bvars: dict = {}
    plus: dict = defaultdict(list)
    minus: dict = defaultdict(list)
    ends: dict = defaultdict(list)
    stays: dict = defaultdict(list)
    starts_n: dict = {}
    for (k, d, tn, s), vs in per_start.items():
        t = p.template(tn)
        cnt = sum(vs)
        starts_n[k, d, tn, s] = cnt
        e = s + t.length_min
        for i in range(s // iv, e // iv):
            plus[k, d, i].append(cnt)
            if i * iv >= s + rules.handover_min:
                stays[k, d, i].append(cnt)
        ends[k, d, e // iv].append(cnt)
        for j, br in enumerate(t.breaks):
            offs = [o for o in range(br.earliest_after_min, br.latest_after_min + 1, iv)
                    if o + br.length_min <= t.length_min]
            if coarse:  # the break in the middle of its window
                offs = offs[len(offs) // 2:len(offs) // 2 + 1]
                bv = [cnt]
            else:
                bv = [m.NewIntVar(0, len(p.agents), f"b_{k}_{d}_{tn}_{s}_{j}_{o}")
                      for o in offs]
                m.Add(sum(bv) == cnt)
                bvars.update({(k, d, tn, s, j, o): b for o, b in zip(offs, bv)})
            for o, b in zip(offs, bv):
                for i in range((s + o) // iv, (s + o + br.length_min) // iv):
                    minus[k, d, i].append(b)
    cov = {}
    obj, misses, constant = list(pattern_costs), [], 0
    hard = HARD_RULE_WEIGHT * max(rules.under_weight, 1)
    skills = sorted(set(p.requirement) | set(g.open))
    for k in skills:
        req = np.asarray(p.requirement.get(k, np.zeros((days, ipd))), dtype=np.int64)
        open_ = np.asarray(g.open.get(k, np.zeros((days, ipd), bool)))
        for d in range(days):
            for i in range(ipd):
                expr = sum(plus.get((k, d, i), [])) - sum(minus.get((k, d, i), []))
                cov[k, d, i] = expr
                r = int(req[d, i])
                if isinstance(expr, int):
                    constant += rules.under_weight * max(r, 0) if relaxation else 0
                    continue
                if r or k in p.requirement:
                    under = m.NewIntVar(0, max(r, 0), "")
                    over = m.NewIntVar(0, len(p.agents), "")
                    m.Add(expr - r == over - under)
                    obj += [rules.under_weight * under, rules.over_weight * over]
                # the hard rules as steep soft ones, so a plan exists at once and improves
                if rules.continuous_coverage and open_[d, i] and relaxation:
                    m.Add(expr >= 1)
                elif rules.continuous_coverage and open_[d, i] and not coarse:
                    miss = m.NewBoolVar("")
                    m.Add(expr >= 1 - miss)
                    obj.append(hard * miss)
                    misses.append(miss)
                if rules.handover and open_[d, i] and i > 0 and ends.get((k, d, i)) and not coarse:
                    any_end = m.NewBoolVar("")
                    miss = 0 if relaxation else m.NewBoolVar("")
                    m.Add(sum(ends[k, d, i]) <= len(p.agents) * any_end)
                    m.Add(sum(stays.get((k, d, i), [])) - sum(minus.get((k, d, i), []))
                          >= any_end - miss)
                    if not relaxation:
                        obj.append(hard * miss)
                        misses.append(miss)
    for d in (keep_days or ()):  # a neighbourhood: these days keep the hinted plan
        for key, v in n.items():
            if key[1] == d:
                m.Add(v == int(hint.get(key, 0)))
        for key, v in bvars.items():
            if key[1] == d:
                m.Add(v == int(break_hint.get(key, 0)))
    if hint is not None:
        for key, v in n.items():
            m.AddHint(v, int(hint.get(key, 0)))
        if break_hint is not None:
            for key, v in bvars.items():
                m.AddHint(v, int(break_hint.get(key, 0)))
    m.Minimize(sum(obj) + constant)
    gap = 0.0 if relaxation else COARSE_GAP if coarse else DAY_GAP
    if mip and obj and mip_available():
        found = solve_linear(m, time_limit_s=max_wall_s or (None if budget is not None else 4 * det_time),
                             hint=hinted(m), seed=seed,
                             budget=None if budget is None else budget.share(at_most=det_time))
        if found.values is None:
            return CountPlan({}, {}, found.status, 0, 0, bound=found.bound)
        set_full_hint(m, found.values)  # CP-SAT reads the plan's expressions from it
        solver = _solver(det_time, 1, seed)
        solver.parameters.fix_variables_to_their_hinted_value = True
        st = solver.Solve(m)
        ok = st in (cp_model.OPTIMAL, cp_model.FEASIBLE)  # not if rounding broke a row
        name, bound = found.status if ok else "UNKNOWN", found.bound
    else:
        solver = _solver(det_time, workers, seed, gap, max_wall_s)
        if budget is not None:
            st = budget.solve(solver, m, cap=det_time, name="count plan")
        else:
            st = solver.Solve(m)
        name = solver.StatusName(st)
        bound = (np.inf if st == cp_model.INFEASIBLE  # no roster can exist
                 else solver.BestObjectiveBound() if obj else float(constant))
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return CountPlan({}, {}, name, 0, 0, bound=bound)
    counts = {key: solver.Value(v) for key, v in n.items() if solver.Value(v)}
    coverage = {k: np.zeros((days, ipd), dtype=np.int64) for k in skills}
    for (k, d, i), expr in cov.items():
        coverage[k][d, i] = expr if isinstance(expr, int) else solver.Value(expr)
    under = over = 0
    for k, req in p.requirement.items():
        diff = coverage[k] - np.asarray(req, dtype=np.int64)
        under += int(np.clip(-diff, 0, None).sum())
        over += int(np.clip(diff, 0, None).sum())
    return CountPlan(counts, coverage, name, under, over,
                     sum(solver.Value(x) for x in misses), solver.ObjectiveValue(), bound,
                     {key: solver.Value(v) for key, v in bvars.items() if solver.Value(v)})


def _leave_choices(p: Problem, m: cp_model.CpModel, gi: int, ag: Agent, n: dict,
                   step: int | None, costs: list) -> list:
    """The leave requests of ``ag`` (alone in group ``gi``) in the count model, as
    :func:`solvers.model.add_leave_rule` has them: one that meets its notice is granted or
    refused (refusing costs ``leave_refusal_weight`` a day touched, appended to ``costs``);
    granted, it removes every shift overlapping it and credits its whole days. Returns the
    credit per day (expressions)."""
    credit: list = [0] * p.grid.days
    for _req, spans in _leave_spans(p, ag):
        granted = m.NewBoolVar("")
        for d, lo, hi in spans:
            clash = [n[gi, d, t.name, s, k] for t in _templates(p, ag) for s in _starts(t, step)
                     for k in _skills(p, ag) if s < hi and lo < s + t.length_min]
            if clash:
                m.Add(sum(clash) <= 1 - granted)
            if lo <= 0 and hi >= 24 * 60:
                credit[d] += granted
        costs.append(p.rules.leave_refusal_weight * max(len(spans), 1) * (1 - granted))
    return credit


def hint_counts(problem: Problem, hint: dict) -> dict:
    """A roster ``{(agent_id, day): (template, start, skill) | None}`` as counts
    ``{(group, day, template, start, skill): agents}`` (groups as in :func:`groups_of`)."""
    group = {problem.agents[a].agent_id: gi for gi, members in enumerate(groups_of(problem))
             for a in members}
    out: dict = defaultdict(int)
    for (aid, d), choice in hint.items():
        if choice is not None and aid in group:
            out[group[aid], d, choice[0], choice[1], choice[2]] += 1
    return dict(out)


#: Longest horizon (days) for which the weekly work patterns are enumerated.
MAX_PATTERN_DAYS = 14


def _pattern_ok(problem: Problem, c, t: ShiftTemplate, w: tuple[bool, ...]) -> bool:
    """Whether working the days ``w`` (one template ``t``) keeps every day-level rule."""
    from .checker import _runs

    n = len(w)
    days_range = c.days_per_week or ((5, 5) if c.pattern == "5on2off" else None)
    for k in range(n // 7):
        nd = sum(w[7 * k:7 * k + 7])
        if days_range and not days_range[0] <= nd <= days_range[1]:
            return False
        if c.minutes_per_week and not c.minutes_per_week[0] <= nd * t.length_min <= \
                c.minutes_per_week[1]:
            return False
    if c.total_minutes and not c.total_minutes[0] <= sum(w) * t.length_min <= c.total_minutes[1]:
        return False
    if t.name in c.max_shifts and sum(w) > c.max_shifts[t.name]:
        return False
    if t.name in t.forbidden_next and any(w[d] and w[d + 1] for d in range(n - 1)):
        return False
    if c.max_consecutive_days is not None and any(
            ln > c.max_consecutive_days for _, ln in _runs(list(w))):
        return False
    for flags, minimum in ((list(w), c.min_consecutive_days),
                           ([not x for x in w], c.min_consecutive_days_off)):
        if any(ln < minimum and st > 0 and st + ln < n for st, ln in _runs(flags)):
            return False
    if c.max_weekends is not None:
        g = problem.grid
        ends: dict = defaultdict(bool)
        for d in range(n):
            wd = g.date_of(d).weekday()
            if wd >= 5:
                ends[d - (wd - 5)] |= w[d]
        if sum(ends.values()) > c.max_weekends:
            return False
    if c.pattern == "1on1off" and any(w[d] == w[d + 1] for d in range(n - 1)):
        return False
    return True


def split_cost(problem: Problem, c, w: tuple[bool, ...]) -> int:
    """The roster model's cost of working the days ``w`` on contract ``c``: '5 on 2 off' pays
    ``split_days_off_weight`` for each week (Monday to Sunday) with no two days off in a row
    (:func:`solvers.model.add_pattern_rule`)."""
    if c.pattern != "5on2off" or not problem.rules.split_days_off_weight:
        return 0
    return problem.rules.split_days_off_weight * sum(
        not any(not w[d] and not w[d + 1] for d in range(7 * k, 7 * k + 6))
        for k in range(len(w) // 7))


def work_patterns(problem: Problem, members: list[int]):
    """For a group on one template, no leave and a short horizon: ``(template, patterns,
    classes)``, every weekly work pattern (tuple of worked days) that keeps the day-level
    rules and the members by the days they cannot work (``{blocked days: [agent ids]}``);
    ``None`` when that does not apply or no pattern exists."""
    p, n = problem, problem.grid.days
    ag0 = p.agents[members[0]]
    allowed = _templates(p, ag0)
    ids = {p.agents[a].agent_id for a in members}
    if len(allowed) != 1 or n > MAX_PATTERN_DAYS or any(r.agent_id in ids for r in p.leave):
        return None
    t, c = allowed[0], ag0.contract
    pats = [w for w in (tuple(bool(x >> d & 1) for d in range(n)) for x in range(2 ** n))
            if _pattern_ok(p, c, t, w)]
    if not pats:
        return None
    classes: dict = defaultdict(list)
    for a in members:
        classes[frozenset(_blocked(p, p.agents[a]))].append(p.agents[a].agent_id)
    return t, pats, classes


def pattern_days(problem: Problem, members: list[int], targets: dict, *,
                 det_time: float = ASSIGN_DET_TIME, seed: int = 0) -> dict | None:
    """Stage 2a, fast path: for a group on one template, no leave and a short horizon, pick a
    weekly work pattern per agent among all patterns that keep the day-level rules, so the
    worked days per day match ``targets`` (CP-SAT on pattern counts per availability class).
    Returns ``{(agent_id, day): template | None}`` or ``None`` when the path does not apply.
    """
    p, n = problem, problem.grid.days
    found = work_patterns(p, members)
    if found is None:
        return None
    t, pats, classes = found
    c = p.agents[members[0]].contract
    m = cp_model.CpModel()
    y = {}
    for ci, (blocked, people) in enumerate(sorted(classes.items(), key=lambda x: x[1][0])):
        ok = [j for j, w in enumerate(pats) if not any(w[d] for d in blocked)]
        if not ok:
            return None
        for j in ok:
            y[ci, j] = m.NewIntVar(0, len(people), f"y{ci}_{j}")
        m.Add(sum(y[ci, j] for j in ok) == len(people))
    obj = []
    for d in range(n):
        worked = sum(v * pats[j][d] for (ci, j), v in y.items())
        dev = m.NewIntVar(0, len(members), f"dev{d}")
        m.AddAbsEquality(dev, worked - int(targets.get((d, t.name), 0)))
        obj.append(ASSIGN_UNDER_WEIGHT * dev)
    for (_ci, j), v in y.items():
        if cost := split_cost(p, c, pats[j]):
            obj.append(cost * v)
    m.Minimize(sum(obj))
    solver = _solver(det_time, 1, seed)
    if solver.Solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    out = {}
    for ci, (_unused, people) in enumerate(sorted(classes.items(), key=lambda x: x[1][0])):
        queue = [j for j in range(len(pats)) if (ci, j) in y for _ in range(solver.Value(y[ci, j]))]
        for aid, j in zip(sorted(people), queue):
            for d in range(n):
                out[aid, d] = t.name if pats[j][d] else None
    return out


def work_days(problem: Problem, members: list[int], targets: dict, *,
              det_time: float = ASSIGN_DET_TIME, workers: int = 1, seed: int = 0) -> dict | None:
    """Stage 2a: which template each member works each day (``None`` = day off).

    ``targets[(day, template)]`` is the group's counted shifts. Solved with the roster model
    (:func:`solvers.model.build`) in classic-cover mode on one start per template, so every
    day-level agent rule (days and minutes per week, consecutive days and days off, weekends,
    patterns, forbidden successions, availability, leave) is the model's own; minimum rest is
    left to the start times (:func:`assign_starts`). Returns ``{(agent_id, day): template |
    None}`` or ``None`` when nothing was found within the budget.
    """
    from .model import build, make_solver

    p = problem
    allowed = _templates(p, p.agents[members[0]])
    templates = [ShiftTemplate(t.name, t.length_min, 0, 0, 15, (), t.forbidden_next)
                 for t in allowed]
    agents = [replace(p.agents[a], skills=(), previous={}) for a in members]
    ids = {ag.agent_id for ag in agents}
    cover = [ShiftCover(d, t.name, int(targets.get((d, t.name), 0)), ASSIGN_UNDER_WEIGHT,
                        ASSIGN_OVER_WEIGHT) for d in range(p.grid.days) for t in allowed]
    rules: Rules = replace(p.rules, continuous_coverage=False, handover=False, support_pools={},
                           min_rest_min=0, stability_weight=0)
    sub = Problem(replace(p.grid, open={}), templates, agents, cover=cover,
                  leave=[r for r in p.leave if r.agent_id in ids], rules=rules)
    rm = build(sub)
    solver = make_solver(4 * det_time, seed, workers, {"max_deterministic_time": det_time})
    if solver.Solve(rm.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    out = {}
    for (a, d), options in rm.options.items():
        out[agents[a].agent_id, d] = next((o.template.name for o in options
                                           if solver.BooleanValue(o.var)), None)
    return out


def assign_starts(problem: Problem, days_of: dict, wanted: dict) -> dict:
    """Stage 2b: a start and skill for every worked day, day by day (:func:`assign_day`).

    ``days_of[(agent_id, day)]`` is the template worked (from :func:`work_days`);
    ``wanted[(group, day, template)]`` the group's counted ``(start, skill)`` shifts (groups
    as in :func:`groups_of`). Minimum rest always holds when a start allows it.
    """
    out: dict = {}
    for d in range(problem.grid.days):
        assign_day(problem, d, days_of, wanted, out)
    return out


def earliest_starts(problem: Problem, d: int, out: dict) -> dict:
    """``{agent_id: earliest start (minutes) on day d}`` that keeps the minimum rest after the
    agent's shift of day ``d - 1`` in ``out`` (-1: no limit)."""
    by_name = {t.name: t for t in problem.templates}
    lb: dict = {}
    for ag in problem.agents:
        c = out.get((ag.agent_id, d - 1))
        lb[ag.agent_id] = (c[1] + by_name[c[0]].length_min + problem.rules.min_rest_min - 1440
                           if c else -1)
    return lb


def rest_floors(problem: Problem, d: int, days_of: dict, out: dict) -> dict:
    """``{(group, template): [earliest start of each agent working it on day d]}`` (after the
    days before ``d`` in ``out``): what :func:`plan_counts` needs (``rest_floors``) so that
    every counted start of day ``d`` can be handed to an agent."""
    lb = earliest_starts(problem, d, out)
    floors: dict = defaultdict(list)
    for gi, members in enumerate(groups_of(problem)):
        for a in members:
            aid = problem.agents[a].agent_id
            if days_of.get((aid, d)):
                floors[gi, days_of[aid, d]].append(lb[aid])
    return dict(floors)


def _fits(lbs: list[int], starts: list[int]) -> bool:
    """Whether every one of ``starts`` can go to its own agent among agents with earliest
    starts ``lbs`` (at least as many agents): the earliest starts to the least constrained."""
    return len(lbs) >= len(starts) and all(a <= b for a, b in zip(sorted(lbs), sorted(starts)))


def assign_day(problem: Problem, d: int, days_of: dict, wanted: dict, out: dict) -> None:
    """Day ``d`` of :func:`assign_starts`, into ``out`` (which holds the days before).

    Within a group, shifts are handed out from the latest start down; each goes to an agent
    whose rest from yesterday allows it, preferring one off tomorrow (a late finish then binds
    nobody) as long as the other agents can still all take one of the shifts left, else to the
    most constrained (latest earliest start). An agent left over takes the allowed start
    nearest to the plan, or the day off when the plan counted fewer shifts than agents and
    the contract allows it (:func:`_droppable`).
    """
    p = problem
    by_name = {t.name: t for t in p.templates}
    lb = earliest_starts(p, d, out)
    for key, t in days_of.items():
        if key[1] == d and t is None:
            out[key] = None
    for gi, members in enumerate(groups_of(p)):
        ids = [p.agents[a].agent_id for a in members]
        skills = _skills(p, p.agents[members[0]])
        drop = _droppable(p.agents[members[0]].contract)
        for tn in sorted({days_of.get((aid, d)) for aid in ids} - {None}):
            t = by_name[tn]
            people = [aid for aid in ids if days_of.get((aid, d)) == tn]
            shifts = sorted(wanted.get((gi, d, tn), []), key=lambda x: (-x[0], x[1]))
            free, missed = set(people), 0
            for i, (s, k) in enumerate(shifts):
                # most wanted first: off tomorrow, then the most constrained
                cand = sorted((aid for aid in free if lb[aid] <= s and k in skills),
                              key=lambda x: (days_of.get((x, d + 1)) is None, lb[x], x),
                              reverse=True)
                rest = [x for x, _ in shifts[i + 1:]]
                aid = next((x for x in cand if _fits([lb[y] for y in free if y != x], rest)),
                           max(cand, key=lambda x: (lb[x], x)) if cand else None)
                if aid is None:
                    missed += 1
                    continue
                out[aid, d] = (tn, s, k)
                free.discard(aid)
            starts = np.array(t.starts())
            planned = np.array(sorted({s for s, _ in shifts}) or [int(np.median(starts))])
            for j, aid in enumerate(sorted(free)):
                if drop and j >= missed:  # counted fewer shifts than agents: a day off
                    out[aid, d] = None
                    continue
                ok = starts[starts >= lb[aid]]
                if ok.size == 0:
                    ok = starts[-1:]
                s = int(ok[np.argmin(np.abs(ok[:, None] - planned[None, :]).min(1))])
                k = next((kk for ss, kk in shifts if ss == s), skills[0])
                out[aid, d] = (tn, s, k)


def components(problem: Problem) -> list[list[str]]:
    """Skills of the problem grouped so that no agent serves skills of two groups: the count
    model and the construction split into independent parts along them.

    >>> from datetime import date
    >>> from solvers.types import Contract, Grid
    >>> c = Contract("c")
    >>> p = Problem(Grid(date(2026, 1, 5), 1), [], [Agent("a", c, ("voice", "chat")),
    ...             Agent("b", c, ("mail",))], requirement={"voice": 0, "chat": 0, "mail": 0})
    >>> components(p)
    [['chat', 'voice'], ['mail']]
    """
    parent = {k: k for k in sorted(set(problem.requirement) | set(problem.grid.open))}

    def root(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for ag in problem.agents:
        ks = [k for k in ag.skills if k in parent]
        for k in ks[1:]:
            parent[root(k)] = root(ks[0])
    out: dict = {}
    for k in parent:
        out.setdefault(root(k), []).append(k)
    return list(out.values())


def part(problem: Problem, skills: list[str]) -> Problem:
    """The problem cut to ``skills`` and the agents that serve one of them (with their leave)."""
    keep = set(skills)
    g = problem.grid
    grid = replace(g, open={k: v for k, v in g.open.items() if k in keep})
    agents = [a for a in problem.agents if keep & set(_skills(problem, a))
              and _templates(problem, a)]
    ids = {a.agent_id for a in agents}
    return Problem(grid, problem.templates, agents,
                   requirement={k: v for k, v in problem.requirement.items() if k in keep},
                   leave=[r for r in problem.leave if r.agent_id in ids], rules=problem.rules)


def part_size(problem: Problem) -> int:
    """Shift options (agents' starts x skills x days) of a problem: its share of a time budget."""
    return sum(len(t.starts()) * len(_skills(problem, a)) for a in problem.agents
               for t in _templates(problem, a)) * problem.grid.days + 1


def by_parts(problem: Problem, budget: Budget, run, floor: float = 0.0,
             even: bool = False) -> list:
    """``run(part, share)`` on each independent part (:func:`components`), smallest first,
    each with a :class:`~solvers.budget.Budget` of its size's share (at least ``floor``;
    ``even``: an equal share) of what is left of ``budget`` (work a part leaves unused passes
    on). Returns ``[(part, result), ...]``."""
    parts = [part(problem, ks) for ks in components(problem)]
    sized = sorted(((part_size(p), i, p) for i, p in enumerate(parts)), key=lambda x: x[:2])
    left, out = float(sum(size for size, _i, _p in sized)), []
    for size, _i, p in sized:
        frac = 1 / (len(sized) - len(out)) if even else max(size / left, floor)
        left -= size
        out.append((p, run(p, budget.share(min(frac, 1.0)))))
    return out


def default_budget(problem: Problem, exact_week: bool = False) -> float:
    """The work a construction needs at most (its passes stop on their own work limits, which
    grow with the problem's size): ``MIN_BUDGET_S`` plus the size share of
    ``DEFAULT_BUDGET_S``, times ``EXACT_BUDGET_FACTOR`` with the exact weekly pass."""
    share = min(1.0, max(MIN_SHARE, len(problem.agents) * problem.grid.days / FULL_SIZE))
    return (EXACT_BUDGET_FACTOR if exact_week else 1) * (MIN_BUDGET_S + share * DEFAULT_BUDGET_S)


def construct_hint(problem: Problem, *, workers: int = 1, seed: int = 0,
                   budget: Budget | float | None = None, exact_week: bool = False,
                   start_from: dict | None = None, start_breaks: dict | None = None
                   ) -> dict | None:
    """Counts then agents: ``{(agent_id, day): (template, start, skill) | None}``, or
    ``None`` when the count model finds no plan (the caller falls back to a greedy).

    Independent parts of the problem (skills no agent links, :func:`components`) are built
    one by one, each with its share of the ``budget`` (a :class:`~solvers.budget.Budget`, or
    that much work with no wall cap; default: ``DEFAULT_BUDGET_S`` work units scaled by the
    problem's size); once it is spent, the remaining days keep the weekly pass's counts.
    Deterministic unless the budget's wall cap stops a search (every pass stops on work).
    ``exact_week`` runs the weekly pass on every start with breaks as counts, with about
    half the budget as its work limit (the coarse one when that finds nothing in time): a
    better roster for more time (:func:`solvers.solve` runs it as its second construction
    when the time limit allows); ``start_from``, a roster (e.g. the first construction), is
    where that exact pass starts its search, with its break counts ``start_breaks`` (keyed as
    ``CountPlan.breaks``, e.g. from the roster model's solution) when known: the pass then
    starts from a complete plan, which :func:`improve_plan` improves.
    """
    if not problem.interval_mode or not problem.agents:
        return {} if not problem.agents else None
    if budget is None:
        budget = default_budget(problem, exact_week)
    if not isinstance(budget, Budget):
        budget = Budget(budget)
    out: dict = {(a.agent_id, d): None for a in problem.agents for d in range(problem.grid.days)}

    def build(p: Problem, mine: Budget) -> dict | None:
        if not p.agents:
            return {}
        # the day assignment breaks ties at random: a part that finds no roster gets a second
        # attempt with another seed in what is left of its budget
        for attempt in range(2):
            hint = _construct(p, workers=workers, seed=seed + attempt, budget=mine,
                              exact_week=exact_week, start_from=start_from,
                              start_breaks=start_breaks)
            if hint is not None or mine.exhausted(RETRY_MIN_WORK):
                return hint
        return None

    for _p, hint in by_parts(problem, budget, build,
                             floor=EXACT_PART_FLOOR if exact_week else PART_FLOOR):
        if hint is None:
            return None
        out.update(hint)
    return out


#: Least work left in a part's budget for a second attempt with another seed.
RETRY_MIN_WORK = 0.1
#: Start step of the per-day passes of the first construction (the second, exact one uses
#: every start): half the part-time starts on quarter-hours, about half the time.
FIRST_DAY_STEP_MIN = 30
#: Least share of what is left of the budget a part gets in the first construction (its
#: passes stop on their work limits; the wall budget is a cap).
PART_FLOOR = 0.5
#: The same for the construction with the exact weekly pass: the parts run smallest first,
#: and a share by size alone left the chat desk of the 200-agent week 3.8 s, in which its
#: exact pass ended at 155 or at 12432 from run to run (155 every time with 6.5 s).
EXACT_PART_FLOOR = 0.3
#: Share of a part's work given to its exact weekly pass (the rest is left to the coarse pass
#: if it finds nothing, and to the days).
EXACT_DET_SHARE = 0.4
#: Default budget of a construction with the exact weekly pass, in default budgets.
EXACT_BUDGET_FACTOR = 3


def _weekly_plan(problem: Problem, *, workers: int, seed: int, share: float, budget: Budget,
                 exact_week: bool, start_from: dict | None) -> CountPlan:
    """Stage 1 of :func:`_construct`: the exact weekly pass (then :func:`improve_plan`) when
    ``exact_week``, the coarse one otherwise or when the exact one finds nothing in time
    (unless it started from a roster, which the caller then keeps)."""
    # exact, else coarse; the coarse pass once more with a longer work limit when it finds
    # nothing (a small week with agents on leave needed 2 s where its share gave 0.15)
    passes = [(True, 0.0)] if exact_week else []
    passes += [(False, share * COUNT_DET_TIME), (False, 6 * share * COUNT_DET_TIME)]
    kept = None
    for exact, det in passes:
        plan = plan_counts(problem, workers=workers, seed=seed, grant_leave=True,
                           start_step_min=None if exact else COARSE_STEP_MIN,
                           coarse=not exact, relaxation=exact,
                           det_time=EXACT_DET_SHARE * budget.left() if exact else det,
                           budget=budget,
                           hint=hint_counts(problem, start_from) if exact and start_from else None)
        if plan.status in ("OPTIMAL", "FEASIBLE") and not plan.misses:
            if exact and plan.status == "FEASIBLE":
                plan = improve_plan(problem, plan, seed=seed, budget=budget.share(PLAN_LNS_SHARE))
            return plan
        if exact and start_from is not None:
            return plan
        if plan.status in ("OPTIMAL", "FEASIBLE"):
            kept = plan  # with misses: the last resort
    return plan if plan.status in ("OPTIMAL", "FEASIBLE") or kept is None else kept


def _construct(problem: Problem, *, workers: int, seed: int, budget: Budget,
               exact_week: bool, start_from: dict | None = None,
               start_breaks: dict | None = None) -> dict | None:
    """:func:`construct_hint` on one independent part."""
    share = min(1.0, max(MIN_SHARE, len(problem.agents) * problem.grid.days / FULL_SIZE))
    ok = ("OPTIMAL", "FEASIBLE")
    if exact_week and start_from is not None and start_breaks is not None:
        # a complete plan to start from (the roster's own counts and breaks)
        plan = plan_counts(problem, relaxation=True, det_time=PLAN_LNS_DET_TIME, grant_leave=True,
                           budget=budget, workers=workers,
                           seed=seed, hint=hint_counts(problem, start_from),
                           break_hint=start_breaks, keep_days=range(problem.grid.days))
        if plan.status in ok:
            plan = _improve_week(problem, replace(plan, status="FEASIBLE"), seed=seed,
                                 budget=budget.share(START_LNS_SHARE))
    else:
        plan = _weekly_plan(problem, workers=workers, seed=seed, share=share, budget=budget,
                            exact_week=exact_week, start_from=start_from)
    if exact_week and start_from is not None and plan.status not in ok:
        # no exact plan in time, not even the roster it started from: keep that roster
        ids = {a.agent_id for a in problem.agents}
        return {key: c for key, c in start_from.items() if key[0] in ids}
    if not plan.counts and plan.status not in ok:
        return None
    days_of: dict = {}
    groups = groups_of(problem)
    for gi, members in enumerate(groups):
        if not _skills(problem, problem.agents[members[0]]):
            days_of.update({(problem.agents[a].agent_id, d): None for a in members
                            for d in range(problem.grid.days)})
            continue
        targets: dict = defaultdict(int)
        for (g, d, tn, _s, _k), c in plan.counts.items():
            if g == gi:
                targets[d, tn] += c
        chosen = (pattern_days(problem, members, targets, seed=seed)
                  or work_days(problem, members, targets, seed=seed))
        if chosen is None:
            return None
        days_of.update(chosen)
    # second pass: the starts and skills for the days the agents actually work
    totals: dict = defaultdict(int)
    for gi, members in enumerate(groups):
        for a in members:
            for d in range(problem.grid.days):
                tn = days_of.get((problem.agents[a].agent_id, d))
                if tn:
                    totals[gi, d, tn] += 1
    wanted: dict = defaultdict(list)
    out: dict = {}
    # a group whose agents may always work a day less: its day passes may count fewer shifts
    # than the agents chosen (those left without one get the day off)
    droppable = [_droppable(problem.agents[members[0]].contract) for members in groups]
    for d in range(problem.grid.days):
        fixed = {(gi, 0, tn): (0, c) if droppable[gi] else c
                 for (gi, dd, tn), c in totals.items() if dd == d}
        floors = rest_floors(problem, d, days_of, out)
        day = None
        for det in (share * DAY_DET_TIME, 6 * share * DAY_DET_TIME):  # longer on a miss
            mine = budget.share(1 / (problem.grid.days - d))
            if mine.exhausted(DAY_MIN_WORK):
                break
            day = plan_counts(one_day(problem, d), workers=workers, seed=seed, det_time=det,
                              grant_leave=True,
                              day_totals=fixed, budget=mine, rest_floors=floors,
                              start_step_min=None if exact_week else FIRST_DAY_STEP_MIN,
                              hint={(g, 0, tn, s, k): c for (g, dd, tn, s, k), c
                                    in plan.counts.items() if dd == d},
                              break_hint={(k, 0, *rest): c for (k, dd, *rest), c
                                          in plan.breaks.items() if dd == d})
            if day.status in ("OPTIMAL", "FEASIBLE") and not day.misses:
                break
        counts = day.counts if day and day.status in ("OPTIMAL", "FEASIBLE") else {
            key: c for key, c in plan.counts.items() if key[1] == d}
        for (g, _, tn, s, k), c in sorted(counts.items()):
            wanted[g, d, tn] += [(s, k)] * c
        assign_day(problem, d, days_of, wanted, out)
    return out


def _droppable(c) -> bool:
    """Whether an agent of contract ``c`` keeps every rule with any worked day taken off."""
    lows = [r[0] for r in (c.days_per_week, c.minutes_per_week, c.total_minutes) if r]
    return (not any(lows) and c.min_consecutive_days <= 1 and c.min_consecutive_days_off <= 1
            and c.pattern not in ("5on2off", "1on1off"))


#: Share of what is left of a part's budget after its exact weekly pass given to
#: :func:`improve_plan` (the rest goes to the days); work limit of one of its steps.
PLAN_LNS_SHARE = 0.6
#: The same when it starts from the roster's own plan (``start_breaks``): no weekly pass.
START_LNS_SHARE = 0.6
PLAN_LNS_DET_TIME = 1.0
#: Least work worth a day pass, and a step of :func:`improve_plan`.
DAY_MIN_WORK = 0.02
PLAN_LNS_MIN_WORK = 0.05


def improve_plan(problem: Problem, plan: CountPlan, *, budget: Budget | float, seed: int = 0,
                 workers: int = 1, stop=None) -> CountPlan:
    """Improve an exact weekly count plan (``relaxation=True``) by re-solving a few days at a
    time with the others kept (every pair of days and every three in a row, in an order set by
    ``seed``), until a round over them finds nothing better, the work of ``budget`` (a
    :class:`~solvers.budget.Budget` or that much work) is spent or ``stop()`` says so. The weekly rules still bind the
    freed days through the kept ones. On the 200-agent week this took chat's plan from 155 to 115 and voice's from 138
    to 126 in seconds, where the weekly pass itself stayed at 155 for 40 s."""
    import itertools

    days = problem.grid.days
    if days < 3 or not plan.counts:
        return plan
    windows = list(itertools.combinations(range(days), 2)) + [
        tuple(range(d, d + 3)) for d in range(days - 2)]
    order = np.random.default_rng(seed).permutation(len(windows))
    if not isinstance(budget, Budget):
        budget = Budget(budget)
    since = 0  # windows tried since the last improvement
    while since < len(windows):
        for i in order:
            if budget.exhausted(PLAN_LNS_MIN_WORK) or since >= len(windows) or (
                    stop is not None and stop()):
                return plan
            keep = [d for d in range(days) if d not in windows[i]]
            found = plan_counts(problem, relaxation=True, det_time=PLAN_LNS_DET_TIME, grant_leave=True,
                                budget=budget, workers=workers, seed=seed, hint=plan.counts,
                                break_hint=plan.breaks, keep_days=keep)
            since += 1
            if found.status in ("OPTIMAL", "FEASIBLE") and found.objective < plan.objective - 1e-9:
                plan = replace(found, bound=plan.bound, status="FEASIBLE")
                since = 0
    return plan


def _improve_week(problem: Problem, plan: CountPlan, *, budget: Budget | float, seed: int) -> CountPlan:
    """Two searches from a complete weekly ``plan``, side by side, each with half the work of
    ``budget`` (reserved, so what is left after does not depend on which ended first), the
    better plan kept: :func:`improve_plan` (a few days at a time, CP-SAT) and the whole week
    as a MIP (``plan_counts(mip=True)``, started from ``plan``), which stops the other when
    it proves its plan optimal (the proved plan is then kept whatever the other reached). On the 200-agent week the MIP solved voice to optimality in
    8 s (126, where the days' search stayed at 134), while on chat it was still at 212 after
    15 s and the days' search reached 115 in 5 s."""
    from concurrent.futures import ThreadPoolExecutor  # both solvers release the GIL

    if not isinstance(budget, Budget):
        budget = Budget(budget)
    half = budget.left() / 2
    mip_budget, days_budget = budget.reserve(half), budget.reserve(half)
    with ThreadPoolExecutor(1) as pool:
        whole = pool.submit(plan_counts, problem, relaxation=True, mip=True, seed=seed,
                            grant_leave=True, det_time=half, budget=mip_budget,
                            hint=plan.counts, break_hint=plan.breaks)
        days = improve_plan(problem, plan, budget=days_budget, seed=seed,
                            stop=lambda: whole.done() and whole.result().status == "OPTIMAL")
        exact = whole.result()
    if exact.status in ("OPTIMAL", "FEASIBLE") and not exact.misses and (
            exact.objective < days.objective
            or exact.status == "OPTIMAL" and exact.objective <= days.objective):
        return exact  # (a proved plan, on a tie)
    return days


def one_day(problem: Problem, d: int) -> Problem:
    """The problem cut to horizon day ``d`` (same agents, templates and leave requests, so the
    same groups)."""
    g = problem.grid
    grid = replace(g, start=g.date_of(d), days=1,
                   open={k: np.asarray(v)[d:d + 1] for k, v in g.open.items()})
    req = {k: np.asarray(v)[d:d + 1] for k, v in problem.requirement.items()}
    return Problem(grid, problem.templates, problem.agents, requirement=req,
                   leave=problem.leave, rules=problem.rules)
