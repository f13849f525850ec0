"""Leave notice, infeasibility explanations, determinism, the checker itself, package hygiene."""

from __future__ import annotations

import ast
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from solver_helpers import MONDAY, agent, classic, day_shift, interval, solved, worked

from solvers import Assignment, Contract, LeaveKind, LeaveRequest, PreviousShift, Rules, check, explain, solve
from solvers.leave import judge_notice

D = day_shift()
TUESDAY = datetime.combine(MONDAY + timedelta(days=1), datetime.min.time())


def _leave_problem(pool: str, filed_before_h: float, previous=True, kind="personal", **rules):
    prev = {MONDAY + timedelta(days=1): PreviousShift("day", 8 * 60)} if previous else {}
    a = agent("a", pool=pool, previous=prev)
    req = LeaveRequest("a", TUESDAY, TUESDAY + timedelta(days=1), kind,
                       requested_at=TUESDAY + timedelta(hours=8 - filed_before_h))
    p = classic([a, agent("b")], [D], [(d, "day", 1) for d in range(3)], days=3, **rules)
    p.leave = [req]
    return p


def test_chat_desk_needs_24_hours_notice():
    ok = solved(_leave_problem("chat_desk", 25))
    (dec,) = ok.leave_decisions
    assert dec.granted and 1 not in worked(ok, "a")
    late = solved(_leave_problem("chat_desk", 23))
    (dec,) = late.leave_decisions
    assert not dec.granted and dec.reason.startswith("notice") and "24 h" in dec.reason


def test_cloud_agents_need_2_hours_notice():
    assert solved(_leave_problem("cloud", 3)).leave_decisions[0].granted
    dec = solved(_leave_problem("cloud", 1)).leave_decisions[0]
    assert not dec.granted and "2 h" in dec.reason


def test_no_leave_for_a_shift_in_progress():
    dec = solved(_leave_problem("cloud", -1)).leave_decisions[0]  # filed at 09:00, shift 08-16
    assert not dec.granted and dec.reason.startswith("shift in progress")


def test_whole_day_leave_counts_notice_from_the_shift_it_touches():
    # 00:00-24:00 filed 27 h before the 09:00 shift: 27 h of notice, not 18 h before midnight
    req = LeaveRequest("a", TUESDAY, TUESDAY + timedelta(days=1), requested_at=TUESDAY - timedelta(hours=18))
    v = judge_notice(req, 24 * 60, [(TUESDAY + timedelta(hours=9), TUESDAY + timedelta(hours=17))])
    assert v.ok and v.given_h == 27
    # no published shift: from the first start the agent's shifts allow (08:00 here), 26 h
    dec = solved(_leave_problem("chat_desk", 26, previous=False)).leave_decisions[0]
    assert dec.granted, dec.reason
    dec = solved(_leave_problem("chat_desk", 23, previous=False)).leave_decisions[0]
    assert not dec.granted and "filed 23.0 h before its first possible shift starts (2026-01-06 08:00)" in dec.reason


def test_notice_by_leave_kind():
    # sick leave called 3.5 h before the shift: exempt from notice (docs/domain.md section 4)
    assert solved(_leave_problem("chat_desk", 3.5, kind="sick")).leave_decisions[0].granted
    dec = solved(_leave_problem("chat_desk", 3.5, kind="personal")).leave_decisions[0]
    assert not dec.granted and "personal leave in pool 'chat_desk' needs 24 h" in dec.reason
    # a shift in progress cannot be taken as leave, whatever the kind
    dec = solved(_leave_problem("chat_desk", -1, kind="sick")).leave_decisions[0]
    assert not dec.granted and dec.reason.startswith("shift in progress")
    # a kind with its own notice
    kinds = dict(Rules().leave_kinds, annual=LeaveKind("annual", notice_min=72 * 60, pay_deduction=0.0))
    dec = solved(_leave_problem("chat_desk", 48, kind="annual", leave_kinds=kinds)).leave_decisions[0]
    assert not dec.granted and "72 h" in dec.reason


def test_leave_refused_when_it_breaks_continuous_coverage():
    t = day_shift("day", 480, 8 * 60, 8 * 60)
    req = np.zeros((1, 24), dtype=int)
    p = interval([agent("a")], [t], req, open_hours=(8, 16), handover=False)
    monday = datetime.combine(MONDAY, datetime.min.time())
    p.leave = [LeaveRequest("a", monday, monday + timedelta(days=1),
                            requested_at=monday - timedelta(days=3))]
    r = solved(p)
    (dec,) = r.leave_decisions
    assert not dec.granted and "continuous coverage" in dec.reason
    assert len(r.assignments) == 1


def test_granted_leave_appears_in_roster_rows():
    r = solved(_leave_problem("chat_desk", 48))
    rows = [x for x in r.roster_rows() if x["activity"] == "leave"]
    assert rows and rows[0]["agent_id"] == "a"


def test_infeasible_problem_is_explained_by_rule_day_and_agent():
    t = day_shift("day", 480, 8 * 60, 8 * 60)
    req = np.zeros((2, 24), dtype=int)
    a = agent("a", fixed_days_off=frozenset({MONDAY + timedelta(days=1)}))
    p = interval([a], [t], req, open_hours=(8, 16), handover=False)
    r = solve(p, time_limit_s=10)
    assert r.status == "INFEASIBLE"
    rules = {(c.rule, c.agent_id, c.day) for c in r.explanation}
    assert ("continuous coverage", None, 1) in rules and ("day off", "a", 1) in rules
    assert all(c.detail for c in r.explanation)


def test_contract_conflict_is_explained():
    c = Contract("c", days_per_week=(7, 7), max_consecutive_days=6)
    p = classic([agent("a", c)], [D], [(0, "day", 1)], days=7)
    conflicts = explain(p, time_limit_s=10)
    assert {x.rule for x in conflicts} == {"contract days/minutes per week",
                                           "max consecutive working days"}


def test_same_seed_same_roster():
    t = day_shift("day", 480, 6 * 60, 12 * 60, 60)
    req = np.zeros((2, 24), dtype=int)
    req[:, 8:18] = 2
    p = interval([agent(f"a{i}") for i in range(4)], [t], req, open_hours=(8, 18))
    r1, r2 = solved(p, seed=3), solved(p, seed=3)
    assert r1.status == r2.status == "OPTIMAL"
    assert r1.roster_rows() == r2.roster_rows()


def test_time_limit_is_honoured():
    from solvers.synthetic import center

    p = center(20, 2, 15)
    r = solve(p, time_limit_s=3)
    # build + limit + result extraction; generous for a loaded 2-core CI machine, yet it still
    # catches the overruns seen before (explanations or construction taking their own full limit)
    assert r.wall_time_s < 3 + 4.0
    if r.feasible:
        assert check(p, r.assignments, r.leave_decisions) == []


def test_checker_catches_each_kind_of_violation():
    t = day_shift("day", 480, 8 * 60, 8 * 60)
    late = day_shift("late", 480, 14 * 60, 14 * 60)
    c = Contract("c", max_consecutive_days=1)
    p = classic([agent("a", c, fixed_days_off=frozenset({MONDAY}))], [t, late], [], days=3,
                min_rest_min=660)
    bad = [Assignment("a", 0, "day", 480, 960), Assignment("a", 1, "late", 840, 1320),
           Assignment("a", 2, "day", 480, 960)]
    rules = {v.rule for v in check(p, bad)}
    assert {"day off", "minimum rest", "max consecutive working days"} <= rules
    q = interval([agent("a"), agent("b")], [day_shift("six", 360, 8 * 60, 14 * 60, 60)],
                 np.zeros((1, 24), int), open_hours=(8, 20))
    gap = [Assignment("a", 0, "six", 480, 840, "voice"), Assignment("b", 0, "six", 900, 1260,
                                                                    "voice")]
    assert {"continuous coverage", "handover"} <= {v.rule for v in check(q, gap)}


def test_solvers_never_imports_wfm():
    root = Path(__file__).resolve().parents[2] / "solvers"
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            assert not any(n == "wfm" or n.startswith("wfm.") for n in names), path



def test_roster_plots_and_csv(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from solvers.plots import plot_coverage, plot_gantt

    t = day_shift("day", 480, 8 * 60, 10 * 60, 60)
    req = np.zeros((1, 24), dtype=int)
    req[0, 9:17] = 1
    r = solved(interval([agent("a"), agent("b")], [t], req, open_hours=(9, 17)))
    plot_gantt(r).savefig(tmp_path / "gantt.png")
    plot_coverage(r).savefig(tmp_path / "coverage.png")
    r.to_csv(tmp_path / "roster.csv")
    header = (tmp_path / "roster.csv").read_text().splitlines()[0]
    assert header == "agent_id,date,activity,start,end,skill"
    assert (tmp_path / "gantt.png").stat().st_size > 0
