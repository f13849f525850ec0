"""Benchmark: a call-center week of 200 agents, 7 days x 96 quarter-hours (issue 5, suite 2).

The bundled sample center at 15-minute intervals, volumes scaled so that about 200 agents on
mixed contracts (5-on-2-off 8 h, 1-on-1-off 12 h, part-time blocks) are needed; requirement from
the staffing engine on the forecast of the sample history; the pool is sized to that requirement
(each skill's hours split over its contracts, 3 % slack), as a planner hires; breaks and lunches;
every hard rule.

Reports the time to the first feasible roster, objective vs bound at the time limit, coverage
and schedule accuracy (1 - sum|scheduled - required| / sum required, over agent-intervals), and
runs the independent checker on the roster. Writes ``benchmarks/results/callcenter.md``.

    python -m benchmarks.callcenter            # 60 s limit (the committed table)
    WFM_BENCH_SECONDS=20 python -m benchmarks.callcenter
"""

from __future__ import annotations

import os
import platform
import time
from datetime import datetime
from pathlib import Path

import polars as pl

from wfm.config import CenterConfig, ShiftSection
from wfm.forecasting import forecast_week
from wfm.plan import summarise
from wfm.sample import generate_agents, generate_history, sample_config_path
from wfm.schedule import ScheduleStage, build_problem, coverage_frame, leave_frame, roster_frame
from wfm.staffing import requirements

OUT = Path(__file__).resolve().parent / "results" / "callcenter.md"
TARGET_AGENTS = 200


# Share of each skill's required hours given to each contract; part-timers take the peaks
# (and, in the back office, the late afternoon the 8 h day cannot reach from an 08:00 start).
MIX = {"voice": {"full_time": 0.72, "part_time": 0.28}, "chat": {"long_day": 0.70, "part_time": 0.30},
       "backoffice": {"full_time": 0.40, "part_time": 0.60}}
# Hours on line an agent of a contract gives a week (lunch and breaks taken out); part-timers
# book about five 3 h blocks (the blocks are short, so a day needs heads more than hours).
WEEKLY_ON_LINE = {"full_time": 5 * 7.5, "long_day": 3.5 * 11.0, "part_time": 5 * 3.0}
# The part-time blocks cloud agents book (docs/domain.md section 5: 1 to several hours): length in minutes,
# starts from the earliest opening to the last start that ends by the latest closing.
PART_BLOCKS = {"part2": 120, "part3": 180, "part4": 240}
# Start step of the part-time blocks (minutes): they follow the quarter-hour requirement; the
# 8 h and 12 h days keep the sample center's 30 min step.
BLOCK_STEP_MIN = 15


def design(cfg: CenterConfig) -> None:
    """The benchmark's shift templates on top of the sample center's: part-timers book 2, 3 or
    4 h blocks starting on any quarter-hour of the opening hours."""
    first = min(cfg.opening(q, d)[0] for q in cfg.queues for d in range(7) if cfg.opening(q, d))
    last = max(cfg.opening(q, d)[1] for q in cfg.queues for d in range(7) if cfg.opening(q, d))
    for name, minutes in PART_BLOCKS.items():
        cfg.shifts[name] = ShiftSection(minutes=minutes, earliest_start=_hhmm(first),
                                        latest_start=_hhmm(last - minutes), step_minutes=BLOCK_STEP_MIN)
    cfg.contracts["part_time"].shifts = list(PART_BLOCKS)
    cfg.validate()


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def size_pool(cfg: CenterConfig, req: pl.DataFrame, slack: float = 0.03) -> pl.DataFrame:
    """Agents per skill and contract for the week's requirement (a planner's hiring sum)."""
    skill_of = pl.DataFrame({"queue": list(cfg.queues), "skill": [q.skill for q in cfg.queues.values()]})
    hours = dict(req.join(skill_of, on="queue").group_by("skill")
                 .agg(pl.col("agents").sum() * cfg.interval / 60).iter_rows())
    rows, n = [], 0
    for skill, mix in MIX.items():
        for contract, share in mix.items():
            for _ in range(round(hours.get(skill, 0.0) * (1 + slack) * share / WEEKLY_ON_LINE[contract])):
                n += 1
                rows.append({"agent_id": f"A{n:03d}", "contract": contract, "skills": skill})
    return pl.DataFrame(rows)


def center(target: int) -> tuple[CenterConfig, pl.DataFrame, pl.DataFrame, object, pl.DataFrame]:
    """The sample center at 15 minutes, volumes scaled until the sized pool has about ``target`` agents."""
    cfg = CenterConfig.from_toml(sample_config_path())
    cfg.center.interval_minutes = 15
    design(cfg)
    scale = target / generate_agents(cfg).height
    for _ in range(4):
        hist = generate_history(cfg, weeks=8, seed=11, scale=scale)
        fc = forecast_week(cfg, hist)
        req = requirements(fc.forecast, cfg)
        agents = size_pool(cfg, req)
        if abs(agents.height - target) <= 2:
            break
        scale *= target / agents.height
    return cfg, hist, agents, fc, req


def pool_text(cfg: CenterConfig, agents: pl.DataFrame) -> str:
    """The pool in a planner's words: heads per skill and contract, and each contract's shifts."""
    def shift(name: str) -> str:
        sh = cfg.shifts[name]
        return f"{name} {sh.minutes // 60} h, starts {sh.earliest_start}-{sh.latest_start} every {sh.step_minutes} min"

    heads = "; ".join(f"{k}: " + ", ".join(f"{c} {n}" for c, n in g.group_by("contract").len().sort("contract").iter_rows())
                      for (k,), g in agents.sort("skills").group_by("skills", maintain_order=True))
    contracts = "; ".join(f"{c} ({cfg.contracts[c].pattern}, {', '.join(shift(x) for x in cfg.contracts[c].shifts)})"
                          for c in sorted(agents["contract"].unique()))
    return f"{heads}. Contracts: {contracts}"


def part_cost(result, skills) -> float:
    """Under- and over-coverage cost of the roster on ``skills`` (the model's weights)."""
    rules, cov = result.problem.rules, result.coverage()
    cost = 0.0
    for k in skills:
        if k in result.problem.requirement:
            diff = cov.get(k, 0) - result.problem.requirement[k]
            cost += rules.under_weight * (-diff).clip(min=0).sum() + rules.over_weight * diff.clip(min=0).sum()
    return cost


def main() -> None:
    from solvers import solve
    from solvers.bound import count_bound
    from solvers.checker import check

    limit = float(os.environ.get("WFM_BENCH_SECONDS", "60"))
    t0 = time.perf_counter()
    cfg, hist, agents, fc, req = center(TARGET_AGENTS)
    t_prep = time.perf_counter() - t0
    problem = build_problem(cfg, req, agents, None, fc.week)
    result = solve(problem, time_limit_s=limit, seed=0, workers=2)
    # determinism: the same solve again (the work budget decides, the time limit is a cap)
    again = solve(problem, time_limit_s=limit, seed=0, workers=2)
    same = again.roster_rows() == result.roster_rows()
    violations = check(problem, result.assignments, result.leave_decisions)
    relaxed = count_bound(problem, time_limit_s=limit, workers=2)
    roster = roster_frame(result, problem.grid)
    cov = coverage_frame(cfg, req, roster, fc.week)

    st = ScheduleStage(roster=roster, coverage=cov, leave=leave_frame(result), status=str(result.status),
                       objective=result.objective, bound=result.bound, wall_time_s=result.wall_time_s)
    s = summarise(cfg, fc.forecast, req, st)
    first = getattr(result, "first_solution_s", None)
    bounds = {"the solve's": result.bound if result.bound is not None else float("-inf"),
              "count relaxation, own run": relaxed.value}
    which = max(bounds, key=bounds.get)
    best = bounds[which]
    gap = ((result.objective - best) / max(abs(result.objective), 1e-9)
           if result.objective is not None else float("nan"))
    own = ((result.objective - bounds["the solve's"]) / max(abs(result.objective), 1e-9)
           if result.objective is not None else float("nan"))
    rows = [
        ("agents", f"{agents.height} ({', '.join(f'{c} {n}' for c, n in agents.group_by('contract').len().sort('contract').iter_rows())})"),
        ("pool", pool_text(cfg, agents)),
        ("grid", f"7 days x {24 * 60 // cfg.interval} intervals of {cfg.interval} min, skills {', '.join(cfg.skills())}"),
        ("required agent-intervals", f"{int(cov['required'].sum()):,}"),
        ("pool sizing (volume scale search, forecast, staffing)", f"{t_prep:.1f} s"),
        ("time to first feasible roster", f"{first:.1f} s" if first is not None else "n/a"),
        ("time limit / solve wall time (wall / limit)",
         f"{limit:.0f} s / {result.wall_time_s:.1f} s ({result.wall_time_s / limit:.2f}); second run "
         f"{again.wall_time_s:.1f} s ({again.wall_time_s / limit:.2f})"),
        ("work budget spent (deterministic units)", f"{result.work:.2f}"),
        ("searches the time limit cut short", ", ".join(result.wall_cut) or "none (deterministic)"),
        ("second run: the same roster", "yes (identical rows)" if same else
         f"no (objective {again.objective}; cut short: {', '.join(again.wall_cut) or 'none'})"),
        ("status", s["solver_status"]),
        ("objective", f"{result.objective}"),
        ("bound (the solve's: count relaxation from its roster, within the limit)", f"{result.bound}"),
        ("gap to the solve's bound", f"{own:.2%}"),
        ("count-relaxation bound, own run from nothing (`solvers.bound.count_bound`, no hint)",
         f"{relaxed.value:.0f} ({'optimal' if relaxed.optimal else 'proved within the limit'}, "
         f"{relaxed.components} components, {relaxed.wall_time_s:.0f} s)"),
        (f"gap to the better bound ({which})", f"{gap:.2%}"),
        ("per skill: roster's coverage cost vs its bound in the own run", "; ".join(
            f"{', '.join(ks)} {part_cost(result, ks):.0f} vs {v:.0f}{' (optimal)' if o else ''}"
            for ks, v, o in relaxed.parts)),
        ("coverage", f"{s['coverage']:.2%}"),
        ("schedule accuracy", f"{s['schedule_accuracy']:.2%}"),
        ("intervals with nobody on line", str(s["intervals_with_nobody"])),
        ("hard-rule violations (independent checker)", str(len(violations))),
    ]
    lines = [
        "# Call-center week: 200 agents, 7 x 96 quarter-hours",
        "",
        f"Run {datetime.now():%Y-%m-%d %H:%M} on {platform.machine()} with {os.cpu_count()} cores, CP-SAT 2 workers "
        "(a small machine shared with other CP-SAT runs: figures from one run). Command: `python -m benchmarks.callcenter`.",
        "Targets: first roster < 10 s, within 1 % of the bound at 60 s, schedule accuracy >= 97 %.",
        "",
        "| measure | value |",
        "|---|---|",
        *[f"| {a} | {b} |" for a, b in rows],
        "",
        "Targets: first roster < 10 s: " + ("met" if first is not None and first < 10 else "missed")
        + f"; within 1 % of the bound: {'met' if own <= 0.01 else 'missed'} ({own:.2%} of the solve's own bound)"
        + f"; schedule accuracy >= 97 %: {'met' if s['schedule_accuracy'] >= 0.97 else 'missed'}"
        f" ({s['schedule_accuracy']:.1%}).",
        "",
        *NOTES,
        "",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines))
    print("\n".join(lines))


NOTES = [
    "Notes. The pool is the benchmark's design (what a planner hires for this demand curve): each",
    "skill's required hours split over its contracts (`MIX`: voice 72 % full-time / 28 % part-time,",
    "chat 70 % long days / 30 % part-time, back office 40 % full-time / 60 % part-time), 3 % slack,",
    "volumes scaled until about 200 agents. Part-time cloud agents book 2, 3 or 4 h blocks on any",
    "quarter-hour of the opening hours (cloud agents book 1 to several hours); the 8 h and 12 h days keep",
    "the sample center's 30 min start step. Part-timers take part of the back office, whose need",
    "runs to 18:00 on weekdays only (full-timers alone leave its late afternoon short).",
    "Every hard rule is on (continuous coverage, handover, 11 h rest, contracts, breaks and lunches);",
    "schedule accuracy is `wfm.kpi.schedule_accuracy` (1 - sum|scheduled - required| / sum required).",
    "",
    "The solve (`solvers.solve`, interval mode): the construction of `solvers/construct.py` runs",
    "while the model is built (per independent skill group: a coarse weekly count plan, the agents'",
    "work patterns, then day by day an exact count plan and the starts handed out; a day's plan",
    "counts no more early starts than agents rested enough after the day before, and part-time",
    "totals are caps). A second construction starts from the first roster's own weekly count plan",
    "(its shifts and breaks as counts) and improves it two ways side by side: two or three days at",
    "a time with the others kept (CP-SAT, `construct.improve_plan`) and the whole week as a MIP",
    "(`solvers/mip.py`: the CP-SAT model read from its proto and solved by SCIP, which OR-Tools",
    "ships); each independent part keeps the cheaper of its two rosters. Then the bound: the count",
    "relaxation of `solvers/bound.py`, one MIP per part (two at a time), started from the roster;",
    "the solve returns OPTIMAL, without further search, when the roster reaches it, and otherwise",
    "runs CP-SAT's search on the full model for what is left (its own bound stays at 0 here).",
    "",
    "The count relaxation aggregates agents into groups (same contract and skills; a",
    "single-template group's days as a sum of its members' work patterns, each pattern paying its",
    "'5 on 2 off' cost of days off not consecutive); every roster maps to a solution of it with the",
    "same coverage and split-days-off cost, and the roster's other soft costs are non-negative, so",
    "it is a lower bound on every roster's objective (tested against rosters solved to optimality,",
    "hypothesis, with both solvers). The own-run row solves it from nothing (no roster to start",
    "from) in the same time: from nothing the chat desk's MIP proves about 93 after 45 s and 106-109",
    "after 60 s, where from the roster's shifts it proves 115, the roster's own cost, in about 15 s.",
    "",
    "Where the objective is: the coverage cost of every skill equals its part of the bound (back",
    "office, chat and voice are each at their relaxation's optimum); what is left, 6 here, is the",
    "fairness of weekends and late shifts (max - min over all agents), which the bound does not",
    "count. Every stage stops on deterministic work (`solvers/budget.py`), so two runs give the same",
    "roster unless the time limit cuts a search short (the table says which).",
    "History of this table: 2381 (the day plans counted early starts that agents who finished late",
    "the day before could not take), 861, 821 against a CP-SAT-proved count bound of 763 (7.1 %);",
    "then the MIP: voice's count model is solved to optimality in 8 s (126, where CP-SAT proved 122",
    "and found 134 in 30 s), chat's proved at 115 (CP-SAT: 84-89; HiGHS through SciPy: 95 in 60 s),",
    "and pricing split days off in the count model removed the 10 they cost (813 -> 804).",
]


if __name__ == "__main__":
    main()
