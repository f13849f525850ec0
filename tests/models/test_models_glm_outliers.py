"""The Poisson GLM's outlier search costs a bounded number of refits, whatever the history."""

import datetime as dt

import numpy as np
import polars as pl
import pytest
from models_synth_history import make_history

import models
from models.api import _prepare
from models.profile import OUTLIER_ROUNDS


def _spiky_history(weeks: int, share: float, seed: int = 3) -> tuple[pl.DataFrame, np.ndarray]:
    h = make_history(weeks=weeks, step_minutes=60, daily_total=1500.0, seed=seed).drop("rate")
    days = h["start"].dt.date().unique().sort()
    rng = np.random.default_rng(seed)
    hit = np.sort(rng.choice(days.len(), size=int(share * days.len()), replace=False))
    factor = np.ones(days.len())
    factor[hit] = rng.choice([0.3, 2.5, 4.0], size=hit.size)
    f = pl.DataFrame({"_d": days, "_f": factor})
    h = (h.with_columns(_d=pl.col("start").dt.date()).join(f, on="_d")
         .with_columns(contacts=(pl.col("contacts") * pl.col("_f")).round()).drop("_d", "_f"))
    return h, days.to_numpy()[hit].astype("datetime64[D]")


@pytest.fixture
def glm_fits(monkeypatch):
    import statsmodels.api as sm

    calls = []
    fit = sm.GLM.fit
    monkeypatch.setattr(sm.GLM, "fit", lambda self, *a, **k: calls.append(1) or fit(self, *a, **k))
    return calls


def test_outlier_search_refits_a_bounded_number_of_times_on_long_history(glm_fits):
    hist, spikes = _spiky_history(weeks=104, share=0.06)  # 520 days, 31 of them spikes or dips
    prep = _prepare(hist, hist.select("queue", "start").tail(1), "contacts", None, None, None)[0]
    model = models.make("poisson_glm").fit(prep.series)
    assert len(glm_fits) <= 1 + OUTLIER_ROUNDS  # it was one refit per outlier day (31 here)
    found = set(model.outlier_days_.tolist())
    assert found >= set(spikes.tolist())  # every spike and dip is found
    assert len(found - set(spikes.tolist())) <= 2  # and hardly an ordinary day


def test_outlier_rounds_is_a_parameter(glm_fits):
    hist, _ = _spiky_history(weeks=30, share=0.1)
    prep = _prepare(hist, hist.select("queue", "start").tail(1), "contacts", None, None, None)[0]
    models.make("poisson_glm", outlier_rounds=1).fit(prep.series)
    assert len(glm_fits) <= 2
    glm_fits.clear()
    models.make("poisson_glm", robust_z=None).fit(prep.series)
    assert len(glm_fits) == 1


def test_neighbours_of_a_spike_are_not_left_out():
    hist, _ = _spiky_history(weeks=20, share=0.0)
    spike = dt.date(2024, 4, 10)
    hist = hist.with_columns(contacts=pl.when(pl.col("start").dt.date() == spike)
                             .then(pl.col("contacts") * 6).otherwise("contacts"))
    prep = _prepare(hist, hist.select("queue", "start").tail(1), "contacts", None, None, None)[0]
    model = models.make("poisson_glm").fit(prep.series)
    assert model.outlier_days_.astype("datetime64[D]").tolist() == [spike]
