"""The CP-SAT roster model, one small function per rule (after OR-Tools' shift_scheduling_sat).

Reading order: variables (one literal per agent, day and shift option; one literal per placed
break), then one ``add_*_rule`` per planner's rule, then the objective, then solve and report.

Every hard rule is posted through :meth:`RosterModel.guard`, which in *explain* mode attaches
an assumption literal naming the rule and its scope (agent or day); an infeasible problem is
then explained by the assumptions CP-SAT finds sufficient for infeasibility.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from ortools.sat.python import cp_model

from .leave import check_notice
from .types import (
    MINUTES_PER_DAY,
    Activity,
    Agent,
    Assignment,
    Conflict,
    LeaveDecision,
    Problem,
    RosterResult,
    ShiftTemplate,
    SoftViolation,
    SolverInputError,
)


@dataclass
class Option:
    """One way an agent can work one day: template, start minute, skill, and its literal."""

    template: ShiftTemplate
    start: int
    skill: str | None
    var: cp_model.IntVar

    @property
    def end(self) -> int:
        return self.start + self.template.length_min


@dataclass
class Penalty:
    """A soft-rule term ``weight * expr`` of the objective, with what to tell a planner."""

    rule: str
    expr: object
    weight: int
    agent_id: str | None = None
    day: int | None = None
    detail: str = ""


@dataclass
class RosterModel:
    """Variables and bookkeeping shared by the rule functions."""

    problem: Problem
    explain: bool = False
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    options: dict[tuple[int, int], list[Option]] = field(default_factory=dict)
    work: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    leave_day: dict[tuple[int, int], list] = field(default_factory=lambda: defaultdict(list))
    # interval mode: per (agent, day, skill) arrays over intervals
    on: dict[tuple[int, int, str], np.ndarray] = field(default_factory=dict)
    breaks: dict[tuple[int, int, str], list] = field(default_factory=lambda: defaultdict(list))
    duty: dict[tuple[int, int, str], np.ndarray] = field(default_factory=dict)
    penalties: list[Penalty] = field(default_factory=list)
    assumptions: dict[tuple, cp_model.IntVar] = field(default_factory=dict)
    leave_vars: list[tuple] = field(default_factory=list)
    leave_refusals: list[LeaveDecision] = field(default_factory=list)

    # ---- helpers
    @property
    def days(self) -> int:
        return self.problem.grid.days

    @property
    def agents(self) -> list[Agent]:
        return self.problem.agents

    def guard(self, rule: str, agent: int | None = None, day: int | None = None) -> list:
        """Enforcement literals of a hard rule: none normally, one assumption in explain mode."""
        if not self.explain:
            return []
        key = (rule, agent, day)
        if key not in self.assumptions:
            self.assumptions[key] = self.model.NewBoolVar(f"assume_{rule}_{agent}_{day}")
        return [self.assumptions[key]]

    def opts(self, a: int, d: int, template: str | None = None) -> list[Option]:
        return [o for o in self.options[a, d] if template is None or o.template.name == template]

    def sum_x(self, a: int, d: int, template: str | None = None):
        return sum(o.var for o in self.opts(a, d, template))

    def minutes(self, a: int, d: int):
        return sum(o.template.length_min * o.var for o in self.options[a, d])

    def credit_days(self, a: int, d: int):
        """1 if a granted full-day leave covers day ``d`` (counts toward contract minimums)."""
        return sum(self.leave_day.get((a, d), []))

    def penalize(self, rule: str, expr, weight: int, agent: int | None = None,
                 day: int | None = None, detail: str = "") -> None:
        if weight:
            aid = self.agents[agent].agent_id if agent is not None else None
            self.penalties.append(Penalty(rule, expr, weight, aid, day, detail))

    def weekends(self) -> list[list[int]]:
        """Horizon days grouped by weekend (Saturday and Sunday)."""
        groups: dict[int, list[int]] = {}
        for d in range(self.days):
            wd = self.problem.grid.date_of(d).weekday()
            if wd >= 5:
                groups.setdefault(d - (wd - 5), []).append(d)
        return list(groups.values())


# ------------------------------------------------------------------ variables


def _validate(p: Problem) -> None:
    g = p.grid
    if MINUTES_PER_DAY % g.interval_min:
        raise SolverInputError(f"grid.interval_min={g.interval_min} must divide 1440")
    names = {t.name for t in p.templates}
    if len(names) != len(p.templates):
        raise SolverInputError("shift template names must be unique")
    shape = (g.days, g.intervals_per_day)
    for k, arr in list(p.requirement.items()) + list(g.open.items()):
        if np.shape(arr) != shape:
            raise SolverInputError(f"array of skill {k!r} has shape {np.shape(arr)}; "
                                   f"expected (days, intervals_per_day) = {shape}")
    for a in p.agents:
        for n in a.contract.templates:
            if n not in names:
                raise SolverInputError(f"contract {a.contract.name!r} of agent {a.agent_id!r} "
                                       f"allows unknown shift template {n!r}")
    if p.interval_mode:
        for t in p.templates:
            times = [t.length_min, t.earliest_start_min, t.step_min]
            times += [v for b in t.breaks for v in
                      (b.length_min, b.earliest_after_min, b.latest_after_min)]
            if any(v % g.interval_min for v in times):
                raise SolverInputError(f"shift template {t.name!r}: lengths, starts, steps and "
                                       f"break windows must be multiples of {g.interval_min} min")
    for c in p.cover:
        p.template(c.template)


def add_shift_variables(rm: RosterModel) -> None:
    """One literal per (agent, day, template, start, skill); at most one shift per agent a day."""
    p, m = rm.problem, rm.model
    for a, agent in enumerate(p.agents):
        allowed = [t for t in p.templates
                   if not agent.contract.templates or t.name in agent.contract.templates]
        skills: list[str | None] = list(agent.skills) if p.interval_mode else [None]
        if p.interval_mode:
            skills = [k for k in skills if k in p.requirement or k in p.grid.open] or [None]
        for d in range(rm.days):
            opts = [Option(t, s, k, m.NewBoolVar(f"x_{a}_{d}_{t.name}_{s}_{k}"))
                    for t in allowed for s in t.starts() for k in skills]
            rm.options[a, d] = opts
            w = m.NewBoolVar(f"work_{a}_{d}")
            m.Add(sum(o.var for o in opts) == w)  # at most one shift a day
            rm.work[a, d] = w


def add_on_duty_variables(rm: RosterModel) -> None:
    """Interval mode: ``on[a, d, k][i]`` = agent a is on shift for skill k in interval i.

    Posted as ``on[i] = on[i-1] + starts[i] - ends[i]`` (two terms per shift option).
    """
    p, m = rm.problem, rm.model
    iv, ipd = p.grid.interval_min, p.grid.intervals_per_day
    for (a, d), opts in rm.options.items():
        by_skill: dict = defaultdict(list)
        for o in opts:
            by_skill[o.skill].append(o)
        for k, group in by_skill.items():
            starts: dict[int, list] = defaultdict(list)
            ends: dict[int, list] = defaultdict(list)
            for o in group:
                starts[o.start // iv].append(o.var)
                ends[o.end // iv].append(o.var)
            lo, hi = min(starts), max(ends)
            on = np.zeros(ipd, dtype=object)
            prev = 0
            for i in range(lo, hi):
                v = m.NewBoolVar(f"on_{a}_{d}_{k}_{i}")
                m.Add(v == prev + sum(starts.get(i, [])) - sum(ends.get(i, [])))
                on[i] = v
                prev = v
            rm.on[a, d, k] = on


# ------------------------------------------------------------------ hard rules


def add_availability_rule(rm: RosterModel) -> None:
    """Fixed days off and unavailable days are not worked."""
    for a, agent in enumerate(rm.agents):
        for day in agent.fixed_days_off | agent.unavailable:
            d = rm.problem.grid.day_of(day)
            if 0 <= d < rm.days:
                rm.model.Add(rm.work[a, d] == 0).OnlyEnforceIf(rm.guard("day off", a, d))


def add_contract_rule(rm: RosterModel) -> None:
    """Days and minutes per full week, total minutes over the horizon, max shifts per type.

    A granted full day of leave counts toward the minimums (one day, ``leave_credit_min``).
    """
    m = rm.model
    for a, agent in enumerate(rm.agents):
        c = agent.contract
        days_range = c.days_per_week or ((5, 5) if c.pattern == "5on2off" else None)
        for w in range(rm.days // 7):
            week = range(7 * w, 7 * w + 7)
            worked = sum(rm.work[a, d] for d in week)
            credit = sum(rm.credit_days(a, d) for d in week)
            mins = sum(rm.minutes(a, d) for d in week)
            g = rm.guard("contract days/minutes per week", a, 7 * w)
            if days_range:
                m.Add(worked + credit >= days_range[0]).OnlyEnforceIf(g)
                m.Add(worked <= days_range[1]).OnlyEnforceIf(g)
            if c.minutes_per_week:
                m.Add(mins + c.leave_credit_min * credit >= c.minutes_per_week[0]).OnlyEnforceIf(g)
                m.Add(mins <= c.minutes_per_week[1]).OnlyEnforceIf(g)
        if c.total_minutes:
            total = sum(rm.minutes(a, d) for d in range(rm.days))
            credit = sum(rm.credit_days(a, d) for d in range(rm.days))
            g = rm.guard("contract total minutes", a)
            m.Add(total + c.leave_credit_min * credit >= c.total_minutes[0]).OnlyEnforceIf(g)
            m.Add(total <= c.total_minutes[1]).OnlyEnforceIf(g)
        for name, limit in c.max_shifts.items():
            n = sum(rm.sum_x(a, d, name) for d in range(rm.days))
            m.Add(n <= limit).OnlyEnforceIf(rm.guard(f"max shifts of {name}", a))


def add_rest_rule(rm: RosterModel) -> None:
    """At least ``min_rest_min`` between the end of one shift and the start of the next."""
    rest = rm.problem.rules.min_rest_min
    if rest <= 0:
        return
    for a in range(len(rm.agents)):
        for d in range(rm.days - 1):
            o1, o2 = rm.options[a, d], rm.options[a, d + 1]
            if not o1 or not o2:
                continue
            if MINUTES_PER_DAY + min(o.start for o in o2) - max(o.end for o in o1) >= rest:
                continue  # can never bite
            end = sum(o.end * o.var for o in o1)
            start = sum(o.start * o.var for o in o2)
            rm.model.Add(MINUTES_PER_DAY + start - end >= rest).OnlyEnforceIf(
                [rm.work[a, d], rm.work[a, d + 1]] + rm.guard("minimum rest", a, d))


def add_forbidden_succession_rule(rm: RosterModel) -> None:
    """A template may not be followed the next day by one of its ``forbidden_next``."""
    for a in range(len(rm.agents)):
        for d in range(rm.days - 1):
            for t in rm.problem.templates:
                first = rm.opts(a, d, t.name)
                if not first or not t.forbidden_next:
                    continue
                nxt = [o.var for o in rm.options[a, d + 1] if o.template.name in t.forbidden_next]
                if nxt:
                    rm.model.Add(sum(o.var for o in first) + sum(nxt) <= 1).OnlyEnforceIf(
                        rm.guard("forbidden shift succession", a, d))


def _forbid_short_runs(rm: RosterModel, a: int, lits: list, minimum: int, rule: str) -> None:
    """No run of true ``lits`` shorter than ``minimum`` unless it touches the horizon's edge."""
    n = len(lits)
    for length in range(1, minimum):
        for s in range(1, n - length):
            e = s + length  # run is [s, e), bounded by false at s-1 and at e
            if e >= n:
                continue
            clause = [lits[s - 1]] + [lits[i].Not() for i in range(s, e)] + [lits[e]]
            rm.model.AddBoolOr(clause).OnlyEnforceIf(rm.guard(rule, a, s))


def add_consecutive_days_rule(rm: RosterModel) -> None:
    """Max and min consecutive working days, min consecutive days off (no 7-day stretch)."""
    for a, agent in enumerate(rm.agents):
        c = agent.contract
        work = [rm.work[a, d] for d in range(rm.days)]
        if c.max_consecutive_days is not None:
            k = c.max_consecutive_days
            for s in range(rm.days - k):
                rm.model.Add(sum(work[s:s + k + 1]) <= k).OnlyEnforceIf(
                    rm.guard("max consecutive working days", a, s))
        if c.min_consecutive_days > 1:
            _forbid_short_runs(rm, a, work, c.min_consecutive_days,
                               "min consecutive working days")
        if c.min_consecutive_days_off > 1:
            _forbid_short_runs(rm, a, [w.Not() for w in work], c.min_consecutive_days_off,
                               "min consecutive days off")


def weekend_literals(rm: RosterModel, a: int) -> list:
    """One literal per weekend: true when Saturday or Sunday is worked."""
    lits = []
    for days in rm.weekends():
        wk = rm.model.NewBoolVar(f"weekend_{a}_{days[0]}")
        rm.model.AddMaxEquality(wk, [rm.work[a, d] for d in days])
        lits.append(wk)
    return lits


def add_weekend_rule(rm: RosterModel, weekend_lits: dict[int, list]) -> None:
    """At most ``max_weekends`` weekends worked."""
    for a, agent in enumerate(rm.agents):
        if agent.contract.max_weekends is not None and weekend_lits[a]:
            rm.model.Add(sum(weekend_lits[a]) <= agent.contract.max_weekends).OnlyEnforceIf(
                rm.guard("max working weekends", a))


def add_pattern_rule(rm: RosterModel) -> None:
    """'1 on 1 off' alternates days (hard); '5 on 2 off' prefers its 2 days off together (soft)."""
    m, w8 = rm.model, rm.problem.rules.split_days_off_weight
    for a, agent in enumerate(rm.agents):
        if agent.contract.pattern == "1on1off":
            for d in range(rm.days - 1):
                pair = rm.work[a, d] + rm.work[a, d + 1]
                busy = pair + rm.credit_days(a, d) + rm.credit_days(a, d + 1)
                g = rm.guard("1-on-1-off alternation", a, d)
                m.Add(pair <= 1).OnlyEnforceIf(g)
                m.Add(busy >= 1).OnlyEnforceIf(g)
        elif agent.contract.pattern == "5on2off" and w8:
            for w in range(rm.days // 7):
                pairs = []
                for d in range(7 * w, 7 * w + 6):
                    both_off = m.NewBoolVar(f"offpair_{a}_{d}")
                    m.AddBoolAnd([rm.work[a, d].Not(), rm.work[a, d + 1].Not()]).OnlyEnforceIf(
                        both_off)
                    pairs.append(both_off)
                split = m.NewBoolVar(f"split_{a}_{w}")
                m.AddBoolOr(pairs + [split])
                rm.penalize("days off not consecutive", split, w8, a, 7 * w)


def add_break_rule(rm: RosterModel) -> None:
    """Each break/lunch of the chosen shift starts inside its window; breaks never overlap.

    One literal per (agent, day, skill, template, break, absolute start interval).
    """
    m, iv = rm.model, rm.problem.grid.interval_min
    for (a, d), opts in rm.options.items():
        groups: dict = defaultdict(list)
        for o in opts:
            if o.template.breaks:
                groups[o.skill, o.template.name].append(o)
        for (k, tname), group in groups.items():
            used = sum(o.var for o in group)
            tmpl = group[0].template
            starts_expr = []
            for j, br in enumerate(tmpl.breaks):
                allowed: dict[int, list] = defaultdict(list)
                for o in group:
                    for off in range(br.earliest_after_min, br.latest_after_min + 1, iv):
                        if off + br.length_min <= tmpl.length_min:
                            allowed[(o.start + off) // iv].append(o.var)
                if not allowed:
                    raise SolverInputError(f"shift template {tname!r}: break {j} does not fit "
                                           "inside the shift")
                bvars = {}
                for i, xs in sorted(allowed.items()):
                    b = m.NewBoolVar(f"brk_{a}_{d}_{k}_{tname}_{j}_{i}")
                    m.Add(b <= sum(xs))
                    bvars[i] = b
                m.Add(sum(bvars.values()) == used)
                rm.breaks[a, d, k].append((br, bvars))
                starts_expr.append(sum(i * b for i, b in bvars.items()))
            for j in range(len(tmpl.breaks) - 1):  # in order, not overlapping
                n_iv = tmpl.breaks[j].length_min // iv
                nxt_start, this_start = starts_expr[j + 1], starts_expr[j]
                m.Add(nxt_start >= this_start + n_iv * used)


def duty_terms(rm: RosterModel, a: int, d: int, k) -> np.ndarray:
    """Per interval, the linear expression 'agent a is on line for skill k' (breaks excluded)."""
    if (a, d, k) in rm.duty:
        return rm.duty[a, d, k]
    on = rm.on[a, d, k].copy()
    for br, bvars in rm.breaks.get((a, d, k), []):
        n = br.length_min // rm.problem.grid.interval_min
        for i, b in bvars.items():
            for t in range(i, i + n):
                on[t] = on[t] - b
    rm.duty[a, d, k] = on
    return on


def coverage_exprs(rm: RosterModel) -> dict[str, np.ndarray]:
    """Agents on line per skill, day and interval, as linear expressions ``(days, ipd)``."""
    g = rm.problem.grid
    terms: dict = {}
    for (a, d, k) in rm.on:
        if k is None:
            continue
        arr = terms.setdefault(k, np.zeros((g.days, g.intervals_per_day), dtype=object))
        arr[d] += duty_terms(rm, a, d, k)
    return terms


def add_continuous_coverage_rule(rm: RosterModel, cov: dict[str, np.ndarray]) -> None:
    """During opening hours no interval of a skill is left with nobody on line."""
    for k, open_ in rm.problem.grid.open.items():
        for d, i in zip(*np.nonzero(open_)):
            expr = cov[k][d, i] if k in cov else 0
            if isinstance(expr, int):
                raise SolverInputError(f"skill {k!r} is open on day {d} interval {i} but no "
                                       "agent can work it; close it or add agents")
            rm.model.Add(expr >= 1).OnlyEnforceIf(rm.guard("continuous coverage", None, int(d)))


def add_handover_rule(rm: RosterModel) -> None:
    """A shift may end inside opening hours only if another agent of the skill is on line who
    started at least ``handover_min`` earlier and stays on after the end."""
    p, m = rm.problem, rm.model
    iv, ipd, h = p.grid.interval_min, p.grid.intervals_per_day, p.rules.handover_min
    recent = -(-h // iv)  # starts in the last `recent` intervals are too recent
    ends: dict = defaultdict(list)
    stays: dict = defaultdict(list)
    for (a, d), opts in rm.options.items():
        starts: dict = defaultdict(list)
        for o in opts:
            ends[o.skill, d, o.end // iv].append(o.var)
            starts[o.skill, o.start // iv].append(o.var)
        for k in {o.skill for o in opts}:
            duty = duty_terms(rm, a, d, k)
            for i in np.nonzero([not isinstance(v, int) for v in duty])[0]:
                # on line at i, minus those who started too recently to hand over
                fresh = [v for s in range(i - recent + 1, i + 1) for v in starts.get((k, s), [])]
                stays[k, d, int(i)].append(duty[i] - sum(fresh))
    for k, open_ in p.grid.open.items():
        for d in range(p.grid.days):
            for i in range(1, ipd):
                if not open_[d, i] or not ends.get((k, d, i)):
                    continue
                any_end = m.NewBoolVar(f"end_{k}_{d}_{i}")
                m.Add(sum(ends[k, d, i]) <= len(ends[k, d, i]) * any_end)
                m.Add(sum(stays.get((k, d, i), [])) >= 1).OnlyEnforceIf(
                    [any_end] + rm.guard("handover", None, d))


def add_leave_rule(rm: RosterModel) -> None:
    """Leave that meets its notice is granted unless that breaks a hard rule; granted leave
    removes every shift overlapping it. Refused candidates cost ``leave_refusal_weight``/day."""
    p, m = rm.problem, rm.model
    by_id = {ag.agent_id: a for a, ag in enumerate(p.agents)}
    templates = {t.name: t for t in p.templates}
    for req in p.leave:
        if req.agent_id not in by_id:
            raise SolverInputError(f"leave request for unknown agent {req.agent_id!r}")
        a = by_id[req.agent_id]
        check = check_notice(req, p.agents[a], p.rules, p.grid, templates)
        if check.refusal:
            rm.leave_refusals.append(check.refusal)
            continue
        g = m.NewBoolVar(f"leave_{a}_{req.start:%Y%m%d%H%M}")
        touched = 0
        for d in range(rm.days):
            day0 = datetime.combine(p.grid.date_of(d), datetime.min.time())
            lo = (req.start - day0) / timedelta(minutes=1)
            hi = (req.end - day0) / timedelta(minutes=1)
            if hi <= 0 or lo >= MINUTES_PER_DAY:
                continue
            touched += 1
            clash = [o.var for o in rm.options[a, d] if o.start < hi and lo < o.end]
            if clash:
                m.Add(sum(clash) <= 1 - g)
            if lo <= 0 and hi >= MINUTES_PER_DAY:
                rm.leave_day[a, d].append(g)
        rm.leave_vars.append((req, g))
        rm.penalize("leave refused", 1 - g, p.rules.leave_refusal_weight * max(touched, 1), a,
                    detail=f"{req.kind} {req.start:%Y-%m-%d %H:%M}-{req.end:%Y-%m-%d %H:%M}")


def add_support_rule(rm: RosterModel) -> None:
    """While agents of a pool are on line, at least one of their support pool is on duty."""
    p, m = rm.problem, rm.model
    ipd = p.grid.intervals_per_day
    pool_of = {a: ag.pool for a, ag in enumerate(p.agents)}
    for pool, support in p.rules.support_pools.items():
        for d in range(rm.days):
            line = np.zeros(ipd, dtype=object)
            helpers = np.zeros(ipd, dtype=object)
            n_line = 0
            for (a, dd, k) in rm.on:
                if dd != d:
                    continue
                if pool_of[a] == pool:
                    line += duty_terms(rm, a, d, k)
                    n_line += 1
                elif pool_of[a] == support:
                    helpers += rm.on[a, d, k]
            for i in range(ipd):
                if isinstance(line[i], int):
                    continue
                if p.rules.support_hard:
                    m.Add(line[i] <= n_line * helpers[i]).OnlyEnforceIf(
                        rm.guard("support pairing", None, d))
                else:
                    miss = m.NewBoolVar(f"support_{pool}_{d}_{i}")
                    m.Add(line[i] <= n_line * (helpers[i] + miss))
                    rm.penalize("support pairing", miss, p.rules.support_weight, None, d,
                                f"pool {pool!r} on line without {support!r}")


# ------------------------------------------------------------------ soft rules


def add_interval_coverage(rm: RosterModel, cov: dict[str, np.ndarray]) -> None:
    """Soft: weighted under- and over-coverage of the interval requirement per skill."""
    p, m = rm.problem, rm.model
    n = len(p.agents)
    for k, req in p.requirement.items():
        arr = cov.get(k)
        req = np.asarray(req, dtype=np.int64)
        for d in range(p.grid.days):
            for i in range(p.grid.intervals_per_day):
                expr = 0 if arr is None else arr[d, i]
                r = int(req[d, i])
                if isinstance(expr, int):
                    if r:
                        rm.penalize("under-coverage", r, p.rules.under_weight, None, d, f"skill {k}")
                    continue
                under = m.NewIntVar(0, max(r, 0), f"under_{k}_{d}_{i}")
                over = m.NewIntVar(0, n, f"over_{k}_{d}_{i}")
                m.Add(expr - r == over - under)
                rm.penalize("under-coverage", under, p.rules.under_weight, None, d, f"skill {k}")
                rm.penalize("over-coverage", over, p.rules.over_weight, None, d, f"skill {k}")


def add_classic_cover(rm: RosterModel) -> None:
    """Soft: classic cover, agents per (day, shift template), weighted under/over."""
    m, n = rm.model, len(rm.agents)
    for c in rm.problem.cover:
        if not 0 <= c.day < rm.days:
            continue
        cnt = sum(rm.sum_x(a, c.day, c.template) for a in range(n))
        under = m.NewIntVar(0, max(c.required, 0), f"cunder_{c.day}_{c.template}")
        over = m.NewIntVar(0, n, f"cover_{c.day}_{c.template}")
        m.Add(cnt - c.required == over - under)
        rm.penalize("under-coverage", under, c.weight_under, None, c.day, f"shift {c.template}")
        rm.penalize("over-coverage", over, c.weight_over, None, c.day, f"shift {c.template}")


def add_preference_rule(rm: RosterModel) -> None:
    """Soft: shift on/off requests, each with its weight."""
    for a, agent in enumerate(rm.agents):
        for r in agent.requests:
            d = rm.problem.grid.day_of(r.day)
            if not 0 <= d < rm.days:
                continue
            sel = rm.sum_x(a, d, r.template)
            if r.on:
                rm.penalize("shift on request", 1 - sel, r.weight, a, d, r.template or "any shift")
            elif not isinstance(sel, int):
                rm.penalize("shift off request", sel, r.weight, a, d, r.template or "any shift")


def add_stability_rule(rm: RosterModel) -> None:
    """Soft: re-plan without reshuffling: each day that differs from the previous roster costs."""
    w8 = rm.problem.rules.stability_weight
    for a, agent in enumerate(rm.agents):
        if not agent.previous or not w8:
            continue
        for d in range(rm.days):
            prev = agent.previous.get(rm.problem.grid.date_of(d))
            if prev is None:
                rm.penalize("stability", rm.work[a, d], w8, a, d, "was off")
                continue
            same = [o.var for o in rm.options[a, d] if o.template.name == prev.template
                    and o.start == prev.start_min and (prev.skill is None or o.skill == prev.skill)]
            rm.penalize("stability", 1 - sum(same), w8, a, d,
                        f"was {prev.template} at {prev.start_min // 60:02d}:{prev.start_min % 60:02d}")


def _spread(rm: RosterModel, counts: list, rule: str, weight: int) -> None:
    if weight and len(counts) > 1:
        hi = rm.model.NewIntVar(0, rm.days, f"{rule}_max")
        lo = rm.model.NewIntVar(0, rm.days, f"{rule}_min")
        rm.model.AddMaxEquality(hi, counts)
        rm.model.AddMinEquality(lo, counts)
        rm.penalize(rule, hi - lo, weight, detail="max - min over agents")


def add_fairness_rule(rm: RosterModel, weekend_lits: dict[int, list]) -> None:
    """Soft: weekends and late shifts spread evenly (cost = max - min count over agents)."""
    rules = rm.problem.rules
    weekends = [sum(weekend_lits[a]) for a in weekend_lits if weekend_lits[a]]
    _spread(rm, weekends, "weekend fairness", rules.weekend_fairness_weight)
    if rm.problem.interval_mode:
        late = [sum(o.var for d in range(rm.days) for o in rm.options[a, d]
                    if o.end > rules.late_after_min) for a in range(len(rm.agents))]
        if any(not isinstance(x, int) for x in late):
            _spread(rm, late, "late-shift fairness", rules.late_fairness_weight)


# ------------------------------------------------------------------ build


def build(problem: Problem, *, explain: bool = False, objective: bool = True) -> RosterModel:
    """Build the whole CP-SAT model, rule by rule."""
    _validate(problem)
    rm = RosterModel(problem, explain=explain)
    add_shift_variables(rm)
    add_leave_rule(rm)
    add_availability_rule(rm)
    add_contract_rule(rm)
    add_rest_rule(rm)
    add_forbidden_succession_rule(rm)
    add_consecutive_days_rule(rm)
    weekend_lits = {a: weekend_literals(rm, a) for a in range(len(rm.agents))}
    add_weekend_rule(rm, weekend_lits)
    add_pattern_rule(rm)
    if problem.interval_mode:
        add_on_duty_variables(rm)
        add_break_rule(rm)
        cov = coverage_exprs(rm)
        if problem.rules.continuous_coverage:
            add_continuous_coverage_rule(rm, cov)
        if problem.rules.handover:
            add_handover_rule(rm)
        if problem.rules.support_pools:
            add_support_rule(rm)
        add_interval_coverage(rm, cov)
    add_classic_cover(rm)
    add_preference_rule(rm)
    add_stability_rule(rm)
    add_fairness_rule(rm, weekend_lits)
    if objective:
        rm.model.Minimize(sum(p.weight * p.expr for p in rm.penalties))
    return rm


def objective_constant(rm: RosterModel) -> int:
    return sum(p.weight * p.expr for p in rm.penalties if isinstance(p.expr, int))


def extract(rm: RosterModel, solver: cp_model.CpSolver) -> tuple[list, list, list]:
    """Assignments, leave decisions and soft violations of the solver's current solution."""
    iv = rm.problem.grid.interval_min
    out = []
    for (a, d), opts in rm.options.items():
        for o in opts:
            if solver.BooleanValue(o.var):
                acts = []
                for br, bvars in rm.breaks.get((a, d, o.skill), []):
                    for i, b in bvars.items():
                        if solver.BooleanValue(b):
                            acts.append(Activity(br.kind, i * iv, i * iv + br.length_min))
                acts = [b for b in acts if o.start <= b.start_min < o.end]
                out.append(Assignment(rm.agents[a].agent_id, d, o.template.name, o.start, o.end,
                                      o.skill, tuple(sorted(acts, key=lambda b: b.start_min))))
    decisions = list(rm.leave_refusals)
    for req, g in rm.leave_vars:
        if solver.BooleanValue(g):
            decisions.append(LeaveDecision(req, True, "granted: notice met and the roster "
                                           "keeps every hard rule without this agent"))
        else:
            decisions.append(LeaveDecision(req, False, "coverage: granting it would break a hard "
                                           "rule (see explain_leave for which)"))
    totals: dict = defaultdict(int)
    for p in rm.penalties:
        v = p.expr if isinstance(p.expr, int) else solver.Value(p.expr)
        if v:
            totals[p.rule, p.agent_id, p.day, p.detail] += v * p.weight
    viol = [SoftViolation(r, c, det, aid, day) for (r, aid, day, det), c in totals.items()]
    return out, decisions, viol


class _FirstSolution(cp_model.CpSolverSolutionCallback):
    def __init__(self, t0: float, stop_at_first: bool):
        super().__init__()
        self.t0, self.first, self.stop = t0, None, stop_at_first

    def on_solution_callback(self) -> None:
        if self.first is None:
            self.first = time.perf_counter() - self.t0
        if self.stop:
            self.StopSearch()


def make_solver(time_limit_s: float, seed: int, workers: int, params: dict | None) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.max_time_in_seconds = float(time_limit_s)
    prm.random_seed = int(seed)
    prm.num_workers = int(workers)
    for key, value in (params or {}).items():
        if isinstance(value, (list, tuple)):
            field_ = getattr(prm, key)
            if len(field_):
                prm.ClearField(key)
            field_.extend(list(value))
        else:
            setattr(prm, key, value)
    return solver
