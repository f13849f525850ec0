"""requirements(): a forecast in, agents per queue and interval out."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from wfm import erlang
from wfm.config import CenterConfig
from wfm.errors import InputError
from wfm.staffing import OUTPUT_COLUMNS, requirements

SAMPLE = Path(__file__).resolve().parents[1] / "wfm" / "data" / "center.toml"


def _forecast(queues, volumes, start=datetime(2026, 11, 16, 8)):
    rows = [(q, start + timedelta(minutes=30 * i), float(v)) for q in queues for i, v in enumerate(volumes)]
    return pl.DataFrame(rows, schema={"queue": pl.String, "start": pl.Datetime("us"), "contacts": pl.Float64},
                        orient="row")


@pytest.fixture(scope="module")
def cfg():
    return CenterConfig.from_toml(SAMPLE)


def test_one_row_per_forecast_row_in_the_same_order(cfg):
    fc = _forecast(["posts", "calls", "chat", "email", "forms"], [0, 5, 30, 100, 300, 12, 0, 7])
    fc = fc.sample(fraction=1.0, shuffle=True, seed=1).with_columns(model=pl.lit("ets"), lo=0.0, hi=1.0)
    out = requirements(fc, cfg)
    assert out.columns == list(OUTPUT_COLUMNS)
    assert out.height == fc.height
    assert out.select("queue", "start").equals(fc.select("queue", "start"))
    assert out.schema["agents"] == pl.Int64
    zero = out.filter(pl.col("contacts") == 0, pl.col("backlog") == 0)
    assert (zero["agents"] == 0).all()


def test_live_calls_use_erlang_a_with_the_queue_patience_and_targets(cfg):
    fc = _forecast(["calls"], [5, 30, 100, 300])
    out = requirements(fc, cfg)
    load = np.array([5, 30, 100, 300]) * 180 / 1800
    net = erlang.required_agents(load, 180.0, service_level=0.8, answer_seconds=20.0, max_asa=20.0,
                                 max_abandon=0.05, max_occupancy=0.85, patience=120.0)
    assert out["net_agents"].to_list() == net.tolist()
    assert out["agents"].to_list() == [math.ceil(n / 0.7) for n in net]
    assert (out["abandon"] <= 0.05).all() and (out["service_level"] >= 0.8).all() and (out["asa_s"] <= 20).all()
    assert out["skill"].unique().to_list() == ["voice"]


def test_published_example_through_the_config():
    cfg = CenterConfig.from_toml_text(
        '[targets]\nmax_occupancy = 0.85\nmax_asa_seconds = 60\n[staffing]\nshrinkage = 0.30\n'
        '[queues.calls]\nchannel = "inbound_call"\npatience_seconds = 0\n'
    )
    out = requirements(_forecast(["calls"], [100]), cfg)
    row = out.row(0, named=True)
    assert (row["net_agents"], row["agents"]) == (14, 20)
    assert row["service_level"] == pytest.approx(0.88835, abs=5e-6)
    assert row["p_wait"] == pytest.approx(0.17413, abs=5e-6)
    assert row["asa_s"] == pytest.approx(7.84, abs=5e-3)
    assert row["load_erlangs"] == 10.0 and row["abandon"] == 0.0


def test_chat_divides_the_load_by_concurrency(cfg):
    out = requirements(_forecast(["chat"], [120]), cfg)
    # 120 chats x 240 s / 1800 s = 16 Erlangs, 2 sessions per agent -> 8 agent-Erlangs, AHT 120 s
    assert out["load_erlangs"][0] == pytest.approx(8.0)
    expected = erlang.required_agents(8.0, 120.0, service_level=0.8, answer_seconds=60.0, max_asa=20.0,
                                      max_occupancy=0.85)
    assert out["net_agents"][0] == expected


@pytest.mark.parametrize("k", [2, 3, 4])
def test_the_chat_model_is_conservative_against_session_slots(k):
    # "one server k times as fast" (our model) never needs fewer agents than "k session slots
    # per agent" (k n servers at the full AHT), which pools more; at most one more here
    load = np.linspace(0.2, 400.0, 1500)
    targets = {"service_level": 0.8, "answer_seconds": 60.0, "max_asa": 20.0}
    fast = erlang.required_agents(load / k, 240.0 / k, **targets)
    slots = np.ceil(erlang.required_agents(load, 240.0, **targets) / k)
    assert np.all(fast >= slots) and np.all(fast - slots <= 1)


def test_aht_column_overrides_and_nulls_fall_back(cfg):
    fc = _forecast(["calls"], [100, 100]).with_columns(aht_s=pl.Series([360.0, None]))
    out = requirements(fc, cfg)
    assert out["aht_s"].to_list() == [360.0, 180.0]
    assert out["net_agents"][0] > out["net_agents"][1]


def test_deferred_queues_clear_every_item_by_its_due_time(cfg):
    vols = [40, 10, 0, 60, 5, 0, 0, 20, 0, 0, 0, 0]
    out = requirements(_forecast(["posts", "forms"], vols), cfg)
    for queue, aht in (("posts", 160.0), ("forms", 45.0)):
        q = out.filter(pl.col("queue") == queue)
        capacity = 1800 * 0.75
        assert q["agents"].sum() * capacity >= sum(vols) * aht  # all work handled
        assert q["backlog"][-1] == pytest.approx(0.0, abs=1e-6)
        assert q["occupancy"].is_nan().all() and q["service_level"].is_nan().all()
        assert q["net_agents"].sum() * 1800 == pytest.approx(sum(vols) * aht)
    posts = out.filter(pl.col("queue") == "posts")
    # posts are due within 2 h = 4 intervals: the backlog never holds work older than that
    arrived = np.cumsum(np.array(vols) * 160.0)
    done_by = arrived - posts["backlog"].to_numpy()
    assert np.all(done_by[4:] >= arrived[:-4] - 1e-6)


def test_unknown_queue_and_negative_contacts_are_input_errors(cfg):
    with pytest.raises(InputError, match="unknown queue 'phone'"):
        requirements(_forecast(["phone"], [1]), cfg)
    with pytest.raises(InputError, match="contacts"):
        requirements(_forecast(["calls"], [-1]), cfg)
    with pytest.raises(InputError, match="contacts"):
        requirements(_forecast(["calls"], [float("nan")]), cfg)


def test_empty_forecast_gives_an_empty_table(cfg):
    out = requirements(_forecast(["calls"], []), cfg)
    assert out.height == 0 and out.columns == list(OUTPUT_COLUMNS)
