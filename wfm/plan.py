"""The weekly plan: history -> forecast -> requirements -> roster, and its summary.

>>> from wfm.sample import sample_config_path  # doctest: +SKIP
>>> result = run_plan(cfg, history, agents)     # doctest: +SKIP
>>> result.summary["coverage"]                   # doctest: +SKIP
0.97
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from wfm.config import CenterConfig
from wfm.forecasting import ForecastStage, forecast_week
from wfm.io import write_outputs
from wfm.schedule import ScheduleStage, schedule_week
from wfm.staffing import requirements as staff_requirements

Step = Callable[[str], None]


@dataclass
class PlanResult:
    """Everything one run of the weekly plan produced."""

    week: date
    forecast: ForecastStage
    requirements: pl.DataFrame
    schedule: ScheduleStage
    summary: dict


def solver_text(status: str, objective: float | None, bound: float | None, seconds: float,
                wall_cut: tuple | list = ()) -> str:
    """The solver's outcome in a planner's words: the roster's cost and how far from the best
    possible roster it can be (the gap to the proved lower bound, ``(cost - bound) / cost``).

    >>> solver_text("FEASIBLE", 804.0, 798.0, 59.4)
    'FEASIBLE in 59.4 s: cost 804, lower bound 798 (gap 0.75 %: no roster costs less than 798)'
    >>> solver_text("OPTIMAL", 300.0, 300.0, 1.25)
    'OPTIMAL in 1.2 s: cost 300, the best possible (proved)'
    >>> solver_text("FEASIBLE", 50.0, None, 3)
    'FEASIBLE in 3.0 s: cost 50, no lower bound proved'
    >>> solver_text("FEASIBLE", 50.0, None, 20.1, ("main search",))[-75:]
    'main search cut short by the time limit: a rerun may differ; give more time'
    """
    if wall_cut:
        core = solver_text(status, objective, bound, seconds)
        return (f"{core}; {', '.join(wall_cut)} cut short by the time limit: a rerun may differ; "
                "give more time")
    head = f"{status} in {seconds:.1f} s"
    if objective is None:
        return head
    if status == "OPTIMAL":
        return f"{head}: cost {objective:g}, the best possible (proved)"
    gap = solver_gap(objective, bound)
    if gap is None:
        return f"{head}: cost {objective:g}, no lower bound proved"
    return (f"{head}: cost {objective:g}, lower bound {bound:g} (gap {100 * gap:.2g} %: no roster "
            f"costs less than {bound:g})")


def solver_gap(objective: float | None, bound: float | None) -> float | None:
    """``(objective - bound) / objective``: how much less than the roster the best possible
    roster can cost, as a share of the roster's cost (``None`` without both)."""
    if objective is None or bound is None or not bound > float("-inf"):
        return None
    return (objective - bound) / max(abs(objective), 1e-9)


def summarise(cfg: CenterConfig, forecast: pl.DataFrame, requirements: pl.DataFrame,
              schedule: ScheduleStage) -> dict:
    """The figures a planner checks first.

    * ``coverage``: share of required agent-intervals that are covered,
      ``sum(min(scheduled, required)) / sum(required)`` over every skill and open interval.
    * ``schedule_accuracy``: ``1 - sum|scheduled - required| / sum(required)`` over agent-intervals
      (docs/domain.md section 2: >= 90 %), as :func:`wfm.kpi.schedule_accuracy` measures it afterwards (agents on
      line where nothing is required count as error too).
    """
    from wfm.kpi import schedule_accuracy

    hours = cfg.interval / 60.0
    cov = schedule.coverage
    required = float(cov["required"].sum())
    covered = float(cov.select(pl.min_horizontal("required", "scheduled")).to_series().sum())
    acc = schedule_accuracy(schedule.roster, requirements, cfg) if schedule.roster.height else None
    overall = acc.filter((pl.col("group") == "all") & (pl.col("period") == "all")) if acc is not None else None
    shifts = schedule.roster.filter(pl.col("activity") == "shift")
    paid = float(((shifts["end"] - shifts["start"]).dt.total_minutes().sum() or 0) / 60.0)
    return {
        "week": schedule.coverage["start"].min().date().isoformat() if cov.height else "",
        "contacts_forecast": float(forecast["contacts"].sum()),
        "agent_hours_required": required * hours,
        "agent_hours_scheduled_on_line": float(cov["scheduled"].sum()) * hours,
        "agent_hours_paid": paid,
        "coverage": covered / required if required else 1.0,
        "schedule_accuracy": float(overall["accuracy"].item()) if overall is not None and overall.height else 0.0,
        "intervals_understaffed": int((cov["scheduled"] < cov["required"]).sum()),
        "intervals_with_nobody": int(((cov["scheduled"] == 0) & (cov["required"] > 0)).sum()),
        "shifts": shifts.height,
        "agents_rostered": shifts["agent_id"].n_unique(),
        "leave_granted": int(schedule.leave["granted"].sum()) if schedule.leave.height else 0,
        "leave_refused": int((~schedule.leave["granted"]).sum()) if schedule.leave.height else 0,
        "solver_status": schedule.status,
        "solver_objective": schedule.objective,
        "solver_bound": schedule.bound,
        "solver_seconds": round(schedule.wall_time_s, 2),
        "solver_gap": solver_gap(schedule.objective, schedule.bound),
        "solver_work": round(schedule.work, 3),
        # True when no search was cut by the time limit: any machine gives this roster
        "solver_deterministic": not schedule.wall_cut,
        "solver_cut_by_time_limit": list(schedule.wall_cut),
    }


def run_plan(cfg: CenterConfig, history: pl.DataFrame, agents: pl.DataFrame,
             leave: pl.DataFrame | None = None, *, week: date | None = None,
             time_limit_s: float | None = None, step: Step | None = None,
             special_days: pl.DataFrame | None = None, work: float | None = None) -> PlanResult:
    """Run the three stages for the week after the history (or ``week``).

    ``step`` is called with the name of each stage as it starts (for a progress display).
    """
    step = step or (lambda _name: None)
    step("forecast")
    fc = forecast_week(cfg, history, week, special_days=special_days)
    step("staffing")
    req = staff_requirements(fc.forecast, cfg)
    step("roster")
    sched = schedule_week(cfg, req, agents, leave, fc.week, time_limit_s=time_limit_s, work=work)
    return PlanResult(fc.week, fc, req, sched, summarise(cfg, fc.forecast, req, sched))


def plan_outputs(result: PlanResult, history: pl.DataFrame, *, plots: bool = True) -> dict:
    """The files of a plan run, ready for :func:`wfm.io.write_outputs`."""
    from wfm import plots as P

    import json

    files: dict = {
        "summary.json": json.dumps(result.summary, indent=2).encode(),
        "forecast.csv": result.forecast.forecast,
        "requirements.csv": result.requirements,
        "roster.csv": result.schedule.roster,
        "coverage.csv": result.schedule.coverage,
    }
    if result.schedule.leave.height:
        files["leave_decisions.csv"] = result.schedule.leave
    if result.forecast.scores.height:
        files["forecast_scores.csv"] = result.forecast.scores
    if plots:
        files["forecast.png"] = P.saver(P.plot_forecast(history, result.forecast.forecast))
        files["coverage.png"] = P.saver(P.plot_coverage(result.schedule.coverage))
        files["roster.png"] = P.saver(P.plot_roster(result.schedule.roster))
    return files


def write_plan(folder: str | Path, result: PlanResult, history: pl.DataFrame, *, plots: bool = True) -> list[Path]:
    """Write every output of the plan atomically into ``folder``."""
    return write_outputs(folder, plan_outputs(result, history, plots=plots))
