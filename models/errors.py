"""Typed errors of the forecasting layer, with messages for people."""

from __future__ import annotations


class ForecastError(Exception):
    """Base of every error ``models`` raises on purpose."""


class InputError(ForecastError):
    """A frame or an argument given to ``models`` is wrong (missing column, bad type, ...)."""


class InsufficientHistoryError(ForecastError):
    """A queue has too little history for the requested model or backtest."""


class UnknownModelError(ForecastError):
    """A model name is not in the registry (see ``models.available()``)."""
