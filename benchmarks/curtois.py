"""Curtois & Qu employee shift-scheduling benchmark, instances 1-12, with the roster solver.

Run ``python -m benchmarks.curtois`` (60 s per instance, 2 workers; writes
``benchmarks/results/curtois.md``). ``CURTOIS_LIMIT_S=10`` (or ``--limit 10``) gives a quick run,
``--instances 1 2 3`` a subset, ``--seeds 0 1`` several seeds.

The instance files are parsed into the solver's own inputs (classic cover mode): each shift
type is a :class:`~solvers.types.ShiftTemplate`, each staff line a
:class:`~solvers.types.Contract` + :class:`~solvers.types.Agent`, the cover a list of
:class:`~solvers.types.ShiftCover`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from datetime import date
from pathlib import Path

from solvers.solve import CG_DIVE_SHARE, CG_LP_SHARE
from solvers import (
    Agent,
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

#: The instance files, in the repository (source and terms: benchmarks/data/curtois/README.md).
#: Every reader (this benchmark, tests/solvers/) takes the path from here.
DATA = Path(__file__).resolve().parent / "data" / "curtois"
RESULTS = Path(__file__).resolve().parent / "results" / "curtois.md"
OPTIMA = {1: 607, 2: 828, 3: 1001, 4: 1716, 5: 1143, 6: 1950, 7: 1056, 8: 1300, 9: 439,
          10: 4631, 11: 3443, 12: 4040}
#: Any Monday: instances start on a Monday, the date only fixes the weekends.
MONDAY = date(2024, 1, 1)

#: CP-SAT parameters of the global search: with 2 workers CP-SAT runs one full subsolver;
#: max_lp gave real lower bounds and the best starts in short trials here (reduced_costs and
#: the default were tried: results in benchmarks/results/curtois.md).
PARAMS: dict = {"subsolvers": ["max_lp"]}
#: What was tried on the way (measured here, single runs, machine loaded by other jobs).
NOTES = """## Notes from development runs: column generation (60 s per instance, seed 0, one run each)

- The LP bound of the set-partitioning master is tight: instance 5 / 8 / 12 give 1140.6 /
  1296.6 / 4040.0 against optima 1143 / 1300 / 4040; CG converges in about 2 / 8-15 / 15-26 s
  (the machine's speed varied by 1.5x over the session). Batching agents of one shape in one
  dynamic program, batching the re-pricing of capped templates and smoothing the duals (Wentges,
  alpha 0.5; 0.8 was slower) took instance 12 from 48 iterations / 26.6 s to 40 / 20 s.
- First rosters from the LP: solving the master restricted to the generated columns as a MIP
  (HiGHS via scipy, or CP-SAT) stayed at the dive's roster or found none (8: 1905 after 17 s);
  a dive on whole columns gave 5 / 8 / 12: 1149 / 1407 / 4697 (12 needs 30 s); rounding each
  agent to its strongest column gives a poor roster (12: 11513) but RINS (CP-SAT with the
  agent-days the LP agrees on fixed, 15 s) turns it into 4141-4641 on 12 and 1311-1512 on 8.
  Fixing only the agents whose LP pattern is integral was much worse (12: 8835).
- Instance 5: the LP-settled days bind (RINS optimum 1240); the dive's roster (1149) with RINS
  around it and the LNS gives 1146.
- LNS holes filled first by the agents the LP has work that shift that day: instance 12 gave
  4047 and 4049 in two runs (before: 4043, 4151, 4154, 4266, 4275, 4276, 4359, 4368); in the
  table run 4250 / 4160. Instance 8 stays bimodal (1310-1331 or 1398-1502 with or without it).

## Notes from development runs before column generation (60 s, seed 0, shared machine)

- The parser and objective reproduce the published optima where the search closes the gap:
  instances 1-3 -> 607 / 828 / 1001 (OPTIMAL) in under 10 s.
- The LNS works on small models (solvers.lns.improve_classic): agents interact only through
  the cover, so a few agents are re-solved in a model of their own against the cover the others
  leave (an excess they leave is a constant). Neighbourhoods: an under-covered (day, shift) with
  the agents who could work it over a window of days (most steps), a few agents over the whole
  horizon, every agent over a few days; two disjoint ones at a time, one per core.
  Before it (full-model LNS, each step re-presolving the whole model), the table read
  5 / 7 / 8 / 9 / 10 / 11 / 12: 8.9 / 11.7 / 27.1 / 24.6 / 14.1 / 19.0 / 62.0 % (mean 14.4 %).
- Global phase vs LNS: share 0.4 / 0.25 / 0.15 of the limit for the global search gave
  instance 12: 54 / 37 / 29 %, 8: 10 / 33 / - %, 10: 7.3 / 5.2 / - %, 11: 4.5 / - / 7.4 %
  (one run each); a stall cut (global search stops after 4 s without a better roster, at most
  half the time) gave 12 / 8 / 11 / 5 / 7: 34 / 25 / 13 / 8.5 / 1.0 %. Run-to-run spread of one
  setting is as large as these differences (instance 5 ends at 1145 or 1242 depending on the
  global search's start; instance 8 between 1431 and 1740).
- From one fixed start (global search 18 s), 40 s of LNS: one neighbourhood at a time
  8 / 10 / 12: 1749 / 4885 / 7558; two at a time 1570 / 4987 / 7796; two at a time with agents
  on over-covered shifts preferred 1646 / 4995 / 8764 (not kept). Sub-solves with the full LP
  relaxation (`linearization_level` 2) and 3 s steps did best (8: 1848 vs 2149 default, 1 s).
- Tried and dropped: 8 CP-SAT workers on the 2 cores, 60 s global only (5 / 8 / 10 / 12: 9.4 /
  54 / 2.2 / 100 %); HiGHS MIP (scipy.optimize.milp) on the same model, 60 s (5: 0.8 %, but 8 /
  11 / 12: 829 / 259 / 170 % with LP bounds 977 / 3048 / 3497); a two-thread portfolio (one-worker
  LP search beside the LNS: 5 / 8 / 11 / 12: 0.4 / 34 / 40 / 609 %); pricing columns with
  CP-SAT (0.16-0.2 s per agent and iteration: too slow for column generation in 60 s); the
  LP relaxation of instance 12 alone takes 31 s with HiGHS.
- What is left: the large instances (8, 12) stall at under-cover the hole neighbourhoods cannot
  remove (20 agents x 15 days solved to optimality find nothing better), and the 2-worker
  global search rarely finishes its root LP on 11-12 (bounds near 0). Reaching the issue's
  target (mean gap <= 2 %, none > 5 %) needs column generation with a fast pricing DP or
  branch-and-price, as the published optima used.
"""

#: Share of the time limit for the global search; the rest goes to LNS (solvers.lns).
#: 60 s runs, one each (seed 0, shared machine): share 0.4 / 0.25 / 0.15 gave instance 12
#: 6239 / 5545 / 5225, instance 8 1431 / 1731 / -, instance 10 4970 / 4870 / -, instance 11
#: 3597 / - / 3697: big instances want the LNS early, mid-size ones the LP search longer.
LNS_SHARE_GLOBAL = 0.3


def _sections(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            current = line
            out[current] = []
        elif current:
            out[current].append(line)
    return out


def parse(path: Path | str) -> Problem:
    """Read one Curtois instance file into a classic-cover :class:`~solvers.types.Problem`.

    >>> p = parse(DATA / "Instance1.txt")
    >>> p.grid.days, len(p.agents), [t.name for t in p.templates]
    (14, 8, ['D'])
    """
    sec = _sections(Path(path).read_text())
    days = int(sec["SECTION_HORIZON"][0])
    templates = []
    for line in sec["SECTION_SHIFTS"]:
        parts = line.split(",")
        forbidden = frozenset(x for x in (parts[2].split("|") if len(parts) > 2 else []) if x)
        templates.append(ShiftTemplate(parts[0], int(parts[1]), forbidden_next=forbidden))
    days_off: dict[str, set[int]] = {}
    for line in sec.get("SECTION_DAYS_OFF", []):
        parts = line.split(",")
        days_off[parts[0]] = {int(x) for x in parts[1:] if x}
    requests: dict[str, list[ShiftRequest]] = {}
    for key, on in (("SECTION_SHIFT_ON_REQUESTS", True), ("SECTION_SHIFT_OFF_REQUESTS", False)):
        for line in sec.get(key, []):
            eid, d, sid, w = line.split(",")
            requests.setdefault(eid, []).append(
                ShiftRequest(MONDAY.fromordinal(MONDAY.toordinal() + int(d)), on, sid, int(w)))
    agents = []
    for line in sec["SECTION_STAFF"]:
        eid, maxs, max_min, min_min, max_cons, min_cons, min_off, max_wk = line.split(",")
        max_shifts = {k: int(v) for k, v in (x.split("=") for x in maxs.split("|") if x)}
        contract = Contract(
            name=f"staff {eid}", total_minutes=(int(min_min), int(max_min)),
            max_shifts=max_shifts, max_consecutive_days=int(max_cons),
            min_consecutive_days=int(min_cons), min_consecutive_days_off=int(min_off),
            max_weekends=int(max_wk), leave_credit_min=0)
        off = frozenset(MONDAY.fromordinal(MONDAY.toordinal() + d) for d in days_off.get(eid, ()))
        agents.append(Agent(eid, contract, fixed_days_off=off,
                            requests=tuple(requests.get(eid, ()))))
    cover = []
    for line in sec["SECTION_COVER"]:
        d, sid, req, wu, wo = line.split(",")
        cover.append(ShiftCover(int(d), sid, int(req), int(wu), int(wo)))
    rules = Rules(min_rest_min=0, continuous_coverage=False, handover=False,
                  stability_weight=0, weekend_fairness_weight=0, late_fairness_weight=0,
                  split_days_off_weight=0)
    return Problem(Grid(MONDAY, days, 60), templates, agents, cover=cover, rules=rules)


def run(instances, limit_s: float, seeds, workers: int = 2, params: dict | None = None) -> list:
    """Solve each instance with each seed; one row per instance (the best seed's figures)."""
    rows = []
    for n in instances:
        problem = parse(DATA / f"Instance{n}.txt")
        runs = []
        for seed in seeds:
            t0 = time.perf_counter()
            r = solve(problem, time_limit_s=limit_s, seed=seed, workers=workers,
                      params=params if params is not None else PARAMS, lns=True,
                      lns_share_global=LNS_SHARE_GLOBAL, deterministic=False)
            wall = time.perf_counter() - t0
            errors = check(problem, r.assignments, r.leave_decisions) if r.feasible else ["none"]
            runs.append((r, wall, len(errors)))
            print(f"instance {n:2d} seed {seed}: {r.status} obj={r.objective} "
                  f"bound={r.bound} {wall:.1f}s hard violations={len(errors)}", flush=True)
        objs = [x[0].objective for x in runs if x[0].objective is not None]
        best = min(runs, key=lambda x: x[0].objective if x[0].objective is not None else 1e18)
        opt = OPTIMA[n]
        rows.append({
            "instance": n, "days": problem.grid.days, "staff": len(problem.agents),
            "optimum": opt, "objectives": objs, "best": best[0].objective,
            "bound": max((x[0].bound for x in runs if x[0].bound is not None), default=None),
            "status": best[0].status, "wall_s": max(x[1] for x in runs),
            "hard_violations": max(x[2] for x in runs),
            "gap": None if best[0].objective is None else (best[0].objective - opt) / opt,
            "mean_seed_gap": None if not objs else statistics.mean((o - opt) / opt for o in objs),
        })
    return rows


def table(rows, limit_s: float, seeds, workers: int, params: dict) -> str:
    how = (
        f"Command: `python -m benchmarks.curtois --seeds {' '.join(map(str, seeds))}` (`make "
        f"bench-roster`) - time limit {limit_s:g} s per instance and "
        f"seed, {workers} CP-SAT workers, seeds {list(seeds)}. Method (solvers.solve with "
        "lns=True): column generation (solvers.colgen: an exact dynamic program prices each "
        "agent's work pattern, GLOP solves the master LP) for at most "
        f"{CG_LP_SHARE:.0%} of the limit gives the lower bound; a dive on the master "
        f"(when it can end by {CG_DIVE_SHARE:.0%} of the limit) or the LP's rounding "
        "gives the first roster; CP-SAT "
        f"`{params}` then searches for {LNS_SHARE_GLOBAL:.0%} of the time left with the "
        "agent-days the LP and the roster agree on fixed (RINS; the whole model if that part is "
        "solved early); the rest goes to the large-neighbourhood search (solvers.lns."
        "improve_classic), which stops early when it reaches the bound. "
        "Bound = the best of the column-generation bound and CP-SAT's."
    )
    machine = (
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, a shared virtual machine "
        "(wall-time limits: figures vary with its load and speed)."
    )
    legend = (
        "Gap = (objective - published optimum) / optimum; `best` is the best seed, "
        "`mean over seeds` the mean gap over the seeds. Every roster was verified by the "
        "independent checker (hard violations column)."
    )
    header = (
        "| instance | days | staff | optimum | best objective | bound | gap (best) | "
        "mean gap over seeds | status | hard violations |"
    )
    lines = ["# Curtois & Qu shift-scheduling benchmark (instances 1-12)", "", how, machine,
             legend, "", header, "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        gap = "-" if r["gap"] is None else f"{100 * r['gap']:.1f} %"
        mgap = "-" if r["mean_seed_gap"] is None else f"{100 * r['mean_seed_gap']:.1f} %"
        bound = "-" if r["bound"] is None else f"{r['bound']:.0f}"
        best = "-" if r["best"] is None else f"{r['best']:.0f}"
        lines.append(f"| {r['instance']} | {r['days']} | {r['staff']} | {r['optimum']} | {best} "
                     f"| {bound} | {gap} | {mgap} | {r['status']} | {r['hard_violations']} |")
    gaps = [r["gap"] for r in rows if r["gap"] is not None]
    if gaps:
        summary = (f"Mean gap (best seed): {100 * statistics.mean(gaps):.2f} %; "
                   f"max gap: {100 * max(gaps):.2f} %; instances with gap > 5 %: "
                   f"{sum(g > 0.05 for g in gaps)} of {len(gaps)}.")
        lines += ["", summary]
    lines += ["", NOTES]
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=float, default=float(os.environ.get("CURTOIS_LIMIT_S", "60")))
    ap.add_argument("--instances", type=int, nargs="*", default=list(range(1, 13)))
    ap.add_argument("--seeds", type=int, nargs="*", default=[0, 1])  # as in the committed table
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    rows = run(args.instances, args.limit, args.seeds, args.workers, PARAMS)
    text = table(rows, args.limit, args.seeds, args.workers, PARAMS)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
