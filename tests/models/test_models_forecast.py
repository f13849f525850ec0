import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from models_synth_history import make_history, split

import models
from models import metrics
from models.calendar import infer_step

AT = dt.datetime(2024, 3, 25)  # a Monday, 12 weeks in


def test_available_lists_the_registry():
    names = models.available()
    for name in (
        "seasonal_naive",
        "weekday_mean",
        "poisson_glm",
        "ets_profile",
        "uc_profile",
        "combo",
    ):
        assert name in names
    assert isinstance(models.make("weekday_mean", weeks=4), models.Forecaster)


@pytest.mark.parametrize(
    "name", ["seasonal_naive", "weekday_mean", "poisson_glm", "ets_profile", "uc_profile", "combo"]
)
def test_each_model_recovers_a_known_seasonal_pattern(name):
    frame = make_history(weeks=14, noise=False)
    hist, fut = split(frame, AT)
    res = models.forecast(
        hist, fut.select("queue", "start"), models=[name], origins=2, interval_origins=2
    )
    assert res.forecast["model"].unique().to_list() == [name]
    acc = metrics.accuracy(fut["rate"], res.forecast["contacts"])
    assert acc > 0.98, f"{name} accuracy {acc:.4f} on a noise-free weekly pattern"


def test_forecasts_exactly_the_requested_rows_in_order_and_non_negative():
    a = make_history(queue="a", seed=1)
    b = make_history(queue="b", seed=2, daily_total=50.0)
    frame = pl.concat([a, b])
    hist, fut = split(frame, AT)
    rng = np.random.default_rng(0)
    future = fut.select("queue", "start").sample(fraction=0.5, seed=3, shuffle=True)
    res = models.forecast(hist, future, models=["weekday_mean", "poisson_glm"], origins=2)
    fc = res.forecast
    assert fc.select("queue", "start").equals(future)
    assert fc.columns == ["queue", "start", "contacts", "lo", "hi", "model"]
    assert (fc["contacts"] >= 0).all() and (fc["lo"] >= 0).all()
    assert (fc["lo"] <= fc["contacts"]).all() and (fc["contacts"] <= fc["hi"]).all()
    assert set(res.scores["queue"]) == {"a", "b"}
    assert res.scores.filter(pl.col("chosen")).height == 2
    del rng


@pytest.mark.parametrize("minutes", [5, 15, 30])
def test_interval_length_is_inferred(minutes):
    frame = make_history(weeks=3, step_minutes=minutes)
    assert infer_step(frame["start"].to_numpy()) == np.timedelta64(minutes, "m")
    hist, fut = split(frame, dt.datetime(2024, 1, 15))
    res = models.forecast(hist, fut.select("queue", "start"), models=["weekday_mean"], origins=1)
    assert res.forecast.height == fut.height
    assert metrics.accuracy(fut["rate"], res.forecast["contacts"]) > 0.8


def test_interval_coverage_is_roughly_calibrated_on_poisson_counts():
    frame = make_history(weeks=30, daily_total=3000.0, seed=5)
    covs = []
    for k in range(4):
        at = dt.datetime(2024, 6, 3) + dt.timedelta(days=7 * k)
        hist, fut = split(frame, at)
        res = models.forecast(hist, fut.select("queue", "start"), models=["poisson_glm"], level=0.8)
        covs.append(metrics.coverage(fut["contacts"], res.forecast["lo"], res.forecast["hi"]))
    assert 0.7 <= np.mean(covs) <= 0.9, covs


def test_backtest_frame_and_cross_validation_alias():
    hist, _ = split(make_history(), AT)
    bt = models.backtest(hist, models=["weekday_mean", "seasonal_naive"], origins=3)
    assert bt.columns == ["queue", "model", "origin", "start", "actual", "forecast", "lo", "hi"]
    assert sorted(bt["origin"].unique().to_list()) == [1, 2, 3]
    assert set(bt["model"]) == {"weekday_mean", "seasonal_naive"}
    # origin 1 is the last week of history
    last = bt.filter(pl.col("origin") == 1)["start"]
    assert last.max() == hist["start"].max()
    assert (last.min() - hist["start"].max()) > dt.timedelta(days=-7)
    cv = models.cross_validation(hist, h_days=7, n_windows=2, models=["weekday_mean"])
    assert sorted(cv["origin"].unique().to_list()) == [1, 2]


def test_auto_choice_picks_the_model_the_data_favours():
    # strong week-on-week growth: last week's value beats an 8-week mean
    growth = make_history(weeks=12, noise=False)
    week = (growth["start"] - growth["start"].min()).dt.total_days() // 7
    growth = growth.with_columns(contacts=pl.col("contacts") * 1.15**week)
    hist, fut = split(growth, dt.datetime(2024, 3, 18))
    res = models.forecast(
        hist, fut.select("queue", "start"), models=["seasonal_naive", "weekday_mean"]
    )
    assert res.forecast["model"][0] == "seasonal_naive"
    # stationary small Poisson counts: averaging 8 weeks beats copying one noisy week
    flat = make_history(weeks=12, daily_total=200.0, seed=4)
    hist, fut = split(flat, dt.datetime(2024, 3, 18))
    res = models.forecast(
        hist, fut.select("queue", "start"), models=["seasonal_naive", "weekday_mean"]
    )
    assert res.forecast["model"][0] == "weekday_mean"
    chosen = res.scores.filter(pl.col("chosen"))
    assert chosen["wape"][0] == res.scores["wape"].min()


def test_special_days_exclude_and_factor():
    frame = make_history(weeks=10, noise=False)
    spike_day = dt.date(2024, 2, 27)  # a Tuesday in the last 8 weeks
    spiked = frame.with_columns(
        contacts=pl.when(pl.col("start").dt.date() == spike_day)
        .then(pl.col("contacts") * 10)
        .otherwise("contacts")
    )
    hist, fut = split(spiked, dt.datetime(2024, 3, 4))
    future = fut.select("queue", "start")
    plain = models.forecast(hist, future, models=["weekday_mean"], origins=1)
    special = pl.DataFrame(
        {"date": [spike_day], "action": ["exclude"], "factor": [None]},
        schema_overrides={"factor": pl.Float64},
    )
    excluded = models.forecast(
        hist, future, models=["weekday_mean"], origins=1, special_days=special
    )
    truth = fut["rate"].to_numpy()
    tuesday = (fut["start"].dt.weekday() == 2).to_numpy()
    assert (
        metrics.accuracy(truth[tuesday], excluded.forecast["contacts"].to_numpy()[tuesday]) > 0.99
    )
    # robust profile: even without the exclusion one spike day is clipped, not averaged in
    assert metrics.accuracy(truth[tuesday], plain.forecast["contacts"].to_numpy()[tuesday]) > 0.9
    # a factor on a future day multiplies its forecast; on a history day it normalises it
    campaign = dt.date(2024, 3, 6)
    special = pl.DataFrame(
        {
            "date": [campaign, spike_day],
            "action": ["factor", "factor"],
            "factor": [1.5, 10.0],
            "queue": ["q1", None],
        }
    )
    factored = models.forecast(
        hist, future, models=["weekday_mean"], origins=1, special_days=special
    )
    on = (fut["start"].dt.date() == campaign).to_numpy()
    ratio = (
        factored.forecast["contacts"].to_numpy()[on] / excluded.forecast["contacts"].to_numpy()[on]
    )
    np.testing.assert_allclose(ratio, 1.5, rtol=1e-6)
    np.testing.assert_allclose(
        factored.forecast["contacts"].to_numpy()[tuesday],
        excluded.forecast["contacts"].to_numpy()[tuesday],
        rtol=1e-6,
    )


def test_day_after_a_closure_gets_the_learned_uplift():
    closed = (dt.date(2024, 1, 15), dt.date(2024, 2, 19), dt.date(2024, 3, 11), dt.date(2024, 4, 1))
    frame = make_history(weeks=14, closed=closed, post_closure_factor=1.4, noise=False)
    hist, fut = split(frame, dt.datetime(2024, 4, 1))
    assert fut["start"].dt.date().min() == dt.date(2024, 4, 2)  # Monday closed
    res = models.forecast(hist, fut.select("queue", "start"), models=["poisson_glm"], origins=1)
    tue = (fut["start"].dt.date() == dt.date(2024, 4, 2)).to_numpy()
    ratio = res.forecast["contacts"].to_numpy()[tue].sum() / fut["contacts"].to_numpy()[tue].sum()
    assert ratio == pytest.approx(1.0, abs=0.03)
    naive = models.forecast(hist, fut.select("queue", "start"), models=["weekday_mean"], origins=1)
    assert (
        naive.forecast["contacts"].to_numpy()[tue].sum()
        < 0.8 * fut["contacts"].to_numpy()[tue].sum()
    )


def test_holiday_calendar_marks_closures_outside_the_given_rows():
    # history ends on a Friday; the future starts Tuesday; Monday 2024-05-27 is Memorial Day
    closed = (dt.date(2024, 1, 15), dt.date(2024, 2, 19), dt.date(2024, 5, 27))
    frame = make_history(weeks=22, closed=closed, post_closure_factor=1.4, noise=False)
    hist, fut = split(frame, dt.datetime(2024, 5, 25))
    res = models.forecast(
        hist, fut.select("queue", "start"), models=["poisson_glm"], origins=1, holidays="US"
    )
    tue = (fut["start"].dt.date() == dt.date(2024, 5, 28)).to_numpy()
    ratio = res.forecast["contacts"].to_numpy()[tue].sum() / fut["contacts"].to_numpy()[tue].sum()
    assert ratio == pytest.approx(1.0, abs=0.03)


def test_aht_forecast_is_contact_weighted():
    start = [dt.datetime(2024, 1, 1, 9) + dt.timedelta(days=7 * k) for k in range(2)]
    hist = pl.DataFrame(
        {"queue": "q", "start": start, "aht_s": [100.0, 200.0], "contacts": [1.0, 3.0]}
    )
    fut = pl.DataFrame({"queue": "q", "start": [dt.datetime(2024, 1, 15, 9)]})
    res = models.forecast(
        hist, fut, target="aht_s", weight="contacts", models=["weekday_mean"], origins=0
    )
    assert res.forecast["aht_s"][0] == pytest.approx(175.0)  # (1*100 + 3*200) / 4, not 150
    assert res.forecast.columns == ["queue", "start", "aht_s", "lo", "hi", "model"]


def test_aht_profile_models_run_and_stay_near_the_truth():
    frame = make_history(weeks=12, seed=7)
    slot = frame["start"].dt.hour().cast(pl.Float64)
    frame = frame.with_columns(aht_s=180.0 + 5.0 * (slot - 12.0))
    hist, fut = split(frame, dt.datetime(2024, 3, 18))
    res = models.forecast(
        hist, fut.select("queue", "start"), target="aht_s", weight="contacts", origins=2
    )
    assert metrics.accuracy(fut["aht_s"], res.forecast["aht_s"]) > 0.98
    assert (res.forecast["lo"] <= res.forecast["aht_s"]).all()


def test_too_little_history_is_a_typed_error():
    frame = make_history(weeks=1)
    hist = frame.filter(pl.col("start") < dt.datetime(2024, 1, 4))
    fut = frame.filter(pl.col("start") >= dt.datetime(2024, 1, 4)).select("queue", "start")
    with pytest.raises(models.InsufficientHistoryError, match="week"):
        models.forecast(hist, fut, models=["poisson_glm"])
    with pytest.raises(models.ForecastError):
        models.forecast(hist.head(0), fut)


def test_bad_inputs_are_typed_errors():
    hist, fut = split(make_history(weeks=3), dt.datetime(2024, 1, 15))
    future = fut.select("queue", "start")
    with pytest.raises(models.UnknownModelError, match="available models"):
        models.forecast(hist, future, models=["nope"])
    with pytest.raises(models.errors.InputError, match="lacks column"):
        models.forecast(hist.drop("contacts"), future)
    with pytest.raises(models.errors.InputError, match="action"):
        models.forecast(
            hist,
            future,
            special_days=pl.DataFrame({"date": [dt.date(2024, 1, 2)], "action": ["drop"]}),
        )
    with pytest.raises(models.errors.InputError, match="level"):
        models.forecast(hist, future, level=80)
    assert issubclass(models.errors.InputError, models.ForecastError)


def test_models_never_imports_wfm():
    code = "import sys, models; bad = [m for m in sys.modules if m == 'wfm' or m.startswith('wfm.')]; print(bad)"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
    for path in (root / "models").rglob("*.py"):
        text = path.read_text()
        assert "import wfm" not in text and "from wfm" not in text, path


def test_daily_data_and_time_zones_are_handled():
    frame = make_history(weeks=14, noise=False)
    daily = (
        frame.group_by("queue", pl.col("start").dt.truncate("1d"))
        .agg(pl.col("contacts", "rate").sum())
        .sort("start")
    )
    hist, fut = split(daily, AT)
    res = models.forecast(
        hist, fut.select("queue", "start"), models=["poisson_glm", "ets_profile"], origins=2
    )
    assert metrics.accuracy(fut["rate"], res.forecast["contacts"]) > 0.98
    aware = frame.with_columns(pl.col("start").dt.replace_time_zone("America/New_York"))
    hist, fut = split(aware.with_columns(pl.col("start").dt.replace_time_zone(None)), AT)
    hist = hist.with_columns(pl.col("start").dt.replace_time_zone("America/New_York"))
    future = fut.select("queue", pl.col("start").dt.replace_time_zone("America/New_York"))
    res = models.forecast(hist, future, models=["weekday_mean"], origins=1)
    assert res.forecast["start"].dtype == future["start"].dtype
    assert metrics.accuracy(fut["rate"], res.forecast["contacts"]) > 0.98


def test_combo_is_the_mean_of_its_members():
    hist, fut = split(make_history(weeks=12, seed=3), dt.datetime(2024, 3, 18))
    future = fut.select("queue", "start")
    res = models.forecast(hist, future, models=["poisson_glm", "ets_profile", "combo"], origins=2)
    bt = res.backtest.pivot(on="model", index=["origin", "start"], values="forecast")
    np.testing.assert_allclose(bt["combo"], (bt["poisson_glm"] + bt["ets_profile"]) / 2, rtol=1e-9)
    alone = models.forecast(hist, future, models=["combo"], origins=2)
    both = [
        models.forecast(hist, future, models=[m], origins=0).forecast["contacts"]
        for m in ("poisson_glm", "ets_profile")
    ]
    np.testing.assert_allclose(alone.forecast["contacts"], (both[0] + both[1]) / 2, rtol=1e-9)


def test_unknown_holiday_country_is_an_input_error():
    hist, fut = split(make_history(weeks=3), dt.datetime(2024, 1, 15))
    with pytest.raises(models.errors.InputError, match="holidays"):
        models.forecast(hist, fut.select("queue", "start"), holidays="XX", models=["weekday_mean"])


def test_empty_future_gives_an_empty_forecast_with_the_contract_columns():
    hist, fut = split(make_history(weeks=3), dt.datetime(2024, 1, 15))
    res = models.forecast(hist, fut.select("queue", "start").head(0), models=["weekday_mean"])
    assert res.forecast.height == 0
    assert res.forecast.columns == ["queue", "start", "contacts", "lo", "hi", "model"]


def test_aht_rows_without_contacts_may_be_empty():
    start = [dt.datetime(2024, 1, 1, 9) + dt.timedelta(days=7 * k) for k in range(3)]
    hist = pl.DataFrame(
        {"queue": "q", "start": start, "aht_s": [100.0, None, 300.0], "contacts": [1.0, 0.0, 1.0]}
    )
    fut = pl.DataFrame({"queue": "q", "start": [dt.datetime(2024, 1, 22, 9)]})
    res = models.forecast(
        hist, fut, target="aht_s", weight="contacts", models=["weekday_mean"], origins=0
    )
    assert res.forecast["aht_s"][0] == pytest.approx(200.0)


@pytest.mark.parametrize("name", ["poisson_glm", "ets_profile", "uc_profile"])
def test_an_outlier_day_does_not_poison_the_daily_level(name):
    frame = make_history(weeks=14, seed=11)
    spike_day = dt.date(2024, 3, 20)  # the last Wednesday of history
    spiked = frame.with_columns(
        contacts=pl.when(pl.col("start").dt.date() == spike_day)
        .then(pl.col("contacts") * 5)
        .otherwise("contacts")
    )
    hist, fut = split(spiked, AT)
    res = models.forecast(hist, fut.select("queue", "start"), models=[name], origins=0)
    clean = models.forecast(
        split(frame, AT)[0], fut.select("queue", "start"), models=[name], origins=0
    )
    ratio = res.forecast["contacts"].sum() / clean.forecast["contacts"].sum()
    assert ratio == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("name", ["seasonal_naive", "weekday_mean", "poisson_glm", "combo"])
def test_model_interface_fit_predict_interval(name):
    from models.api import _prepare

    hist, fut = split(make_history(weeks=10, seed=9), dt.datetime(2024, 3, 4))
    prep = _prepare(hist, fut.select("queue", "start"), "contacts", None, None, None)[0]
    model = models.make(name)
    assert model.fit(prep.series) is model
    point, lo, hi = model.predict_interval(prep.future_start, level=0.8)
    assert point.shape == lo.shape == hi.shape == (fut.height,)
    assert (lo >= 0).all() and (lo <= point).all() and (point <= hi).all()
    assert 0.5 < metrics.coverage(fut["contacts"], lo, hi) <= 1.0


def test_models_can_be_given_as_configured_instances():
    from models.api import _prepare

    frame = make_history(weeks=12, seed=2)
    hist, fut = split(frame, dt.datetime(2024, 3, 18))
    future = fut.select("queue", "start")
    four = models.make("weekday_mean", weeks=4)
    res = models.forecast(hist, future, models=[four, "seasonal_naive"], origins=2)
    assert set(res.scores["model"]) == {"weekday_mean", "seasonal_naive"}
    only = models.forecast(hist, future, models=[four], origins=0)
    series = _prepare(hist, future, "contacts", None, None, None)[0].series
    direct = models.make("weekday_mean", weeks=4).fit(series)
    expected = direct.predict(fut["start"].to_numpy().astype("datetime64[us]"))
    np.testing.assert_allclose(only.forecast["contacts"], expected)
    eight = (
        models.make("weekday_mean")
        .fit(series)
        .predict(fut["start"].to_numpy().astype("datetime64[us]"))
    )
    assert not np.allclose(expected, eight)  # the parameter was used


def test_a_partial_last_day_does_not_depress_the_level():
    frame = make_history(weeks=14, noise=False)
    cut = dt.datetime(2024, 3, 22, 10)  # history ends on Friday morning
    hist = frame.filter(pl.col("start") < cut)
    week = (pl.col("start") >= dt.datetime(2024, 3, 25)) & (
        pl.col("start") < dt.datetime(2024, 3, 30)
    )
    fut = frame.filter(week)
    # without outlier removal and with a short profile window only the partial-day rule protects
    bare = models.make("poisson_glm", robust_z=None, profile_weeks=2, profile_half_life_weeks=None)
    for model in (bare, "poisson_glm", "ets_profile"):
        res = models.forecast(hist, fut.select("queue", "start"), models=[model], origins=0)
        assert metrics.accuracy(fut["rate"], res.forecast["contacts"]) > 0.98, model
