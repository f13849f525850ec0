"""`wfm init DIR`: write a sample center a planner can edit."""

from __future__ import annotations

from pathlib import Path

import typer

from wfm.cli.app import app, console


@app.command("init")
def init(
    folder: Path = typer.Argument(..., help="Folder to create the sample center in (created if missing)."),
    weeks: int = typer.Option(10, min=2, max=104, help="Weeks of history to generate."),
    seed: int = typer.Option(None, help="Random seed (default: the sample center's seed)."),
    force: bool = typer.Option(False, "--force", help="Overwrite the sample files if they exist."),
) -> None:
    """Write a sample center: center.toml (queues, hours, targets, shifts, contracts, rules),
    history.csv (contacts per queue and interval), agents.csv, leave.csv, and actuals.csv
    (the plan week as it really happened, for `wfm kpi` afterwards).

    Edit the files, then run `wfm plan -c DIR/center.toml --history DIR/history.csv --agents DIR/agents.csv`.
    """
    from wfm.sample import write_sample_center

    paths = write_sample_center(folder, weeks=weeks, seed=seed, force=force)
    for path in paths.values():
        console.print(f"wrote {path}")
    console.print(f"\nnext: wfm plan -c {folder}/center.toml --history {folder}/history.csv "
                  f"--agents {folder}/agents.csv --leave {folder}/leave.csv --out {folder}/plan")
