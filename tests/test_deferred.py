"""Deferred work: the lazy earliest-due-first plan uses the fewest agent-intervals."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from wfm.deferred import daily_capacity, due_intervals, lazy_schedule, level_schedule


def test_domain_capacities_per_agent_day():
    # docs/domain.md section 1: 8 h at 75 % = 21,600 s -> 135 posts (160 s), 120 e-mails (180 s), 480 forms (45 s)
    assert round(daily_capacity(160.0)) == 135
    assert round(daily_capacity(180.0)) == 120
    assert round(daily_capacity(45.0)) == 480


def _meets_due_times(work, due, agents, capacity) -> bool:
    """Replay a plan earliest-due-first; True if nothing is ever late."""
    left = list(work)
    for t, k in enumerate(agents):
        cap = k * capacity
        for i in range(t + 1):  # arrived items, in due order (due is non-decreasing)
            take = min(cap, left[i])
            left[i] -= take
            cap -= take
        if any(left[i] > 1e-9 for i in range(len(work)) if due[i] <= t):
            return False
    return True


def _fewest_by_milp(work, due, capacity) -> int:
    """Exact optimum from a mixed-integer program: agents x_t (integer) and flows y_it of item
    i's work handled in interval t (i <= t <= due_i); sum_t y_it = w_i, sum_i y_it <= c x_t."""
    n = len(work)
    pairs = [(i, t) for i in range(n) for t in range(i, due[i] + 1)]
    nv = n + len(pairs)
    cost = np.r_[np.ones(n), np.zeros(len(pairs))]
    rows, lo, hi = [], [], []
    for i in range(n):
        r = np.zeros(nv)
        for j, (ii, _) in enumerate(pairs):
            if ii == i:
                r[n + j] = 1.0
        rows.append(r), lo.append(work[i]), hi.append(work[i])
    for t in range(n):
        r = np.zeros(nv)
        r[t] = -capacity
        for j, (_, tt) in enumerate(pairs):
            if tt == t:
                r[n + j] = 1.0
        rows.append(r), lo.append(-np.inf), hi.append(0.0)
    res = milp(cost, constraints=LinearConstraint(np.array(rows), lo, hi),
               integrality=np.r_[np.ones(n), np.zeros(len(pairs))], bounds=Bounds(0, np.inf))
    assert res.success
    return round(res.fun)


def _random_case(rng, n):
    work = rng.choice([0.0, 0.5, 1.0, 1.7, 2.5, 4.0], n) * rng.uniform(0.5, 1.5)
    span = int(rng.integers(0, 4))
    due = np.minimum(np.arange(n) + span, n - 1)
    return work, due


def test_lazy_plan_is_optimal_by_brute_force_on_small_cases():
    rng = np.random.default_rng(3)
    for _ in range(30):
        n = int(rng.integers(1, 5))
        work, due = _random_case(rng, n)
        capacity = 1.0
        plan = lazy_schedule(work, due, capacity)
        assert _meets_due_times(work, due, plan.agents, capacity)
        best = min(
            sum(x) for x in itertools.product(range(8), repeat=n)
            if _meets_due_times(work, due, x, capacity)
        )
        assert plan.agents.sum() == best


def test_level_plan_keeps_the_fewest_agent_intervals_with_the_lowest_peak():
    rng = np.random.default_rng(5)
    for _ in range(30):
        n = int(rng.integers(2, 5))
        work, due = _random_case(rng, n)
        plans = [x for x in itertools.product(range(8), repeat=n) if _meets_due_times(work, due, x, 1.0)]
        fewest = min(sum(x) for x in plans)
        lowest_peak = min(max(x) for x in plans if sum(x) == fewest)
        plan = level_schedule(work, due, 1.0)
        assert _meets_due_times(work, due, plan.agents, 1.0)
        assert plan.agents.sum() == fewest and plan.agents.max() == lowest_peak


def test_level_plan_spreads_a_day_of_email_instead_of_one_spike():
    # 20 half-hours, e-mail arriving all day, everything due by the last interval (closing)
    work = np.full(20, 1350.0 * 2)
    due = np.full(20, 19)
    lazy = lazy_schedule(work, due, 1350.0)
    level = level_schedule(work, due, 1350.0)
    assert lazy.agents.tolist() == [0] * 19 + [40]
    assert level.agents.sum() == 40 and level.agents.max() == 2
    assert lazy_schedule(work, due, 1350.0, peak=1) is None  # 1 agent cannot keep up


def test_lazy_plan_matches_the_integer_program_on_larger_cases():
    rng = np.random.default_rng(4)
    for _ in range(15):
        n = int(rng.integers(6, 16))
        work, due = _random_case(rng, n)
        plan = lazy_schedule(work, due, 1.3)
        assert _meets_due_times(work, due, plan.agents, 1.3)
        assert plan.agents.sum() == _fewest_by_milp(work, due, 1.3)
        level = level_schedule(work, due, 1.3)
        assert _meets_due_times(work, due, level.agents, 1.3) and level.agents.sum() == plan.agents.sum()


def test_backlog_carries_over_and_clears_by_the_due_time():
    # 135 posts of 160 s arrive at 08:00, due within 2 h (4 half-hours); one agent gives 1,350 s
    work = [135 * 160.0, 0, 0, 0, 0, 0]
    starts = np.arange(6) * 1800.0
    due = due_intervals(starts, 2 * 3600.0, 1800.0)
    assert due.tolist() == [3, 4, 5, 5, 5, 5]
    plan = lazy_schedule(work, due, 1800 * 0.75)
    assert plan.agents.sum() == 16  # 21,600 s / 1,350 s: one agent-day, as docs/domain.md section 1 says
    assert plan.backlog[:3].tolist() == [21600.0] * 3 and plan.backlog[3] == 0
    assert plan.processed.sum() == pytest.approx(21600.0)


def test_bad_plans_are_refused():
    with pytest.raises(ValueError):
        lazy_schedule([1.0, 1.0], [1, 0], 1.0)
    with pytest.raises(ValueError):
        lazy_schedule([1.0], [0], 0.0)


def test_level_plan_is_the_default_and_smoother_than_lazy():
    import polars as pl

    from wfm.config import CenterConfig
    from wfm.sample import generate_history, sample_config_path
    from wfm.staffing import requirements

    cfg = CenterConfig.from_toml(sample_config_path())
    fc = generate_history(cfg, weeks=1, seed=2).filter(pl.col("queue") == "email").with_columns(aht_s=pl.lit(180.0))
    level = requirements(fc, cfg)
    cfg.staffing.deferred_plan = "lazy"
    lazy = requirements(fc, cfg)
    assert level["agents"].max() < lazy["agents"].max()
    assert level["backlog"].sum() < lazy["backlog"].sum()
