import math

import pytest

from models import metrics


def test_wape_accuracy_bias_by_hand():
    actual, forecast = [10, 20, 30, 40], [12, 18, 30, 50]
    # |errors| = 2 + 2 + 0 + 10 = 14 over 100 actual
    assert metrics.wape(actual, forecast) == pytest.approx(0.14)
    assert metrics.accuracy(actual, forecast) == pytest.approx(0.86)
    # forecast - actual = 2 - 2 + 0 + 10 = 10
    assert metrics.bias(actual, forecast) == pytest.approx(0.10)


def test_mape_skips_zero_actuals():
    # 2/10 and 5/20; the zero actual is left out
    assert metrics.mape([10, 20, 0], [12, 15, 3]) == pytest.approx((0.2 + 0.25) / 2)


def test_coverage_counts_bounds_inclusive():
    assert metrics.coverage([1, 2, 3, 4], [1, 0, 4, 0], [1, 1, 5, 10]) == pytest.approx(0.5)


def test_empty_and_zero_inputs_give_nan():
    assert math.isnan(metrics.wape([0, 0], [1, 1]))
    assert math.isnan(metrics.coverage([], [], []))


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError, match="differ in length"):
        metrics.wape([1, 2], [1])


def test_evaluate_scores_interval_hour_and_day_levels():
    import datetime as dt

    import polars as pl

    import models

    t0 = dt.datetime(2024, 1, 1, 9)
    starts = [
        t0,
        t0 + dt.timedelta(minutes=30),
        t0 + dt.timedelta(hours=1),
        t0 + dt.timedelta(hours=1, minutes=30),
    ]
    bt = pl.DataFrame(
        {
            "queue": "q",
            "model": "m",
            "origin": 1,
            "start": starts,
            "actual": [10.0, 20.0, 30.0, 40.0],
            "forecast": [20.0, 10.0, 30.0, 50.0],
            "lo": [15.0, 0.0, 0.0, 0.0],
            "hi": [25.0, 30.0, 30.0, 45.0],
        }
    )
    interval = models.evaluate(bt)
    assert interval["wape"][0] == pytest.approx(30 / 100)  # |-10| + 10 + 0 + 10
    assert interval["coverage"][0] == pytest.approx(0.75)  # 10 lies outside [15, 25]
    hour = models.evaluate(bt, every="1h")
    assert hour["wape"][0] == pytest.approx(10 / 100)  # hours: 30 vs 30, 70 vs 80
    assert hour["mape"][0] == pytest.approx((0 + 10 / 70) / 2)
    day = models.evaluate(bt, every="1d")
    assert day["bias"][0] == pytest.approx(10 / 100)
    assert "coverage" not in day.columns
