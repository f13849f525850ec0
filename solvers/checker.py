"""An independent checker of the hard rules, written apart from the model.

It reads only the problem and the roster (assignments and leave decisions) and recomputes
everything from scratch with plain Python and numpy, so a bug in the model does not hide
itself here. Use it on any roster, also one built by hand or edited by a planner.

>>> from solvers.types import *
>>> from datetime import date
>>> p = Problem(Grid(date(2026, 1, 5), 1, 60), [ShiftTemplate("d", 480, 480, 480)],
...             [Agent("a", Contract("c"))], cover=[ShiftCover(0, "d", 1)])
>>> check(p, [Assignment("a", 0, "d", 480, 960), Assignment("a", 0, "d", 480, 960)])[0].rule
'one shift a day'
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import numpy as np

from .leave import IN_PROGRESS, check_notice, refusal_rule
from .types import Assignment, Conflict, LeaveDecision, Problem

DAY = 1440


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """(start, length) of each maximal run of True."""
    out, s = [], None
    for i, f in enumerate(list(flags) + [False]):
        if f and s is None:
            s = i
        elif not f and s is not None:
            out.append((s, i - s))
            s = None
    return out


def check(problem: Problem, assignments: list[Assignment],
          leave_decisions: list[LeaveDecision] = ()) -> list[Conflict]:
    """Every hard-rule violation of a roster (empty list = the roster keeps every hard rule)."""
    p, g, rules = problem, problem.grid, problem.rules
    iv, ipd, n_days = g.interval_min, g.intervals_per_day, g.days
    bad: list[Conflict] = []

    def v(rule, agent=None, day=None, detail=""):
        bad.append(Conflict(rule, agent, day, detail))

    tmpl = {t.name: t for t in p.templates}
    agents = {a.agent_id: a for a in p.agents}
    shift: dict[tuple[str, int], Assignment] = {}
    for s in assignments:
        if s.agent_id not in agents:
            v("unknown agent", s.agent_id, s.day)
            continue
        if (s.agent_id, s.day) in shift:
            v("one shift a day", s.agent_id, s.day)
        shift[s.agent_id, s.day] = s
        t = tmpl.get(s.template)
        c = agents[s.agent_id].contract
        if t is None or (c.templates and s.template not in c.templates):
            v("template not allowed", s.agent_id, s.day, s.template)
            continue
        if not 0 <= s.day < n_days:
            v("outside horizon", s.agent_id, s.day)
        if s.start_min not in t.starts() or s.end_min - s.start_min != t.length_min:
            v("shift start/length", s.agent_id, s.day, f"{s.start_min}-{s.end_min}")
        needed = set(p.requirement) | set(g.open)
        if p.interval_mode and s.skill not in agents[s.agent_id].skills and not (
                s.skill is None and not needed & set(agents[s.agent_id].skills)):
            v("skill", s.agent_id, s.day, f"{s.skill!r} not a skill of the agent")
        # breaks: one per rule of the template, inside its window, in order, no overlap
        if p.interval_mode:
            if len(s.breaks) != len(t.breaks):
                v("breaks", s.agent_id, s.day, f"{len(s.breaks)} placed, {len(t.breaks)} due")
            else:
                prev_end = s.start_min
                for b, r in zip(s.breaks, t.breaks):
                    off = b.start_min - s.start_min
                    if (b.kind != r.kind or b.end_min - b.start_min != r.length_min
                            or not r.earliest_after_min <= off <= r.latest_after_min
                            or b.end_min > s.end_min or b.start_min < prev_end):
                        v("breaks", s.agent_id, s.day, f"{b.kind} at {b.start_min} misplaced")
                    prev_end = b.end_min

    granted = [d.request for d in leave_decisions if d.granted]
    full_leave = defaultdict(set)
    for r in granted:
        a = agents.get(r.agent_id)
        if a is None:
            v("leave for unknown agent", r.agent_id)
            continue
        # notice, recomputed here from the published roster by the same rule the model applies
        refusal = check_notice(r, a, rules, g, tmpl).refusal
        rule = refusal_rule(refusal.reason) if refusal else None
        if rule == IN_PROGRESS:
            v("leave during a shift in progress", r.agent_id, g.day_of(r.start.date()))
        elif rule is not None:
            v("leave notice", r.agent_id, g.day_of(r.start.date()))
        for d in range(n_days):
            d0 = datetime.combine(g.date_of(d), datetime.min.time())
            s = shift.get((r.agent_id, d))
            if s and d0 + timedelta(minutes=s.start_min) < r.end and \
                    r.start < d0 + timedelta(minutes=s.end_min):
                v("granted leave not honoured", r.agent_id, d)
            if r.start <= d0 and r.end >= d0 + timedelta(days=1):
                full_leave[r.agent_id].add(d)

    weekends: dict[int, list[int]] = defaultdict(list)
    for d in range(n_days):
        wd = g.date_of(d).weekday()
        if wd >= 5:
            weekends[d - (wd - 5)].append(d)

    for aid, a in agents.items():
        c = a.contract
        work = [(aid, d) in shift for d in range(n_days)]
        mins = [shift[aid, d].end_min - shift[aid, d].start_min if work[d] else 0
                for d in range(n_days)]
        credit = [d in full_leave[aid] for d in range(n_days)]
        for day in a.fixed_days_off | a.unavailable:
            d = g.day_of(day)
            if 0 <= d < n_days and work[d]:
                v("day off", aid, d)
        days_range = c.days_per_week or ((5, 5) if c.pattern == "5on2off" else None)
        for w in range(n_days // 7):
            wk = range(7 * w, 7 * w + 7)
            nd, nc, nm = sum(work[d] for d in wk), sum(credit[d] for d in wk), sum(mins[d] for d in wk)
            if days_range and not (nd + nc >= days_range[0] and nd <= days_range[1]):
                v("contract days per week", aid, 7 * w, f"{nd} days (+{nc} leave)")
            if c.minutes_per_week:
                lo, hi = c.minutes_per_week
                if not (nm + nc * c.leave_credit_min >= lo and nm <= hi):
                    v("contract minutes per week", aid, 7 * w, f"{nm} min")
        if c.total_minutes:
            tot, nc = sum(mins), sum(credit)
            if not (tot + nc * c.leave_credit_min >= c.total_minutes[0]
                    and tot <= c.total_minutes[1]):
                v("contract total minutes", aid, None, f"{tot} min")
        for name, limit in c.max_shifts.items():
            n = sum(1 for d in range(n_days) if work[d] and shift[aid, d].template == name)
            if n > limit:
                v(f"max shifts of {name}", aid, None, f"{n} > {limit}")
        for d in range(n_days - 1):
            if work[d] and work[d + 1]:
                s1, s2 = shift[aid, d], shift[aid, d + 1]
                if rules.min_rest_min > 0 and DAY + s2.start_min - s1.end_min < rules.min_rest_min:
                    v("minimum rest", aid, d)
                t1 = tmpl.get(s1.template)
                if t1 and s2.template in t1.forbidden_next:
                    v("forbidden shift succession", aid, d, f"{s1.template} -> {s2.template}")
        if c.max_consecutive_days is not None:
            for s, length in _runs(work):
                if length > c.max_consecutive_days:
                    v("max consecutive working days", aid, s, f"{length} days")
        for flags, minimum, rule in ((work, c.min_consecutive_days, "min consecutive working days"),
                                     ([not x for x in work], c.min_consecutive_days_off,
                                      "min consecutive days off")):
            for s, length in _runs(flags):
                if length < minimum and s > 0 and s + length < n_days:
                    v(rule, aid, s, f"run of {length}")
        if c.max_weekends is not None:
            n = sum(any(work[d] for d in days) for days in weekends.values())
            if n > c.max_weekends:
                v("max working weekends", aid, None, f"{n} > {c.max_weekends}")
        if c.pattern == "1on1off":
            for d in range(n_days - 1):
                if (work[d] and work[d + 1]) or not (work[d] or work[d + 1] or credit[d]
                                                      or credit[d + 1]):
                    v("1-on-1-off alternation", aid, d)

    if p.interval_mode:
        line = {k: np.zeros((n_days, ipd), dtype=int) for k in p.skills()}
        pool_line = defaultdict(lambda: np.zeros((n_days, ipd), dtype=int))
        pool_on = defaultdict(lambda: np.zeros((n_days, ipd), dtype=int))
        for s in shift.values():
            mask = np.zeros(ipd, dtype=int)
            mask[s.start_min // iv:s.end_min // iv] = 1
            pool_on[agents[s.agent_id].pool][s.day] += mask
            for b in s.breaks:
                mask[b.start_min // iv:b.end_min // iv] = 0
            if s.skill in line:
                line[s.skill][s.day] += mask
            pool_line[agents[s.agent_id].pool][s.day] += mask
        if rules.continuous_coverage:
            for k, open_ in g.open.items():
                for d, i in zip(*np.nonzero(np.asarray(open_) & (line[k] < 1))):
                    v("continuous coverage", None, int(d), f"skill {k} nobody on line at "
                      f"{i * iv // 60:02d}:{i * iv % 60:02d}")
        if rules.handover:
            for s in shift.values():
                open_ = g.open.get(s.skill)
                e = s.end_min
                if open_ is None or e >= DAY or not open_[s.day, e // iv]:
                    continue
                ok = False
                for o in shift.values():
                    if o is s or o.day != s.day or o.skill != s.skill:
                        continue
                    on_break = any(b.start_min <= e < b.end_min for b in o.breaks)
                    if o.start_min <= e - rules.handover_min and o.end_min > e and not on_break:
                        ok = True
                        break
                if not ok:
                    v("handover", s.agent_id, s.day, f"nobody to hand over to at {e // 60:02d}:"
                      f"{e % 60:02d}")
        if rules.support_hard:
            for pool, support in rules.support_pools.items():
                for d, i in zip(*np.nonzero((pool_line[pool] > 0) & (pool_on[support] < 1))):
                    v("support pairing", None, int(d), f"pool {pool} at interval {i}")
    return bad
