"""Combination of models: the mean (or median) of their forecasts."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from models.base import Forecaster, Series, make, register


@register("combo")
class Combination(Forecaster):
    """Mean (``how="mean"``) or median of member models' forecasts.

    >>> Combination(members=("weekday_mean", "poisson_glm")).members
    ('weekday_mean', 'poisson_glm')
    """

    def __init__(
        self, members: Sequence[str] = ("poisson_glm", "ets_profile"), how: str = "mean"
    ) -> None:
        self.members = tuple(members)
        self.how = how

    @property
    def min_weeks(self) -> float:  # type: ignore[override]
        return max(make(m).min_weeks for m in self.members)

    def fit(self, series: Series) -> Combination:
        self._check_history(series)
        self.series_ = series
        self.models_ = [make(m).fit(series) for m in self.members]
        return self

    def predict(self, start: np.ndarray) -> np.ndarray:
        return self.combine([np.maximum(m.predict(start), 0.0) for m in self.models_])

    def combine(self, forecasts: Sequence[np.ndarray]) -> np.ndarray:
        """The combined forecast from the members' forecasts (same rows, members' order)."""
        preds = np.vstack(forecasts)
        return np.median(preds, axis=0) if self.how == "median" else preds.mean(axis=0)
