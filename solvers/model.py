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
    LeaveDecision,
    Problem,
    ShiftTemplate,
    SoftViolation,
    SolverInputError,
)

COVERAGE_REFUSAL = ("coverage: refusing costs less than the under-coverage granting it would "
                    "cause (raise Rules.leave_refusal_weight to favour leave)")


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
    # interval mode: agents per (skill, day, template, start); breaks per (skill, day,
    # template, break index) -> {start interval: count}
    counts: dict[tuple, cp_model.IntVar] = field(default_factory=dict)
    breaks: dict[tuple, dict] = field(default_factory=dict)
    penalties: list[Penalty] = field(default_factory=list)
    assumptions: dict[tuple, cp_model.IntVar] = field(default_factory=dict)
    leave_vars: list[tuple] = field(default_factory=list)  # (index in problem.leave, literal)
    force_leave: frozenset[int] = frozenset()
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
            for b1, b2 in zip(t.breaks, t.breaks[1:]):
                if b1.latest_after_min + b1.length_min > b2.earliest_after_min:
                    raise SolverInputError(f"shift template {t.name!r}: break windows overlap; "
                                           "give each break/lunch a window after the previous "
                                           "one's latest end")
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


def add_start_counts(rm: RosterModel) -> None:
    """Interval mode: ``counts[k, d, t, s]`` = agents starting template t at minute s on day d
    for skill k. Coverage, breaks and handover are posted on these counts, so the model grows
    with the shift options, not with agents x intervals."""
    groups: dict = defaultdict(list)
    for (_a, d), opts in rm.options.items():
        for o in opts:
            if o.skill is not None:
                groups[o.skill, d, o.template.name, o.start].append(o.var)
    for key, xs in groups.items():
        n = rm.model.NewIntVar(0, len(xs), "n_{}_{}_{}_{}".format(*key))
        rm.model.Add(n == sum(xs))
        rm.counts[key] = n


def _interval_sums(rm: RosterModel, skill_filter=None) -> dict:
    """Per skill, ``(plus, minus)`` term lists per (day, interval): shifts on minus breaks."""
    g = rm.problem.grid
    iv = g.interval_min
    plus: dict = defaultdict(list)
    minus: dict = defaultdict(list)
    for (k, d, t, s), n in rm.counts.items():
        length = rm.problem.template(t).length_min
        for i in range(s // iv, (s + length) // iv):
            plus[k, d, i].append(n)
    for (k, d, t, s, j), bvars in rm.breaks.items():
        br = rm.problem.template(t).breaks[j]
        for off, b in bvars.items():
            for i in range((s + off) // iv, (s + off + br.length_min) // iv):
                minus[k, d, i].append(b)
    return plus, minus

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
    """Breaks and lunches start inside their windows.

    Breaks are counted, not tied to agents: ``breaks[k, d, t, s, j][off]`` = how many of the
    agents starting template t at minute s take break j at ``s + off``; for each start the
    counts add up to the agents starting then. :func:`place_breaks` hands them out afterwards.
    A template's breaks have disjoint windows, so an agent's breaks never overlap.
    """
    m, iv = rm.model, rm.problem.grid.interval_min
    for (k, d, tname, s), n in rm.counts.items():
        tmpl = rm.problem.template(tname)
        for j, br in enumerate(tmpl.breaks):
            offs = [o for o in range(br.earliest_after_min, br.latest_after_min + 1, iv)
                    if o + br.length_min <= tmpl.length_min]
            if not offs:
                raise SolverInputError(f"shift template {tname!r}: break {j} does not fit "
                                       "inside the shift")
            ub = len(rm.agents)
            bvars = {o: m.NewIntVar(0, ub, f"b_{k}_{d}_{tname}_{s}_{j}_{o}") for o in offs}
            m.Add(sum(bvars.values()) == n)
            rm.breaks[k, d, tname, s, j] = bvars


def coverage_exprs(rm: RosterModel) -> dict[str, np.ndarray]:
    """Agents on line per skill, day and interval (breaks excluded), as linear expressions."""
    g = rm.problem.grid
    plus, minus = _interval_sums(rm)
    out = {k: np.zeros((g.days, g.intervals_per_day), dtype=object)
           for k in {key[0] for key in plus}}
    for (k, d, i), terms in plus.items():
        out[k][d, i] = sum(terms) - sum(minus.get((k, d, i), []))
    return out


def add_continuous_coverage_rule(rm: RosterModel, cov: dict[str, np.ndarray]) -> None:
    """During opening hours no interval of a skill is left with nobody on line."""
    for k, open_ in rm.problem.grid.open.items():
        for d, i in zip(*np.nonzero(open_)):
            expr = cov[k][d, i] if k in cov else 0
            if isinstance(expr, int):  # nobody can work it: infeasible, explained by this rule
                expr = rm.model.NewConstant(expr)
            rm.model.Add(expr >= 1).OnlyEnforceIf(rm.guard("continuous coverage", None, int(d)))


def add_handover_rule(rm: RosterModel) -> None:
    """A shift may end inside opening hours only if another agent of the skill is on line who
    started at least ``handover_min`` earlier and stays on after the end."""
    p, m = rm.problem, rm.model
    iv, ipd, h = p.grid.interval_min, p.grid.intervals_per_day, p.rules.handover_min
    ends: dict = defaultdict(list)
    stays: dict = defaultdict(list)
    for (k, d, t, s), n in rm.counts.items():
        e = s + p.template(t).length_min
        ends[k, d, e // iv].append(n)
        for b in range(s // iv, e // iv):  # on after boundary b, started >= h before it
            if b * iv >= s + h:
                stays[k, d, b].append(n)
    _, minus = _interval_sums(rm)
    for k, open_ in p.grid.open.items():
        for d in range(p.grid.days):
            for i in range(1, ipd):
                if not open_[d, i] or not ends.get((k, d, i)):
                    continue
                any_end = m.NewBoolVar(f"end_{k}_{d}_{i}")
                m.Add(sum(ends[k, d, i]) <= len(rm.agents) * any_end)
                on_line = sum(stays.get((k, d, i), [])) - sum(minus.get((k, d, i), []))
                m.Add(on_line >= 1).OnlyEnforceIf([any_end] + rm.guard("handover", None, d))

def add_leave_rule(rm: RosterModel) -> None:
    """Leave that meets its notice is granted unless that breaks a hard rule; granted leave
    removes every shift overlapping it. Refused candidates cost ``leave_refusal_weight``/day."""
    p, m = rm.problem, rm.model
    by_id = {ag.agent_id: a for a, ag in enumerate(p.agents)}
    templates = {t.name: t for t in p.templates}
    for idx, req in enumerate(p.leave):
        if req.agent_id not in by_id:
            raise SolverInputError(f"leave request for unknown agent {req.agent_id!r}")
        a = by_id[req.agent_id]
        check = check_notice(req, p.agents[a], p.rules, p.grid, templates)
        if check.refusal:
            rm.leave_refusals.append(check.refusal)
            continue
        g = m.NewBoolVar(f"leave_{a}_{req.start:%Y%m%d%H%M}")
        if idx in rm.force_leave:
            m.Add(g == 1)
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
        rm.leave_vars.append((idx, g))
        rm.penalize("leave refused", 1 - g, p.rules.leave_refusal_weight * max(touched, 1), a,
                    detail=f"{req.kind} {req.start:%Y-%m-%d %H:%M}-{req.end:%Y-%m-%d %H:%M}")


def add_support_rule(rm: RosterModel) -> None:
    """While agents of a pool are on shift, at least one of their support pool is on shift."""
    p, m = rm.problem, rm.model
    iv, ipd = p.grid.interval_min, p.grid.intervals_per_day
    pools = set(p.rules.support_pools) | set(p.rules.support_pools.values())
    on: dict = defaultdict(list)  # (pool, day, interval) -> count vars
    size: dict = defaultdict(int)
    for _a, agent in enumerate(p.agents):
        size[agent.pool] += 1
    groups: dict = defaultdict(list)
    for (a, d), opts in rm.options.items():
        if p.agents[a].pool in pools:
            for o in opts:
                groups[p.agents[a].pool, d, o.start, o.end].append(o.var)
    for (pool, d, s, e), xs in groups.items():
        n = m.NewIntVar(0, len(xs), f"np_{pool}_{d}_{s}_{e}")
        m.Add(n == sum(xs))
        for i in range(s // iv, e // iv):
            on[pool, d, i].append(n)
    for pool, support in p.rules.support_pools.items():
        for d in range(rm.days):
            for i in range(ipd):
                line = on.get((pool, d, i))
                if not line:
                    continue
                helpers = sum(on.get((support, d, i), []))
                if p.rules.support_hard:
                    m.Add(sum(line) <= size[pool] * helpers).OnlyEnforceIf(
                        rm.guard("support pairing", None, d))
                else:
                    miss = m.NewBoolVar(f"support_{pool}_{d}_{i}")
                    m.Add(sum(line) <= size[pool] * (helpers + miss))
                    rm.penalize("support pairing", miss, p.rules.support_weight, None, d,
                                f"pool {pool!r} on shift without {support!r}")

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


def build(problem: Problem, *, explain: bool = False, objective: bool = True,
          force_leave: frozenset[int] = frozenset()) -> RosterModel:
    """Build the whole CP-SAT model, rule by rule (``force_leave``: leave indices to grant)."""
    _validate(problem)
    rm = RosterModel(problem, explain=explain, force_leave=frozenset(force_leave))
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
        add_start_counts(rm)
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


def place_breaks(rm: RosterModel, chosen: list[tuple[int, int, Option]],
                 solver: cp_model.CpSolver) -> dict[tuple[int, int], list[Activity]]:
    """Give each shift its breaks: the agents starting the same template at the same minute
    share out that start's counted breaks in agent order."""
    groups: dict = defaultdict(list)
    for a, d, o in chosen:
        groups[o.skill, d, o.template.name, o.start].append(a)
    out: dict = defaultdict(list)
    for (k, d, t, s), agents in groups.items():
        for j, br in enumerate(rm.problem.template(t).breaks):
            bvars = rm.breaks.get((k, d, t, s, j), {})
            offs = [o for o, b in sorted(bvars.items()) for _ in range(solver.Value(b))]
            if len(offs) != len(agents):
                raise RuntimeError(f"break counts do not match shifts on day {d} ({t} at {s})")
            for a, off in zip(sorted(agents), offs):
                out[a, d].append(Activity(br.kind, s + off, s + off + br.length_min))
    return out


def extract(rm: RosterModel, solver: cp_model.CpSolver) -> tuple[list, list, list]:
    """Assignments, leave decisions and soft violations of the solver's current solution."""
    chosen = [(a, d, o) for (a, d), opts in rm.options.items() for o in opts
              if solver.BooleanValue(o.var)]
    placed = place_breaks(rm, chosen, solver) if rm.problem.interval_mode else {}
    out = [Assignment(rm.agents[a].agent_id, d, o.template.name, o.start, o.end, o.skill,
                      tuple(sorted(placed.get((a, d), []), key=lambda b: b.start_min)))
           for a, d, o in chosen]
    decisions = list(rm.leave_refusals)
    for idx, g in rm.leave_vars:
        req = rm.problem.leave[idx]
        if solver.BooleanValue(g):
            decisions.append(LeaveDecision(req, True, "granted: notice met and the roster "
                                           "keeps every hard rule without this agent"))
        else:
            decisions.append(LeaveDecision(req, False, COVERAGE_REFUSAL))
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

        self.last = None  # perf_counter() of the latest improving solution

    def on_solution_callback(self) -> None:
        self.last = time.perf_counter()
        if self.first is None:
            self.first = self.last - self.t0
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
