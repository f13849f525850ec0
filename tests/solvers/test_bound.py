"""The count relaxation (solvers.bound): never above the objective of a roster, exact where
agent identity does not matter, split into independent components."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solvers import solve
from solvers.bound import count_bound
from solvers.construct import components, plan_counts
from solvers.types import (
    Agent,
    BreakRule,
    Contract,
    Grid,
    LeaveRequest,
    Problem,
    Rules,
    ShiftCover,
    ShiftTemplate,
    SolverInputError,
)

MONDAY = date(2026, 1, 5)
FULL = Contract("ft", templates=("day8",), days_per_week=(5, 5), pattern="5on2off",
                max_consecutive_days=5, min_consecutive_days_off=2)
LONG = Contract("ld", templates=("long12",), days_per_week=(3, 4), pattern="1on1off",
                max_consecutive_days=1)
PART = Contract("pt", templates=("pt2", "pt4"), days_per_week=(0, 5), minutes_per_week=(0, 900),
                pattern="part_time")
TEMPLATES = [
    ShiftTemplate("day8", 480, 7 * 60, 12 * 60, 60, breaks=(BreakRule(60, 180, 300, "lunch"),)),
    ShiftTemplate("long12", 720, 8 * 60, 10 * 60, 60, breaks=(BreakRule(60, 240, 420, "lunch"),)),
    ShiftTemplate("pt2", 120, 8 * 60, 18 * 60, 60),
    ShiftTemplate("pt4", 240, 8 * 60, 16 * 60, 60),
]


def small_problem(seed: int, days: int = 7, leave: bool = False) -> Problem:
    """A few agents on mixed contracts, hourly grid, random requirement, random rule switches."""
    rng = np.random.default_rng(seed)
    hours = np.arange(24)
    skills = ["voice", "chat"][: int(rng.integers(1, 3))]
    open_ = {k: np.tile((hours >= 8) & (hours < 20), (days, 1)) for k in skills}
    req = {k: np.where(open_[k], rng.integers(0, 4, (days, 24)), 0) for k in skills}
    agents = []
    for i in range(int(rng.integers(2, 6))):
        c = (FULL, LONG, PART)[int(rng.integers(0, 3))]
        ks = tuple(k for k in skills if rng.random() < 0.7) or (skills[0],)
        off = frozenset({date(2026, 1, 5 + int(rng.integers(0, days)))}) if rng.random() < 0.2 \
            else frozenset()
        agents.append(Agent(f"a{i}", c, ks, fixed_days_off=off))
    rules = Rules(continuous_coverage=bool(rng.random() < 0.5), handover=bool(rng.random() < 0.5),
                  under_weight=int(rng.integers(1, 101)), over_weight=int(rng.integers(1, 4)),
                  min_rest_min=int(rng.choice([0, 660])))
    requests = []
    if leave:
        day = datetime(2026, 1, 5 + int(rng.integers(0, days)))
        requests.append(LeaveRequest(agents[0].agent_id, day, day.replace(day=day.day + 1),
                                     requested_at=datetime(2025, 12, 1)))
    return Problem(Grid(MONDAY, days, 60, open_ if rng.random() < 0.7 else {}), TEMPLATES,
                   agents, requirement=req, leave=requests, rules=rules)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), leave=st.booleans())
def test_bound_never_exceeds_a_roster(seed, leave):
    p = small_problem(seed, leave=leave)
    b = count_bound(p, time_limit_s=10)
    r = solve(p, time_limit_s=10, workers=1, explain_infeasible=False)
    if r.feasible:
        assert b.value <= r.objective + 1e-6
        if r.status == "OPTIMAL" and r.bound is not None:
            assert b.value <= r.bound + 1e-6  # the roster optimum itself
    elif r.status == "INFEASIBLE":
        pass  # any value bounds the (empty) set of rosters


def test_bound_is_exact_when_agent_identity_does_not_matter():
    """One day, interchangeable agents: the counts are the roster, so the bound is the optimum."""
    for seed in range(4):
        p = small_problem(seed, days=1)
        p.rules = replace(p.rules, late_fairness_weight=0, weekend_fairness_weight=0)
        r = solve(p, time_limit_s=20, workers=1, explain_infeasible=False)
        b = count_bound(p, time_limit_s=20)
        if r.status == "OPTIMAL":
            assert b.optimal
            assert b.value == pytest.approx(r.objective)


def test_bound_beats_a_trivial_one():
    """Three full-timers cannot cover a 12 h day on 7 days: the bound counts the shortfall."""
    hours = np.arange(24)
    open_ = {"voice": np.tile((hours >= 8) & (hours < 20), (7, 1))}
    req = {"voice": 2 * open_["voice"].astype(int)}
    agents = [Agent(f"a{i}", FULL, ("voice",)) for i in range(3)]
    p = Problem(Grid(MONDAY, 7, 60, {}), TEMPLATES, agents, requirement=req,
                rules=Rules(min_rest_min=0))
    b = count_bound(p, time_limit_s=10)
    # 15 shifts of 7 on-line hours against 168 agent-hours: at least 63 short
    assert b.value >= 63 * 100
    r = solve(p, time_limit_s=10, workers=1, explain_infeasible=False)
    assert b.value <= r.objective


def test_components_split_and_add_up():
    hours = np.arange(24)
    need = np.tile(((hours >= 9) & (hours < 17)).astype(int), (1, 1))
    agents = [Agent("v", FULL, ("voice",)), Agent("c", FULL, ("chat",)), Agent("m", PART, ("mail",))]
    req = {"voice": need, "chat": 2 * need, "mail": need, "fax": need}
    p = Problem(Grid(MONDAY, 1, 60), TEMPLATES, agents, requirement=req,
                rules=Rules(min_rest_min=0))
    assert sorted(map(sorted, components(p))) == [["chat"], ["fax"], ["mail"], ["voice"]]
    b = count_bound(p, time_limit_s=10)
    assert b.components == 4 and b.optimal
    # voice: 8 h shift with a 1 h lunch on an 8 h need -> 1 short; chat: 8 + 1 short;
    # mail: a 4 h block -> 4 short; fax: nobody -> 8 short
    assert b.value == (1 + 9 + 4 + 8) * 100
    whole = plan_counts(p, relaxation=True, det_time=10, max_wall_s=10)
    assert whole.bound == pytest.approx(b.value)


def test_relaxation_drops_day_floors_of_groups_with_leave():
    """A full-timer on granted leave works 4 days: the relaxation must allow it."""
    hours = np.arange(24)
    req = {"voice": np.tile(((hours >= 9) & (hours < 17)).astype(int), (7, 1))}
    req["voice"][5:] = 0
    req["voice"][1] = 0  # Tuesday nothing to do: working it only adds over-coverage
    ag = Agent("a", FULL, ("voice",))
    leave = [LeaveRequest("a", datetime(2026, 1, 6), datetime(2026, 1, 7),
                          requested_at=datetime(2025, 12, 1))]
    p = Problem(Grid(MONDAY, 7, 60), TEMPLATES, [ag], requirement=req, leave=leave,
                rules=Rules(min_rest_min=0, split_days_off_weight=0))
    r = solve(p, time_limit_s=10, workers=1)
    assert r.status == "OPTIMAL"
    assert count_bound(p, time_limit_s=10).value <= r.objective


def test_classic_cover_is_refused():
    p = Problem(Grid(MONDAY, 1, 60), TEMPLATES, [Agent("a", FULL)],
                cover=[ShiftCover(0, "day8", 1)])
    with pytest.raises(SolverInputError, match="interval-mode"):
        count_bound(p)


def test_bound_counts_split_days_off_of_pattern_groups():
    """Work Tuesday to Saturday: the full-timer's days off are Monday and Sunday, not
    consecutive (5); the bound counts them, so it is the roster's optimum."""
    hours = np.arange(24)
    req = {"voice": np.tile(((hours >= 9) & (hours < 17)).astype(int), (7, 1))}
    req["voice"][[0, 6]] = 0
    p = Problem(Grid(MONDAY, 7, 60), TEMPLATES, [Agent("a", FULL, ("voice",))],
                requirement=req, rules=Rules(min_rest_min=0, late_fairness_weight=0,
                                             weekend_fairness_weight=0))
    r = solve(p, time_limit_s=10, workers=1)
    assert r.status == "OPTIMAL"
    assert [v.cost for v in r.violations if v.rule == "days off not consecutive"] == [5]
    b = count_bound(p, time_limit_s=10)
    assert b.optimal and b.value == r.objective
    assert count_bound(p, time_limit_s=10, mip=False).value == r.objective


def test_solve_stops_at_the_count_bound(monkeypatch):
    """Two agents for a 10 h day with 8 h shifts: the constructed roster reaches the count
    bound (the hour nobody covers), so the solve reports that bound, says OPTIMAL and skips
    the global search."""
    import importlib

    S = importlib.import_module("solvers.solve")  # the package exports the function `solve`
    made = []
    real = S.make_solver
    monkeypatch.setattr(S, "make_solver", lambda *a, **k: made.append(a[3]) or real(*a, **k))
    hours = np.arange(24)
    req = {"voice": np.tile(((hours >= 8) & (hours < 18)).astype(int), (1, 1))}
    p = Problem(Grid(MONDAY, 1, 60), TEMPLATES, [Agent("a", FULL, ("voice",))],
                requirement=req, rules=Rules(min_rest_min=0, late_fairness_weight=0,
                                             weekend_fairness_weight=0))
    r = S.solve(p, time_limit_s=20, workers=1)
    # 8 h with a 1 h lunch on a 10 h need: 3 hours short
    assert (r.status, r.objective, r.bound) == ("OPTIMAL", 300.0, 300.0)
    assert all(params.get("fix_variables_to_their_hinted_value") for params in made)
