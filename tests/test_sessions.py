"""Chat session measures on hand-made sessions and messages (answers worked out here)."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
import pytest

from wfm.errors import InputError
from wfm.sessions import check_messages, check_sessions, per_session, session_measures

T0 = datetime(2026, 11, 2, 9)


def sec(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


SESSIONS = pl.DataFrame(
    [
        # id, agent, start, end, satisfaction, lead, invalid flag
        ("s1", "a", sec(0), sec(300), "satisfied", True, None),    # answered, one reply 80 s after the customer
        ("s2", "a", sec(0), sec(120), "none", False, None),        # lost: customer wrote twice, no answer
        ("s3", "a", sec(0), sec(60), "none", False, None),         # invalid by rule: the customer never wrote
        ("s4", "b", sec(0), sec(360), "very_poor", False, None),   # a 200 s reply, then 2 customer messages
        ("s5", "b", sec(0), sec(30), "neutral", True, True),       # flagged invalid (a test chat)
    ],
    orient="row",
    schema={"session_id": pl.String, "agent_id": pl.String, "start": pl.Datetime("us"), "end": pl.Datetime("us"),
            "satisfaction": pl.String, "lead_captured": pl.Boolean, "invalid": pl.Boolean},
)
MESSAGES = pl.DataFrame(
    [
        ("s1", "customer", sec(0)), ("s1", "agent", sec(30)), ("s1", "customer", sec(40)), ("s1", "agent", sec(120)),
        ("s2", "customer", sec(0)), ("s2", "customer", sec(10)),
        ("s3", "agent", sec(2)),
        ("s4", "customer", sec(0)), ("s4", "agent", sec(200)), ("s4", "customer", sec(210)),
        ("s4", "customer", sec(220)),
        ("s5", "customer", sec(0)), ("s5", "agent", sec(10)),
    ],
    orient="row",
    schema={"session_id": pl.String, "side": pl.String, "at": pl.Datetime("us")},
)


def row(df: pl.DataFrame, col: str, key: str) -> dict:
    return df.filter(pl.col(col) == key).row(0, named=True)


def test_per_session_flags_and_reply_times():
    s = per_session(SESSIONS, MESSAGES)
    s1, s2, s3, s4, s5 = (row(s, "session_id", k) for k in ("s1", "s2", "s3", "s4", "s5"))
    # s1 replies: 30 s (0 -> 30) and 80 s (40 -> 120): one slower than 1 min, none slower than 3 min
    assert (s1["replies"], s1["slow_1min"], s1["slow_3min"], s1["max_reply_s"]) == (2, 1, 0, 80.0)
    assert not (s1["lost"] or s1["delayed"] or s1["invalid"])
    assert s2["lost"] and s2["delayed"]  # last two messages are the customer's as well
    assert s3["invalid"] and not s3["lost"]
    assert (s4["slow_1min"], s4["slow_3min"], s4["delayed"], s4["lost"]) == (1, 1, True, False)
    assert s5["invalid"]  # the flag wins over the rule


def test_wait_runs_from_the_first_unanswered_customer_message():
    s = pl.DataFrame({"session_id": ["x"], "agent_id": ["a"], "start": [sec(0)], "end": [sec(90)]})
    m = pl.DataFrame({"session_id": ["x"] * 3, "side": ["customer", "customer", "agent"],
                      "at": [sec(0), sec(30), sec(70)]})
    # the customer waited 70 s (from 0, not from 30): slower than 1 minute
    assert per_session(s, m)["max_reply_s"].item() == 70.0


def test_summary_rates_and_satisfaction_targets():
    _, summary = session_measures(SESSIONS, MESSAGES)
    t = row(summary, "agent_id", "all")
    # 5 sessions, 2 invalid (s3 by rule, s5 by flag) -> 40 %; valid: s1, s2, s4
    assert (t["sessions"], t["invalid"], t["valid"]) == (5, 2, 3)
    assert t["invalid_rate"] == pytest.approx(2 / 5)
    # leads among valid: s1 only (s5 captured one but is invalid) -> 1 / 3
    assert t["lead_ratio"] == pytest.approx(1 / 3)
    assert t["lost_rate"] == pytest.approx(1 / 3)      # s2
    assert t["delayed_rate"] == pytest.approx(2 / 3)   # s2, s4
    # session time of valid sessions: 300 + 120 + 360 s = 13 min
    assert t["session_hours"] == pytest.approx(13 / 60)
    # rated valid: s1 satisfied, s4 very poor -> 50 % satisfied (< 80 %), 50 % dissatisfied (> 5 %)
    assert (t["rated"], t["sat_satisfied"], t["sat_very_poor"], t["sat_none"]) == (2, 1, 1, 1)
    assert t["satisfied_share"] == 0.5 and not t["satisfied_ok"]
    assert t["dissatisfied_share"] == 0.5 and not t["dissatisfied_ok"]
    # replies of valid sessions: s1 30 s, 80 s; s4 200 s -> 2 of 3 over 1 min, 1 of 3 over 3 min
    assert (t["replies"], t["slow_1min"], t["slow_3min"]) == (3, 2, 1)
    assert t["slow_3min_rate"] == pytest.approx(1 / 3)
    a = row(summary, "agent_id", "a")
    assert (a["sessions"], a["invalid"], a["lost"]) == (3, 1, 1)


def test_reading_sessions_parses_levels_and_flags_and_names_mistakes():
    raw = pl.DataFrame({"session_id": ["s1", "s2", "s3"], "agent_id": ["a"] * 3,
                        "start": ["2026-11-02 09:00:00"] * 3, "end": ["2026-11-02 09:05:00"] * 3,
                        "satisfaction": ["Very satisfied", "", "very-poor"], "lead_captured": ["yes", "", "0"]})
    s = check_sessions(raw, "sessions.csv")
    assert s["satisfaction"].to_list() == ["very_satisfied", "none", "very_poor"]
    assert s["lead_captured"].to_list() == [True, False, False]
    assert s["invalid"].null_count() == 3  # no column: decided by the rule later
    with pytest.raises(InputError, match=r"sessions\.csv, row 3, column 'satisfaction': unknown satisfaction level "
                                         r"'happy'"):
        check_sessions(raw.with_columns(satisfaction=pl.Series(["satisfied", "happy", "none"])), "sessions.csv")
    with pytest.raises(InputError, match=r"row 2, column 'lead_captured': 'maybe' is not true or false"):
        check_sessions(raw.with_columns(lead_captured=pl.Series(["maybe", "", ""])), "sessions.csv")
    with pytest.raises(InputError, match=r"row 2, column 'session_id': duplicate session \(session_id=s1\) appears 2 times"):
        check_sessions(raw.with_columns(session_id=pl.Series(["s1", "s1", "s2"])), "sessions.csv")
    msgs = pl.DataFrame({"session_id": ["s1", "s9"], "side": ["customer", "agent"],
                         "at": ["2026-11-02 09:00:00", "2026-11-02 09:00:10"]})
    with pytest.raises(InputError, match=r"messages\.csv, row 3, column 'session_id': unknown session 's9'"):
        check_messages(msgs, s, "messages.csv")
    with pytest.raises(InputError, match=r"column 'side': unknown side 'bot'"):
        check_messages(msgs.with_columns(side=pl.Series(["customer", "bot"]), session_id=pl.Series(["s1", "s1"])),
                       s, "messages.csv")


def test_a_greeting_without_an_answer_is_lost():
    # the agent greets, the customer asks twice, nobody answers: lost (and delayed)
    s = pl.DataFrame({"session_id": ["g", "h"], "agent_id": ["a", "a"], "start": [sec(0)] * 2, "end": [sec(90)] * 2})
    m = pl.DataFrame({"session_id": ["g", "g", "g", "h", "h"], "side": ["agent", "customer", "customer", "customer",
                                                                       "agent"],
                      "at": [sec(0), sec(10), sec(20), sec(0), sec(15)]})
    out = per_session(s, m).sort("session_id")
    assert out["lost"].to_list() == [True, False]  # h: answered after the customer spoke
