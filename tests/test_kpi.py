"""Planning accuracy (forecast, staffing, schedule) on hand-made frames, and the `wfm kpi` command."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

import wfm.kpi
from wfm.cli import main
from wfm.config import CenterConfig
from wfm.kpi import (
    accuracy_table,
    forecast_accuracy,
    schedule_accuracy,
    scheduled_agents,
    staffing_accuracy,
)

CONFIG = """
[center]
interval_minutes = 30
[hours]
mon = "09:00-11:00"
tue = "09:00-11:00"
[queues.calls]
channel = "inbound_call"
skill = "voice"
aht_seconds = 180
[queues.chat]
channel = "chat"
skill = "chat"
aht_seconds = 240
"""


def cfg() -> CenterConfig:
    return CenterConfig.from_toml_text(CONFIG)


def t(d: int, h: int, m: int = 0) -> datetime:
    return datetime(2026, 11, d, h, m)


def frame(rows, value: str) -> pl.DataFrame:
    return pl.DataFrame(rows, orient="row", schema=["queue", "start", value])


def pick(acc: pl.DataFrame, period: str, group: str, start: date | None = None, measure: str | None = None) -> float:
    f = acc.filter((pl.col("period") == period) & (pl.col("group") == group))
    if measure is not None:
        f = f.filter(pl.col("measure") == measure)
    if start is not None:
        f = f.filter(pl.col("period_start") == start)
    return f["accuracy"].item()


def test_forecast_accuracy_per_day_week_queue_and_all():
    fc = frame([("a", t(2, 9), 90.0), ("a", t(2, 10), 110.0), ("b", t(2, 9), 50.0), ("a", t(9, 9), 100.0)],
               "contacts")
    ac = frame([("a", t(2, 9), 100.0), ("a", t(2, 10), 100.0), ("b", t(2, 9), 40.0), ("a", t(9, 9), 80.0)],
               "contacts")
    acc = forecast_accuracy(fc, ac)
    # queue a, Mon 2 Nov: |90-100| + |110-100| = 20 of 200 -> 0.90
    assert pick(acc, "day", "a", date(2026, 11, 2)) == pytest.approx(0.90)
    # queue b, Mon 2 Nov: 10 of 40 -> 0.75 (misses the 90 % target)
    assert pick(acc, "day", "b", date(2026, 11, 2)) == pytest.approx(0.75)
    row = acc.filter((pl.col("period") == "day") & (pl.col("group") == "b")).row(0, named=True)
    assert row["target"] == 0.90 and row["ok"] is False
    # all queues, Mon 2 Nov: 30 of 240 -> 0.875
    assert pick(acc, "day", "all", date(2026, 11, 2)) == pytest.approx(1 - 30 / 240)
    # week of Mon 9 Nov, queue a: 20 of 80 -> 0.75
    assert pick(acc, "week", "a", date(2026, 11, 9)) == pytest.approx(0.75)
    # whole period, queue a: 40 of 280; all: 50 of 320
    assert pick(acc, "all", "a") == pytest.approx(1 - 40 / 280)
    assert pick(acc, "all", "all") == pytest.approx(1 - 50 / 320)


def test_accuracy_edges_missing_side_zero_reference_and_floor():
    # an interval only in the actuals counts as forecast 0; an over-forecast beyond 2x floors at 0
    fc = frame([("a", t(2, 9), 300.0), ("z", t(2, 9), 0.0)], "contacts")
    ac = frame([("a", t(2, 9), 100.0), ("a", t(2, 10), 50.0), ("z", t(2, 9), 0.0)], "contacts")
    acc = forecast_accuracy(fc, ac)
    assert pick(acc, "all", "a") == 0.0  # 1 - (200 + 50) / 150 < 0 -> 0
    assert pick(acc, "all", "z") == 1.0  # nothing forecast, nothing came
    only_est = accuracy_table(frame([("q", t(2, 9), 3.0)], "e").with_columns(r=pl.lit(0.0)),
                              group="queue", estimate="e", reference="r", measure="x")
    assert only_est["accuracy"].null_count() == only_est.height  # reference 0, estimate 3: undefined


def simple_staff(contacts: pl.DataFrame, _cfg) -> pl.DataFrame:
    """A plain workload rule: agents = ceil(contacts x AHT / 1800 s)."""
    return contacts.select("queue", "start", agents=(pl.col("contacts") * pl.col("aht_s") / 1800).ceil())


def test_staffing_accuracy_goes_through_the_same_engine():
    fc = frame([("calls", t(2, 9), 100.0), ("calls", t(2, 9, 30), 50.0)], "contacts")
    ac = frame([("calls", t(2, 9), 120.0), ("calls", t(2, 9, 30), 50.0)], "contacts")  # no aht_s: 180 from config
    acc = staffing_accuracy(fc, ac, cfg(), staff=simple_staff)
    # forecast: 100 x 180 / 1800 = 10, 50 -> 5 agents; actual: 120 -> 12, 50 -> 5; error 2 of 17
    assert pick(acc, "all", "calls") == pytest.approx(1 - 2 / 17)
    assert set(acc["measure"]) == {"staffing"}
    calls = []
    acc = staffing_accuracy(fc, ac, cfg(), staff=lambda f, c: calls.append(f.height) or simple_staff(f, c))
    assert calls == [2, 2]  # the engine ran once for the forecast, once for the actuals


def roster_rows(*rows) -> pl.DataFrame:
    return pl.DataFrame([(a, date(2026, 11, 2), act, t(2, *s), t(2, *e), sk) for a, act, s, e, sk in rows],
                        orient="row", schema=["agent_id", "date", "activity", "start", "end", "skill"])


def test_scheduled_agents_leave_out_lunch_and_leave():
    r = roster_rows(("a", "shift", (9, 0), (11, 0), "voice"), ("a", "lunch", (10, 0), (10, 30), "voice"),
                    ("b", "shift", (9, 0), (10, 0), "voice"),
                    ("c", "shift", (9, 0), (11, 0), "voice"), ("c", "leave", (0, 0), (23, 0), "voice"))
    s = scheduled_agents(r, 30)
    # 09:00 a+b, 09:30 a+b, 10:00 nobody (a at lunch), 10:30 a; c is on leave
    assert s.select("start", "agents").rows() == [(t(2, 9), 2.0), (t(2, 9, 30), 2.0), (t(2, 10, 30), 1.0)]


def test_schedule_accuracy_per_skill():
    r = roster_rows(("a", "shift", (9, 0), (11, 0), "voice"), ("a", "lunch", (10, 0), (10, 30), "voice"),
                    ("b", "shift", (9, 0), (10, 0), "voice"), ("d", "shift", (9, 0), (9, 30), "chat"))
    req = frame([("calls", t(2, 9), 2.0), ("calls", t(2, 9, 30), 1.0), ("calls", t(2, 10), 1.0),
                 ("calls", t(2, 10, 30), 1.0), ("chat", t(2, 9), 1.0)], "agents")
    acc = schedule_accuracy(r, req, cfg())
    # voice: scheduled 2, 2, 0, 1 vs required 2, 1, 1, 1 -> error 0 + 1 + 1 + 0 = 2 of 5 -> 0.6
    assert pick(acc, "all", "voice") == pytest.approx(0.6)
    assert pick(acc, "all", "chat") == pytest.approx(1.0)  # 1 scheduled, 1 required
    assert pick(acc, "all", "all") == pytest.approx(1 - 2 / 6)


# ------------------------------------------------------------------------- the command
def _write(df: pl.DataFrame, path) -> None:
    df.write_csv(path, datetime_format="%Y-%m-%d %H:%M:%S")


def _inputs(tmp_path) -> list[str]:
    (tmp_path / "center.toml").write_text(CONFIG)
    starts = [t(2, 9), t(2, 9, 30), t(2, 10), t(2, 10, 30), t(3, 9), t(3, 9, 30), t(3, 10), t(3, 10, 30)]
    actual = [20.0, 30.0, 30.0, 20.0, 10.0, 10.0, 10.0, 10.0]
    fc = [20.0, 30.0, 30.0, 20.0, 20.0, 20.0, 20.0, 20.0]  # Monday exact, Tuesday double
    _write(pl.DataFrame({"queue": "calls", "start": starts, "contacts": actual}), tmp_path / "history.csv")
    _write(pl.DataFrame({"queue": "calls", "start": starts, "contacts": fc, "aht_s": 180.0}), tmp_path / "fc.csv")
    _write(pl.DataFrame({"queue": "calls", "start": starts, "agents": 1.0}), tmp_path / "req.csv")
    r = pl.concat([roster_rows(("a", "shift", (9, 0), (11, 0), "voice")),
                   roster_rows(("a", "shift", (9, 0), (11, 0), "voice")).with_columns(
                       date=pl.lit(date(2026, 11, 3)), start=pl.lit(t(3, 9)), end=pl.lit(t(3, 11)))])
    _write(r, tmp_path / "roster.csv")
    _write(pl.DataFrame({"session_id": ["s1", "s2"], "agent_id": ["a", "a"], "start": [t(2, 9), t(2, 10)],
                         "end": [t(2, 9, 5), t(2, 10, 5)], "satisfaction": ["Very satisfied", ""],
                         "lead_captured": ["yes", "no"]}), tmp_path / "sessions.csv")
    _write(pl.DataFrame({"session_id": ["s1", "s1", "s2"], "side": ["customer", "agent", "customer"],
                         "at": [t(2, 9), t(2, 9, 1), t(2, 10)]}), tmp_path / "messages.csv")
    return ["kpi", "--forecast", str(tmp_path / "fc.csv"), "--actuals", str(tmp_path / "history.csv"),
            "--requirements", str(tmp_path / "req.csv"), "--roster", str(tmp_path / "roster.csv"),
            "--config", str(tmp_path / "center.toml")]


def test_cli_kpi_writes_accuracy_report_and_chart(tmp_path, monkeypatch):
    monkeypatch.setattr(wfm.kpi, "default_staff", simple_staff)
    out = tmp_path / "out"
    args = _inputs(tmp_path) + ["--sessions", str(tmp_path / "sessions.csv"),
                                "--messages", str(tmp_path / "messages.csv"), "--out", str(out)]
    assert main(args) == 0
    assert {p.name for p in out.iterdir()} == {"accuracy.csv", "report.md", "accuracy_by_day.png", "sessions.csv",
                                                "session_summary.csv", "forecast_by_level.csv"}
    acc = pl.read_csv(out / "accuracy.csv", try_parse_dates=True)
    # forecast: Monday exact (1.0); Tuesday 40 too many of 40 -> 0.0; period 40 of 140
    assert pick(acc, "day", "calls", date(2026, 11, 2), "forecast") == 1.0
    assert pick(acc, "day", "calls", date(2026, 11, 3), "forecast") == 0.0
    fc_all = acc.filter((pl.col("measure") == "forecast") & (pl.col("period") == "all"))["accuracy"].item()
    assert fc_all == pytest.approx(1 - 40 / 140, abs=1e-4)  # CSV keeps 4 decimals
    # staffing: agents ceil(c x 180 / 1800): Mon 2,3,3,2 both; Tue forecast 2,2,2,2 vs actual 1,1,1,1 -> 4 of 14
    st = acc.filter((pl.col("measure") == "staffing") & (pl.col("period") == "all"))["accuracy"].item()
    assert st == pytest.approx(1 - 4 / 14, abs=1e-4)
    # schedule: one agent 09-11 both days, 1 required each interval -> exact
    sc = acc.filter((pl.col("measure") == "schedule") & (pl.col("period") == "all"))["accuracy"].item()
    assert sc == 1.0
    report = (out / "report.md").read_text()
    assert f"| forecast | calls | day | 140 | 180 | {1 - 40 / 140:.1%} | " in report
    assert "| >= 90% | **FAIL** (forecast) |" in report  # 40 too many of 40 on Tuesday: not noise
    # chat: s1 rated very satisfied, s2 lost (customer spoke, no answer) and unrated
    assert "| satisfied (of rated) | 100.0% | >= 80% | pass |" in report
    assert "| lost-session rate | 50.0% |  |  |" in report
    assert (out / "accuracy_by_day.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_kpi_without_staffing_engine_notes_and_goes_on(tmp_path, monkeypatch, capsys):
    def missing(_f, _c):
        raise ModuleNotFoundError("No module named 'wfm.staffing'", name="wfm.staffing")

    monkeypatch.setattr(wfm.kpi, "default_staff", missing)
    out = tmp_path / "out"
    assert main(_inputs(tmp_path) + ["--out", str(out)]) == 0
    assert "staffing accuracy is left out" in " ".join(capsys.readouterr().err.split())
    acc = pl.read_csv(out / "accuracy.csv")
    assert set(acc["measure"]) == {"forecast", "schedule"}


def test_cli_kpi_bad_input(tmp_path, capsys):
    args = _inputs(tmp_path)
    pl.DataFrame({"queue": ["calls"], "start": ["2026-11-02 09:00"], "contacts": ["-4"]}).write_csv(
        tmp_path / "history.csv")
    assert main(args + ["--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "history.csv" in err and "row 2" in err and "'contacts'" in err and "negative" in err
    assert not (tmp_path / "out").exists()
    # sessions without messages
    assert main(args + ["--sessions", str(tmp_path / "sessions.csv"), "--out", str(tmp_path / "o2")]) == 2
    assert "need both --sessions and --messages" in capsys.readouterr().err


def test_deferred_staffing_is_compared_per_day_not_per_interval():
    """The same e-mail work planned a half-hour apart is equally right: accuracy 100 %."""
    from datetime import datetime as dt

    import polars as pl

    from wfm.config import CenterConfig
    from wfm.kpi import staffing_accuracy

    cfg = CenterConfig.from_toml_text('[queues.mail]\nchannel = "email"\n[queues.calls]\n')
    f = pl.DataFrame({"queue": ["mail", "mail"], "start": [dt(2026, 11, 2, 9), dt(2026, 11, 2, 9, 30)],
                      "contacts": [10.0, 0.0]})
    a = f.with_columns(contacts=pl.Series([0.0, 10.0]))

    def staff(c, _cfg):  # the agents sit in the interval the work arrives in
        return c.select("queue", "start", agents=c["contacts"] / 10)

    acc = staffing_accuracy(f, a, cfg, staff=staff).filter(period="all")["accuracy"].to_list()
    assert acc == [1.0]  # per interval it would be 0 %
    calls = f.with_columns(queue=pl.lit("calls"))
    acc = staffing_accuracy(calls, a.with_columns(queue=pl.lit("calls")), cfg, staff=staff)
    assert acc.filter(period="all")["accuracy"].to_list() == [0.0]  # live queues stay per interval
