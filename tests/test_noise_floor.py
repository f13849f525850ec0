"""The noise floor: the best accuracy a perfect rate forecast can expect under Poisson counts,
at the level accuracy is measured at; and the center file choosing that level."""

from datetime import date, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from models import metrics
from wfm.config import CenterConfig
from wfm.errors import ConfigError
from wfm.kpi import forecast_accuracy, planning_accuracy


def _rates(days: int = 5, slots: int = 20, level: float = 12.0) -> np.ndarray:
    shape = 1.0 + 0.6 * np.sin(np.linspace(0, np.pi, slots))
    return np.tile(level * shape / shape.mean(), days).reshape(days, slots)


@pytest.mark.parametrize("bin_slots", [1, 2, 20])  # interval, hour (2 x 30 min), day
def test_noise_floor_matches_simulation_of_a_perfect_forecast(bin_slots):
    lam = _rates()
    rng = np.random.default_rng(7)
    binned = lam.reshape(lam.shape[0], -1, bin_slots).sum(axis=2)
    counts = rng.poisson(binned, size=(4000, *binned.shape))
    simulated = 1 - np.abs(counts - binned).sum(axis=(1, 2)) / counts.sum(axis=(1, 2))
    floor, sd = metrics.noise_band(binned.ravel())
    assert floor == pytest.approx(simulated.mean(), abs=0.002)
    assert sd == pytest.approx(simulated.std(), rel=0.1)
    assert metrics.noise_floor(binned.ravel()) == floor


def test_poisson_mad_is_exact():
    from scipy.stats import poisson

    k = np.arange(400)
    for lam in (0.2, 1.0, 3.7, 12.0, 150.5):
        assert metrics.poisson_mad(lam) == pytest.approx((poisson.pmf(k, lam) * np.abs(k - lam)).sum(), rel=1e-9)


def _frames(lam: np.ndarray, seed: int = 1) -> tuple[pl.DataFrame, pl.DataFrame]:
    days, slots = lam.shape
    start = [datetime(2026, 11, 2, 8) + timedelta(days=d, minutes=30 * s) for d in range(days) for s in range(slots)]
    fc = pl.DataFrame({"queue": "chat", "start": start, "contacts": lam.ravel()})
    actual = np.random.default_rng(seed).poisson(lam.ravel()).astype(float)
    return fc, fc.with_columns(contacts=pl.Series(actual))


def test_a_perfect_forecast_of_a_small_queue_misses_90_at_the_interval_level_by_noise():
    fc, ac = _frames(_rates())
    acc = forecast_accuracy(fc, ac, level="interval").filter(period="all")
    row = acc.row(0, named=True)
    assert row["accuracy"] < 0.9 and row["noise_floor"] < 0.85
    assert row["miss"] == "noise"
    day = forecast_accuracy(fc, ac, level="day").filter(period="all").row(0, named=True)
    assert day["noise_floor"] > 0.93 and day["level"] == "day"


def test_a_biased_forecast_is_a_forecasting_miss():
    fc, ac = _frames(_rates(level=200.0))
    acc = forecast_accuracy(fc.with_columns(pl.col("contacts") * 1.3), ac, level="interval")
    row = acc.filter(period="all").row(0, named=True)
    assert not row["ok"] and row["miss"] == "forecast"
    assert row["noise_floor"] > 0.93  # the floor does not move with the forecast's level


def test_the_center_file_chooses_the_level_of_each_target():
    fc, ac = _frames(_rates())
    cfg = CenterConfig.from_toml_text('[queues.chat]\nchannel = "chat"\n')
    assert cfg.targets.forecast_accuracy_level == "day"  # the day's traffic, as the KPI sheet means
    assert cfg.targets.staffing_accuracy_level == cfg.targets.schedule_accuracy_level == "interval"
    acc = planning_accuracy(cfg, forecast=fc, actuals=ac, staffing=False).filter(period="all")
    assert acc["level"].to_list() == ["day"]
    hourly = CenterConfig.from_toml_text('[targets]\nforecast_accuracy_level = "hour"\n[queues.chat]\n')
    acc_h = planning_accuracy(hourly, forecast=fc, actuals=ac, staffing=False).filter(period="all")
    assert acc_h["level"].to_list() == ["hour"] and acc_h["accuracy"][0] < acc["accuracy"][0]
    with pytest.raises(ConfigError, match="forecast_accuracy_level.*interval, hour, day"):
        CenterConfig.from_toml_text('[targets]\nforecast_accuracy_level = "week"\n')
    assert date(2026, 11, 2) in acc_h["period_start"].to_list() or acc_h["period_start"][0] is None


def test_backtest_evaluation_carries_the_noise_floor():
    import models

    fc, ac = _frames(_rates())
    bt = ac.rename({"contacts": "actual"}).with_columns(model=pl.lit("m"), origin=pl.lit(1),
                                                        forecast=fc["contacts"])
    per_level = [models.evaluate(bt, every=e)["noise_floor"][0] for e in (None, "1h", "1d")]
    assert per_level == sorted(per_level) and per_level[0] < 0.85 < per_level[-1]
