"""Synthetic contact-center roster problems, for scale tests and examples.

``python -m solvers.synthetic --agents 200 --days 7`` builds a 200-agent week on quarter-hours
(mixed contracts, two skills, breaks and lunches, every hard rule on) and reports the build time,
the time to the first feasible roster and the objective vs bound at the time limit.
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import numpy as np

from .types import Agent, BreakRule, Contract, Grid, Problem, Rules, ShiftTemplate

FULL_TIME = Contract("full_time", templates=("day8",), days_per_week=(5, 5),
                     minutes_per_week=(2400, 2400), pattern="5on2off")
LONG_DAYS = Contract("one_on_one_off", templates=("long12",), pattern="1on1off")
PART_TIME = Contract("part_time", templates=("pt2", "pt3", "pt4"), days_per_week=(0, 5),
                     minutes_per_week=(0, 1200), pattern="part_time")


def templates() -> list[ShiftTemplate]:
    """8 h day shifts (break, lunch, break), 12 h long days, 2-4 h part-time blocks."""
    return [
        ShiftTemplate("day8", 480, 7 * 60, 16 * 60, 15, breaks=(
            BreakRule(15, 90, 150), BreakRule(60, 210, 300, "lunch"), BreakRule(15, 360, 420))),
        ShiftTemplate("long12", 720, 7 * 60, 10 * 60, 30, breaks=(
            BreakRule(15, 120, 180), BreakRule(60, 300, 390, "lunch"), BreakRule(15, 540, 600))),
        ShiftTemplate("pt2", 120, 8 * 60, 20 * 60, 30),
        ShiftTemplate("pt3", 180, 8 * 60, 19 * 60, 30),
        ShiftTemplate("pt4", 240, 8 * 60, 18 * 60, 30, breaks=(BreakRule(15, 90, 150),)),
    ]


def center(n_agents: int = 200, days: int = 7, interval_min: int = 15, load: float = 0.8,
           seed: int = 0, start: date = date(2026, 1, 5)) -> Problem:
    """A synthetic center: voice 08-22 and chat 08-24, a two-peak day, mixed contracts.

    ``load`` scales the requirement to that share of the agents' on-line capacity.

    >>> p = center(20, 1, 30)
    >>> len(p.agents), p.requirement["voice"].shape
    (20, (1, 48))
    """
    rng = np.random.default_rng(seed)
    ipd = 1440 // interval_min
    hours = (np.arange(ipd) + 0.5) * interval_min / 60
    opens = {"voice": (8, 22), "chat": (8, 24)}
    open_ = {k: np.tile((hours >= lo) & (hours < hi), (days, 1)) for k, (lo, hi) in opens.items()}
    shape = np.exp(-((hours - 11) / 2.0) ** 2) + 0.8 * np.exp(-((hours - 16) / 2.5) ** 2) + 0.3
    agents = []
    for i in range(n_agents):
        r = i % 10
        contract = FULL_TIME if r < 6 else LONG_DAYS if r < 8 else PART_TIME
        pool = "cloud" if contract is PART_TIME else "chat_desk"
        skills = ("voice", "chat") if i % 3 == 0 else (("voice",) if i % 3 == 1 else ("chat",))
        agents.append(Agent(f"A{i:03d}", contract, skills, pool))
    # on-line agent-hours a week: ~33 h full-time, ~37 h long days, ~10 h part-time
    online_h = sum(33 if a.contract is FULL_TIME else 37 if a.contract is LONG_DAYS else 10
                   for a in agents) * days / 7
    req = {}
    for k in opens:
        prof = np.where(open_[k], shape * (1 + 0.1 * rng.standard_normal((days, ipd))), 0)
        prof = np.clip(prof, 0, None)
        scale = load * online_h / 2 / (prof.sum() * interval_min / 60)
        req[k] = np.where(open_[k], np.maximum(np.round(prof * scale), 1), 0).astype(np.int64)
    grid = Grid(start, days, interval_min, open_)
    return Problem(grid, templates(), agents, requirement=req, rules=Rules())


def main(argv=None) -> None:
    from .checker import check
    from .solve import solve

    ap = argparse.ArgumentParser(description="synthetic roster scale test")
    ap.add_argument("--agents", type=int, default=200)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--interval", type=int, default=15)
    ap.add_argument("--limit", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--first", action="store_true", help="stop at the first feasible roster")
    ap.add_argument("--lns", action="store_true", help="large-neighbourhood search after 30 %")
    args = ap.parse_args(argv)
    p = center(args.agents, args.days, args.interval)
    t0 = time.perf_counter()
    r = solve(p, time_limit_s=args.limit, workers=args.workers, stop_at_first=args.first,
              lns=args.lns)
    wall = time.perf_counter() - t0
    req = sum(int(v.sum()) for v in p.requirement.values())
    cov = r.coverage()
    met = sum(int(np.minimum(cov[k], p.requirement[k]).sum()) for k in p.requirement)
    off = sum(int(np.abs(cov[k] - p.requirement[k]).sum()) for k in p.requirement)
    by_rule: dict[str, int] = {}
    for v in r.violations:
        by_rule[v.rule] = by_rule.get(v.rule, 0) + v.cost
    bad = check(p, r.assignments, r.leave_decisions) if r.feasible else None
    print(f"agents={args.agents} days={args.days} interval={args.interval}min "
          f"status={r.status} build_s={r.build_s:.1f} first_feasible_s="
          f"{r.first_solution_s and round(r.first_solution_s, 1)} objective={r.objective} "
          f"bound={r.bound} wall_s={wall:.1f}")
    print(f"required agent-intervals={req} covered={met} ({100 * met / max(req, 1):.1f} %) "
          f"accuracy 1-|sched-req|/req={100 * (1 - off / max(req, 1)):.1f} % "
          f"cost by rule={by_rule} hard violations={'-' if bad is None else len(bad)}")


if __name__ == "__main__":
    main()
