"""Large-neighbourhood search around the CP-SAT model: keep most of the roster, re-solve a part.

Each step frees either a few agents (all their days) or a few consecutive days (all agents),
fixes every other shift literal to the incumbent, and lets CP-SAT re-optimise the part with the
incumbent as hint; a better roster replaces the incumbent. Deterministic for a given seed
(the neighbourhoods come from ``numpy.random.default_rng(seed)``), apart from where the wall
clock stops it.
"""

from __future__ import annotations

import os
import time

import numpy as np
from ortools.sat.python import cp_model

from .model import RosterModel, make_solver

_LOG = bool(os.environ.get("SOLVERS_LNS_LOG"))


def improve(rm: RosterModel, values: list[int], objective: float, *, deadline: float,
            seed: int = 0, workers: int = 2, step_s: float = 2.0,
            params: dict | None = None) -> tuple[list[int], float, int]:
    """Improve a full solution ``values`` (one value per model variable) until ``deadline``
    (a ``time.perf_counter()`` instant). Returns (values, objective, steps that improved)."""
    rng = np.random.default_rng(seed)
    n_agents, n_days = len(rm.agents), rm.days
    step_s = max(step_s, len(values) / 15_000)  # big models need longer presolves
    x_index = {key: [o.var.Index() for o in opts] for key, opts in rm.options.items()}
    improved = 0
    size = {"agents": 0.25, "days": 0.25, "block": 0.35}  # adaptive share freed, per kind
    kinds = list(size)
    step = 0
    while time.perf_counter() < deadline - 0.2:
        kind = kinds[step % len(kinds)]
        step += 1
        f = size[kind]
        if kind == "agents":
            who = rng.choice(n_agents, size=max(2, min(n_agents, round(f * n_agents))),
                             replace=False).tolist()
            days = range(n_days)
        elif kind == "days":
            w = max(2, min(n_days, round(f * n_days)))
            start = int(rng.integers(0, n_days - w + 1))
            who, days = range(n_agents), range(start, start + w)
        else:
            w = max(2, min(n_days, round(f * n_days)))
            start = int(rng.integers(0, n_days - w + 1))
            who = rng.choice(n_agents, size=max(2, n_agents // 2), replace=False).tolist()
            days = range(start, start + w)
        free = {(a, d) for a in who for d in days}
        m = rm.model.Clone()
        m.ClearHints()
        for i, v in enumerate(values):
            m.AddHint(m.GetIntVarFromProtoIndex(i), v)
        proto = m.Proto()
        for key, idxs in x_index.items():
            if key in free:
                continue
            for i in idxs:
                var = proto.variables[i]
                var.domain.clear()
                var.domain.extend([values[i], values[i]])
        left = deadline - time.perf_counter()
        s = make_solver(max(min(step_s, left), 0.1), int(rng.integers(1 << 30)), workers,
                        params)
        st = s.Solve(m)
        if _LOG:
            print(f"lns step {step} free={len(free)} {s.StatusName(st)} "
                  f"{s.ObjectiveValue() if st in (2, 4) else None} best={objective} "
                  f"{s.WallTime():.2f}s", flush=True)
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE) and s.ObjectiveValue() < objective - 1e-9:
            values = list(s.ResponseProto().solution)
            objective = s.ObjectiveValue()
            improved += 1
        grow = st == cp_model.OPTIMAL  # solved the part to optimality: free more next time
        size[kind] = min(1.0, f * 1.2) if grow else max(0.02, f * 0.85)
    return values, objective, improved


# ---------------------------------------------------------------- classic cover: sub-problems


def agent_decomposable(problem) -> bool:
    """True when agents interact only through the classic cover (no fairness spread), so a
    few agents can be re-optimised in a model of their own against the others' cover."""
    r = problem.rules
    return not problem.interval_mode and not r.weekend_fairness_weight


def choices_of(rm: RosterModel, values: list[int]) -> dict[tuple[int, int], tuple | None]:
    """The incumbent per (agent, day): (template, start, skill) of the chosen option or None."""
    out = {}
    for key, opts in rm.options.items():
        hit = [o for o in opts if values[o.var.Index()]]
        out[key] = (hit[0].template.name, hit[0].start, hit[0].skill) if hit else None
    return out


def _sub_problem(problem, who: list[int], choices: dict):
    """The problem restricted to agents ``who``: the cover each (day, shift) still needs once the
    other agents' shifts are counted (an excess left by them is a constant, dropped)."""
    from dataclasses import replace

    fixed: dict[tuple[int, str], int] = {}
    keep = set(who)
    for (a, d), ch in choices.items():
        if ch is not None and a not in keep:
            fixed[d, ch[0]] = fixed.get((d, ch[0]), 0) + 1
    cover = [replace(c, required=max(c.required - fixed.get((c.day, c.template), 0), 0))
             for c in problem.cover]
    agents = [problem.agents[a] for a in who]
    ids = {ag.agent_id for ag in agents}
    leave = [lr for lr in problem.leave if lr.agent_id in ids]
    return replace(problem, agents=agents, cover=cover, leave=leave)


def _cover_gaps(problem, choices: dict) -> list[tuple[int, str, int]]:
    """(day, template, missing agents) of every under-covered classic cover entry."""
    count: dict[tuple[int, str], int] = {}
    for (_a, d), ch in choices.items():
        if ch is not None:
            count[d, ch[0]] = count.get((d, ch[0]), 0) + 1
    return [(c.day, c.template, c.required - count.get((c.day, c.template), 0))
            for c in problem.cover if c.required > count.get((c.day, c.template), 0)]


def _can_work(agent, day, template: str, grid) -> bool:
    c = agent.contract
    if c.templates and template not in c.templates:
        return False
    if c.max_shifts.get(template, 1) <= 0:
        return False
    return grid.date_of(day) not in (agent.fixed_days_off | agent.unavailable)


def improve_classic(problem, choices: dict, *, deadline: float, seed: int = 0,
                    step_s: float = 1.0, params: dict | None = None,
                    parallel: int = 2, floor: float | None = None,
                    prefer: dict | None = None) -> tuple[dict, float, int]:
    """Large-neighbourhood search for classic cover mode on small sub-models.

    Each step frees some agents over some days and re-solves only them, in a model of their
    own against the cover the other agents leave (:func:`_sub_problem`), starting from the
    incumbent; a cheaper roster replaces it. Neighbourhoods:

    - *hole*: an under-covered (day, shift) and the agents who could work it, over a window
      of days around it (the ejection chains a planner would try by hand);
    - *agents*: a few random agents over the whole horizon;
    - *window*: every agent over a few consecutive days.

    ``parallel`` neighbourhoods with disjoint agents are solved at once (one CP-SAT worker
    each, in threads); the cheapest change is applied first and each other one is priced
    again against the updated roster and applied only if it still pays. Each kind's size
    grows while its steps are solved to optimality and shrinks when they time out. Stops at
    ``deadline`` or once the objective has changed by ``floor`` (a lower bound reached).
    ``prefer`` (``{(day, template): agents}``, e.g. who the LP relaxation has work it) puts
    half of a hole's agents among those. Valid when
    :func:`agent_decomposable`. Returns (choices, objective change, steps that improved);
    deterministic for a seed apart from where the wall clock stops it.
    """
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(seed)
    n, days = len(problem.agents), problem.grid.days
    size = {"hole": [6.0, 3.0], "agents": [3.0, float(days)], "window": [float(n), 3.0]}
    grow = {"hole": (1.0, 0.5), "agents": (1.0, 0.0), "window": (0.0, 0.5)}
    cycle = ["hole", "hole", "hole", "agents", "hole", "hole", "hole", "window"]
    delta, improved, step = 0.0, 0, 0
    pool = ThreadPoolExecutor(max(1, parallel))
    try:
        while time.perf_counter() < deadline - 0.05 and (floor is None or delta > floor + 1e-9):
            taken: set[int] = set()
            jobs = []
            for _ in range(max(1, parallel)):
                kind = cycle[step % len(cycle)]
                step += 1
                hood = _neighbourhood(problem, choices, kind, size, rng, taken, prefer)
                if hood is None:
                    continue
                if hood[0] == "window" and jobs:
                    break  # every agent: runs alone next time
                taken |= set(hood[1])
                jobs.append((hood, pool.submit(_sub_step, problem, dict(choices), hood[1],
                                               hood[2], deadline, step_s,
                                               int(rng.integers(1 << 30)), params)))
                if hood[0] == "window":
                    break
            if not jobs:
                continue
            results = [(hood, fut.result()) for hood, fut in jobs]
            results.sort(key=lambda r: (r[1][2] - r[1][1]) if r[1][2] is not None else 0.0)
            for i, ((kind, who, free), (st, before, after, new)) in enumerate(results):
                gain = None if after is None else after - before
                if gain is not None and gain < -1e-9 and i > 0:  # re-price on the new roster
                    gain = _price_change(problem, choices, who, new)
                if gain is not None and gain < -1e-9:
                    for (a, d), ch in new.items():
                        choices[a, d] = ch
                    delta += gain
                    improved += 1
                if _LOG:
                    print(f"{kind} agents={len(who)} days={len(free)} {st} {before} -> "
                          f"{after} applied={gain} delta={delta}", flush=True)
                gk, gw = grow[kind]
                f = 1.15 if st == "OPTIMAL" else 1 / 1.15
                size[kind][0] = min(float(n), max(2.0, size[kind][0] * f ** gk))
                size[kind][1] = min(float(days), max(1.0, size[kind][1] * f ** gw))
    finally:
        pool.shutdown(wait=True)
    return choices, delta, improved


def _neighbourhood(problem, choices, kind, size, rng, taken: set[int], prefer=None):
    """(kind, agents, free days) of one neighbourhood avoiding agents in ``taken``, or None."""
    n, days = len(problem.agents), problem.grid.days
    k, w = max(2, min(n, round(size[kind][0]))), max(1, round(size[kind][1]))
    free_agents = [a for a in range(n) if a not in taken]
    gaps = _cover_gaps(problem, choices) if kind == "hole" else []
    if kind == "hole" and not gaps:
        kind, k, w = "agents", max(2, min(n, round(size["agents"][0]))), days
    if kind == "hole":
        weights = np.array([g[2] for g in gaps], float)
        d0, t0, _ = gaps[int(rng.choice(len(gaps), p=weights / weights.sum()))]
        able = [a for a in free_agents if choices[a, d0] is None or choices[a, d0][0] != t0]
        able = [a for a in able if _can_work(problem.agents[a], d0, t0, problem.grid)]
        if not able:
            return None
        liked = [a for a in able if a in (prefer or {}).get((d0, t0), ())]
        first = rng.permutation(liked)[:k // 2].tolist() if liked else []
        rest = [a for a in able if a not in first]
        more = rng.choice(rest, size=min(k - len(first), len(rest)), replace=False).tolist() \
            if rest else []
        who = sorted(first + more)
        lo = max(0, min(d0 - w, days - 2 * w - 1))
        return kind, who, set(range(lo, min(days, lo + 2 * w + 1)))
    if kind == "agents":
        if len(free_agents) < 2:
            return None
        who = sorted(rng.choice(free_agents, size=min(k, len(free_agents)),
                                replace=False).tolist())
        return kind, who, set(range(days))
    if taken:
        return None
    ww = min(days, 2 * w + 1)
    lo = int(rng.integers(0, days - ww + 1))
    return kind, list(range(n)), set(range(lo, lo + ww))


def _fixed_sub_model(problem, choices, who, fix: dict | None = None, free_days=()):
    """The sub-model of agents ``who`` against ``choices``, hinted with ``fix`` (default: their
    current choices) and fixed to it outside ``free_days``."""
    from .model import build

    rm = build(_sub_problem(problem, who, choices))
    fix = fix if fix is not None else {(a, d): choices[a, d] for a in who for d in
                                       range(problem.grid.days)}
    for (i, d), opts in rm.options.items():
        ch = fix[who[i], d]
        for o in opts:
            v = ch is not None and (o.template.name, o.start, o.skill) == ch
            rm.model.AddHint(o.var, v)
            if d not in free_days:
                rm.model.Add(o.var == int(v))
    return rm


def _price_change(problem, choices, who, new: dict) -> float | None:
    """Exact objective change of giving agents ``who`` the days in ``new`` on the roster
    ``choices`` (None if it breaks a hard rule, which cannot happen: rules are per agent)."""
    costs = []
    for fix in (None, {**{(a, d): choices[a, d] for a in who for d in range(problem.grid.days)},
                       **new}):
        rm = _fixed_sub_model(problem, choices, who, fix)
        s = make_solver(5.0, 0, 1, {"fix_variables_to_their_hinted_value": True})
        if s.Solve(rm.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        costs.append(s.ObjectiveValue())
    return costs[1] - costs[0]


def _sub_step(problem, choices, who, free_days, deadline, step_s, seed, params):
    """Re-solve agents ``who`` on ``free_days`` (their other days fixed) against ``choices``.
    Returns (status name, objective before, objective after or None, their new days)."""
    rm = _fixed_sub_model(problem, choices, who, free_days=free_days)
    left = deadline - time.perf_counter()
    if left < 0.05:
        return "TIME", 0.0, None, {}
    base = make_solver(min(left, 5.0), 0, 1, {"fix_variables_to_their_hinted_value": True})
    if base.Solve(rm.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return "NO-BASE", 0.0, None, {}  # cannot happen for a feasible incumbent; be safe
    before = base.ObjectiveValue()
    left = deadline - time.perf_counter()
    s = make_solver(max(min(step_s, left), 0.05), seed, 1, params)
    st = s.Solve(rm.model)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return s.StatusName(st), before, None, {}
    new = {}
    for (i, d), opts in rm.options.items():
        hit = [o for o in opts if s.BooleanValue(o.var)]
        new[who[i], d] = (hit[0].template.name, hit[0].start, hit[0].skill) if hit else None
    return s.StatusName(st), before, s.ObjectiveValue(), new
