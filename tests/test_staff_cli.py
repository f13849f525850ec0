"""`wfm staff`: the file mode and the quick calculator, errors as one line."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
import typer.main

from wfm.cli import main
from wfm.cli.app import app
from wfm.cli.staff import parse_interval, parse_service_level
from wfm.errors import InputError

SAMPLE = Path(__file__).resolve().parents[1] / "wfm" / "data" / "center.toml"


def run(*args: str) -> int:
    # with one registered command Typer runs it directly; with several it is a subcommand
    prefix = ["staff"] if hasattr(typer.main.get_command(app), "commands") else []
    return main([*prefix, *args])


def test_calculator_reproduces_the_published_example(capsys):
    rc = run("--calls", "100", "--aht", "180", "--interval", "30m", "--sl", "80/20", "--shrinkage", "0.3",
             "--max-occupancy", "0.85")
    out = capsys.readouterr().out
    assert rc == 0
    assert "10.00 Erlangs" in out
    assert "required: 14 agents on line, 20 scheduled at 30% shrinkage" in out
    row14 = next(line for line in out.splitlines() if line.strip("│ ").startswith("14 "))
    assert "88.8%" in row14 and "7.8" in row14 and "17.4%" in row14 and "71.4%" in row14
    assert out.count("│") > 20  # a table around the requirement, 11 to 17 agents
    assert any(line.strip("│ ").startswith("11 ") for line in out.splitlines())


def test_calculator_with_patience_uses_erlang_a(capsys):
    rc = run("--calls", "100", "--aht", "180", "--interval", "30m", "--sl", "80/20", "--patience", "120",
             "--max-abandon", "0.05")
    out = capsys.readouterr().out
    assert rc == 0 and "Erlang A" in out and "required: 13 agents on line" in out


def test_calculator_chat_concurrency_halves_the_load(capsys):
    assert run("--calls", "120", "--aht", "240", "--concurrency", "2", "--sl", "80/60") == 0
    out = capsys.readouterr().out
    assert "= 8.00" in out and "2 sessions per agent" in out


@pytest.mark.parametrize("args,message", [
    (("--calls", "100", "--sl", "80"), "--sl '80' is not a service-level target"),
    (("--calls", "100", "--sl", "120/20"), "--sl '120/20' is impossible"),
    (("--calls", "100", "--interval", "half an hour"), "--interval 'half an hour' is not an interval length"),
    (("--calls", "100", "--shrinkage", "1.2"), "--shrinkage 1.2 is impossible"),
    (("--calls", "-5"), "--calls -5 is impossible"),
    (("--calls", "10", "--aht", "0"), "--aht 0 is impossible"),
    (("--calls", "10", "--max-abandon", "0.05"), "--max-abandon needs --patience"),
    ((), "nothing to staff"),
])
def test_bad_flags_are_one_clear_error_line(capsys, args, message):
    assert run(*args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and err.startswith("error:")


def test_file_mode_writes_requirements_and_prints_a_summary(tmp_path, capsys):
    start = datetime(2026, 11, 16, 8)
    rows = [(q, (start + timedelta(minutes=30 * i)).strftime("%Y-%m-%d %H:%M"), v)
            for q in ("calls", "chat", "email", "posts", "forms") for i, v in enumerate([0, 20, 80, 150, 60, 10])]
    fc = tmp_path / "forecast.csv"
    pl.DataFrame(rows, schema=["queue", "start", "contacts"], orient="row").write_csv(fc)
    out = tmp_path / "out" / "requirements.csv"
    rc = run("--forecast", str(fc), "--config", str(SAMPLE), "--out", str(out))
    assert rc == 0, capsys.readouterr().err
    req = pl.read_csv(out)
    assert req.height == 30 and {"queue", "start", "agents", "net_agents", "backlog"} <= set(req.columns)
    assert req.filter(pl.col("contacts") == 0, pl.col("queue") == "calls")["agents"].to_list() == [0]
    printed = capsys.readouterr().out
    assert all(q in printed for q in ("calls", "chat", "email", "posts", "forms"))


def test_file_mode_reports_a_bad_forecast_row(tmp_path, capsys):
    fc = tmp_path / "forecast.csv"
    fc.write_text("queue,start,contacts\ncalls,2026-11-16 08:00,-3\n")
    assert run("--forecast", str(fc), "--config", str(SAMPLE), "--out", str(tmp_path / "r.csv")) == 2
    err = capsys.readouterr().err
    assert "row 2" in err and "contacts" in err and not (tmp_path / "r.csv").exists()


def test_parsers():
    assert parse_interval("30m") == 1800 and parse_interval("1h") == 3600 and parse_interval("900s") == 900
    assert parse_service_level("80/20") == (0.8, 20.0) and parse_service_level("90%/15s") == (0.9, 15.0)
    with pytest.raises(InputError):
        parse_interval("0m")
