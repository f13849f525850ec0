"""Column generation for classic cover: a lower bound and a first roster.

In classic cover mode agents interact only through the cover, so the roster problem is a
set-partitioning problem over each agent's feasible work patterns (columns):

    min  sum_p c_p x_p + sum_r (w_under u_r + w_over o_r)
    s.t. sum_p a_rp x_p + u_r - o_r = required_r     (one row per cover entry r)
         sum_{p of agent i} x_p = 1                  (one row per agent)

The linear relaxation of this master is solved over a growing set of columns (GLOP, OR-Tools'
simplex, warm-started between iterations); a new column is an agent's pattern of negative reduced cost, found
by an exact dynamic program over the days (:func:`price`): its states are the current run (days
off so far, or the last shift and the days worked in a row), minutes worked, weekends worked and
- only when a cap is hit - shifts of a capped template. It enforces every per-agent hard rule the
CP-SAT model has in classic mode (one shift a day, unavailable and fixed days off, templates and
max shifts, total minutes, minimum rest and forbidden successions between days, max and min
consecutive working days, min consecutive days off, max weekends) and prices the per-agent soft
rules (shift on/off requests, stability).

The Lagrangian bound ``LP + sum_i min(0, reduced cost of agent i's best pattern)`` is a valid lower
bound on every roster at every iteration; at convergence it equals the LP value. The first roster
comes from a dive (fix the agents the LP decides, re-generate columns for the others, repeat) or,
when a dive would not end in time, from giving each agent its strongest LP pattern: any choice
of one column per agent is a feasible roster (the cover is soft). The (agent, day) choices the LP
agrees on are returned too, for a relaxation-induced neighbourhood search (RINS) in CP-SAT.
(Solving the master restricted to the generated columns as a MIP was tried: on Curtois 8 and 12
it stayed at the dive's roster or found none in 15 s, so it is not used.)

Applies when :func:`supported` says so (classic cover, agents independent but for the cover, no
leave, no weekly day or minute windows, no patterns); :func:`solvers.solve` falls back to the
CP-SAT search otherwise. The columns and LP are deterministic; where the dive stops (and so the
roster) depends on the wall clock.

Reference: the column generation and branch-and-price approaches behind the Curtois & Qu optima
(T. Curtois and R. Qu, "Computational results on new staff scheduling benchmark instances", 2014).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from functools import reduce

import numpy as np

from .types import MINUTES_PER_DAY, Problem

INF = np.inf
#: A column enters the master when its reduced cost is below minus this.
RC_EPS = 1e-6
#: Column generation is not tried when an agent's dynamic program would hold more states than
#: this (many start times on a fine minute grid): the CP-SAT search is used alone.
MAX_STATES = 2_000_000
#: Weight of the best-bound duals in the smoothed duals the pricing uses (0: plain LP duals).
SMOOTHING = 0.5


def supported(problem: Problem) -> bool:
    """True when the per-agent dynamic program models every rule of ``problem``.

    >>> from datetime import date
    >>> from solvers.types import Grid, ShiftTemplate, Contract, Agent, ShiftCover, Rules
    >>> p = Problem(Grid(date(2026, 1, 5), 7, 60), [ShiftTemplate("d", 480)],
    ...             [Agent("a", Contract("c"))], cover=[ShiftCover(0, "d", 1)],
    ...             rules=Rules(weekend_fairness_weight=0))
    >>> supported(p)
    True
    """
    if problem.interval_mode or problem.leave or problem.rules.weekend_fairness_weight:
        return False
    for ag in problem.agents:
        c = ag.contract
        if c.days_per_week or c.minutes_per_week or c.pattern in ("5on2off", "1on1off"):
            return False
    return True


@dataclass
class AgentSpace:
    """One agent's patterns, as the dynamic program sees them.

    ``acts`` are the (template, start, length) options of a working day; ``allowed[d, k]`` says
    whether option ``k`` may be worked on day ``d``; ``cost[d, 0]`` is the soft cost of a day
    off and ``cost[d, 1 + k]`` of working option ``k``; ``succ[k, j]`` whether option ``j`` may
    follow option ``k`` on the next day. Minutes are counted in ``unit``-minute steps.
    """

    agent: int
    acts: list[tuple[str, int, int]]
    allowed: np.ndarray
    cost: np.ndarray
    succ: np.ndarray
    unit: int
    lens: np.ndarray
    min_units: int
    max_units: int
    max_run: int
    min_run: int
    min_off: int
    max_weekends: int | None
    weekend_pos: np.ndarray  # per day: 0 weekday, 1 first weekend day, 2 second weekend day
    caps: dict[str, int] = field(default_factory=dict)  # template -> max shifts that can bind


def agent_spaces(problem: Problem) -> list[AgentSpace]:
    """The :class:`AgentSpace` of every agent (same options and rules as the CP-SAT model)."""
    g, days = problem.grid, problem.grid.days
    pos = np.zeros(days, np.int64)
    for d in range(days):
        wd = g.date_of(d).weekday()
        if wd == 5 or (wd == 6 and d == 0):
            pos[d] = 1
        elif wd == 6:
            pos[d] = 2
    rest = problem.rules.min_rest_min
    spaces = []
    for a, ag in enumerate(problem.agents):
        c = ag.contract
        tmpls = [t for t in problem.templates if not c.templates or t.name in c.templates]
        acts = [(t.name, s, t.length_min) for t in tmpls for s in t.starts()]
        by_name = {t.name: t for t in problem.templates}
        k = len(acts)
        off_days = {g.day_of(x) for x in ag.fixed_days_off | ag.unavailable}
        allowed = np.full((days, k), c.max_consecutive_days != 0)  # 0: never works
        for d in off_days:
            if 0 <= d < days:
                allowed[d] = False
        for j, (n, _, _) in enumerate(acts):  # a template capped at 0 shifts is never worked
            if c.max_shifts.get(n, 1) <= 0:
                allowed[:, j] = False
        cost = np.zeros((days, k + 1))
        names = np.array([n for n, _, _ in acts], dtype=object)
        for r in ag.requests:
            d = g.day_of(r.day)
            if not 0 <= d < days:
                continue
            hit = np.ones(k, bool) if r.template is None else names == r.template
            if r.on:  # costs unless an option of the requested template is worked
                cost[d, 0] += r.weight
                cost[d, 1:][~hit] += r.weight
            else:
                cost[d, 1:][hit] += r.weight
        w8 = problem.rules.stability_weight
        if ag.previous and w8:
            for d in range(days):
                prev = ag.previous.get(g.date_of(d))
                if prev is None:
                    cost[d, 1:] += w8
                else:
                    same = np.array([n == prev.template and s == prev.start_min
                                     for n, s, _ in acts], bool)
                    cost[d, 0] += w8
                    cost[d, 1:][~same] += w8
        succ = np.ones((k, k), bool)
        for i, (n1, s1, l1) in enumerate(acts):
            for j, (n2, s2, _) in enumerate(acts):
                if n2 in by_name[n1].forbidden_next:
                    succ[i, j] = False
                if rest > 0 and MINUTES_PER_DAY + s2 - (s1 + l1) < rest:
                    succ[i, j] = False
        lens = np.array([ln for _, _, ln in acts], np.int64)
        unit = reduce(math.gcd, lens.tolist(), 0) or 1
        lo, hi = c.total_minutes or (0, int(lens.max(initial=0)) * days)
        max_units = min(hi // unit, int(lens.max(initial=0)) * days // unit)
        min_units = max(0, -(-lo // unit))
        caps = {}
        for n, limit in c.max_shifts.items():
            can = int(sum(allowed[:, names == n].any(axis=1))) if k else 0
            if 0 < limit < min(can, hi // max(unit, min(
                    [ln for nm, _, ln in acts if nm == n], default=unit))):
                caps[n] = limit
        max_run = days if c.max_consecutive_days is None else max(1, min(c.max_consecutive_days,
                                                                         days))
        spaces.append(AgentSpace(
            a, acts, allowed, cost, succ, unit, lens // unit, min_units, max_units, max_run,
            max(1, c.min_consecutive_days), max(1, c.min_consecutive_days_off),
            c.max_weekends, pos, caps))
    return spaces


def _states(sp: AgentSpace) -> int:
    """Size of the dynamic program's largest array (successions x runs x minutes x weekends)."""
    k = len(sp.acts)
    return k * k * sp.max_run * (sp.max_units + 1) * ((sp.max_weekends or 0) + 1)


def _shift_in_place(a: np.ndarray, axis: int) -> None:
    """Move ``a`` one step up ``axis`` in place (the top falls off, the bottom is infeasible)."""
    src = [slice(None)] * a.ndim
    dst = [slice(None)] * a.ndim
    src[axis], dst[axis] = slice(0, -1), slice(1, None)
    a[tuple(dst)] = a[tuple(src)]
    first = [slice(None)] * a.ndim
    first[axis] = 0
    a[tuple(first)] = INF


def _shift(a: np.ndarray, axis: int, by: int) -> np.ndarray:
    """``a`` moved ``by`` steps up ``axis``; what falls off the end is dropped (infeasible)."""
    if by == 0:
        return a
    out = np.full_like(a, INF)
    if by >= a.shape[axis]:
        return out
    src = [slice(None)] * a.ndim
    dst = [slice(None)] * a.ndim
    src[axis], dst[axis] = slice(0, a.shape[axis] - by), slice(by, None)
    out[tuple(dst)] = a[tuple(src)]
    return out


def shape_key(sp: AgentSpace) -> tuple:
    """Agents with the same key are priced together in one batched dynamic program."""
    return (tuple(sp.acts), sp.unit, sp.min_units, sp.max_units, sp.max_run, sp.min_run,
            sp.min_off, sp.max_weekends, sp.succ.tobytes(), sp.weekend_pos.tobytes())


def price(sp: AgentSpace, day_cost: np.ndarray, tracked: tuple[str, ...] = ()):
    """Cheapest pattern of one agent under ``day_cost`` (``(days, 1 + len(acts))``: the cost of
    a day off, then of each option), honouring every hard rule; the caps of templates in
    ``tracked`` are enforced exactly, other caps are left out (a relaxation: the value is then
    a lower bound). Returns (value, option index per day or -1 for off), or (inf, None)."""
    return price_many([sp], day_cost[None], tracked)[0]


def price_many(group: list[AgentSpace], day_cost: np.ndarray, tracked: tuple[str, ...] = ()):
    """:func:`price` for agents of one :func:`shape_key` at once (``day_cost`` is
    ``(agents, days, 1 + len(acts))``; they differ in allowed days and costs only).

    States after each day, per agent: ``off[j, m, w, c...]`` (``j + 1`` days off in a row, the
    last one meaning "at least ``min_off``") and ``work[k, r, m, w, c...]`` (option ``k``
    worked, ``r + 1`` days in a row), ``m`` minutes worked in units, ``w`` weekends worked,
    ``c`` shifts of each tracked template; the value is the cheapest way to get there."""
    sp = group[0]
    n, days, k = len(group), day_cost.shape[1], len(sp.acts)
    o_n, r_n = sp.min_off, sp.max_run
    counted = sp.max_weekends is not None  # weekends worked are counted (and capped)
    wn = sp.max_weekends + 1 if counted else 1
    names = [nm for nm, _, _ in sp.acts]
    tail = (sp.max_units + 1, wn, *[sp.caps[t] + 1 for t in tracked])
    ones = (1,) * len(tail)
    allowed = np.stack([g.allowed for g in group])  # (agents, days, k)
    off = np.full((n, o_n, *tail), INF)
    off[(slice(None), o_n - 1) + (0,) * len(tail)] = 0.0  # before day 0: a long rest
    work = np.full((n, k, r_n, *tail), INF)
    runs = np.arange(1, r_n + 1)
    preds: dict[bytes, tuple[list[int], np.ndarray]] = {}  # options with the same predecessors
    for j in range(k):
        preds.setdefault(sp.succ[:, j].tobytes(), ([], np.flatnonzero(sp.succ[:, j])))[0].append(j)
    lens = np.unique(sp.lens)
    by_len = [(int(ln), np.flatnonzero(sp.lens == ln) if len(lens) > 1 else slice(None))
              for ln in lens]
    by_tracked = [np.array([j for j in range(k) if names[j] == t]) for t in tracked]
    hist = []
    for d in range(days):
        hist.append((off, work))
        noff = np.empty_like(off)
        endable = (runs >= sp.min_run) | (runs == d)  # a run from day 0 is not held to the min
        noff[:, 0] = work[:, :, endable].min(axis=(1, 2)) if k and endable.any() else INF
        if o_n >= 2:
            noff[:, 1:] = off[:, :-1]
            np.minimum(noff[:, o_n - 1], off[:, o_n - 1], out=noff[:, o_n - 1])
        else:
            np.minimum(noff[:, 0], off[:, 0], out=noff[:, 0])
        noff += day_cost[:, d, 0].reshape(n, 1, *ones)
        if k and allowed[:, d].any():
            pre = np.empty_like(work)
            pre[:, :, 0] = off[:, None, o_n - 1]
            if r_n > 1:
                for js, ks in preds.values():  # continue a run from an allowed predecessor
                    pre[:, js, 1:] = (work[:, ks, :-1].min(axis=1)[:, None] if len(ks)
                                      else INF)
            if counted and sp.weekend_pos[d] == 1:
                _shift_in_place(pre, 4)
            elif counted and sp.weekend_pos[d] == 2:
                _shift_in_place(pre[:, :, 0], 3)  # Saturday off: Sunday starts a weekend
            nwork = np.full_like(work, INF)
            for ln, sel in by_len:  # minutes worked go up by the option's length
                if ln < tail[0]:
                    nwork[:, sel, :, ln:] = pre[:, sel, :, :tail[0] - ln]
            for i, sel in enumerate(by_tracked):
                nwork[:, sel] = _shift(nwork[:, sel], 5 + i, 1)
            nwork += day_cost[:, d, 1:].reshape(n, k, 1, *ones)
            nwork[~allowed[:, d]] = INF
        else:
            nwork = np.full_like(work, INF)
        off, work = noff, nwork
    out = []
    for i, g in enumerate(group):
        out.append(_walk_back(g, [(h[0][i], h[1][i]) for h in hist], off[i], work[i], tracked))
    return out


def _walk_back(sp: AgentSpace, hist: list, off: np.ndarray, work: np.ndarray,
               tracked: tuple[str, ...]):
    """The pattern of the cheapest final state of one agent, from its states before each day
    (``hist``) and after the last (``off``, ``work``): (value, plan) or (inf, None)."""
    days, k, o_n = len(hist), len(sp.acts), sp.min_off
    names = [nm for nm, _, _ in sp.acts]
    counted = sp.max_weekends is not None
    runs = np.arange(1, sp.max_run + 1)
    lo = sp.min_units
    best_off, best_work = off[:, lo:], work[:, :, lo:]
    v_off = best_off.min() if best_off.size else INF
    v_work = best_work.min() if best_work.size else INF
    value = min(v_off, v_work)
    if not np.isfinite(value):
        return INF, None
    if v_off <= v_work:
        idx = np.unravel_index(np.argmin(best_off), best_off.shape)
        kind, where, tl = "off", int(idx[0]), (int(idx[1]) + lo, *map(int, idx[2:]))
    else:
        idx = np.unravel_index(np.argmin(best_work), best_work.shape)
        kind, where, tl = "work", (int(idx[0]), int(idx[1])), (int(idx[2]) + lo,
                                                              *map(int, idx[3:]))
    plan = [-1] * days
    for d in range(days - 1, -1, -1):  # each day back to the cheapest state leading here
        hoff, hwork = hist[d]
        if kind == "off":
            j = where
            opts = []
            if j == 0 and k:
                endable = (runs >= sp.min_run) | (runs == d)
                vals = np.where(endable[None, :], hwork[(slice(None), slice(None)) + tl], INF)
                kk, r = np.unravel_index(np.argmin(vals), vals.shape)
                opts.append((vals[kk, r], "work", (int(kk), int(r))))
            if j >= 1:
                opts.append((hoff[(j - 1,) + tl], "off", j - 1))
            if j == o_n - 1:
                opts.append((hoff[(j,) + tl], "off", j))
            _, kind, where = min(opts, key=lambda o: o[0])
            continue
        kk, r = where
        plan[d] = kk
        w = tl[1]
        if counted and (sp.weekend_pos[d] == 1 or (sp.weekend_pos[d] == 2 and r == 0)):
            w -= 1
        cs = [c - (names[kk] == t) for c, t in zip(tl[2:], tracked)]
        tl = (tl[0] - int(sp.lens[kk]), w, *cs)
        if r == 0:
            kind, where = "off", o_n - 1
        else:
            vals = np.where(sp.succ[:, kk], hwork[(slice(None), r - 1) + tl], INF)
            kind, where = "work", (int(np.argmin(vals)), r - 1)
    return float(value), plan


def best_pattern(sp: AgentSpace, day_cost: np.ndarray):
    """:func:`price` with the caps that bind tracked, one at a time, until the pattern keeps
    every cap. Returns (value, plan, exact): ``exact`` is False when the caps could not all be
    tracked (the value is then only a lower bound and the plan None)."""
    tracked: tuple[str, ...] = ()
    while True:
        value, plan = price(sp, day_cost, tracked)
        if plan is None:
            return value, None, True
        over = _over_caps(sp, plan, tracked)
        if not over:
            return value, plan, True
        if np.prod([sp.caps[t] + 1 for t in tracked + (over[0],)]) > 2_000:
            return value, None, False
        tracked = tracked + (over[0],)


@dataclass
class ColumnGeneration:
    """Outcome of :func:`column_generation`: the bound, the integer roster and how they came."""

    bound: float
    lp_value: float
    converged: bool
    iterations: int
    columns: int
    choices: dict  # {(agent index, day): (template, start, None) | None}
    objective: float
    settled: set  # {(agent index, day)} the LP solution agrees on and the roster keeps
    dived: bool  # the roster comes from a dive (else from rounding the LP)
    lp_use: dict  # {(day, template): agents the LP solution has work it}
    seconds: float
    log: list[str] = field(default_factory=list)


class _Master:
    """The restricted master problem over the columns generated so far: a persistent GLOP
    model (OR-Tools' simplex), columns added and bounds changed between warm re-solves."""

    def __init__(self, problem: Problem, spaces: list[AgentSpace]):
        from ortools.linear_solver import pywraplp

        self.problem, self.spaces = problem, spaces
        self.days = problem.grid.days
        self.cover = [c for c in problem.cover if 0 <= c.day < self.days]
        self.tnames = sorted({t.name for t in problem.templates})
        tix = {n: i for i, n in enumerate(self.tnames)}
        self.row_d = np.array([c.day for c in self.cover], np.int64)
        self.row_t = np.array([tix[c.template] for c in self.cover], np.int64)
        self.rows_of: dict[tuple[int, str], list[int]] = {}
        for r, c in enumerate(self.cover):
            self.rows_of.setdefault((c.day, c.template), []).append(r)
        self.act_t = [np.array([tix[n] for n, _, _ in sp.acts], np.int64) for sp in spaces]
        self.req = np.array([max(c.required, 0) for c in self.cover], float)
        self.wu = np.array([c.weight_under for c in self.cover], float)
        self.wo = np.array([c.weight_over for c in self.cover], float)
        self.lp = lp = pywraplp.Solver.CreateSolver("GLOP")
        self.obj = lp.Objective()
        self.obj.SetMinimization()
        self.rows = [lp.Constraint(r, r) for r in self.req]
        self.agent_rows = [lp.Constraint(1, 1) for _ in spaces]
        for r in range(len(self.cover)):  # slacks: under (at most the requirement), over
            under = lp.NumVar(0, float(self.req[r]), f"u{r}")
            over = lp.NumVar(0, lp.infinity(), f"o{r}")
            self.rows[r].SetCoefficient(under, 1)
            self.rows[r].SetCoefficient(over, -1)
            self.obj.SetCoefficient(under, self.wu[r])
            self.obj.SetCoefficient(over, self.wo[r])
        self.vars: list = []
        self.cols: list[tuple[int, tuple[int, ...], float]] = []  # (agent, plan, cost)
        self.of_agent: list[list[int]] = [[] for _ in spaces]
        self.seen: set[tuple[int, tuple[int, ...]]] = set()
        self.fixed: dict[int, int] = {}  # agent -> column, while diving

    def add(self, agent: int, plan: list[int]) -> bool:
        key = (agent, tuple(plan))
        if key in self.seen:
            return False
        sp = self.spaces[agent]
        cost = float(sum(sp.cost[d, 1 + kk] if kk >= 0 else sp.cost[d, 0]
                         for d, kk in enumerate(plan)))
        rows = self._rows(agent, plan)
        var = self.lp.NumVar(0, 1, f"c{len(self.cols)}")
        for r in rows:
            self.rows[r].SetCoefficient(var, self.rows[r].GetCoefficient(var) + 1)
        self.agent_rows[agent].SetCoefficient(var, 1)
        self.obj.SetCoefficient(var, cost)
        self.vars.append(var)
        self.seen.add(key)
        self.of_agent[agent].append(len(self.cols))
        self.cols.append((agent, key[1], cost))
        return True

    def _rows(self, agent: int, plan) -> list[int]:
        """Cover rows a pattern of ``agent`` counts toward (a row once per worked day)."""
        acts = self.spaces[agent].acts
        return [r for d, kk in enumerate(plan) if kk >= 0
                for r in self.rows_of.get((d, acts[kk][0]), ())]

    def solve_lp(self):
        """(LP value, cover duals, agent duals, column values) of the current master."""
        from ortools.linear_solver import pywraplp

        status = self.lp.Solve()
        if status != pywraplp.Solver.OPTIMAL:
            raise RuntimeError(f"master LP not solved to optimality (status {status})")
        y = np.array([r.dual_value() for r in self.rows])
        mu = np.array([r.dual_value() for r in self.agent_rows])
        x = np.array([v.solution_value() for v in self.vars])
        return self.obj.Value(), y, mu, x

    def dual_table(self, cover_dual: np.ndarray) -> np.ndarray:
        """Cover duals summed per (day, template)."""
        dt = np.zeros((self.days, len(self.tnames)))
        np.add.at(dt, (self.row_d, self.row_t), cover_dual)
        return dt

    def day_costs(self, agent: int, dual_table: np.ndarray) -> np.ndarray:
        """Reduced day costs of one agent: soft cost less the cover duals of what is worked."""
        out = self.spaces[agent].cost.copy()
        out[:, 1:] -= dual_table[:, self.act_t[agent]]
        return out

    def fix(self, agent: int, col: int) -> None:
        """Give ``agent`` column ``col`` (a dive step): its other columns are bounded to 0."""
        for j in self.of_agent[agent]:
            v = 1.0 if j == col else 0.0
            self.vars[j].SetBounds(v, v)
        self.fixed[agent] = col

    def unfix_all(self) -> None:
        for a in list(self.fixed):
            for j in self.of_agent[a]:
                self.vars[j].SetBounds(0.0, 1.0)
        self.fixed.clear()

    def cost_of(self, pick: dict[int, int]) -> float:
        """Exact objective of one column per agent."""
        count = np.zeros(len(self.cover))
        total = 0.0
        for a, j in pick.items():
            total += self.cols[j][2]
            np.add.at(count, self._rows(a, self.cols[j][1]), 1)
        return total + float(self.wu @ np.maximum(self.req - count, 0)
                             + self.wo @ np.maximum(count - self.req, 0))


def _lagrangian(master: _Master, cover_dual: np.ndarray, values: list[float]) -> float:
    """Lagrangian lower bound at cover duals ``cover_dual`` given each agent's cheapest
    reduced pattern cost ``values`` (or a lower bound on it): ``sum_r pi_r req_r`` plus the
    slacks' least reduced cost plus the agents'. Valid for any duals."""
    if np.any(cover_dual < -master.wo - 1e-9):
        return -INF  # over-cover would pay: unbounded below
    return float(cover_dual @ master.req + master.req @ np.minimum(0.0, master.wu - cover_dual)
                 + sum(values))


def _generate(master: _Master, deadline: float, log: list[str], t0: float,
              max_iter: int = 0):
    """Column generation on the master until no column prices out, ``deadline`` or
    ``max_iter`` iterations (0: no limit). Returns (Lagrangian bound, LP value, column values,
    converged); the bound only holds while no agent is fixed.

    Pricing uses smoothed duals (Wentges: ``SMOOTHING`` of the duals with the best Lagrangian
    bound so far, the rest the LP's), which cuts the iterations on these degenerate masters; a
    column enters when its reduced cost at the LP duals is negative, and an iteration that
    finds none prices again at the LP duals, so convergence is exact."""
    bound, it, center = -INF, 0, None
    while True:
        it += 1
        lp, cover_dual, agent_dual, x = master.solve_lp()
        free = [sp for sp in master.spaces if sp.agent not in master.fixed]
        table = master.dual_table(cover_dual)
        alpha = SMOOTHING if center is not None and not master.fixed else 0.0
        while True:
            duals = cover_dual if alpha == 0 else alpha * center + (1 - alpha) * cover_dual
            priced = _price_all(master, free, table if alpha == 0 else master.dual_table(duals))
            exact_all = all(r[3] for r in priced)
            if not master.fixed:
                lagr = _lagrangian(master, duals, [r[1] for r in priced])
                if lagr > bound:
                    bound, center = lagr, duals
            added = 0
            for sp, _, plan, _ in priced:
                if plan is None:
                    continue
                cost = master.day_costs(sp.agent, table)
                rc = sum(cost[d, 1 + k] for d, k in enumerate(plan)) - agent_dual[sp.agent]
                if rc < -RC_EPS:
                    added += master.add(sp.agent, plan)
            if added or alpha == 0:
                break
            alpha = 0.0  # nothing at the smoothed duals: price at the LP's
        if not master.fixed:
            log.append(f"iteration {it}: LP {lp:.2f}, Lagrangian bound {bound:.2f}, "
                       f"{added} columns added, {time.perf_counter() - t0:.2f} s")
        if added == 0:
            return (max(bound, lp) if exact_all else bound), lp, x, exact_all
        if time.perf_counter() > deadline or it == max_iter:
            lp, _, _, x = master.solve_lp()
            return bound, lp, x, False


def _over_caps(sp: AgentSpace, plan: list[int] | None, tracked: tuple[str, ...]) -> list[str]:
    """Capped templates ``plan`` works more often than allowed (and not yet tracked)."""
    if plan is None:
        return []
    counts: dict[str, int] = {}
    for kk in plan:
        if kk >= 0:
            counts[sp.acts[kk][0]] = counts.get(sp.acts[kk][0], 0) + 1
    return [t for t, cap in sp.caps.items() if counts.get(t, 0) > cap and t not in tracked]


def _price_all(master: _Master, spaces: list[AgentSpace], table: np.ndarray):
    """(space, value, plan, exact) of each agent's cheapest pattern under the duals ``table``.
    Agents of one shape are priced in one batch; those whose pattern breaks a cap are priced
    again in batches with that cap tracked, and alone (:func:`best_pattern`) if another one
    still breaks."""
    groups: dict[tuple, list[AgentSpace]] = {}
    for sp in spaces:
        groups.setdefault(shape_key(sp), []).append(sp)
    out = []
    for group in groups.values():
        costs = np.stack([master.day_costs(sp.agent, table) for sp in group])
        again: dict[str, list[int]] = {}
        for i, (sp, (value, plan)) in enumerate(zip(group, price_many(group, costs))):
            over = _over_caps(sp, plan, ())
            if over:
                again.setdefault(over[0], []).append(i)
            else:
                out.append((sp, value, plan, True))
        for t, idx in again.items():
            batch = [group[i] for i in idx]
            for i, sp, (value, plan) in zip(idx, batch, price_many(batch, costs[idx], (t,))):
                if _over_caps(sp, plan, (t,)):
                    out.append((sp, *best_pattern(sp, costs[i])))
                else:
                    out.append((sp, value, plan, True))
    return sorted(out, key=lambda r: r[0].agent)


def _settle(master: _Master, x: np.ndarray):
    """From the LP solution ``x``: each agent's strongest column ({agent: column}) and the
    option (-1 for off) of each (agent, day) that every column of the agent in the LP solution
    agrees on ({(agent, day): option})."""
    pick, settled = {}, {}
    for a, js in enumerate(master.of_agent):
        vals = x[js]
        pick[a] = js[int(np.argmax(vals))]
        used = [master.cols[j][1] for j, v in zip(js, vals) if v > 1e-6]
        for d in range(master.days):
            if all(plan[d] == used[0][d] for plan in used):
                settled[a, d] = used[0][d]
    return pick, settled


def _dive(master: _Master, deadline: float, log: list[str], t0: float, x: np.ndarray,
          iters_per_step: int = 3) -> dict[int, int]:
    """Diving heuristic: fix the agents whose LP pattern is integral and the strongest pattern
    of the agent whose LP choice is the most decided, generate columns for the others for up to
    ``iters_per_step`` iterations, repeat until every agent has a pattern. At ``deadline`` the
    agents still free take their strongest pattern in the current LP (any pattern per agent is
    a feasible roster). Returns {agent: column}; the master is left unfixed."""
    while len(master.fixed) < len(master.spaces):
        late = time.perf_counter() > deadline
        best = None
        fixed_now = 0
        for a, js in enumerate(master.of_agent):
            if a in master.fixed:
                continue
            i = int(np.argmax(x[js]))
            if x[js[i]] > 1 - 1e-6 or late:
                master.fix(a, js[i])
                fixed_now += 1
            elif best is None or x[js[i]] > best[0]:
                best = (x[js[i]], a, js[i])
        if best is not None and (fixed_now == 0 or best[0] > 0.5):
            master.fix(best[1], best[2])
        if len(master.fixed) < len(master.spaces):
            x = _generate(master, deadline, log, t0, max_iter=iters_per_step)[2]
    pick = dict(master.fixed)
    master.unfix_all()
    return pick


def column_generation(problem: Problem, *, deadline: float,
                      dive_deadline: float | None = None) -> ColumnGeneration | None:
    """Lower bound by column generation and a rounded roster (``deadline`` is a
    ``time.perf_counter()`` instant).

    The master LP is solved by column generation until no pattern has a negative reduced cost
    or ``deadline`` (the bound is the best Lagrangian bound seen, the LP value once converged).
    The roster gives each agent the pattern with the largest LP value, or with ``dive_deadline``
    comes from a dive (:func:`_dive`) that ends by then; ``settled`` lists the
    (agent, day) choices the LP solution agrees on and the roster keeps, which a caller can fix
    while searching the rest (relaxation-induced neighbourhood, RINS). Returns None when
    :func:`supported` is false, a dynamic program would be too large (``MAX_STATES``) or an
    agent has no feasible pattern at all (then the CP-SAT model explains why)."""
    if not supported(problem):
        return None
    t0 = time.perf_counter()
    spaces = agent_spaces(problem)
    if any(_states(sp) > MAX_STATES for sp in spaces):
        return None
    master = _Master(problem, spaces)
    log: list[str] = []
    zero = master.dual_table(np.zeros(len(master.cover)))
    for sp in spaces:
        _, plan, _ = best_pattern(sp, master.day_costs(sp.agent, zero))
        if plan is None:
            return None
        master.add(sp.agent, plan)
    bound, lp, x, converged = _generate(master, deadline, log, t0)
    pick, settled = _settle(master, x)
    lp_use: dict[tuple[int, str], set[int]] = {}  # who the LP has work each (day, template)
    for j in np.flatnonzero(x > 1e-6):
        a, plan, _ = master.cols[j]
        for d, kk in enumerate(plan):
            if kk >= 0:
                lp_use.setdefault((d, spaces[a].acts[kk][0]), set()).add(a)
    how = "rounded"
    per_iteration = (time.perf_counter() - t0) / max(len(log), 1)
    fractional = sum(x[js].max() < 1 - 1e-6 for js in master.of_agent)
    if dive_deadline is not None and (  # only when the dive is expected to end in time
            time.perf_counter() + 3 * fractional * per_iteration < dive_deadline):
        pick, how = _dive(master, dive_deadline, log, t0, x), "dived"
    objective = master.cost_of(pick)
    choices = {}
    for a, j in pick.items():
        acts = spaces[a].acts
        for d, kk in enumerate(master.cols[j][1]):
            choices[a, d] = None if kk < 0 else (acts[kk][0], acts[kk][1], None)
    # where the LP agrees and the roster keeps its choice (relaxation-induced neighbourhood)
    settled = {ad for ad, kk in settled.items() if master.cols[pick[ad[0]]][1][ad[1]] == kk}
    log.append(f"{how} roster of cost {objective:.0f}; the LP settles {len(settled)} of "
               f"{len(choices)} agent-days; {time.perf_counter() - t0:.2f} s")
    return ColumnGeneration(bound=bound, lp_value=lp, converged=converged, iterations=len(log) - 1,
                            columns=len(master.cols), choices=choices, objective=objective,
                            settled=settled, dived=how == "dived", lp_use=lp_use,
                            seconds=time.perf_counter() - t0, log=log)
