"""`wfm forecast`: history -> next week's forecast per queue and interval."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer

from wfm.cli.app import ConfigOption, app, console, load_config, note
from wfm.errors import InputError


def parse_week(text: str | None) -> date | None:
    """A plan week given as YYYY-MM-DD; it must be a Monday."""
    if text is None:
        return None
    try:
        d = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise InputError(f"{text!r} is not a date", column="--week", fix="write it as YYYY-MM-DD") from None
    if d.weekday() != 0:
        raise InputError(f"{text} is a {d.strftime('%A')}", column="--week", fix="plan weeks start on a Monday")
    return d


@app.command("forecast")
def forecast(
    history: Path = typer.Option(..., "--history", help="Contact history: queue, start, contacts [, aht_s, abandoned] (CSV or Parquet)."),
    config: Path = ConfigOption,
    out: Path = typer.Option(Path("forecast.csv"), "--out", "-o", help="Forecast file to write (CSV or Parquet)."),
    week: str = typer.Option(None, help="Monday of the week to forecast (default: the week after the history)."),
    special_days: Path = typer.Option(None, "--special-days", help="Days to leave out of training or scale: date, action (exclude|factor), factor, queue."),
    backtest: bool = typer.Option(False, "--backtest", help="Also write backtest.csv (every backtest forecast and actual), "
                                  "backtest_accuracy.csv (WAPE, MAPE, bias, accuracy per queue and model at interval, "
                                  "hour and day level), backtest.png (forecast vs actual of the latest backtest week), "
                                  "forecast_scores.csv and forecast.png beside --out."),
) -> None:
    """Forecast contacts and handle time for every open interval of a week.

    Writes queue, start, contacts, lo, hi (the prediction interval), aht_s and model per row.
    The model is chosen per queue by rolling-origin backtest unless [forecast] models names one.
    """
    from wfm.forecasting import forecast_week
    from wfm.io import read_history, read_special_days, write_outputs

    cfg = load_config(config)
    checked = read_history(history, cfg)
    for n in checked.notes:
        note(n)
    with console.status("forecasting (backtest and model choice per queue)..."):
        special = read_special_days(special_days, cfg).frame if special_days else None
        stage = forecast_week(cfg, checked.frame, parse_week(week), special_days=special)
    files = {out.name: stage.forecast}
    if backtest:
        from wfm import plots

        files["backtest.csv"] = stage.backtest
        files["backtest_accuracy.csv"] = backtest_accuracy(stage.backtest)
        files["forecast_scores.csv"] = stage.scores
        files["forecast.png"] = plots.saver(plots.plot_forecast(checked.frame, stage.forecast))
        files["backtest.png"] = plots.saver(plots.plot_backtest(stage.backtest, stage.scores))
    for p in write_outputs(out.parent if str(out.parent) else Path("."), files):
        console.print(f"wrote {p}")
    _print_scores(stage)


def backtest_accuracy(backtest):
    """Backtest accuracy per queue and model at the interval, hour and day level, and over all queues."""
    import models
    import polars as pl

    if backtest.height == 0:
        return pl.DataFrame()
    parts = []
    for level, every in (("interval", None), ("hour", "1h"), ("day", "1d")):
        per_queue = models.evaluate(backtest, every=every)
        overall = models.evaluate(backtest, every=every, by=("model",)).with_columns(queue=pl.lit("all"))
        parts += [per_queue.with_columns(level=pl.lit(level)), overall.with_columns(level=pl.lit(level))]
    out = pl.concat(parts, how="diagonal_relaxed")
    return out.select("level", *[c for c in out.columns if c != "level"])


def _print_scores(stage) -> None:
    from rich.table import Table

    s = stage.scores
    if s.height == 0 or "chosen" not in s.columns:
        return
    t = Table(title=f"Forecast for the week of {stage.week} (backtest accuracy = 1 - WAPE)")
    for c in ("queue", "model", "accuracy", "coverage"):
        t.add_column(c, justify="left" if c in ("queue", "model") else "right")
    for r in s.filter(s["chosen"]).iter_rows(named=True):
        t.add_row(r["queue"], r["model"], f"{r['accuracy']:.1%}", f"{r.get('coverage', float('nan')):.0%}")
    console.print(t)
