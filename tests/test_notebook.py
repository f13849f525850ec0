"""The planner's walk-through runs top to bottom."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def test_weekly_plan_notebook_runs(tmp_path):
    nb = nbformat.read(ROOT / "notebooks" / "weekly_plan.ipynb", as_version=4)
    os.environ.setdefault("MPLBACKEND", "Agg")
    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = f"{ROOT}{os.pathsep}{env_path}" if env_path else str(ROOT)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    last = nb.cells[-1].outputs
    assert last and "agent_id" in str(last[0].get("data", {}))
