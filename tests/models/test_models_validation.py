"""The library entries refuse what the file route refuses: NaN, infinities, negatives, duplicates.

A NaN contact used to turn every backtest score into NaN, and the automatic choice then fell
back to the first candidate without a word.
"""

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest
from models_synth_history import make_history, split

import models
from models import metrics
from models.base import Forecaster, register
from models.intervals import IntervalModel


@pytest.fixture(scope="module")
def week():
    hist, fut = split(make_history(weeks=6), dt.datetime(2024, 2, 5))
    return hist.drop("rate"), fut.select("queue", "start")


def _set(frame: pl.DataFrame, row: int, value: float) -> pl.DataFrame:
    return frame.with_columns(
        contacts=pl.when(pl.int_range(pl.len()) == row).then(value).otherwise("contacts")
    )


@pytest.mark.parametrize(
    ("value", "words"),
    [(float("nan"), "NaN"), (float("inf"), "inf is not a finite"), (-3.0, "-3.0 is negative")],
)
def test_forecast_refuses_bad_contacts_naming_row_queue_start_and_column(week, value, words):
    hist, fut = week
    bad = _set(hist, 100, value)
    with pytest.raises(models.errors.InputError) as err:
        models.forecast(bad, fut)
    text = str(err.value)
    assert words in text
    assert "history row 100 (queue 'q1', start 2024-01-08 08:00), column 'contacts'" in text


def test_forecast_and_backtest_refuse_duplicate_intervals(week):
    hist, fut = week
    doubled = pl.concat([hist, hist.slice(40, 2)])
    for call in (lambda: models.forecast(doubled, fut), lambda: models.backtest(doubled)):
        with pytest.raises(models.errors.InputError, match="appears more than once.*one row per queue x start"):
            call()


def test_backtest_refuses_nan_contacts(week):
    with pytest.raises(models.errors.InputError, match="NaN"):
        models.backtest(_set(week[0], 5, float("nan")), models=["weekday_mean"])


def test_rate_target_refuses_bad_weights_and_infinite_rates(week):
    hist, fut = week
    aht = hist.with_columns(aht_s=pl.lit(180.0))
    with pytest.raises(models.errors.InputError, match="column 'contacts'.*negative"):
        models.forecast(_set(aht, 3, -1.0), fut, target="aht_s", weight="contacts")
    inf = aht.with_columns(aht_s=pl.when(pl.int_range(pl.len()) == 9).then(float("inf")).otherwise("aht_s"))
    with pytest.raises(models.errors.InputError, match="column 'aht_s'"):
        models.forecast(inf, fut, target="aht_s", weight="contacts")


def test_future_without_start_is_refused(week):
    hist, fut = week
    with pytest.raises(models.errors.InputError, match="future row 0.*column 'start'"):
        models.forecast(hist, fut.with_columns(start=pl.lit(None, pl.Datetime("us"))))


def test_metrics_refuse_nan_inf_and_negative_actuals():
    for actual, forecast in (([1.0, np.nan], [1.0, 1.0]), ([1.0, 2.0], [np.inf, 1.0]),
                             ([-1.0, 2.0], [1.0, 1.0])):
        for fn in (metrics.wape, metrics.accuracy, metrics.bias, metrics.mape):
            with pytest.raises(models.errors.InputError):
                fn(actual, forecast)
    with pytest.raises(ValueError):  # InputError is a ValueError too
        metrics.coverage([1.0], [np.nan], [2.0])
    assert math.isnan(metrics.wape([0, 0], [1, 1]))  # undefined, not wrong: still NaN


def test_evaluate_refuses_nan_and_duplicate_backtest_rows():
    t = [dt.datetime(2024, 1, 1, 9), dt.datetime(2024, 1, 1, 9, 30)]
    bt = pl.DataFrame({"queue": "q", "model": "m", "origin": 1, "start": t,
                       "actual": [10.0, 20.0], "forecast": [20.0, 10.0], "lo": 0.0, "hi": 30.0})
    with pytest.raises(models.errors.InputError, match="row 1, column 'actual'"):
        models.evaluate(bt.with_columns(actual=pl.Series([10.0, float("nan")])))
    with pytest.raises(models.errors.InputError, match="more than once"):
        models.evaluate(pl.concat([bt, bt.head(1)]))


def test_interval_model_needs_a_finite_residual():
    with pytest.raises(models.errors.InputError):
        IntervalModel.fit(np.array([np.nan]), np.array([1.0]), 0.8, is_rate=False)


@register("test_nan_model")
class _NaNModel(Forecaster):
    """A broken model: it forecasts NaN."""

    def fit(self, series):
        self.series_ = series
        return self

    def predict(self, start):
        return np.full(start.size, np.nan)


def test_a_nan_score_never_wins_the_automatic_choice(week):
    hist, fut = week
    res = models.forecast(hist, fut, models=["test_nan_model", "weekday_mean"])
    chosen = res.scores.filter("chosen")
    assert chosen["model"].to_list() == ["weekday_mean"]
    assert math.isnan(res.scores.filter(model="test_nan_model")["wape"][0])


def test_every_candidate_failing_is_an_error_not_a_silent_fallback(week):
    hist, fut = week
    with pytest.raises(models.ModelFailedError, match="queue 'q1'.*test_nan_model"):
        models.forecast(hist, fut, models=["test_nan_model"])
    with pytest.raises(models.ModelFailedError, match="NaN"):
        models.forecast(hist, fut, models=["test_nan_model"], origins=0)


def test_a_queue_without_contacts_in_the_backtest_is_chosen_by_absolute_error(week):
    hist, fut = week
    zero = hist.with_columns(contacts=pl.lit(0.0))
    res = models.forecast(zero, fut, models=["seasonal_naive", "weekday_mean"])
    assert res.scores["chosen"].sum() == 1
    assert res.forecast["contacts"].sum() == 0
