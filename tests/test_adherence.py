"""Adherence, attendance, pay factors and warnings on small hand-made logs (answers worked out here)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from wfm.adherence import (
    AttendanceRules,
    LeavePolicy,
    WarningRules,
    agent_days,
    agent_summary,
    check_roster,
    check_state_log,
    judge_leave,
    leave_warnings,
    team_days,
)
from wfm.cli import main
from wfm.errors import InputError

DAY = date(2026, 11, 2)  # a Monday


def at(h: int, m: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day) + timedelta(hours=h, minutes=m)


def roster(*rows) -> pl.DataFrame:
    """rows: (agent, activity, (h, m) start, (h, m) end[, day])."""
    out = []
    for r in rows:
        agent, act, s, e = r[:4]
        day = r[4] if len(r) > 4 else DAY
        out.append((agent, day, act, at(*s, day=day), at(*e, day=day), "voice"))
    return pl.DataFrame(out, orient="row", schema=["agent_id", "date", "activity", "start", "end", "skill"])


def states(*rows) -> pl.DataFrame:
    """rows: (agent, state, (h, m) start, (h, m) end)."""
    return pl.DataFrame([(a, s, at(*b), at(*e)) for a, s, b, e in rows], orient="row",
                        schema=["agent_id", "state", "start", "end"])


def one(df: pl.DataFrame, agent: str) -> dict:
    return df.filter(pl.col("agent_id") == agent).row(0, named=True)


# A: 09-17 with lunch 12:00-12:30, comes back 10 minutes late from lunch.
ROSTER_A = [("A", "shift", (9, 0), (17, 0)), ("A", "lunch", (12, 0), (12, 30))]
STATES_A = [("A", "available", (9, 0), (12, 0)), ("A", "lunch", (12, 0), (12, 40)),
            ("A", "available", (12, 40), (17, 0))]
# B: a 2-hour cloud shift 09-11 at a 69 % service ratio (the example of docs/domain.md, section 6).
ROSTER_B = [("B", "shift", (9, 0), (11, 0))]
STATES_B = [("B", "available", (9, 0), (9, 30)), ("B", "on_contact", (9, 30), (10, 20)),
            ("B", "acw", (10, 20), (10, 23)), ("B", "aux", (10, 23), (11, 0))]
# C: rostered 09-17, never logs in.
ROSTER_C = [("C", "shift", (9, 0), (17, 0))]


def test_lunch_overrun_with_and_without_grace():
    r, s = roster(*ROSTER_A), states(*STATES_A)
    d = one(agent_days(r, s), "A")
    # out of activity 12:30-12:40 (still at lunch); the first 5 minutes after the lunch end are grace
    # (being in the activity before the change), so 5 of 480 minutes are lost: 475 / 480
    assert d["adherence"] == pytest.approx(475 / 480)
    # conformance: worked 180 + 260 = 440 minutes of 480 - 30 = 450 scheduled work
    assert d["conformance"] == pytest.approx(440 / 450)
    assert d["lateness"] == "on_time" and not d["early_leave"]
    # service ratio (serving + available) / rostered = 440 / 480 = 91.7 % -> pay factor 100 %
    assert d["service_ratio"] == pytest.approx(440 / 480)
    assert d["pay_factor"] == 1.0 and d["paid_hours"] == pytest.approx(8.0)
    assert d["kept"]  # came, 99 % >= 95 %
    # without grace all 10 minutes count: 470 / 480
    d0 = one(agent_days(r, s, AttendanceRules(grace_minutes=0)), "A")
    assert d0["adherence"] == pytest.approx(470 / 480)


def test_two_hour_shift_at_69_percent_is_paid_one_and_a_half_hours():
    d = one(agent_days(roster(*ROSTER_B), states(*STATES_B)), "B")
    # serving 50 + 3 minutes, available 30: (53 + 30) / 120 = 69.2 % -> band 60-75 % -> 75 %
    assert d["service_ratio"] == pytest.approx(83 / 120)
    assert d["pay_factor"] == 0.75
    assert d["paid_hours"] == pytest.approx(2 * 0.75)  # = 1.5 hours, as in docs/domain.md section 6
    # aux 10:23-11:00 is out of activity; the grace before the shift end forgives only "off", not aux
    assert d["adherence"] == pytest.approx(83 / 120)
    assert not d["kept"]


def test_pay_factor_table_and_the_late_or_early_cap():
    rules = AttendanceRules()
    ratios = np.array([0.95, 0.80, 0.7999, 0.75, 0.60, 0.5999, 0.40, 0.3999])
    assert rules.pay_factor(ratios, np.zeros(8, bool)).tolist() == [1.0, 1.0, 0.9, 0.9, 0.75, 0.5, 0.5, 0.0]
    # late or early: at most 90 % of the hours, never more than the band gives
    assert rules.pay_factor(np.array([0.95, 0.5]), np.array([True, True])).tolist() == [0.9, 0.5]


@pytest.mark.parametrize(("late", "cls", "adherence"), [
    (-3, "on_time", 1.0),            # logged in 3 minutes early
    (0, "on_time", 1.0),
    (5, "late_lt_10", 1.0),          # 5 minutes late: all within the 5-minute grace
    (10, "late_10_30", 475 / 480),   # 10 late: 5 forgiven, 5 lost
    (29, "late_10_30", 456 / 480),
    (30, "late_30_60", 455 / 480),
    (60, "late_30_60", 425 / 480),
    (61, "absent", 0.0),             # more than 60 minutes late counts as absent the whole day
])
def test_lateness_classes(late, cls, adherence):
    r = roster(("X", "shift", (9, 0), (17, 0)))
    s = pl.DataFrame({"agent_id": ["X"], "state": ["available"], "start": [at(9) + timedelta(minutes=late)],
                      "end": [at(17)]})
    d = one(agent_days(r, s), "X")
    assert d["lateness"] == cls
    assert d["adherence"] == pytest.approx(adherence)
    if cls == "absent":
        assert d["status"] == "absent" and d["paid_hours"] == 0 and not d["kept"]
    elif cls != "on_time":
        assert d["late_min"] == pytest.approx(late) and d["pay_factor"] == 0.9  # late caps pay at 90 %


def test_no_login_is_absent():
    d = one(agent_days(roster(*ROSTER_C), states(*STATES_B)), "C")
    assert d["status"] == "absent" and d["lateness"] == "absent" and d["adherence"] == 0.0


def test_early_leave():
    r = roster(("E", "shift", (9, 0), (17, 0)))
    s = states(("E", "available", (8, 58), (16, 40)))
    d = one(agent_days(r, s), "E")
    assert d["lateness"] == "on_time" and d["late_min"] == 0
    assert d["early_min"] == pytest.approx(20) and d["early_leave"]
    # 16:40-16:55 out of activity (15 min); 16:55-17:00 is grace (already "off", the next activity)
    assert d["adherence"] == pytest.approx(465 / 480)
    # ratio 460 / 480 = 95.8 % -> 100 %, capped at 90 % for leaving early: 8 h x 0.9 = 7.2 h
    assert d["pay_factor"] == 0.9 and d["paid_hours"] == pytest.approx(7.2)


def test_states_across_midnight_are_cut_at_the_day():
    r = pl.DataFrame({"agent_id": ["N"], "date": [DAY], "activity": ["shift"], "start": [at(20)],
                      "end": [at(24)]})
    s = pl.DataFrame({"agent_id": ["N", "N"], "state": ["available", "available"],
                      "start": [at(19, 55), at(8, day=date(2026, 11, 3))],
                      "end": [at(24, 10), at(9, day=date(2026, 11, 3))]})
    d = one(agent_days(r, s), "N")
    # 19:55-24:00 counts on the 2nd (245 min of 240 scheduled); 00:00-00:10 and 08-09 belong to the 3rd
    assert d["worked_min"] == pytest.approx(245) and d["conformance"] == pytest.approx(245 / 240)
    assert d["lateness"] == "on_time" and d["early_min"] == 0 and d["adherence"] == 1.0


def test_leave_days_are_not_measured():
    r = roster(("L", "shift", (9, 0), (17, 0)), ("L", "leave", (0, 0), (23, 59)),
               ("M", "shift", (9, 0), (17, 0)))
    leave = pl.DataFrame({"agent_id": ["M"], "start": [at(0)], "end": [at(23)], "kind": ["sick"],
                          "requested_at": [at(0) - timedelta(days=2)]})
    d = agent_days(r, states(("Z", "available", (9, 0), (17, 0))), leave=leave)
    assert d["status"].to_list() == ["leave", "leave"]  # L by roster row, M by leave request
    assert d["adherence"].null_count() == 2
    # L's leave has no request (kind unknown): unpaid; M's sick leave deducts 40 %: 8 h x 60 % paid
    assert d["paid_hours"].to_list() == [0.0, pytest.approx(4.8)]
    assert d["leave_kind"].to_list() == [None, "sick"] and d["certificate_needed"].to_list() == [False, True]


def test_team_measures():
    r = roster(*ROSTER_A, *ROSTER_B, *ROSTER_C)
    s = states(*STATES_A, *STATES_B)
    days = agent_days(r, s)
    team = team_days(days, s)
    assert team.height == 2  # the day and the period total (date null)
    t = team.row(-1, named=True)
    # kept: A only (B 69 % adherence, C absent) -> 1 / 3
    assert (t["agents"], t["kept"], t["absent"]) == (3, 1, 1)
    assert t["kept_share"] == pytest.approx(1 / 3) and not t["kept_ok"] and t["kept_target"] == 0.99
    # time-based adherence and conformance of the same days, each under its own name
    # adherent: A 475, B 83, C 0 of 480 + 120 + 480; worked: A 440, B 83 of work 450 + 120 + 480
    assert t["time_adherence"] == pytest.approx((475 + 83) / 1080)
    assert t["conformance"] == pytest.approx((440 + 83) / 1050)
    # logged: A 180 + 40 + 260 = 480, B 120 -> 600; aux + break: B's 37 aux (lunch is not aux)
    assert t["aux_share"] == pytest.approx(37 / 600) and not t["aux_ok"]  # 6.2 % is not < 6 %
    # occupancy: serving B 50 + 3 = 53; available A 440 + B 30 = 470 -> 53 / 523
    assert t["occupancy"] == pytest.approx(53 / 523) and not t["occupancy_ok"]
    per = agent_summary(days)
    assert one(per, "A")["paid_hours"] == pytest.approx(8.0)
    assert one(per, "C")["absent"] == 1


def _days(rows) -> pl.DataFrame:
    df = pl.DataFrame(rows, orient="row", schema=["agent_id", "date", "skill", "shift_start", "status"])
    return df.with_columns(shift_end=pl.col("shift_start") + pl.duration(hours=8))


def test_warnings_and_suspension():
    def d(m, dd):
        return date(2026, m, dd)

    def t(m, dd, h=9):
        return datetime(2026, m, dd, h)
    days = _days([
        ("X", d(11, 5), "chat", t(11, 5), "leave"),
        ("X", d(11, 6), "chat", t(11, 6), "absent"),
        ("Y", d(11, 5), "cloud", t(11, 5), "leave"),
        ("Z", d(1, 10), "chat", t(1, 10), "absent"),
        ("Z", d(8, 1), "chat", t(8, 1), "leave"),
        ("W", d(11, 5), "chat", t(11, 5), "worked"),
    ])
    leave = pl.DataFrame({
        "agent_id": ["X", "Y", "Z"],
        "start": [t(11, 5), t(11, 5), t(8, 1)],
        "end": [t(11, 5, 17), t(11, 5, 17), t(8, 1, 17)],
        "kind": ["personal"] * 3,
        # X files 13 h ahead (chat needs 24 h): late; Y 3 h ahead (cloud needs 2 h): in time; Z 1 h: late
        "requested_at": [t(11, 4, 20), t(11, 5, 6), t(8, 1, 8)],
    })
    per, events = leave_warnings(days, leave, WarningRules(), LeavePolicy(contract_of={"Y": "cloud"}))
    x, y, z, w = (one(per, a) for a in "XYZW")
    # X: late notice 1 + absent without leave 2 = 3 within six months -> suspended one month from the absence
    assert (x["late_notice"], x["absent_without_leave"], x["warnings"]) == (1, 1, 3)
    assert x["suspended_from"] == t(11, 6) and x["suspended_until"] == t(12, 6)
    assert y["warnings"] == 0 and y["suspended_from"] is None
    # Z: 3 warnings too, but 203 days apart (> 183-day window): not suspended
    assert z["warnings"] == 3 and z["suspended_from"] is None
    assert w["warnings"] == 0
    assert events.filter(pl.col("agent_id") == "X")["event"].to_list() == ["late_notice", "absent_without_leave"]
    assert events.filter(pl.col("agent_id") == "X")["detail"][0] == (
        "personal leave from 2026-11-05 09:00 filed 13.0 h before the shift at 2026-11-05 09:00, 24.0 h notice needed")


def test_leave_filed_during_the_shift_is_an_absence_without_leave():
    # a cloud agent's 09-11 shift; leave filed at 09:30, the agent never logs in
    r = roster(("V", "shift", (9, 0), (11, 0)))
    leave = pl.DataFrame({"agent_id": ["V"], "start": [at(9)], "end": [at(11)], "kind": ["personal"],
                          "requested_at": [at(9, 30)]})
    policy = LeavePolicy(contract_of={"V": "cloud"})
    judged = judge_leave(leave, r, policy)
    assert judged["notice_rule"].to_list() == ["in_progress"] and not judged["taken"].any()
    days = agent_days(r, states(("Z", "available", (9, 0), (11, 0))), leave=judged)
    assert days["status"].to_list() == ["absent"]
    per, events = leave_warnings(days, judged, WarningRules(), policy)
    assert per["warnings"].to_list() == [2] and events["event"].to_list() == ["absent_without_leave"]


def test_the_scheduler_decisions_decide_what_is_leave():
    r = roster(("V", "shift", (9, 0), (17, 0)), ("W", "shift", (9, 0), (17, 0)))
    leave = pl.DataFrame({"agent_id": ["V", "W"], "start": [at(0)] * 2, "end": [at(24)] * 2,
                          "kind": ["personal"] * 2, "requested_at": [at(0) - timedelta(days=3)] * 2,
                          "granted": [True, False],
                          "reason": ["", "continuous coverage: nobody else on line 09:00-10:00"]})
    judged = judge_leave(leave, r)
    assert judged["taken"].to_list() == [True, False]  # W was refused: the day is measured
    days = agent_days(r, states(("W", "available", (9, 0), (17, 0))), leave=judged)
    assert days["status"].to_list() == ["leave", "worked"]


def test_notice_is_keyed_by_contract_and_counted_to_the_shift():
    from wfm.config import CenterConfig

    cfg = CenterConfig.from_toml_text(
        '[queues.calls]\n[shifts.part4]\nminutes = 240\nearliest_start = "09:00"\n[shifts.day8]\n'
        '[contracts.part_time]\nshifts = ["part4"]\n[contracts.full_time]\nshifts = ["day8"]\n'
        '[rules]\nleave_notice_hours = { part_time = 2 }\n')
    policy = LeavePolicy.from_config(cfg, {"P": "part_time", "F": "full_time"})
    r = roster(("P", "shift", (9, 0), (13, 0)), ("F", "shift", (9, 0), (17, 0)))
    leave = pl.DataFrame({
        "agent_id": ["P", "F", "F"],
        "start": [at(9), at(0), at(0, day=date(2026, 11, 3))],
        "end": [at(13), at(24), at(24, day=date(2026, 11, 3))],
        "kind": ["personal", "personal", "sick"],
        # P 3 h before (part-timers need 2 h); F's whole day 27 h before its 09:00 shift;
        # F's sick leave on the 3rd called 3.5 h before the first possible start (07:00, day8)
        "requested_at": [at(6), at(9) - timedelta(hours=27), at(3, 30, day=date(2026, 11, 3))]})
    judged = judge_leave(leave, r, policy)
    assert judged["notice_rule"].to_list() == ["ok", "ok", "ok"]
    assert judged["given_h"].to_list()[:2] == [3.0, 27.0]
    assert judged["pay_deduction"].to_list() == [1.0, 1.0, 0.4]


def test_unknown_leave_kind_names_the_row_and_the_known_kinds(tmp_path):
    from wfm.adherence import read_leave_requests

    path = tmp_path / "leave.csv"
    path.write_text("agent_id,start,end,kind,requested_at\nA,2026-11-02 00:00,2026-11-03 00:00,personal,"
                    "2026-10-30 08:00\nA,2026-11-04 00:00,2026-11-05 00:00,sik,2026-10-30 08:00\n")
    with pytest.raises(InputError, match=r"leave\.csv, row 3, column 'kind': unknown leave kind 'sik'; "
                                         r"did you mean 'sick'\? known leave kinds: annual, personal, sick"):
        read_leave_requests(path)


def test_roster_and_state_log_errors_name_row_column_and_fix():
    bad = roster(("A", "shift", (9, 0), (17, 0)), ("A", "lunch", (16, 45), (17, 15)))
    with pytest.raises(InputError, match=r"r\.csv, row 3, column 'start': the lunch lies outside"):
        check_roster(bad, "r.csv")
    with pytest.raises(InputError, match=r"row 3, column 'date': agent 'A' has two shifts"):
        check_roster(roster(("A", "shift", (9, 0), (17, 0)), ("A", "shift", (18, 0), (20, 0))), "r.csv")
    with pytest.raises(InputError, match=r"unknown activity 'brake'.*did you mean 'break'"):
        check_roster(roster(("A", "brake", (9, 0), (17, 0))), "r.csv")
    with pytest.raises(InputError, match=r"s\.csv, row 3, column 'state': unknown state 'lunchh'.*'lunch'"):
        check_state_log(states(("A", "available", (9, 0), (10, 0)), ("A", "lunchh", (10, 0), (11, 0))), "s.csv")
    with pytest.raises(InputError, match=r"row 3, column 'start': agent 'A' is in two states"):
        check_state_log(states(("A", "available", (9, 0), (10, 0)), ("A", "aux", (9, 30), (11, 0))), "s.csv")


# ------------------------------------------------------------------------- the command
def _write(df: pl.DataFrame, path) -> None:
    df.write_csv(path, datetime_format="%Y-%m-%d %H:%M:%S")


def test_cli_adherence_writes_tables_report_and_chart(tmp_path, capsys):
    _write(roster(*ROSTER_A, *ROSTER_B, *ROSTER_C), tmp_path / "roster.csv")
    _write(states(*STATES_A, *STATES_B, ("SUP", "available", (9, 0), (17, 0))), tmp_path / "states.csv")
    out = tmp_path / "out"
    assert main(["adherence", "--roster", str(tmp_path / "roster.csv"), "--states", str(tmp_path / "states.csv"),
                 "--out", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert {"agent_days.csv", "agents.csv", "team.csv", "warnings.csv", "warning_events.csv", "report.md",
            "adherence_by_agent.png"} <= names
    assert not any(n.startswith(".") for n in names)  # no temporary files left
    captured = capsys.readouterr()
    assert "agents not on the roster are not measured (1): SUP" in " ".join(captured.err.split())
    report = (out / "report.md").read_text()
    assert "| agents kept to schedule (kept agent-days / rostered) | 33.3% | >= 99% | **FAIL** |" in report
    assert "| time-based adherence (time in the scheduled activity / scheduled time) | 51.7% |" in report
    assert "| conformance (worked time / scheduled work time) | 49.8% |" in report
    out_text = " ".join(captured.out.split())
    assert "agents kept to schedule 33.3% of 3 agent-days (target 99%); time-based adherence 51.7%; " \
           "conformance 49.8%" in out_text
    assert "| C | 0 | 1 | 2 | no |" in report  # C absent without leave: 2 warnings
    # the report states its rules rather than pointing at a document
    assert "## Attendance (more than 60 min late counts as absent for the whole day)" in report
    assert "domain" not in report.lower()
    days = pl.read_csv(out / "agent_days.csv")
    assert days.filter(pl.col("agent_id") == "B")["paid_hours"].item() == pytest.approx(1.5)
    assert (out / "adherence_by_agent.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_adherence_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys):
    _write(roster(*ROSTER_A), tmp_path / "roster.csv")
    _write(states(("A", "available", (9, 0), (12, 0)), ("A", "lnch", (12, 0), (12, 30))), tmp_path / "states.csv")
    out = tmp_path / "out"
    code = main(["adherence", "--roster", str(tmp_path / "roster.csv"), "--states", str(tmp_path / "states.csv"),
                 "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert "states.csv" in err and "row 3" in err and "'state'" in err and "lunch" in err
    assert not out.exists()


def test_attendance_rules_come_from_the_center_file():
    from wfm.adherence import AttendanceRules
    from wfm.config import CenterConfig

    cfg = CenterConfig.from_toml_text(
        '[queues.calls]\n[adherence]\ngrace_minutes = 2\nkept_adherence = 0.9\nlate_bounds_minutes = [5, 15, 45]\n')
    rules = AttendanceRules.from_config(cfg)
    assert (rules.grace_minutes, rules.kept_adherence, rules.late_bounds) == (2, 0.9, (5, 15, 45))
    assert AttendanceRules.from_config(cfg, grace_minutes=7).grace_minutes == 7  # --grace overrides
    assert AttendanceRules.from_config(CenterConfig.from_toml_text("[queues.calls]")).late_bounds == (10, 30, 60)


def test_lateness_comes_from_presence_at_the_shift_start_not_the_first_login():
    r = roster(("P", "shift", (9, 0), (17, 0)))
    # a short log-in before the shift, then away until 09:40
    s = states(("P", "available", (8, 0), (8, 10)), ("P", "available", (9, 40), (17, 0)))
    d = one(agent_days(r, s), "P")
    assert d["late_min"] == pytest.approx(40) and d["lateness"] == "late_30_60"
    assert d["pay_factor"] <= 0.9
    # the mirror: gone at 16:00, a short log-in after the shift does not undo the early leave
    s = states(("P", "available", (8, 55), (16, 0)), ("P", "available", (17, 30), (17, 35)))
    d = one(agent_days(r, s), "P")
    assert d["early_min"] == pytest.approx(60) and d["early_leave"] and d["lateness"] == "on_time"
    # logged in only outside the shift: absent
    s = states(("P", "available", (7, 0), (8, 0)), ("P", "available", (17, 0), (18, 0)))
    assert one(agent_days(r, s), "P")["status"] == "absent"


def test_on_time_and_early_leave_thresholds_are_configurable():
    from wfm.config import CenterConfig

    r = roster(("Q", "shift", (9, 0), (17, 0)))
    s = pl.DataFrame({"agent_id": ["Q"], "state": ["available"], "start": [at(9) + timedelta(seconds=1)],
                      "end": [at(17) - timedelta(seconds=30)]})
    d = one(agent_days(r, s), "Q")  # one second late, 30 s early: on time, full pay by default
    assert d["lateness"] == "on_time" and not d["early_leave"] and d["pay_factor"] == 1.0
    strict = AttendanceRules(on_time_minutes=0, early_leave_minutes=0)
    d = one(agent_days(r, s, strict), "Q")
    assert d["lateness"] == "late_lt_10" and d["early_leave"] and d["pay_factor"] == 0.9
    cfg = CenterConfig.from_toml_text("[queues.calls]\n[adherence]\non_time_minutes = 3\nearly_leave_minutes = 2\n")
    rules = AttendanceRules.from_config(cfg)
    assert (rules.on_time_minutes, rules.early_leave_minutes) == (3, 2)
    with pytest.raises(InputError, match="on_time_minutes"):
        CenterConfig.from_toml_text("[queues.calls]\n[adherence]\non_time_minutes = 12\n")


def test_chart_draws_the_target_against_the_measure_it_is_for():
    from wfm.cli.measure import plot_adherence_by_agent

    per = agent_summary(agent_days(roster(*ROSTER_A, *ROSTER_B, *ROSTER_C), states(*STATES_A, *STATES_B)))
    fig = plot_adherence_by_agent(per, AttendanceRules().kept_adherence, 0.99)
    lines = {ln.get_label(): ln.get_xdata()[0] for ax in fig.axes for ln in ax.get_lines()}
    assert lines["target 99% of agent-days kept"] == 0.99
    assert lines["a day is kept at >= 95% time adherence"] == 0.95


def test_cli_adherence_holds_part_timers_to_their_contract_notice(tmp_path, capsys):
    from wfm.sample import sample_config_path

    _write(roster(("P", "shift", (9, 0), (13, 0)), ("F", "shift", (9, 0), (17, 0))), tmp_path / "roster.csv")
    _write(states(("P", "available", (9, 0), (13, 0)), ("F", "available", (9, 0), (17, 0))), tmp_path / "states.csv")
    # both file 3 h before a shift of the next day
    nxt = date(2026, 11, 3)
    _write(pl.DataFrame({"agent_id": ["P", "F"], "start": [at(9, day=nxt)] * 2, "end": [at(13, day=nxt)] * 2,
                         "kind": ["personal"] * 2, "requested_at": [at(6, day=nxt)] * 2}), tmp_path / "leave.csv")
    (tmp_path / "agents.csv").write_text("agent_id,contract,skills\nP,part_time,voice\nF,full_time,voice\n")
    out = tmp_path / "out"
    assert main(["adherence", "-c", str(sample_config_path()), "--roster", str(tmp_path / "roster.csv"),
                 "--states", str(tmp_path / "states.csv"), "--leave", str(tmp_path / "leave.csv"),
                 "--agents", str(tmp_path / "agents.csv"), "--out", str(out)]) == 0
    events = pl.read_csv(out / "warning_events.csv")
    assert events.filter(pl.col("event") == "late_notice")["agent_id"].to_list() == ["F"]  # P needs 2 h only


def test_warning_figures_come_from_the_center_file():
    from wfm.config import CenterConfig

    cfg = CenterConfig.from_toml_text("[queues.calls]\n[adherence]\nabsence_warnings = 3\nsuspend_at = 4\n")
    w = WarningRules.from_config(cfg)
    assert (w.late_notice_warnings, w.absence_warnings, w.suspend_at, w.window_days) == (1, 3, 4, 183)
    with pytest.raises(InputError, match="suspend_at"):
        CenterConfig.from_toml_text("[queues.calls]\n[adherence]\nsuspend_at = 0\n")
