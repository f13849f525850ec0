"""Gantt and coverage plots of a roster (matplotlib; the caller saves or shows the figure)."""

from __future__ import annotations

import numpy as np

from .types import RosterResult

COLOURS = {"shift": "#4c78a8", "break": "#f58518", "lunch": "#e45756", "leave": "#9d9d9d"}


def plot_gantt(result: RosterResult, day: int | None = None, max_agents: int = 60):
    """One row per agent: shifts, breaks, lunches and granted leave over the horizon (or one
    day). Returns the matplotlib Figure.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> from solvers.types import Problem, Grid, RosterResult
    >>> from datetime import date
    >>> fig = plot_gantt(RosterResult("OPTIMAL", 0, 0, 0, Problem(Grid(date(2026, 1, 5), 1), [], [])))
    """
    import matplotlib.pyplot as plt

    g = result.problem.grid
    rows = [r for r in result.roster_rows() if day is None or r["date"] == g.date_of(day)]
    agents = sorted({r["agent_id"] for r in rows})[:max_agents]
    index = {a: i for i, a in enumerate(agents)}
    t0 = g.at(day or 0, 0)
    fig, ax = plt.subplots(figsize=(12, 0.25 * len(agents) + 1.5))
    for r in rows:
        if r["agent_id"] not in index:
            continue
        left = (r["start"] - t0).total_seconds() / 3600
        width = (r["end"] - r["start"]).total_seconds() / 3600
        ax.barh(index[r["agent_id"]], width, left=left, height=0.8 if r["activity"] in
                ("shift", "leave") else 0.5, color=COLOURS.get(r["activity"], "#333333"))
    ax.set_yticks(range(len(agents)), agents, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(f"hours from {t0:%Y-%m-%d %H:%M}")
    ax.set_title("roster")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in COLOURS.values()]
    ax.legend(handles, list(COLOURS), loc="upper right", fontsize=7)
    fig.tight_layout()
    return fig


def plot_coverage(result: RosterResult, skill: str | None = None):
    """Agents on line vs required per interval, one panel per skill. Returns the Figure."""
    import matplotlib.pyplot as plt

    g = result.problem.grid
    cov = result.coverage()
    skills = [skill] if skill else sorted(cov)
    fig, axes = plt.subplots(len(skills) or 1, 1, figsize=(12, 2.5 * max(len(skills), 1)),
                             squeeze=False)
    hours = np.arange(g.days * g.intervals_per_day) * g.interval_min / 60
    for ax, k in zip(axes[:, 0], skills):
        req = np.asarray(result.problem.requirement.get(k, np.zeros_like(cov[k]))).ravel()
        ax.step(hours, req, where="post", color="black", label="required")
        ax.step(hours, cov[k].ravel(), where="post", color=COLOURS["shift"], label="on line")
        ax.set_title(f"coverage: {k}")
        ax.set_xlabel(f"hours from {g.at(0, 0):%Y-%m-%d}")
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
