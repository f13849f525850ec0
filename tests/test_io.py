"""Validation at the edge: each user mistake gets a message naming file, row, column and fix."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from wfm.config import CenterConfig
from wfm.errors import ConfigError, InputError
from wfm.io import read_agents, read_history, read_leave, write_outputs

CFG_TEXT = """
[center]
interval_minutes = 30
[hours]
mon = "08:00-10:00"
tue = "08:00-10:00"
wed = "closed"
thu = "closed"
fri = "closed"
sat = "closed"
sun = "closed"
[queues.calls]
channel = "inbound_call"
skill = "voice"
[shifts.day]
minutes = 120
earliest_start = "08:00"
latest_start = "08:00"
[contracts.ft]
shifts = ["day"]
min_days_per_week = 0
"""


@pytest.fixture
def cfg() -> CenterConfig:
    return CenterConfig.from_toml_text(CFG_TEXT, source="center.toml")


GOOD = """queue,start,contacts,aht_s
calls,2026-11-16 08:00,10,180
calls,2026-11-16 08:30,12,175
calls,2026-11-16 09:00,9,181
calls,2026-11-16 09:30,11,179
calls,2026-11-17 08:00,10,180
calls,2026-11-17 08:30,12,175
calls,2026-11-17 09:00,9,181
calls,2026-11-17 09:30,11,179
"""


def write(tmp_path: Path, text: str, name: str = "history.csv") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def error_of(fn, *args) -> InputError:
    with pytest.raises(InputError) as info:
        fn(*args)
    return info.value


def test_good_history_reads_clean(tmp_path, cfg):
    checked = read_history(write(tmp_path, GOOD), cfg)
    assert checked.frame.height == 8
    assert checked.frame["start"].dtype == pl.Datetime("us")
    assert checked.notes == []


def test_missing_column(tmp_path, cfg):
    e = error_of(read_history, write(tmp_path, "queue,start\ncalls,2026-11-16 08:00\n"), cfg)
    assert e.column == "contacts" and "missing column" in str(e)
    assert "history.csv" in str(e)


def test_misspelt_column_suggests_the_right_one(tmp_path, cfg):
    e = error_of(read_history, write(tmp_path, GOOD.replace("contacts", "contacs")), cfg)
    assert e.column == "contacs"
    assert "rename it to 'contacts'" in str(e)


def test_wrong_type_names_row_and_value(tmp_path, cfg):
    text = GOOD.replace("calls,2026-11-16 09:00,9,", "calls,2026-11-16 09:00,nine,")
    e = error_of(read_history, write(tmp_path, text), cfg)
    assert (e.row, e.column) == (4, "contacts")
    assert "'nine' is not a number" in str(e)


def test_bad_timestamp(tmp_path, cfg):
    e = error_of(read_history, write(tmp_path, GOOD.replace("2026-11-16 08:30", "16/11/2026 8h30")), cfg)
    assert (e.row, e.column) == (3, "start")


def test_negative_count(tmp_path, cfg):
    e = error_of(read_history, write(tmp_path, GOOD.replace(",12,175", ",-3,175", 1)), cfg)
    assert (e.row, e.column) == (3, "contacts")
    assert "-3 is negative" in str(e) and ">= 0" in str(e)


def test_nan_count(tmp_path, cfg):
    e = error_of(read_history, write(tmp_path, GOOD.replace(",12,175", ",NaN,175", 1)), cfg)
    assert (e.row, e.column) == (3, "contacts") and "NaN" in str(e)


def test_empty_count(tmp_path, cfg):
    e = error_of(read_history, write(tmp_path, GOOD.replace(",12,175", ",,175", 1)), cfg)
    assert (e.row, e.column) == (3, "contacts") and "empty" in str(e)


def test_duplicate_timestamp(tmp_path, cfg):
    text = GOOD + "calls,2026-11-16 08:30,3,170\n"
    e = error_of(read_history, write(tmp_path, text), cfg)
    assert e.column == "start" and "duplicate" in str(e)
    assert e.row == 3  # the first of the duplicated rows


def test_off_grid_timestamp(tmp_path, cfg):
    e = error_of(read_history, write(tmp_path, GOOD.replace("2026-11-16 09:00", "2026-11-16 09:10")), cfg)
    assert (e.row, e.column) == (4, "start") and "30-minute interval grid" in str(e)


def test_finer_data_is_summed_to_the_center_grid(tmp_path, cfg):
    text = ("queue,start,contacts,aht_s,abandoned\n"
            "calls,2026-11-16 08:00,1,100,0\ncalls,2026-11-16 08:15,3,200,1\n"
            "calls,2026-11-16 08:30,2,150,0\ncalls,2026-11-16 08:45,0,,0\n"
            "calls,2026-11-16 09:00,4,180,0\ncalls,2026-11-16 09:15,4,180,2\n"
            "calls,2026-11-16 09:30,1,120,0\ncalls,2026-11-16 09:45,1,120,0\n")
    checked = read_history(write(tmp_path, text), cfg)
    f = checked.frame.sort("start")
    assert f["contacts"].to_list()[:4] == [4, 2, 8, 2]
    assert f["abandoned"].to_list()[:4] == [1, 0, 2, 0]
    assert f["aht_s"][0] == pytest.approx((1 * 100 + 3 * 200) / 4)  # contact-weighted
    assert f["aht_s"][1] == pytest.approx(150)  # the empty quarter-hour carries no handle time
    assert any("15-minute data summed to the center's 30-minute intervals" in n for n in checked.notes)


def test_data_on_another_grid_says_how_to_fix_it(tmp_path, cfg):
    text = "queue,start,contacts\ncalls,2026-11-16 08:00,1\ncalls,2026-11-16 08:20,2\ncalls,2026-11-16 08:40,1\n"
    e = error_of(read_history, write(tmp_path, text), cfg)
    assert "20-minute data" in str(e) and "interval_minutes = 20" in str(e)


def test_mixed_interval_lengths(tmp_path):
    cfg = CenterConfig.from_toml_text(CFG_TEXT.replace("interval_minutes = 30", "interval_minutes = 15")
                                      + '[queues.chat]\nchannel = "chat"\n', source="center.toml")
    rows = ["queue,start,contacts"]
    rows += [f"calls,2026-11-16 {h},1" for h in ("08:00", "08:15", "08:30", "08:45")]
    rows += [f"chat,2026-11-16 {h},1" for h in ("08:00", "08:30", "09:00", "09:30")]
    e = error_of(read_history, write(tmp_path, "\n".join(rows) + "\n"), cfg)
    assert "mixed interval lengths" in str(e) and "chat: 30 min" in str(e)


def test_unknown_queue(tmp_path, cfg):
    e = error_of(read_history, write(tmp_path, GOOD.replace("calls,2026-11-17 09:00", "cals,2026-11-17 09:00")), cfg)
    assert (e.row, e.column) == (8, "queue") and "did you mean 'calls'" in str(e)


def test_empty_file(tmp_path, cfg):
    e = error_of(read_history, write(tmp_path, ""), cfg)
    assert "empty" in str(e) and "history.csv" in str(e)


def test_header_only(tmp_path, cfg):
    e = error_of(read_history, write(tmp_path, "queue,start,contacts\n"), cfg)
    assert "no data rows" in str(e)


def test_unsorted_rows_are_sorted_with_a_note(tmp_path, cfg):
    lines = GOOD.strip().split("\n")
    text = "\n".join([lines[0]] + lines[1:][::-1]) + "\n"
    checked = read_history(write(tmp_path, text), cfg)
    assert checked.frame["start"].is_sorted()
    assert any("sorted" in n for n in checked.notes)


def test_missing_intervals_filled_and_reported(tmp_path, cfg):
    text = GOOD.replace("calls,2026-11-16 08:30,12,175\n", "")
    checked = read_history(write(tmp_path, text), cfg)
    assert checked.frame.height == 8
    filled = checked.frame.filter(pl.col("start") == datetime(2026, 11, 16, 8, 30))
    assert filled["contacts"].item() == 0
    assert any("1 intervals inside opening hours are missing" in n and "calls 2026-11-16" in n
               for n in checked.notes)


def test_missing_intervals_refused_when_configured(tmp_path):
    cfg = CenterConfig.from_toml_text(CFG_TEXT.replace('interval_minutes = 30',
                                                       'interval_minutes = 30\nmissing_intervals = "refuse"'))
    text = GOOD.replace("calls,2026-11-16 08:30,12,175\n", "")
    e = error_of(read_history, write(tmp_path, text), cfg)
    assert "missing" in str(e) and 'missing_intervals = "fill"' in str(e)


def test_parquet_input(tmp_path, cfg):
    df = pl.read_csv(write(tmp_path, GOOD), try_parse_dates=True)
    p = tmp_path / "history.parquet"
    df.write_parquet(p)
    assert read_history(p, cfg).frame.height == 8


def test_agents_unknown_contract_and_skill(tmp_path, cfg):
    e = error_of(read_agents, write(tmp_path, "agent_id,contract,skills\nA1,ft,voice\nA2,fulltime,voice\n", "agents.csv"), cfg)
    assert (e.row, e.column) == (3, "contract")
    e = error_of(read_agents, write(tmp_path, "agent_id,contract,skills\nA1,ft,voice|email\n", "agents.csv"), cfg)
    assert (e.row, e.column) == (2, "skills") and "'email'" in str(e)
    e = error_of(read_agents, write(tmp_path, "agent_id,contract,skills\nA1,ft,voice\nA1,ft,voice\n", "agents.csv"), cfg)
    assert e.column == "agent_id" and "duplicate" in str(e)


def test_leave_unknown_agent(tmp_path, cfg):
    agents = read_agents(write(tmp_path, "agent_id,contract,skills\nA1,ft,voice\n", "agents.csv"), cfg).frame
    text = "agent_id,start,end,kind,requested_at\nA1,2026-11-16 08:00,2026-11-17 00:00,sick,2026-11-10 09:00\nA9,2026-11-16 08:00,2026-11-17 00:00,sick,2026-11-10 09:00\n"
    e = error_of(read_leave, write(tmp_path, text, "leave.csv"), agents)
    assert (e.row, e.column) == (3, "agent_id") and "unknown agent 'A9'" in str(e)


def test_config_unknown_key_and_impossible_value():
    with pytest.raises(ConfigError) as info:
        CenterConfig.from_toml_text(CFG_TEXT.replace("[center]", "[center]\nintervall_minutes = 30"), source="c.toml")
    assert "c.toml" in str(info.value) and "did you mean 'interval_minutes'" in str(info.value)
    with pytest.raises(ConfigError) as info:
        CenterConfig.from_toml_text(CFG_TEXT + "[staffing]\nshrinkage = 1.5\n", source="c.toml")
    assert "key 'staffing.shrinkage'" in str(info.value)
    with pytest.raises(ConfigError):
        CenterConfig.from_toml_text(CFG_TEXT.replace('mon = "08:00-10:00"', 'mon = "10:00-08:00"'))
    with pytest.raises(ConfigError):
        CenterConfig.from_toml_text(CFG_TEXT.replace('shifts = ["day"]', 'shifts = ["night"]'))
    with pytest.raises(ConfigError) as info:
        CenterConfig.from_toml_text(CFG_TEXT.replace('channel = "inbound_call"', 'channel = "fax"'))
    assert "inbound_call" in str(info.value)
    with pytest.raises(ConfigError) as info:
        CenterConfig.from_toml_text("[center\nname=1")
    assert "not valid TOML" in str(info.value)


def test_config_defaults_come_from_the_domain():
    cfg = CenterConfig.from_toml_text(
        '[queues.p]\nchannel = "post"\n[queues.f]\nchannel = "form"\n[queues.e]\nchannel = "email"\n')
    assert (cfg.queues["p"].aht_seconds, cfg.queues["f"].aht_seconds, cfg.queues["e"].aht_seconds) == (160, 45, 180)
    assert cfg.targets.service_level == 0.80 and cfg.targets.answer_seconds == 20
    assert cfg.targets.max_abandon_rate == 0.05 and cfg.targets.adherence == 0.99
    assert cfg.rules.default_notice_hours == 24 and cfg.rules.handover_minutes == 15


def test_write_outputs_is_all_or_nothing(tmp_path):
    old = pl.DataFrame({"x": [1]})
    write_outputs(tmp_path, {"a.csv": old, "b.csv": old})

    def boom(path: Path) -> None:
        path.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_outputs(tmp_path, {"a.csv": pl.DataFrame({"x": [2]}), "c.png": boom})
    assert pl.read_csv(tmp_path / "a.csv")["x"].to_list() == [1]  # the good old file is intact
    assert not (tmp_path / "c.png").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]  # no temp files left


def test_grid_respects_hours(cfg):
    from wfm.grid import interval_grid

    g = interval_grid(cfg, date(2026, 11, 16), 7)
    assert g.height == 8  # Monday and Tuesday 08:00-10:00 at 30 minutes; the rest closed


def test_special_days(tmp_path, cfg):
    from wfm.io import read_special_days

    ok = read_special_days(write(tmp_path, "date,action,factor,queue\n2026-12-25,exclude,,\n2026-11-27,factor,1.4,calls\n",
                                 "special.csv"), cfg).frame
    assert ok.height == 2 and ok["factor"][1] == 1.4
    e = error_of(read_special_days, write(tmp_path, "date,action,factor\n2026-12-25,skip,\n", "special.csv"), cfg)
    assert (e.row, e.column) == (2, "action")
    e = error_of(read_special_days, write(tmp_path, "date,action\n2026-12-25,factor\n", "special.csv"), cfg)
    assert (e.row, e.column) == (2, "factor")
    e = error_of(read_special_days, write(tmp_path, "date,action,factor,queue\n2026-12-25,factor,2,cals\n", "special.csv"), cfg)
    assert (e.row, e.column) == (2, "queue")


def test_semicolon_and_tab_separated_files(tmp_path, cfg):
    for sep in (";", "\t"):
        checked = read_history(write(tmp_path, GOOD.replace(",", sep), f"history{len(sep)}.csv"), cfg)
        assert checked.frame.height == 8 and checked.frame["contacts"].sum() == 84
