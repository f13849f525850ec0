"""Column generation for classic cover: the pricing DP is exact (checked against brute force
and the independent checker), column costs are the model's, the bound is a lower bound."""

from __future__ import annotations

import itertools
import time
from datetime import date, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.curtois import DATA, parse
from solvers import (
    Agent,
    Assignment,
    Contract,
    Grid,
    Problem,
    Rules,
    ShiftCover,
    ShiftRequest,
    ShiftTemplate,
    check,
    solve,
)
from solvers import colgen
from solvers.model import build, make_solver

CLASSIC = dict(continuous_coverage=False, handover=False, weekend_fairness_weight=0,
               late_fairness_weight=0, split_days_off_weight=0, stability_weight=0)


@st.composite
def classic_problems(draw, agents=1, max_days=5):
    """Small classic-cover problems exercising every per-agent rule the DP models."""
    days = draw(st.integers(2, max_days))
    start = date(2026, 1, 5) + timedelta(days=draw(st.integers(0, 6)))  # any weekday
    early = ShiftTemplate("E", 480, 360, 480, 120)  # starts 06:00 and 08:00
    late = ShiftTemplate("L", draw(st.sampled_from([240, 480])), 840, 840, 60,
                         forbidden_next=frozenset({"E"}) if draw(st.booleans()) else frozenset())
    people = []
    for i in range(agents):
        lo = draw(st.integers(0, 3)) * 240
        hi = lo + draw(st.integers(0, 4)) * 240
        contract = Contract(
            f"c{i}", total_minutes=(lo, hi),
            max_shifts={"E": draw(st.integers(0, days)), "L": draw(st.integers(0, days))},
            max_consecutive_days=draw(st.one_of(st.none(), st.integers(1, days))),
            min_consecutive_days=draw(st.integers(1, 3)),
            min_consecutive_days_off=draw(st.integers(1, 3)),
            max_weekends=draw(st.one_of(st.none(), st.integers(0, 1))), leave_credit_min=0)
        off = draw(st.sets(st.integers(0, days - 1), max_size=2))
        requests = tuple(
            ShiftRequest(start + timedelta(days=d), on, tmpl, w)
            for d, on, tmpl, w in draw(st.lists(st.tuples(
                st.integers(0, days - 1), st.booleans(), st.sampled_from([None, "E", "L"]),
                st.integers(1, 5)), max_size=3)))
        people.append(Agent(f"a{i}", contract, fixed_days_off=frozenset(
            start + timedelta(days=d) for d in off), requests=requests))
    cover = [ShiftCover(d, t, draw(st.integers(0, agents)), draw(st.integers(1, 50)),
                        draw(st.integers(0, 5))) for d in range(days) for t in ("E", "L")]
    rules = Rules(min_rest_min=draw(st.sampled_from([0, 660, 720])), **CLASSIC)
    return Problem(Grid(start, days, 60), [early, late], people, cover=cover, rules=rules)


def _assignments(problem, agent_id, sp, plan):
    return [Assignment(agent_id, d, sp.acts[k][0], sp.acts[k][1], sp.acts[k][1] + sp.acts[k][2])
            for d, k in enumerate(plan) if k >= 0]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(classic_problems(), st.integers(0, 2**32 - 1))
def test_pricing_finds_the_cheapest_pattern_the_checker_accepts(problem, seed):
    sp = colgen.agent_spaces(problem)[0]
    days, k = problem.grid.days, len(sp.acts)
    cost = np.random.default_rng(seed).integers(-9, 10, size=(days, k + 1)).astype(float)
    one = Problem(problem.grid, problem.templates, problem.agents, cover=[], rules=problem.rules)
    best = None
    for plan in itertools.product(range(-1, k), repeat=days):  # every pattern, brute force
        if not check(one, _assignments(one, "a0", sp, plan)):
            value = sum(cost[d, 1 + x] for d, x in enumerate(plan))
            best = value if best is None else min(best, value)
    value, plan, exact = colgen.best_pattern(sp, cost)
    assert exact
    if best is None:
        assert plan is None
        return
    assert plan is not None and value == best
    assert not check(one, _assignments(one, "a0", sp, plan))
    assert sum(cost[d, 1 + x] for d, x in enumerate(plan)) == value


def _fixed_objective(problem, choices):
    """The CP-SAT model's objective with every shift fixed to ``choices``."""
    rm = build(problem)
    for (a, d), opts in rm.options.items():
        ch = choices[a, d]
        for o in opts:
            rm.model.Add(o.var == int(ch is not None and (o.template.name, o.start) == ch[:2]))
    s = make_solver(30, 0, 1, None)
    assert s.Solve(rm.model) == 4, "the roster breaks a hard rule"
    return s.ObjectiveValue()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(classic_problems(agents=3, max_days=7))
def test_bound_is_below_the_optimum_and_the_roster_costs_what_the_model_says(problem):
    cg = colgen.column_generation(problem, deadline=time.perf_counter() + 60,
                                  dive_deadline=time.perf_counter() + 60)
    rm = build(problem)
    s = make_solver(60, 0, 1, None)
    status = s.Solve(rm.model)
    if status == 3:  # INFEASIBLE: some agent has no pattern at all
        assert cg is None
        return
    assert status == 4 and cg is not None and cg.converged
    assert cg.bound <= s.ObjectiveValue() + 1e-6
    assert cg.bound <= cg.objective + 1e-6
    assert _fixed_objective(problem, cg.choices) == cg.objective
    assigned = [Assignment(problem.agents[a].agent_id, d, ch[0], ch[1],
                           ch[1] + problem.template(ch[0]).length_min)
                for (a, d), ch in cg.choices.items() if ch is not None]
    assert not check(problem, assigned)
    assert cg.settled <= set(cg.choices)


def test_curtois_instance_1_is_solved_and_proved_with_the_column_generation_bound():
    p = parse(DATA / "Instance1.txt")
    cg = colgen.column_generation(p, deadline=time.perf_counter() + 60)
    assert cg.converged and 550 <= cg.bound <= 607  # LP bound 558 (published optimum 607)
    r = solve(p, time_limit_s=30, lns=True, params={"subsolvers": ["max_lp"]})
    assert r.objective == 607 and r.bound == 607 and r.status == "OPTIMAL"
    assert not check(p, r.assignments, r.leave_decisions)


def test_the_lp_bound_is_reported_on_a_larger_instance():
    p = parse(DATA / "Instance5.txt")
    r = solve(p, time_limit_s=8, lns=True, params={"subsolvers": ["max_lp"]})
    assert r.feasible and not check(p, r.assignments, r.leave_decisions)
    assert r.bound <= 1143 <= r.objective  # published optimum between bound and roster
    assert r.status == ("OPTIMAL" if r.objective == r.bound else "FEASIBLE")


def test_unsupported_rules_fall_back_to_the_cp_sat_search():
    p = parse(DATA / "Instance1.txt")
    five = Contract("ft", days_per_week=(5, 5), pattern="5on2off")
    p5 = Problem(p.grid, p.templates, [Agent(a.agent_id, five) for a in p.agents],
                 cover=p.cover, rules=p.rules)
    assert colgen.supported(p) and not colgen.supported(p5)
    assert colgen.column_generation(p5, deadline=time.perf_counter() + 5) is None
    r = solve(p5, time_limit_s=10, lns=True)
    assert r.feasible and not check(p5, r.assignments, r.leave_decisions)


def test_agents_priced_in_one_batch_get_what_each_gets_alone():
    p = parse(DATA / "Instance12.txt")  # 60 agents in 3 shapes, different days off and wishes
    spaces = colgen.agent_spaces(p)
    master = colgen._Master(p, spaces)
    table = master.dual_table(np.random.default_rng(3).uniform(-1, 100, len(master.cover)))
    batched = colgen._price_all(master, spaces, table)
    assert len({colgen.shape_key(sp) for sp in spaces}) < len(spaces) / 4
    for sp, value, plan, exact in batched:
        alone = colgen.best_pattern(sp, master.day_costs(sp.agent, table))
        assert exact and alone[2] and abs(value - alone[0]) < 1e-6
        cost = master.day_costs(sp.agent, table)
        assert abs(sum(cost[d, 1 + k] for d, k in enumerate(plan)) - value) < 1e-6
