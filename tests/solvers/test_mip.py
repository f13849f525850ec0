"""The MIP route (solvers.mip): a CP-SAT model read from its proto and solved by SCIP gives
the same optimum as CP-SAT, its bound is a bound, and it takes partial hints."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from solvers.construct import plan_counts
from solvers.mip import hinted, is_linear, set_full_hint, solve_linear

from test_bound import small_problem


def knapsack(values, weights, cap):
    m = cp_model.CpModel()
    xs = [m.NewIntVar(0, 3, f"x{i}") for i in range(len(values))]
    m.Add(sum(w * x for w, x in zip(weights, xs)) <= cap)
    m.Maximize(sum(v * x for v, x in zip(values, xs)))
    return m, xs


@settings(max_examples=25, deadline=None)
@given(values=st.lists(st.integers(1, 20), min_size=2, max_size=6), cap=st.integers(0, 30),
       data=st.data())
def test_same_optimum_as_cp_sat(values, cap, data):
    weights = data.draw(st.lists(st.integers(1, 9), min_size=len(values), max_size=len(values)))
    m, xs = knapsack(values, weights, cap)
    s = cp_model.CpSolver()
    assert s.Solve(m) == cp_model.OPTIMAL
    r = solve_linear(m, time_limit_s=10)  # a maximisation: CP-SAT keeps it as a scaled minimum
    assert r.status == "OPTIMAL"
    assert r.objective == r.bound == s.ObjectiveValue()
    # the values are a solution CP-SAT accepts, with the same objective
    set_full_hint(m, r.values)
    fixed = cp_model.CpSolver()
    fixed.parameters.fix_variables_to_their_hinted_value = True
    assert fixed.Solve(m) == cp_model.OPTIMAL
    assert fixed.ObjectiveValue() == s.ObjectiveValue()


def test_infeasible_and_non_linear():
    m = cp_model.CpModel()
    x = m.NewIntVar(0, 3, "x")
    m.Add(2 * x == 5)
    m.Minimize(x)
    r = solve_linear(m, time_limit_s=5)
    assert r.status == "INFEASIBLE" and r.values is None
    m = cp_model.CpModel()
    x, y = m.NewIntVar(0, 3, "x"), m.NewIntVar(0, 3, "y")
    m.AddMaxEquality(y, [x, 2])
    assert not is_linear(m)
    with pytest.raises(ValueError, match="linear"):
        solve_linear(m, time_limit_s=5)


def test_partial_hint_is_read_and_kept():
    m = cp_model.CpModel()
    x, y = m.NewIntVar(0, 5, "x"), m.NewIntVar(0, 5, "y")
    m.Add(x + y >= 3)
    m.AddHint(x, 2)
    m.Minimize(x + 2 * y)
    assert hinted(m) == [2, None]
    r = solve_linear(m, time_limit_s=5, hint=hinted(m))
    assert r.status == "OPTIMAL" and r.objective == 3 and r.bound == 3


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_count_model_mip_and_cp_sat_agree(seed):
    """The weekly count relaxation of a random small problem: both solvers optimal, same
    objective, and the MIP plan's coverage is the plan CP-SAT reads back."""
    p = small_problem(seed)
    a = plan_counts(p, relaxation=True, det_time=20, max_wall_s=20)
    b = plan_counts(p, relaxation=True, mip=True, max_wall_s=20)
    if a.status == "OPTIMAL" and b.status == "OPTIMAL":
        assert a.objective == pytest.approx(b.objective)
        assert b.bound == pytest.approx(b.objective)
        w = p.rules
        assert b.objective >= w.under_weight * b.under + w.over_weight * b.over - 1e-6
    else:
        assert a.status == b.status == "INFEASIBLE" or "UNKNOWN" in (a.status, b.status)


def test_without_the_mip_solver_the_count_model_falls_back_to_cp_sat(monkeypatch):
    import solvers.construct as C

    def never(*a, **k):
        raise AssertionError("the MIP path was taken")

    p = next(q for q in map(small_problem, range(20))
             if plan_counts(q, relaxation=True, mip=True, max_wall_s=10).status == "OPTIMAL")
    best = plan_counts(p, relaxation=True, mip=True, max_wall_s=10).objective
    monkeypatch.setattr(C, "mip_available", lambda: False)
    monkeypatch.setattr(C, "solve_linear", never)
    plan = plan_counts(p, relaxation=True, mip=True, det_time=10, max_wall_s=10)
    assert plan.status == "OPTIMAL" and plan.objective == best
