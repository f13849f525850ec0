"""`wfm adherence` and `wfm kpi`: measure how the people and the plan did.

Both read CSV (or Parquet), validate at the edge, and write CSV tables, a short Markdown report
(``report.md``, targets and pass/fail) and PNG charts into ``--out``, all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import numpy as np
import polars as pl
import typer

from wfm.adherence import (
    ABSENT,
    LATE_10_30,
    LATE_30_60,
    LATE_LT_10,
    ON_TIME,
    AttendanceRules,
    LeavePolicy,
    WarningRules,
    agent_days,
    agent_summary,
    judge_leave,
    leave_warnings,
    read_leave_requests,
    read_roster_checked,
    read_state_log_checked,
    team_days,
)
from wfm.cli.app import app, console, load_config, note
from wfm.config import CenterConfig
from wfm.io import read_forecast, read_history, read_requirements, write_outputs
from wfm.kpi import forecast_accuracy_by_level, planning_accuracy
from wfm.sessions import SessionRules, read_sessions, session_measures

OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Folder for the tables, report.md and charts.")]
LeaveOpt = Annotated[Path | None, typer.Option("--leave", help="Leave requests: agent_id, start, end, kind, "
                                              "requested_at.")]
RequirementsOpt = Annotated[Path | None, typer.Option("--requirements", help="Required agents: queue, start, agents.")]
RosterOpt = Annotated[Path | None, typer.Option("--roster", help="The roster, for schedule accuracy.")]
SessionsOpt = Annotated[Path | None, typer.Option("--sessions", help="Chat sessions: session_id, agent_id, start, "
                                                  "end, satisfaction, lead_captured[, invalid].")]
MessagesOpt = Annotated[Path | None, typer.Option("--messages", help="Chat messages: session_id, side, at "
                                                  "(needed with --sessions).")]


# ------------------------------------------------------------------------- commands
@app.command()
def adherence(
    roster: Annotated[Path, typer.Option("--roster", help="The roster as exported: agent_id, date, activity, "
                                         "start, end[, skill].")],
    states: Annotated[Path, typer.Option("--states", help="Agent state log: agent_id, state, start, end.")],
    out: OutOpt,
    leave: LeaveOpt = None,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="The center file (targets, leave notice); "
                                                "the documented defaults (docs/domain.md) when not given.")] = None,
    grace: Annotated[float | None, typer.Option("--grace", help="Minutes of grace around each scheduled change "
                                                "(default: [adherence] grace_minutes, 5).")] = None,
    agents: Annotated[Path | None, typer.Option("--agents", help="Agents (agent_id, contract, skills): the "
                                                "contract sets each agent's leave notice, as in scheduling "
                                                "(or give a 'contract' column in the roster).")] = None,
    leave_decisions: Annotated[Path | None, typer.Option("--leave-decisions", help="leave_decisions.csv of wfm "
                                                         "schedule / wfm plan: what was granted stands.")] = None,
) -> None:
    """Adherence, conformance, lateness, pay factors and warnings per agent and day, team measures."""
    cfg = load_config(config) if config else None
    targets = cfg.targets if cfg else CenterConfig().targets
    rules = AttendanceRules.from_config(cfg or CenterConfig(), grace_minutes=grace)
    ros = read_roster_checked(roster)
    log = read_state_log_checked(states, rules)
    _known_agents(log, ros, str(states))
    center = cfg or CenterConfig()
    contract_of = _contracts(ros, agents, center)
    parts = [read_leave_requests(p, center) for p in (leave_decisions, leave) if p]
    req = None
    if parts:
        # a request in both files is judged by the scheduler's decision
        req = pl.concat(parts, how="diagonal_relaxed").unique(
            ["agent_id", "start", "end", "kind", "requested_at"], keep="first", maintain_order=True)
        unknown = sorted(set(req["agent_id"]) - set(contract_of))
        if unknown and center.rules.leave_notice_hours:
            note(f"no contract for {len(unknown)} agent(s) with leave ({', '.join(unknown[:5])}): held to the "
                 f"default notice of {center.rules.default_notice_hours:g} h; give --agents or a 'contract' column "
                 "in the roster")
        req = judge_leave(req, ros, LeavePolicy.from_config(center, contract_of))
    days = agent_days(ros, log, rules, leave=req)
    team = team_days(days, log, rules, adherence_target=targets.adherence, max_aux_share=targets.max_aux_share,
                     min_occupancy=targets.min_occupancy)
    per_agent = agent_summary(days)
    warnings, events = leave_warnings(days, req, WarningRules.from_config(center))
    files = {
        "agent_days.csv": days,
        "agents.csv": per_agent,
        "team.csv": team,
        "warnings.csv": warnings,
        "warning_events.csv": events,
        "report.md": adherence_report(days, team, per_agent, warnings, rules).encode(),
        "adherence_by_agent.png": _png(lambda: plot_adherence_by_agent(per_agent, rules.kept_adherence,
                                                                        targets.adherence)),
    }
    written = write_outputs(out, files)
    total = team.row(-1, named=True)
    console.print(f"agents kept to schedule {_pct(total['kept_share'])} of {total['agents']} agent-days "
                  f"(target {total['kept_target']:.0%}); time-based adherence {_pct(total['time_adherence'])}; "
                  f"conformance {_pct(total['conformance'])}; wrote {len(written)} files to {out}")


@app.command()
def kpi(
    forecast: Annotated[Path, typer.Option("--forecast", help="Forecast: queue, start, contacts[, aht_s].")],
    actuals: Annotated[Path, typer.Option("--actuals", help="Actual contacts (history): queue, start, contacts.")],
    out: OutOpt,
    requirements: RequirementsOpt = None,
    roster: RosterOpt = None,
    sessions: SessionsOpt = None,
    messages: MessagesOpt = None,
    config: Annotated[Path, typer.Option("--config", "-c", help="The center file (queues, targets).")] = Path(
        "center.toml"),
) -> None:
    """Forecast, staffing and schedule accuracy per day, week and queue; chat session quality."""
    from wfm.errors import InputError

    cfg = load_config(config)
    if (roster is None) != (requirements is None):
        raise InputError("schedule accuracy needs both --roster and --requirements", column="--roster",
                         fix="give both files, or neither")
    if (sessions is None) != (messages is None):
        raise InputError("chat measures need both --sessions and --messages", column="--sessions",
                         fix="give both files, or neither")
    fc = read_forecast(forecast, cfg).frame
    hist = read_history(actuals, cfg)
    for text in hist.notes:
        note(text)
    req = read_requirements(requirements, cfg).frame if requirements else None
    ros = read_roster_checked(roster) if roster else None
    try:
        acc = planning_accuracy(cfg, forecast=fc, actuals=hist.frame, requirements=req, roster=ros)
    except ModuleNotFoundError as exc:
        if exc.name != "wfm.staffing":
            raise
        note("the staffing engine (wfm.staffing) is not installed; staffing accuracy is left out")
        acc = planning_accuracy(cfg, forecast=fc, actuals=hist.frame, requirements=req, roster=ros, staffing=False)
    levels = forecast_accuracy_by_level(fc, hist.frame, cfg.targets.forecast_accuracy)
    files: dict[str, object] = {"accuracy.csv": acc, "forecast_by_level.csv": levels}
    chat = None
    if sessions and messages:
        s, m = read_sessions(sessions, messages)
        per, chat = session_measures(s, m, SessionRules.from_config(cfg))
        files |= {"sessions.csv": per, "session_summary.csv": chat}
    files["report.md"] = kpi_report(acc, chat, SessionRules.from_config(cfg).reply_seconds, levels).encode()
    files["accuracy_by_day.png"] = _png(lambda: plot_accuracy_by_day(acc))
    written = write_outputs(out, files)
    console.print(f"wrote {len(written)} files to {out}")


@app.command()
def logs(
    roster: Annotated[Path, typer.Option("--roster", help="The roster as exported: agent_id, date, activity, "
                                         "start, end[, skill].")],
    out: OutOpt,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed makes the same logs.")] = 0,
    chat_skill: Annotated[str, typer.Option("--chat-skill", help="Skill whose contacts are chat sessions.")] = "chat",
) -> None:
    """Make realistic demo logs for a roster: states.csv, sessions.csv, messages.csv, leave.csv."""
    from wfm.logs import LogGenerator

    made = LogGenerator(seed=seed, chat_skill=chat_skill).generate(read_roster_checked(roster))
    # logs keep whole seconds (reply times are measured in seconds)
    tables = {"states.csv": made.states, "sessions.csv": made.sessions, "messages.csv": made.messages,
              "leave.csv": made.leave, "scenarios.csv": made.scenarios}
    written = write_outputs(out, {name: _csv_seconds(df) for name, df in tables.items()})
    console.print(f"{made.states.height:,} states, {made.sessions.height:,} chat sessions, "
                  f"{made.leave.height} leave requests; wrote {len(written)} files to {out}")


def _csv_seconds(df: pl.DataFrame) -> Callable[[Path], None]:
    """A writer for :func:`wfm.io.write_outputs`: CSV with times to the second."""
    return lambda path: df.write_csv(path, datetime_format="%Y-%m-%d %H:%M:%S")


def _contracts(roster: pl.DataFrame, agents: Path | None, cfg: CenterConfig) -> dict[str, str]:
    """agent_id -> contract, from ``--agents`` (checked against the center's contracts) or the
    roster's optional ``contract`` column."""
    from wfm.io import read_agents

    out: dict[str, str] = {}
    if "contract" in roster.columns:
        out |= {a: c for a, c in roster.select("agent_id", "contract").unique("agent_id").iter_rows() if c}
    if agents:
        out |= dict(read_agents(agents, cfg).frame.select("agent_id", "contract").iter_rows())
    return out


def _known_agents(log: pl.DataFrame, roster: pl.DataFrame, file: str) -> None:
    """States of agents the roster never names (supervisors, a typo) are ignored, with a note."""
    extra = sorted(set(log["agent_id"].unique().to_list()) - set(roster["agent_id"].unique().to_list()))
    if extra:
        more = f" and {len(extra) - 5} more" if len(extra) > 5 else ""
        note(f"{file}: agents not on the roster are not measured ({len(extra)}): {', '.join(extra[:5])}{more}")


# ------------------------------------------------------------------------- reports
def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("pass" if ok else "**FAIL**")


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def adherence_report(days: pl.DataFrame, team: pl.DataFrame, per_agent: pl.DataFrame, warnings: pl.DataFrame,
                     rules: AttendanceRules) -> str:
    """The Markdown report of `wfm adherence`: team targets, attendance, pay and warnings."""
    t = team.row(-1, named=True)
    first, last = days["date"].min(), days["date"].max()
    out = [f"# Adherence {first} to {last}", "",
           (f"{t['agents']} rostered agent-days measured (leave days excluded), grace {rules.grace_minutes:g} min; "
            f"an agent-day is kept when the agent came and adherence >= {rules.kept_adherence:.0%}."), "",
           "## Team targets", "",
           _table(["measure", "value", "target", "result"], [
               ["agents kept to schedule (kept agent-days / rostered)", _pct(t["kept_share"]),
                f">= {t['kept_target']:.0%}", _verdict(t["kept_ok"])],
               ["time-based adherence (time in the scheduled activity / scheduled time)",
                _pct(t["time_adherence"]), "", ""],
               ["conformance (worked time / scheduled work time)", _pct(t["conformance"]), "", ""],
               ["aux + break share of logged time", _pct(t["aux_share"]), f"< {t['aux_target']:.0%}",
                _verdict(t["aux_ok"])],
               ["occupancy", _pct(t["occupancy"]), f">= {t['occupancy_target']:.0%}", _verdict(t["occupancy_ok"])],
           ]), "", f"## Attendance (more than {rules.late_bounds[-1]:g} min late counts as absent for the whole day)", ""]
    counts = dict(days.group_by("lateness").len().iter_rows())
    labels = {ON_TIME: "on time", LATE_LT_10: "late < 10 min", LATE_10_30: "late 10-30 min",
              LATE_30_60: "late 30-60 min", ABSENT: "absent (> 60 min or no login)", "leave": "on leave"}
    out += [_table(["class", "agent-days"], [[labels[k], str(counts.get(k, 0))] for k in labels]), "",
            (f"Early leaves: {int(days['early_leave'].sum())}. Paid hours: "
             f"{days.filter(pl.col('status') != 'leave')['paid_hours'].sum():.1f} of "
             f"{days.filter(pl.col('status') != 'leave')['scheduled_min'].sum() / 60:.1f} rostered "
             f"(pay factor by in-shift service ratio; late or early caps it at {rules.late_or_early_factor:.0%})."),
            ""]
    on_leave = days.filter(pl.col("status") == "leave")
    if on_leave.height:
        kinds = on_leave.group_by(pl.col("leave_kind").fill_null("unknown kind")).agg(
            n=pl.len(), ded=pl.col("pay_deduction").sum()).sort("leave_kind")
        out += [("Leave days of rostered shifts: " + ", ".join(f"{k} {n}" for k, n, _ in kinds.iter_rows())
                 + f"; pay deducted {on_leave['pay_deduction'].sum():.2f} day(s), leave hours paid "
                 f"{on_leave['paid_hours'].sum():.1f}; certificates needed: {int(on_leave['certificate_needed'].sum())}."),
                ""]
    low = per_agent.filter(pl.col("adherence") < rules.kept_adherence).sort("adherence")
    if low.height:
        out += ["Agents below the kept threshold: " + ", ".join(
            f"{a} {_pct(v)}" for a, v in low.select("agent_id", "adherence").iter_rows()) + ".", ""]
    out += ["## Warnings (leave filed without enough notice; absence without leave)", ""]
    flagged = warnings.filter(pl.col("warnings") > 0)
    if flagged.height:
        out.append(_table(["agent", "late notice", "absent without leave", "warnings", "suspended"], [
            [r["agent_id"], str(r["late_notice"]), str(r["absent_without_leave"]), str(r["warnings"]),
             f"from {r['suspended_from']:%Y-%m-%d} to {r['suspended_until']:%Y-%m-%d}" if r["suspended_from"] else "no"]
            for r in flagged.iter_rows(named=True)]))
    else:
        out.append("No warnings.")
    out += ["", "Files: agent_days.csv, agents.csv, team.csv, warnings.csv, warning_events.csv, "
            + "adherence_by_agent.png.", ""]
    return "\n".join(out)


def _floor(x: float | None) -> str:
    return "" if x is None else _pct(x)


def _result(ok: bool | None, miss: str | None) -> str:
    if ok is None or ok:
        return _verdict(ok)
    return {"noise": "**FAIL** (noise)", "forecast": "**FAIL** (forecast)"}.get(miss, "**FAIL**")


def kpi_report(acc: pl.DataFrame, chat: pl.DataFrame | None, reply_s: float = 60.0,
               levels: pl.DataFrame | None = None) -> str:
    """The Markdown report of `wfm kpi`: accuracy over the period against the targets, chat quality.

    Beside each forecast accuracy stands its noise floor, the best a perfect forecast of the
    rate could expect on that volume at that level, and each miss says whether it is noise
    (within two standard deviations of that floor) or forecasting (below that).
    """
    whole = acc.filter(pl.col("period") == "all")
    first, last = acc["period_start"].min(), acc["period_start"].max()
    out = [f"# Planning accuracy {first} to {last}", "",
           "Accuracy = 1 - sum|estimate - reference| / sum reference, the values summed to the level first "
           "(floored at 0). Best possible = the noise floor: what a perfect forecast of the contact rate "
           "scores on average at that level, Poisson noise being all that is left. A miss is *noise* when "
           "the score is within two standard deviations of that floor (no forecast could be sure to do "
           "better), *forecast* when it is below that.", "",
           _table(["measure", "queue / skill", "level", "reference", "estimate", "accuracy", "best possible",
                   "target", "result"], [
               [r["measure"], r["group"], r["level"], f"{r['reference']:,.0f}", f"{r['estimate']:,.0f}",
                _pct(r["accuracy"]), _floor(r["noise_floor"]), f">= {r['target']:.0%}", _result(r["ok"], r["miss"])]
               for r in whole.iter_rows(named=True)])]
    day = acc.filter(pl.col("period") == "day")
    missed = day.filter(~pl.col("ok").fill_null(False))
    n_noise = missed.filter(pl.col("miss") == "noise").height
    n_fc = missed.filter(pl.col("miss") == "forecast").height
    other = missed.height - n_noise - n_fc
    why = [f"{n_noise} noise (a perfect forecast could have scored the same)" if n_noise else "",
           f"{n_fc} forecasting" if n_fc else "", f"{other} staffing or schedule" if other else ""]
    why = ", ".join(w for w in why if w)
    out += ["", f"{missed.height} of {day.height} day scores miss their target" + (f": {why}" if why else "")
            + " (accuracy.csv has every day and week, with the noise floor and the cause of each miss)."]
    if levels is not None and levels.height:
        out += ["", "## Forecast accuracy at each level", "",
                "The finer the level, the more Poisson noise: the best possible falls with it.", "",
                _table(["queue", "level", "contacts", "accuracy", "best possible", "target", "result"], [
                    [r["group"], r["level"], f"{r['reference']:,.0f}", _pct(r["accuracy"]), _floor(r["noise_floor"]),
                     f">= {r['target']:.0%}", _result(r["ok"], r["miss"])]
                    for r in levels.sort(pl.col("group") == "all", "group", maintain_order=True).iter_rows(named=True)])]
    measures = set(acc["measure"])
    if "staffing" not in measures:
        out += ["", "Staffing accuracy was not measured: the staffing engine (wfm.staffing) is not installed."]
    if chat is not None:
        c = chat.filter(pl.col("agent_id") == "all").row(0, named=True)
        out += ["", "## Chat sessions", "",
                _table(["measure", "value", "target", "result"], [
                    ["sessions (valid)", f"{c['sessions']} ({c['valid']})", "", ""],
                    ["invalid-session rate", _pct(c["invalid_rate"]), "", ""],
                    ["lead ratio", _pct(c["lead_ratio"]), "", ""],
                    ["lost-session rate", _pct(c["lost_rate"]), "", ""],
                    ["delayed-session rate", _pct(c["delayed_rate"]), "", ""],
                    ["total session time", f"{c['session_hours']:.1f} h", "", ""],
                    ["satisfied (of rated)", _pct(c["satisfied_share"]), f">= {c['satisfied_target']:.0%}",
                     _verdict(c["satisfied_ok"])],
                    ["dissatisfied (of rated)", _pct(c["dissatisfied_share"]), f"<= {c['dissatisfied_target']:.0%}",
                     _verdict(c["dissatisfied_ok"])],
                    [f"replies slower than {reply_s:g} s", _pct(c["slow_1min_rate"]), "", ""],
                    ["replies slower than 3 min", _pct(c["slow_3min_rate"]), "", ""],
                ])]
    out.append("")
    return "\n".join(out)


# ------------------------------------------------------------------------- charts
def _png(draw: Callable[[], object]) -> Callable[[Path], None]:
    """A writer for :func:`wfm.io.write_outputs` that draws a matplotlib figure (Agg) and saves it as PNG."""

    def write(path: Path) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig = draw()
        try:
            fig.savefig(path, format="png", dpi=110, bbox_inches="tight")
        finally:
            plt.close(fig)

    return write


def plot_adherence_by_agent(per_agent: pl.DataFrame, threshold: float, target: float = 0.99):
    """Two bar panels per agent, each with the line that belongs to its measure.

    Left: time-based adherence over the period, with the kept threshold (a day is kept at
    adherence >= ``threshold``). Right: the share of the agent's measured days kept to schedule,
    with the adherence target (``target`` of agent-days kept).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = per_agent.sort("agent_id", descending=True)
    names = d["agent_id"].to_list()
    vals = d["adherence"].fill_null(0.0).to_numpy()
    measured = (d["shifts"] - d["leave_days"]).to_numpy()
    kept = d["kept_days"].to_numpy() / np.maximum(measured, 1)
    fig, (left, right) = plt.subplots(1, 2, sharey=True, figsize=(10, 0.28 * d.height + 1.6))
    left.barh(names, vals, color=["#c0392b" if v < threshold else "#2e86c1" for v in vals])
    left.axvline(threshold, color="black", linestyle="--", linewidth=1,
                 label=f"a day is kept at >= {threshold:.0%} time adherence")
    for y, (v, ab) in enumerate(zip(vals, d[ABSENT].to_list(), strict=True)):
        left.text(min(v, 1.0) + 0.005, y, f"{v:.0%}" + (f"  ({ab} absent)" if ab else ""), va="center", fontsize=7)
    left.set_xlim(0, 1.15)
    left.set_xlabel("time-based adherence (share of scheduled time in the scheduled activity)")
    left.set_title("Time-based adherence by agent")
    left.legend(loc="lower right", fontsize=8)
    right.barh(names, kept, color=["#c0392b" if v < target else "#27ae60" for v in kept])
    right.axvline(target, color="black", linestyle="-", linewidth=1, label=f"target {target:.0%} of agent-days kept")
    for y, (v, k, n) in enumerate(zip(kept, d["kept_days"].to_list(), measured.tolist(), strict=True)):
        right.text(min(v, 1.0) + 0.005, y, f"{k}/{n}", va="center", fontsize=7)
    right.set_xlim(0, 1.15)
    right.set_xlabel("share of the agent's measured days kept to schedule")
    right.set_title("Days kept to schedule by agent")
    right.legend(loc="lower right", fontsize=8)
    return fig


def plot_accuracy_by_day(acc: pl.DataFrame):
    """Lines: each measure's accuracy per day over all queues/skills, its target dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4))
    day = acc.filter(pl.col("period") == "day")
    colours = {"forecast": "#2e86c1", "staffing": "#27ae60", "schedule": "#8e44ad"}
    for measure in ("forecast", "staffing", "schedule"):
        d = day.filter(pl.col("measure") == measure)
        if not d.height:
            continue
        groups = d["group"].unique().to_list()
        d = d.filter(pl.col("group") == ("all" if "all" in groups else groups[0])).sort("period_start")
        c = colours[measure]
        ax.plot(d["period_start"].to_list(), d["accuracy"].to_list(), marker="o", color=c, label=f"{measure} accuracy")
        ax.axhline(float(d["target"][0]), color=c, linestyle="--", linewidth=1, alpha=0.7)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("accuracy (1 - WAPE)")
    ax.set_title("Planning accuracy by day (dashed: targets)")
    ax.legend(loc="lower left", fontsize=8)
    fig.autofmt_xdate()
    return fig
