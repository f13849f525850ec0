"""Random valid centers (solvers.centers): the generator covers its ranges, is deterministic and
feasible by construction (its witness roster keeps every hard rule), and every roster the
solver returns on a drawn center keeps every hard rule (independent checker).

Nothing here asserts quality or a roster under a wall-clock limit: that depends on the
machine's speed. Quality is measured by ``benchmarks/random_centers.py``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import fields

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solvers import check, solve
from solvers.centers import AGENTS, INTERVALS, KINDS, draw_center, leave_late, random_center
from solvers.types import Problem

#: Small centers and short limits, so the property test runs in about a minute on a loaded
#: 2-core machine.
MAX_AGENTS = 40
LIMIT_S = 4.0
#: Seeds on which the solver of today returns UNKNOWN with no roster at ``LIMIT_S`` (found
#: with ``max_agents=40``): the bug of issue 15 (a roster should always come back).
UNKNOWN_TODAY = (5,)


def same_problem(a: Problem, b: Problem) -> bool:
    """Field by field (the arrays compared by value)."""
    ga, gb = a.grid, b.grid
    if (ga.start, ga.days, ga.interval_min) != (gb.start, gb.days, gb.interval_min):
        return False
    for x, y in ((ga.open, gb.open), (a.requirement, b.requirement)):
        if x.keys() != y.keys() or not all(np.array_equal(x[k], y[k]) for k in x):
            return False
    return all(getattr(a, f.name) == getattr(b, f.name) for f in fields(Problem)
               if f.name not in ("grid", "requirement"))


def test_same_seed_same_center():
    for seed in (0, 7, 123):
        a, b = random_center(seed), random_center(seed)
        assert same_problem(a, b)
        assert draw_center(seed).drawn == draw_center(seed).drawn
    assert not same_problem(random_center(1), random_center(2))


def test_witness_keeps_every_hard_rule():
    """Feasible by construction: the roster built with each center passes the checker."""
    for seed in range(120):
        c = draw_center(seed, max_agents=None if seed % 2 else MAX_AGENTS)
        assert check(c.problem, c.witness) == [], f"seed {seed}: {c.drawn}"
        assert {a.agent_id for a in c.problem.agents} >= {s.agent_id for s in c.witness}


def test_sizes_caps_and_record():
    for seed in range(40):
        c = draw_center(seed, max_agents=MAX_AGENTS)
        assert len(c.problem.agents) <= MAX_AGENTS
        assert c.drawn.agents == len(c.problem.agents) == sum(c.drawn.contracts.values())
        assert c.drawn.seed == seed
        assert set(c.drawn.skills) == set(c.problem.requirement) == set(c.problem.grid.open)
        assert sum(c.drawn.leave.values()) == len(c.problem.leave)
    assert len(random_center(3, size=90).agents) == 90


def test_generator_covers_its_ranges():
    """Over many seeds (no solving): every interval length, around-the-clock and short days,
    the domain's and unusual contracts, part-time, dual skills, live and deferred queues,
    late leave and leave filed during the week, both coverage rules on and off."""
    seen: Counter = Counter()
    sizes = []
    for seed in range(200):
        c = draw_center(seed)
        d, p = c.drawn, c.problem
        sizes.append(d.agents)
        seen[f"interval {d.interval_min}"] += 1
        o, e = d.opening
        seen["24 h" if d.around_the_clock else "short day" if e - o <= 8 * 60 else "day"] += 1
        seen.update(f"contract {k}" for k in d.contracts)
        seen.update(f"queue {kind}" for kind in d.skills.values())
        seen["dual skills"] += d.dual_skilled > 0
        seen["late leave"] += leave_late(p) > 0
        seen["leave filed in week"] += d.leave["filed_in_week"] > 0
        seen[f"continuous {d.continuous_coverage}"] += 1
        seen[f"handover {d.handover}"] += 1
        seen["breaks"] += any(t.breaks for t in p.templates)
        for r in p.leave:
            seen["part-day leave" if (r.end - r.start).total_seconds() < 86400 else "day leave"] += 1
    for key in ([f"interval {i}" for i in INTERVALS] + ["24 h", "short day", "day"]
                + [f"contract {k}" for k in KINDS] + ["queue live", "queue deferred"]
                + ["dual skills", "late leave", "leave filed in week", "part-day leave", "day leave"]
                + [f"continuous {b}" for b in (True, False)] + [f"handover {b}" for b in (True, False)]):
        assert seen[key] > 0, key
    assert min(sizes) >= AGENTS[0] and max(sizes) <= AGENTS[1]
    assert sum(s > 200 for s in sizes) > 0 and sum(s < 60 for s in sizes) > 0


def _solve_and_check(seed: int):
    c = draw_center(seed, max_agents=MAX_AGENTS)
    r = solve(c.problem, time_limit_s=LIMIT_S, workers=2)
    if r.assignments:
        bad = check(c.problem, r.assignments, r.leave_decisions)
        assert bad == [], f"seed {seed} ({c.drawn}): {bad[:5]}"
    if r.bound is not None:
        assert r.bound >= 0, f"seed {seed}: negative bound {r.bound}"
        assert r.objective is not None and r.bound <= r.objective + 1e-6, (
            f"seed {seed}: bound {r.bound} above objective {r.objective}")
    if r.feasible:
        assert r.objective is not None and r.objective >= 0
    return r


@settings(max_examples=8, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 100_000).filter(lambda s: s not in UNKNOWN_TODAY))
def test_every_returned_roster_keeps_the_hard_rules(seed):
    _solve_and_check(seed)


@pytest.mark.parametrize("seed", [
    pytest.param(s, marks=pytest.mark.xfail(
        reason=f"seed {s}: solve returns UNKNOWN with no roster at {LIMIT_S} s (issue 15)",
        strict=False)) for s in UNKNOWN_TODAY])
def test_a_roster_comes_back(seed):
    r = _solve_and_check(seed)
    assert r.assignments and r.status != "UNKNOWN", f"seed {seed}: {r.status} and no roster"
