"""`wfm plan`: the whole week, history -> forecast -> requirements -> roster."""

from __future__ import annotations

from pathlib import Path

import typer

from wfm.cli.app import positive_number, ConfigOption, app, console, load_config, note, progress
from wfm.cli.forecast import parse_week


@app.command("plan")
def plan(
    history: Path = typer.Option(None, "--history", help="Contact history (CSV or Parquet)."),
    agents: Path = typer.Option(None, "--agents", help="Agents: agent_id, contract, skills."),
    leave: Path = typer.Option(None, "--leave", help="Leave requests (optional)."),
    special_days: Path = typer.Option(None, "--special-days", help="Days to leave out of the forecast's training or to scale (optional)."),
    config: Path = ConfigOption,
    sample: bool = typer.Option(False, "--sample", help="Use the bundled sample center instead of files."),
    out: Path = typer.Option(Path("plan"), "--out", "-o", help="Folder for forecast.csv, requirements.csv, roster.csv, plots."),
    week: str = typer.Option(None, help="Monday of the week to plan (default: the week after the history)."),
    time_limit: float = typer.Option(None, "--time-limit", help="Solver time limit in seconds, a safety cap on the whole solve "
                                     "(default: [rules] time_limit_seconds)."),
    work: float = typer.Option(None, "--work", help="Solver work budget in deterministic units: the same inputs and work give "
                               "the same roster on any machine (default: [rules] solver_work, else 0.12 per second of the time limit)."),
    plots: bool = typer.Option(True, "--plots/--no-plots", help="Write forecast.png, coverage.png, roster.png."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
) -> None:
    """Plan a week: forecast, staffing, roster; write every table and plot into --out.

    Prints a summary: contacts forecast, agent-hours required and scheduled, coverage,
    schedule accuracy and the solver's status. Files are written only when every stage succeeded.
    """
    from wfm.errors import InputError
    from wfm.io import read_agents, read_history, read_leave, read_special_days
    from wfm.plan import run_plan, write_plan

    positive_number(time_limit, "--time-limit", "seconds")
    positive_number(work, "--work", "work units")
    cfg = load_config(config, sample=sample)
    if sample:
        from wfm.grid import next_week_after
        from wfm.sample import SAMPLE_END, generate_agents, generate_history, generate_leave

        hist = generate_history(cfg, seed=cfg.center.seed)
        ag = generate_agents(cfg, seed=cfg.center.seed)
        lv = generate_leave(ag, next_week_after(SAMPLE_END), seed=cfg.center.seed)
    else:
        if history is None or agents is None:
            raise InputError("--history and --agents are needed", column="wfm plan",
                             fix="give both files, or --sample for the bundled center (`wfm init DIR` writes one)")
        checked = read_history(history, cfg)
        for n in checked.notes:
            note(n)
        hist = checked.frame
        ag = read_agents(agents, cfg).frame
        lv = read_leave(leave, ag, cfg.leave).frame if leave else None

    stages = ["forecast", "staffing", "roster", "writing"]
    with progress(quiet) as bar:
        task = bar.add_task("weekly plan", total=len(stages))

        def step(name: str) -> None:
            bar.update(task, description=f"weekly plan: {name}", completed=stages.index(name))

        special = read_special_days(special_days, cfg).frame if special_days else None
        result = run_plan(cfg, hist, ag, lv, week=parse_week(week), time_limit_s=time_limit, step=step,
                          special_days=special, work=work)
        step("writing")
        paths = write_plan(out, result, hist, plots=plots)
        bar.update(task, completed=len(stages))
    for line in result.schedule.explanation:
        note(line)
    for p in paths:
        console.print(f"wrote {p}")
    print_summary(result.summary, cfg.center.name)


def print_summary(s: dict, name: str) -> None:
    from rich.table import Table

    from wfm.plan import solver_text

    t = Table(title=f"{name}: plan for the week of {s['week']}", show_header=False)
    t.add_column("what")
    t.add_column("value", justify="right")
    rows = [
        ("contacts forecast", f"{s['contacts_forecast']:,.0f}"),
        ("agent-hours required (on line)", f"{s['agent_hours_required']:,.1f}"),
        ("agent-hours scheduled (on line)", f"{s['agent_hours_scheduled_on_line']:,.1f}"),
        ("agent-hours paid (shifts)", f"{s['agent_hours_paid']:,.1f}"),
        ("coverage (required agent-intervals covered)", f"{s['coverage']:.1%}"),
        ("schedule accuracy (1 - |scheduled - required| / required)", f"{s['schedule_accuracy']:.1%}"),
        ("intervals understaffed / with nobody", f"{s['intervals_understaffed']} / {s['intervals_with_nobody']}"),
        ("shifts / agents rostered", f"{s['shifts']} / {s['agents_rostered']}"),
        ("leave granted / refused", f"{s['leave_granted']} / {s['leave_refused']}"),
        ("solver", solver_text(s["solver_status"], s["solver_objective"], s["solver_bound"],
                               s["solver_seconds"], s.get("solver_cut_by_time_limit", ()))),
    ]
    for r in rows:
        t.add_row(*r)
    console.print(t)
