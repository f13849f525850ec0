"""The log generator makes valid, seeded logs in which every measure has something to show."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest

from wfm.adherence import agent_days, check_roster, check_state_log, leave_warnings, team_days
from wfm.logs import SCENARIOS, LogGenerator
from wfm.sessions import check_messages, check_sessions, session_measures

MONDAY = date(2026, 11, 2)


def week_roster(agents: int = 6, days: int = 5) -> pl.DataFrame:
    """Agents on 8-hour shifts with a lunch after 4 hours; odd agents chat, even agents voice."""
    rows = []
    for a in range(agents):
        for d in range(days):
            day = MONDAY + timedelta(days=d)
            start = datetime(day.year, day.month, day.day, 8 + a % 3)
            skill = "chat" if a % 2 else "voice"
            rows.append((f"A{a}", day, "shift", start, start + timedelta(hours=8), skill))
            rows.append((f"A{a}", day, "lunch", start + timedelta(hours=4), start + timedelta(hours=4.5), skill))
    day = MONDAY + timedelta(days=days - 1)
    rows.append(("A0", day, "leave", datetime(day.year, day.month, day.day), datetime(day.year, day.month, day.day,
                                                                                         23, 59), "voice"))
    return check_roster(pl.DataFrame(rows, orient="row", schema=["agent_id", "date", "activity", "start", "end",
                                                                 "skill"]))


@pytest.fixture(scope="module")
def generated():
    roster = week_roster()
    return roster, LogGenerator(seed=11).generate(roster)


def test_logs_are_valid_tables(generated):
    _, logs = generated
    check_state_log(logs.states)  # known states, no overlaps per agent
    s = check_sessions(logs.sessions)
    check_messages(logs.messages, s)
    assert (logs.leave["requested_at"] < logs.leave["start"]).all()


def test_every_scenario_is_measured_as_what_it_is(generated):
    roster, logs = generated
    d = agent_days(roster, logs.states, leave=logs.leave).join(logs.scenarios, on=["agent_id", "date"])
    seen = set(d["scenario"])
    assert set(SCENARIOS) <= seen
    by = {s: d.filter(pl.col("scenario") == s) for s in seen}
    for cls in ("late_lt_10", "late_10_30", "late_30_60"):
        assert by[cls]["lateness"].to_list() == [cls] * by[cls].height
    assert (by["absent"]["status"] == "absent").all()
    assert by["early_leave"]["early_leave"].all()
    assert (by["long_break"]["adherence"] < 0.99).all() and (by["long_break"]["lateness"] == "on_time").all()
    # the rostered leave day and the late-filed leave day are leave days
    assert (by["leave"]["status"] == "leave").all() and by["leave"].height == 2
    # ordinary days: on time, no early leave, and mostly kept
    ok = by["adherent"]
    assert (ok["lateness"] == "on_time").all() and not ok["early_leave"].any()
    assert ok["kept"].mean() >= 0.8
    team = team_days(d, logs.states).row(-1, named=True)
    assert 0.70 <= team["occupancy"] <= 0.95 and 0 < team["aux_share"] < 0.06


def test_the_absent_agent_is_suspended(generated):
    roster, logs = generated
    per, events = leave_warnings(agent_days(roster, logs.states, leave=logs.leave), logs.leave)
    suspended = per.filter(pl.col("suspended_from").is_not_null())
    # absent without leave (2) + the late leave request (1) = 3 warnings
    assert suspended.height >= 1 and (suspended["warnings"] >= 3).all()
    assert {"late_notice", "absent_without_leave"} <= set(events["event"])


def test_chats_show_every_measure(generated):
    _, logs = generated
    _, summary = session_measures(logs.sessions, logs.messages)
    t = summary.filter(pl.col("agent_id") == "all").row(0, named=True)
    for name in ("invalid", "leads", "lost", "delayed", "slow_1min", "slow_3min"):
        assert t[name] > 0, name
    assert t["satisfied_share"] >= 0.8 and t["session_hours"] > 0
    # only chat agents (odd ones) have sessions
    assert set(summary["agent_id"]) == {"A1", "A3", "A5", "all"}


def test_seeded():
    roster = week_roster(agents=3, days=2)
    a, b = LogGenerator(seed=5).generate(roster), LogGenerator(seed=5).generate(roster)
    assert a.states.equals(b.states) and a.messages.equals(b.messages)
    assert not LogGenerator(seed=6).generate(roster).states.equals(a.states)


def test_cli_logs_feed_the_measures(tmp_path):
    from wfm.cli import main
    from wfm.sessions import read_sessions

    week_roster(agents=4, days=3).write_csv(tmp_path / "roster.csv", datetime_format="%Y-%m-%d %H:%M:%S")
    logs = tmp_path / "logs"
    assert main(["logs", "--roster", str(tmp_path / "roster.csv"), "--seed", "3", "--out", str(logs)]) == 0
    assert {p.name for p in logs.iterdir()} == {"states.csv", "sessions.csv", "messages.csv", "leave.csv",
                                                 "scenarios.csv"}
    out = tmp_path / "out"
    assert main(["adherence", "--roster", str(tmp_path / "roster.csv"), "--states", str(logs / "states.csv"),
                 "--leave", str(logs / "leave.csv"), "--out", str(out)]) == 0
    days = pl.read_csv(out / "agent_days.csv")
    scen = pl.read_csv(logs / "scenarios.csv")
    joined = days.join(scen, on=["agent_id", "date"])
    assert joined.height == 12
    assert (joined.filter(pl.col("scenario") == "absent")["status"] == "absent").all()
    sessions, messages = read_sessions(logs / "sessions.csv", logs / "messages.csv")  # they pass the contracts
    assert sessions.height > 0 and sessions["lead_captured"].any()
    assert (messages["at"].dt.second() != 0).any()  # times keep their seconds
