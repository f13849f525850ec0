"""One test per rule: a tiny instance that the rule changes, checked by the independent checker."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import timedelta

import numpy as np
from solver_helpers import MONDAY, agent, classic, day_shift, interval, solved, worked

from solvers import BreakRule, Contract, PreviousShift, ShiftRequest, ShiftTemplate, check

D = day_shift()


def test_one_shift_a_day_and_cover():
    p = classic([agent("a"), agent("b")], [D], [(0, "day", 3)], days=1)
    r = solved(p)
    assert len(r.assignments) == 2 and r.objective == 100  # one short, 100 per missing agent
    assert {v.rule for v in r.violations} == {"under-coverage"}


def test_fixed_day_off():
    p = classic([agent("a", fixed_days_off=frozenset({MONDAY}))], [D],
                [(0, "day", 1), (1, "day", 1)], days=2)
    r = solved(p)
    assert worked(r, "a") == [1]


def test_contract_days_per_week():
    c = Contract("c", days_per_week=(3, 3), max_consecutive_days=None)
    p = classic([agent("a", c)], [D], [(d, "day", 1, 100, 1) for d in range(7)], days=7)
    assert len(worked(solved(p), "a")) == 3
    c0 = Contract("c", days_per_week=(6, 6), max_consecutive_days=None)
    p0 = classic([agent("a", c0)], [D], [(0, "day", 1)], days=7)
    assert len(worked(solved(p0), "a")) == 6  # the minimum forces over-cover


def test_contract_minutes_and_max_shifts():
    c = Contract("c", minutes_per_week=(0, 960), max_consecutive_days=None)
    p = classic([agent("a", c)], [D], [(d, "day", 1) for d in range(7)], days=7)
    assert len(worked(solved(p), "a")) == 2
    c2 = Contract("c", total_minutes=(0, 3 * 480), max_shifts={"day": 1},
                  max_consecutive_days=None)
    p2 = classic([agent("a", c2)], [D], [(d, "day", 1) for d in range(7)], days=7)
    assert len(worked(solved(p2), "a")) == 1


def test_minimum_rest():
    late = day_shift("late", 480, 14 * 60, 14 * 60)
    early = day_shift("early", 480, 6 * 60, 6 * 60)
    cover = [(0, "late", 1), (1, "early", 1)]
    with_rest = solved(classic([agent()], [late, early], cover, days=2, min_rest_min=660))
    assert len(with_rest.assignments) == 1  # 22:00 -> 06:00 is only 8 h
    without = solved(classic([agent()], [late, early], cover, days=2, min_rest_min=0))
    assert len(without.assignments) == 2


def test_forbidden_succession():
    n = ShiftTemplate("night", 480, forbidden_next=frozenset({"day"}))
    cover = [(0, "night", 1), (1, "day", 1)]
    r = solved(classic([agent()], [n, D], cover, days=2))
    assert len(r.assignments) == 1


def test_max_consecutive_days():
    c = Contract("c", max_consecutive_days=3)
    r = solved(classic([agent("a", c)], [D], [(d, "day", 1) for d in range(7)], days=7))
    days = worked(r, "a")
    assert len(days) == 6 and 3 not in days  # one day off in the middle breaks the run


def test_min_consecutive_days_and_days_off():
    c = Contract("c", min_consecutive_days=3, max_consecutive_days=None)
    cover = [(1, "day", 1), (5, "day", 1)]  # two isolated wishes inside the horizon
    r = solved(classic([agent("a", c)], [D], cover, days=7))
    for s, e in _runs(worked(r, "a")):
        assert e - s >= 3 or s == 0 or e == 7
    c2 = Contract("c", min_consecutive_days_off=2, max_consecutive_days=None)
    cover2 = [(d, "day", 1) if d != 3 else (d, "day", 0, 100, 500) for d in range(7)]
    r2 = solved(classic([agent("a", c2)], [D], cover2, days=7))
    assert 2 in worked(r2, "a") or 4 in worked(r2, "a")
    assert len(worked(r2, "a")) == 5


def _runs(days: list[int]) -> list[tuple[int, int]]:
    out = []
    for d in days:
        if out and out[-1][1] == d:
            out[-1] = (out[-1][0], d + 1)
        else:
            out.append((d, d + 1))
    return out


def test_max_weekends():
    c = Contract("c", max_weekends=1, max_consecutive_days=None)
    cover = [(d, "day", 1) for d in range(14)]
    r = solved(classic([agent("a", c)], [D], cover, days=14))
    days = set(worked(r, "a"))
    assert sum(bool(days & {s, s + 1}) for s in (5, 12)) == 1


def test_one_on_one_off():
    c = Contract("c", pattern="1on1off", max_consecutive_days=None)
    r = solved(classic([agent("a", c)], [D], [(d, "day", 1) for d in range(6)], days=6))
    days = worked(r, "a")
    assert len(days) == 3 and all(b - a == 2 for a, b in itertools.pairwise(days))


def test_five_on_two_off_prefers_consecutive_days_off():
    c = Contract("c", pattern="5on2off")
    cover = [(d, "day", 1, 100, 0) for d in range(7)]
    r = solved(classic([agent("a", c)], [D], cover, days=7, split_days_off_weight=5))
    off = sorted(set(range(7)) - set(worked(r, "a")))
    assert len(off) == 2 and off[1] - off[0] == 1


def test_preferences_and_stability():
    req = [(d, "day", 1, 10, 0) for d in range(2)]
    ask_off = agent("a", requests=(ShiftRequest(MONDAY, on=False, weight=5),))
    r = solved(classic([ask_off, agent("b")], [D], req, days=2))
    assert 0 not in worked(r, "a")
    prev = {MONDAY: PreviousShift("day", 8 * 60)}
    r2 = solved(classic([agent("a"), agent("b", previous=prev)], [D], [(0, "day", 1)], days=1,
                        stability_weight=2))
    assert worked(r2, "b") == [0] and worked(r2, "a") == []


def test_weekend_fairness():
    cover = [(d, "day", int(d in (5, 12)), 100, 10) for d in range(14)]  # two Saturdays
    lazy = agent("b", requests=tuple(ShiftRequest(MONDAY + timedelta(days=d), on=False)
                                     for d in (5, 12)))
    selfish = solved(classic([agent("a"), lazy], [D], cover, days=14))
    assert worked(selfish, "b") == []  # b's wishes win when fairness is off ...
    fair = solved(classic([agent("a"), lazy], [D], cover, days=14, weekend_fairness_weight=50))
    assert len(worked(fair, "a")) == len(worked(fair, "b")) == 1  # ... and lose when it is on


# ---- interval mode


def _req(days=1, ipd=24, value=1, hours=(8, 20)):
    req = np.zeros((days, ipd), dtype=int)
    req[:, hours[0] * ipd // 24:hours[1] * ipd // 24] = value
    return req


def test_breaks_inside_windows_and_never_leave_an_interval_empty():
    t = day_shift("day", 480, 8 * 60, 12 * 60, 60,
                  breaks=(BreakRule(60, 180, 300, "lunch"),))
    req = _req(hours=(8, 20), value=1)
    p = interval([agent("a"), agent("b"), agent("c")], [t], req, open_hours=(8, 20),
                 handover=False)
    r = solved(p)
    for a in r.assignments:
        (b,) = a.breaks
        assert b.kind == "lunch" and 180 <= b.start_min - a.start_min <= 300
    assert r.coverage()["voice"][0, 8:20].min() >= 1  # lunches staggered


def test_continuous_coverage():
    t = day_shift("day", 480, 6 * 60, 14 * 60, 60)
    req = np.zeros((1, 24), dtype=int)  # nothing required ...
    p = interval([agent("a"), agent("b")], [t], req, open_hours=(8, 20), handover=False)
    r = solved(p)
    assert r.coverage()["voice"][0, 8:20].min() >= 1  # ... but the desk is open
    off = dataclasses.replace(p, rules=dataclasses.replace(p.rules, continuous_coverage=False))
    assert solved(off).assignments == []


def test_handover():
    t = day_shift("six", 360, 8 * 60, 14 * 60, 15)
    req = _req(ipd=96, hours=(8, 20))
    base = interval([agent("a"), agent("b")], [t], req, open_hours=(8, 20), interval_min=15,
                    continuous_coverage=False, handover=False)
    free = solved(base)
    assert free.objective == 0  # 08-14 and 14-20, no overlap ...
    assert any(v.rule == "handover" for v in check(
        dataclasses.replace(base, rules=dataclasses.replace(base.rules, handover=True)),
        free.assignments))  # ... which the handover rule forbids
    ruled = dataclasses.replace(base, rules=dataclasses.replace(base.rules, handover=True))
    r = solved(ruled)
    ends = sorted(a.end_min for a in r.assignments)
    assert ends[0] < ends[1] and r.objective > 0


def test_support_pairing_hard():
    t = day_shift("day", 480, 8 * 60, 12 * 60, 60)
    req = _req(hours=(12, 20))
    agents = [agent("line", pool="chat_desk"), agent("sup", skills=("back",), pool="lead")]
    p = interval(agents, [t], req, support_pools={"chat_desk": "lead"}, support_hard=True,
                 continuous_coverage=False, handover=False)
    p.grid.open.clear()
    r = solved(p)
    line = next(a for a in r.assignments if a.agent_id == "line")
    sup = next(a for a in r.assignments if a.agent_id == "sup")
    assert sup.start_min <= line.start_min and sup.end_min >= line.end_min


def test_agent_serves_one_skill_per_shift():
    t = day_shift("day", 480, 8 * 60, 8 * 60)
    req = _req(hours=(8, 16))
    p = interval([agent("a", skills=("voice", "chat"))], [t], req)
    p.requirement["chat"] = req.copy()
    p.grid.open.clear()
    r = solved(p)
    assert len(r.assignments) == 1 and r.assignments[0].skill in ("voice", "chat")
    assert r.objective == 8 * 100  # the other skill stays uncovered


def test_roster_rows_contract():
    t = day_shift("day", 480, 8 * 60, 8 * 60, breaks=(BreakRule(60, 240, 240, "lunch"),))
    p = interval([agent("a")], [t], _req(hours=(8, 16)), handover=False)
    p.grid.open.clear()
    frame = solved(p).roster_frame()
    assert frame.columns == ["agent_id", "date", "activity", "start", "end", "skill"]
    assert sorted(frame["activity"].to_list()) == ["lunch", "shift"]
    assert frame.filter(frame["activity"] == "lunch")["start"][0].hour == 12

