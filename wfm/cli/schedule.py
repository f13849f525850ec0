"""`wfm schedule`: requirements + agents (+ leave) -> the week's roster."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import typer

from wfm.cli.app import positive_number, ConfigOption, app, console, load_config, note


@app.command("schedule")
def schedule(
    requirements: Path = typer.Option(..., "--requirements", help="Requirements: queue, start, agents (from `wfm staff`)."),
    agents: Path = typer.Option(..., "--agents", help="Agents: agent_id, contract, skills [, name, days_off]."),
    leave: Path = typer.Option(None, "--leave", help="Leave requests: agent_id, start, end, kind, requested_at."),
    previous: Path = typer.Option(None, "--previous", help="The published roster of the week, to re-plan it: few changes, "
                                  "and leave notice counted from the published shift (no leave for a shift in progress)."),
    config: Path = ConfigOption,
    out: Path = typer.Option(Path("roster.csv"), "--out", "-o", help="Roster file to write; coverage.csv and plots go beside it."),
    time_limit: float = typer.Option(None, "--time-limit", help="Solver time limit in seconds, a safety cap on the whole solve "
                                     "(default: [rules] time_limit_seconds)."),
    work: float = typer.Option(None, "--work", help="Solver work budget in deterministic units: the same inputs and work give "
                               "the same roster on any machine (default: [rules] solver_work, else 0.12 per second of the time limit)."),
    plots: bool = typer.Option(True, "--plots/--no-plots", help="Write roster.png and coverage.png."),
) -> None:
    """Build the roster with CP-SAT: one row per agent activity (shift, break, lunch, leave).

    Also writes coverage.csv (required vs scheduled agents per skill and interval) and,
    when leave was asked for, leave_decisions.csv with the reason for each refusal.
    """
    from wfm import plots as P
    from wfm.io import read_agents, read_leave, read_requirements, read_roster, write_outputs
    from wfm.plan import solver_text
    from wfm.schedule import schedule_week

    positive_number(time_limit, "--time-limit", "seconds")
    positive_number(work, "--work", "work units")
    cfg = load_config(config)
    req = read_requirements(requirements, cfg).frame
    ag = read_agents(agents, cfg).frame
    lv = read_leave(leave, ag, cfg.leave).frame if leave else None
    prev = read_roster(previous).frame if previous else None
    with console.status("building the roster (CP-SAT)..."):
        stage = schedule_week(cfg, req, ag, lv, time_limit_s=time_limit, previous=prev, work=work)
    for line in stage.explanation:
        note(line)
    files = {out.name: stage.roster, "coverage.csv": stage.coverage}
    if stage.leave.height:
        files["leave_decisions.csv"] = stage.leave
    if plots:
        files["roster.png"] = P.saver(P.plot_roster(stage.roster))
        files["coverage.png"] = P.saver(P.plot_coverage(stage.coverage))
    for p in write_outputs(out.parent if str(out.parent) else Path("."), files):
        console.print(f"wrote {p}")
    console.print("solver: " + solver_text(stage.status, stage.objective, stage.bound,
                                           stage.wall_time_s, stage.wall_cut))


@app.command("check")
def check_roster(
    roster: Path = typer.Option(..., "--roster", help="The roster to check (as exported, possibly edited by hand)."),
    requirements: Path = typer.Option(..., "--requirements", help="Requirements: queue, start, agents."),
    agents: Path = typer.Option(..., "--agents", help="Agents: agent_id, contract, skills."),
    leave_decisions: Path = typer.Option(None, "--leave-decisions", help="leave_decisions.csv written with the roster."),
    config: Path = ConfigOption,
) -> None:
    """Check every hard rule on a roster: contracts, rest, breaks, continuous coverage, handover, leave.

    Uses the independent checker (separate code from the solver). Exit code 1 when a rule is broken.
    """
    import polars as pl
    from rich.table import Table

    from solvers.checker import check
    from solvers.types import LeaveDecision, LeaveRequest
    from wfm.io import read_agents, read_raw, read_requirements, read_roster
    from wfm.schedule import assignments_from_roster, build_problem

    cfg = load_config(config)
    req = read_requirements(requirements, cfg).frame
    ag = read_agents(agents, cfg).frame
    ros = read_roster(roster).frame
    first = ros["date"].min()
    week = first - timedelta(days=first.weekday())
    decisions = []
    if leave_decisions:
        ld = read_raw(leave_decisions).with_columns(
            pl.col("start", "end", "requested_at").str.to_datetime(), pl.col("granted").str.to_lowercase() == "true")
        decisions = [LeaveDecision(LeaveRequest(r["agent_id"], r["start"], r["end"], r["kind"], r["requested_at"]),
                                   r["granted"], r["reason"] or "") for r in ld.iter_rows(named=True)]
    problem = build_problem(cfg, req, ag, None, week)
    found = check(problem, assignments_from_roster(ros, problem.grid), decisions)
    if not found:
        console.print(f"{roster}: every hard rule holds ({ros.filter(pl.col('activity') == 'shift').height} shifts)")
        return
    t = Table(title=f"{roster}: {len(found)} hard-rule violations")
    for c in ("rule", "agent", "day", "detail"):
        t.add_column(c)
    for c in found[:50]:
        t.add_row(c.rule, c.agent_id or "", str(problem.grid.date_of(c.day)) if c.day is not None else "", c.detail)
    console.print(t)
    raise typer.Exit(1)
