"""The command as a planner meets it: help, init, and user mistakes as one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from wfm.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run_wfm(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-c", "from wfm.cli import _entry; _entry()", *args],
                          cwd=cwd or ROOT, capture_output=True, text=True, env=env)


@pytest.mark.parametrize("command", ["plan", "forecast", "staff", "schedule", "init"])
def test_every_stage_has_help(command, capsys):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Usage" in out and "--help" in out


def test_init_writes_an_editable_center(tmp_path, capsys):
    assert main(["init", str(tmp_path / "c"), "--weeks", "3"]) == 0
    names = sorted(p.name for p in (tmp_path / "c").iterdir())
    assert names == ["actuals.csv", "agents.csv", "center.toml", "history.csv", "leave.csv"]
    # refusing to overwrite a planner's files
    assert main(["init", str(tmp_path / "c")]) == 2
    assert "already exists" in capsys.readouterr().err


def test_bad_history_is_one_line_without_traceback(tmp_path):
    assert main(["init", str(tmp_path), "--weeks", "3"]) == 0
    hist = tmp_path / "history.csv"
    lines = hist.read_text().splitlines()
    lines[5] = lines[5].replace(",", ",", 2)
    parts = lines[5].split(",")
    parts[2] = "-3"
    lines[5] = ",".join(parts)
    hist.write_text("\n".join(lines) + "\n")
    out = tmp_path / "plan"
    proc = run_wfm("plan", "-c", str(tmp_path / "center.toml"), "--history", str(hist),
                   "--agents", str(tmp_path / "agents.csv"), "--out", str(out), "--quiet")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    err = " ".join(proc.stderr.split())
    assert "history.csv, row 6, column 'contacts': -3 is negative" in err
    assert not out.exists()  # nothing half-written


def test_bad_config_names_the_key(tmp_path):
    cfg = tmp_path / "center.toml"
    cfg.write_text('[center]\ninterval_minute = 30\n[queues.calls]\nchannel = "inbound_call"\n')
    proc = run_wfm("forecast", "-c", str(cfg), "--history", str(tmp_path / "h.csv"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    err = " ".join(proc.stderr.split())
    assert "key 'center.interval_minute'" in err and "did you mean 'interval_minutes'" in err


def test_missing_file(tmp_path):
    proc = run_wfm("plan", "-c", str(tmp_path / "nope.toml"), "--history", "x.csv", "--agents", "y.csv")
    assert proc.returncode == 2 and "file not found" in proc.stderr and "wfm init" in proc.stderr


def test_forecast_with_backtest_writes_accuracy_by_level(tmp_path):
    import polars as pl

    assert main(["init", str(tmp_path / "c"), "--weeks", "6"]) == 0
    c = tmp_path / "c"
    out = tmp_path / "fc" / "forecast.csv"
    assert main(["forecast", "-c", str(c / "center.toml"), "--history", str(c / "history.csv"),
                 "--out", str(out), "--backtest"]) == 0
    fc = pl.read_csv(out, try_parse_dates=True)
    assert fc.columns == ["queue", "start", "contacts", "lo", "hi", "aht_s", "model"]
    assert fc["start"].min().date().isoformat() == "2026-11-16"  # the week after the history
    acc = pl.read_csv(tmp_path / "fc" / "backtest_accuracy.csv")
    assert set(acc["level"]) == {"interval", "hour", "day"}
    assert "all" in set(acc["queue"])
    # summing to days cancels interval noise: day accuracy is never below interval accuracy overall
    best = acc.filter(pl.col("queue") == "all").group_by("level").agg(pl.col("accuracy").max())
    d = dict(best.iter_rows())
    assert d["day"] >= d["hour"] - 1e-9 and d["hour"] >= d["interval"] - 1e-9
    assert (tmp_path / "fc" / "forecast.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "fc" / "backtest.png").read_bytes()[:4] == b"\x89PNG"


def test_infeasible_roster_names_the_rule_and_the_date(tmp_path, capsys):
    """One agent cannot keep a 12-hour day covered with 8-hour shifts: say which rule, which day."""
    (tmp_path / "center.toml").write_text(
        "[center]\ninterval_minutes = 60\n[hours]\n" + "".join(
            f'{d} = "{"08:00-20:00" if d in ("mon", "tue") else "closed"}"\n'
            for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
        + '[queues.calls]\nchannel = "inbound_call"\nskill = "voice"\n'
        + '[shifts.day8]\nminutes = 480\nearliest_start = "08:00"\nlatest_start = "12:00"\nstep_minutes = 60\n'
        + '[contracts.ft]\nshifts = ["day8"]\nmin_days_per_week = 0\n')
    (tmp_path / "req.csv").write_text("queue,start,agents\ncalls,2026-11-16 08:00,1\ncalls,2026-11-17 08:00,1\n")
    (tmp_path / "agents.csv").write_text("agent_id,contract,skills\nA1,ft,voice\n")
    code = main(["schedule", "-c", str(tmp_path / "center.toml"), "--requirements", str(tmp_path / "req.csv"),
                 "--agents", str(tmp_path / "agents.csv"), "--out", str(tmp_path / "roster.csv"),
                 "--time-limit", "10"])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2
    assert "continuous coverage" in err and "2026" in err and "Nov" in err
    assert not (tmp_path / "roster.csv").exists()
