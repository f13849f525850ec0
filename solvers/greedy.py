"""A constructive roster used as a CP-SAT hint: fast, not necessarily feasible.

Days off follow the contract's pattern, staggered over agents; each working day takes the
shift option that covers most of the requirement still open (numpy over intervals).
"""

from __future__ import annotations

import numpy as np

from .types import MINUTES_PER_DAY, Problem


def _work_days(problem: Problem, a: int) -> np.ndarray:
    """Which horizon days agent ``a`` works in the hint (bool array)."""
    agent = problem.agents[a]
    c, days = agent.contract, problem.grid.days
    d = np.arange(days)
    if c.pattern == "1on1off":
        work = (d + a) % 2 == 0
    else:
        per_week = (c.days_per_week or ((5, 5) if c.pattern == "5on2off" else (7, 7)))[1]
        if c.max_consecutive_days is not None:
            per_week = min(per_week, c.max_consecutive_days)
        off = 7 - per_week
        # consecutive days off, staggered over agents; same weekdays every week
        first = (a * 3) % 7
        work = ~np.isin((d - first) % 7, np.arange(off))
    blocked = {problem.grid.day_of(x) for x in agent.fixed_days_off | agent.unavailable}
    work[[x for x in blocked if 0 <= x < days]] = False
    return work


def greedy_hint(problem: Problem, budget=None) -> dict:
    """``{(agent_id, day): (template, start_min, skill) | None}``: the constructive roster.

    In interval mode the decomposition of :func:`solvers.construct.construct_hint` (shift
    counts, then agents) within ``budget`` (a :class:`~solvers.budget.Budget` or work units;
    default: scaled by the problem's size);
    when it finds nothing, or in classic mode, the greedy below.

    >>> greedy_hint(Problem(grid=__import__("solvers.types").types.Grid(
    ...     __import__("datetime").date(2026, 1, 5), 1), templates=[], agents=[]))
    {}
    """
    if problem.interval_mode and problem.agents:
        from .construct import construct_hint

        built = construct_hint(problem, budget=budget)
        if built is not None:
            return built
    return plain_greedy_hint(problem)


def plain_greedy_hint(problem: Problem) -> dict:
    """The plain greedy: days off by pattern, then each shift where most is still open."""
    g = problem.grid
    iv, ipd = g.interval_min, g.intervals_per_day
    if problem.interval_mode:
        need = {k: np.asarray(v, dtype=float).copy() for k, v in problem.requirement.items()}
        for k, open_ in g.open.items():  # two on shift while open, so breaks can alternate
            if k in need and problem.rules.continuous_coverage:
                need[k] = np.maximum(need[k], 2.0 * np.asarray(open_))
    else:
        need = {}
        cover = {(c.day, c.template): c.required for c in problem.cover}
    hint: dict = {}
    last_end = {}
    for d in range(g.days):
        for a in range(len(problem.agents)):
            agent = problem.agents[a]
            if not _work_days(problem, a)[d]:
                hint[agent.agent_id, d] = None
                continue
            allowed = [t for t in problem.templates
                       if not agent.contract.templates or t.name in agent.contract.templates]
            best, best_score = None, -np.inf
            for t in allowed:
                if problem.interval_mode:
                    for k in agent.skills:
                        if k not in need:
                            continue
                        pos = np.concatenate([[0.0], np.cumsum(np.clip(need[k][d], 0, None))])
                        starts = np.array(t.starts())
                        if starts.size == 0:
                            continue
                        ends = starts + t.length_min
                        score = pos[ends // iv] - pos[starts // iv]
                        prev_end = last_end.get(a)
                        if prev_end is not None and d - prev_end[0] == 1:
                            gap = MINUTES_PER_DAY + starts - prev_end[1]
                            score = np.where(gap >= problem.rules.min_rest_min, score, -1e9)
                        j = int(np.argmax(score))
                        if score[j] > best_score:
                            best, best_score = (t.name, int(starts[j]), k), score[j]
                else:
                    left = cover.get((d, t.name), 0)
                    limit = agent.contract.max_shifts.get(t.name)
                    if limit == 0:
                        continue
                    if left > best_score:
                        best, best_score = (t.name, t.starts()[0] if t.starts() else 0, None), left
            if best is None or (not problem.interval_mode and best_score <= 0):
                hint[agent.agent_id, d] = None
                continue
            hint[agent.agent_id, d] = best
            t = problem.template(best[0])
            last_end[a] = (d, best[1] + t.length_min)
            if problem.interval_mode:
                need[best[2]][d, best[1] // iv:(best[1] + t.length_min) // iv] -= 1
            else:
                cover[d, best[0]] = cover.get((d, best[0]), 0) - 1
    del ipd
    if problem.interval_mode:
        for d in range(g.days):
            _repair_day(problem, hint, d)
            _polish_day(problem, hint, d)
    return hint


def online_profile(t, interval_min: int) -> np.ndarray:
    """Expected share of each interval of a shift spent on line, breaks spread over their
    windows (used to cost a shift before its breaks are placed)."""
    n = t.length_min // interval_min
    prof = np.ones(n)
    for b in t.breaks:
        offs = [o for o in range(b.earliest_after_min, b.latest_after_min + 1, interval_min)
                if o + b.length_min <= t.length_min]
        for o in offs:
            i = o // interval_min
            prof[i:i + b.length_min // interval_min] -= 1.0 / len(offs)
    return prof


def _polish_day(problem: Problem, hint: dict, d: int, sweeps: int = 4) -> None:
    """Local search on one day: move each shift to the start/skill (same template) that lowers
    the weighted under/over cover most, without adding continuous-coverage/handover faults or
    breaking rest with the neighbour days."""
    g, rules = problem.grid, problem.rules
    iv = g.interval_min
    req = {k: np.asarray(v[d], dtype=float) for k, v in problem.requirement.items()}
    prof = {t.name: online_profile(t, iv) for t in problem.templates}
    load = {k: np.zeros(g.intervals_per_day) for k in req}
    for a in problem.agents:
        c = hint.get((a.agent_id, d))
        if c and c[2] in load:
            load[c[2]][c[1] // iv:c[1] // iv + len(prof[c[0]])] += prof[c[0]]

    def cost(x, r):
        return rules.under_weight * np.clip(r - x, 0, None).sum() + \
            rules.over_weight * np.clip(x - r, 0, None).sum()

    def shifts_of_day():
        return [(c[1], c[1] + problem.template(c[0]).length_min, c[2])
                for a in problem.agents if (c := hint.get((a.agent_id, d)))]

    skills = [k for k in g.open if k in req]
    for _ in range(sweeps):
        moved = False
        for a in problem.agents:
            c = hint.get((a.agent_id, d))
            if not c or c[2] not in load:
                continue
            t, pr = problem.template(c[0]), prof[c[0]]
            n = len(pr)
            prev, nxt = hint.get((a.agent_id, d - 1)), hint.get((a.agent_id, d + 1))
            i0 = c[1] // iv
            load[c[2]][i0:i0 + n] -= pr
            best = (cost(load[c[2]][i0:i0 + n] + pr, req[c[2]][i0:i0 + n])
                    - cost(load[c[2]][i0:i0 + n], req[c[2]][i0:i0 + n]), c)
            for k in a.skills:
                if k not in load:
                    continue
                for s in t.starts():
                    j = s // iv
                    if prev and MINUTES_PER_DAY + s - prev[1] - problem.template(
                            prev[0]).length_min < rules.min_rest_min:
                        continue
                    if nxt and MINUTES_PER_DAY + nxt[1] - s - t.length_min < rules.min_rest_min:
                        continue
                    delta = (cost(load[k][j:j + n] + pr, req[k][j:j + n])
                             - cost(load[k][j:j + n], req[k][j:j + n]))
                    if delta < best[0] - 1e-9:
                        best = (delta, (c[0], s, k))
            if best[1] != c:
                before = sum(_day_faults(problem, shifts_of_day(), kk, d) for kk in skills)
                hint[a.agent_id, d] = best[1]
                after = sum(_day_faults(problem, shifts_of_day(), kk, d) for kk in skills)
                if after > before:
                    hint[a.agent_id, d] = c
                else:
                    moved = True
            c = hint[a.agent_id, d]
            load[c[2]][c[1] // iv:c[1] // iv + n] += pr
        if not moved:
            return


def _day_faults(problem: Problem, shifts: list[tuple[int, int, str]], k: str, d: int) -> int:
    """Open intervals of skill k with fewer than 2 on shift, plus shift ends nobody hands over."""
    g, rules = problem.grid, problem.rules
    open_ = g.open.get(k)
    if open_ is None:
        return 0
    iv = g.interval_min
    mine = [(s, e) for s, e, kk in shifts if kk == k]
    on = np.zeros(g.intervals_per_day, dtype=int)
    for s, e in mine:
        on[s // iv:e // iv] += 1
    faults = 0
    if rules.continuous_coverage:
        faults += int(np.sum(open_[d] & (on < 2)))
    if rules.handover and mine:
        st = np.array([s for s, _ in mine])
        en = np.array([e for _, e in mine])
        inside = (en < MINUTES_PER_DAY) & open_[d][np.minimum(en // iv, g.intervals_per_day - 1)]
        ok = ((st[None, :] <= en[:, None] - rules.handover_min) & (en[None, :] > en[:, None])).any(1)
        faults += int(np.sum(inside & ~ok))
    return faults


def _repair_day(problem: Problem, hint: dict, d: int, max_moves: int = 200) -> None:
    """Move single shifts (same template length, any start or skill) while that lowers the
    day's continuous-coverage and handover faults; respects rest with the neighbour days."""
    agents = problem.agents
    rest = problem.rules.min_rest_min

    def shifts_of_day():
        out = []
        for a in agents:
            c = hint.get((a.agent_id, d))
            if c:
                out.append((c[1], c[1] + problem.template(c[0]).length_min, c[2]))
        return out

    skills = [k for k in problem.grid.open if k in problem.requirement]
    for _ in range(max_moves):
        base = {k: _day_faults(problem, shifts_of_day(), k, d) for k in skills}
        total = sum(base.values())
        if total == 0:
            return
        best = None
        for a in agents:
            c = hint.get((a.agent_id, d))
            if not c:
                continue
            t = problem.template(c[0])
            prev, nxt = hint.get((a.agent_id, d - 1)), hint.get((a.agent_id, d + 1))
            others = [x for x in shifts_of_day()]
            me = (c[1], c[1] + t.length_min, c[2])
            others.remove(me)
            for k in a.skills:
                if k not in base:
                    continue
                for s in t.starts():
                    if (s, k) == (c[1], c[2]):
                        continue
                    if prev and MINUTES_PER_DAY + s - prev[1] - problem.template(
                            prev[0]).length_min < rest:
                        continue
                    if nxt and MINUTES_PER_DAY + nxt[1] - s - t.length_min < rest:
                        continue
                    trial = others + [(s, s + t.length_min, k)]
                    score = sum(_day_faults(problem, trial, kk, d) for kk in skills)
                    if score < total and (best is None or score < best[0]):
                        best = (score, a.agent_id, (c[0], s, k))
        if best is None:
            return
        hint[best[1], d] = best[2]
