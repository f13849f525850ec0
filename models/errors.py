"""Typed errors of the forecasting layer, with messages for people."""

from __future__ import annotations


class ForecastError(Exception):
    """Base of every error ``models`` raises on purpose."""


class InputError(ForecastError, ValueError):
    """A frame or an argument given to ``models`` is wrong (missing column, NaN, duplicate row, ...).

    Also a ``ValueError``, so code that guards numeric input the usual way catches it. Messages
    name the frame, the row (its index in the frame, counted from 0), the queue and interval,
    the column and the fix, e.g. ``history row 1,203 (queue 'calls', start 2024-01-03 09:00),
    column 'contacts': NaN is not a count; fill it (0 contacts) or drop the row``.
    """


class InsufficientHistoryError(ForecastError):
    """A queue has too little history for the requested model or backtest."""


class UnknownModelError(ForecastError):
    """A model name is not in the registry (see ``models.available()``)."""


class ModelFailedError(ForecastError):
    """Every candidate model of a queue failed (its forecast or its backtest score is not a number)."""
