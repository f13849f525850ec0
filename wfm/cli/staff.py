"""`wfm staff`: agents per interval from a forecast, or the planner's quick Erlang calculator.

File mode::

    wfm staff --forecast forecast.csv --config center.toml --out requirements.csv

Calculator mode (no files; Erlang C, or Erlang A with ``--patience``)::

    wfm staff --calls 100 --aht 180 --interval 30m --sl 80/20 --shrinkage 0.3 --max-occupancy 0.85
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated

import numpy as np
import polars as pl
import typer
from rich.table import Table

from wfm import erlang
from wfm.cli.app import ConfigOption, app, console, note
from wfm.errors import InputError

#: rows shown above and below the requirement in the calculator table
CALCULATOR_SPAN = 3


def parse_interval(text: str) -> float:
    """Interval length in seconds from ``"30m"``, ``"1h"``, ``"900s"`` or ``"30"`` (minutes).

    >>> parse_interval("30m"), parse_interval("1h"), parse_interval("15")
    (1800.0, 3600.0, 900.0)
    """
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hour)?\s*", text.lower())
    if not m or float(m.group(1)) <= 0:
        raise InputError(f"--interval {text!r} is not an interval length", fix='write e.g. "30m", "1h" or "900s"')
    unit = {"s": 1, "sec": 1, "h": 3600, "hour": 3600}.get(m.group(2) or "m", 60)
    return float(m.group(1)) * unit


def parse_service_level(text: str) -> tuple[float, float]:
    """``"80/20"`` -> (0.80, 20.0): percent answered within seconds.

    >>> parse_service_level("80/20")
    (0.8, 20.0)
    """
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%?\s*/\s*(\d+(?:\.\d+)?)\s*s?\s*", text)
    if not m:
        raise InputError(f"--sl {text!r} is not a service-level target",
                         fix="write percent/seconds, e.g. 80/20 for 80 % answered within 20 s")
    pct, secs = float(m.group(1)), float(m.group(2))
    if not 0 < pct < 100 or secs <= 0:
        raise InputError(f"--sl {text!r} is impossible", fix="the percent is between 0 and 100, the seconds above 0")
    return pct / 100.0, secs


def _check(name: str, value: float | None, lo: float, hi: float, *, lo_open: bool = False, hi_open: bool = False,
           what: str = "") -> None:
    if value is None:
        return
    bad = not math.isfinite(value) or value < lo or value > hi or (lo_open and value == lo) or (hi_open and value == hi)
    if bad:
        lo_s = f"above {lo:g}" if lo_open else f"at least {lo:g}"
        hi_s = f"below {hi:g}" if hi_open else f"at most {hi:g}"
        raise InputError(f"{name} {value:g} is impossible", fix=f"give {what or 'a value'} {lo_s} and {hi_s}")


@app.command()
def staff(
    forecast: Annotated[Path | None, typer.Option(
        "--forecast", "-f", help="Forecast file (CSV/Parquet): queue, start, contacts[, aht_s].")] = None,
    config: Path = ConfigOption,
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Requirements file to write (.csv or .parquet).")] = Path("requirements.csv"),
    calls: Annotated[float | None, typer.Option(
        "--calls", help="Calculator: contacts offered in one interval.")] = None,
    aht: Annotated[float, typer.Option("--aht", help="Calculator: average handle time, seconds.")] = 180.0,
    interval: Annotated[str, typer.Option(
        "--interval", help='Calculator: interval length, e.g. "30m", "1h", "900s".')] = "30m",
    sl: Annotated[str, typer.Option("--sl", help="Calculator: service-level target, percent/seconds.")] = "80/20",
    asa: Annotated[float | None, typer.Option(
        "--asa", help="Calculator: maximum average speed of answer, seconds.")] = None,
    patience: Annotated[float, typer.Option(
        "--patience", help="Calculator: mean caller patience, seconds (Erlang A); 0 = Erlang C.")] = 0.0,
    max_abandon: Annotated[float | None, typer.Option(
        "--max-abandon", help="Calculator: maximum abandonment share (Erlang A), e.g. 0.05.")] = None,
    max_occupancy: Annotated[float | None, typer.Option(
        "--max-occupancy", help="Calculator: occupancy cap, e.g. 0.85.")] = None,
    shrinkage: Annotated[float | None, typer.Option(
        "--shrinkage", help="Calculator: shrinkage share, e.g. 0.30, for scheduled heads.")] = None,
    concurrency: Annotated[int, typer.Option(
        "--concurrency", help="Calculator: sessions one agent serves at once (chat).")] = 1,
) -> None:
    """Agents each interval needs: from a forecast file, or for one interval (--calls).

    File: wfm staff --forecast forecast.csv --config center.toml --out requirements.csv

    Calculator: wfm staff --calls 100 --aht 180 --interval 30m --sl 80/20 --shrinkage 0.3
    (add --patience 120 for Erlang A, --max-occupancy 0.85, --asa 20, --max-abandon 0.05).
    """
    if calls is not None:
        if forecast is not None:
            raise InputError("--calls and --forecast were both given", fix="use --calls for the calculator or --forecast for a file")
        _calculator(calls, aht, interval, sl, asa, patience, max_abandon, max_occupancy, shrinkage, concurrency)
    elif forecast is not None:
        _file_mode(forecast, config, out)
    else:
        raise InputError("nothing to staff", fix="give --forecast FILE, or --calls N for the quick calculator")


def _file_mode(forecast: Path, config: Path, out: Path) -> None:
    from wfm.config import CenterConfig
    from wfm.io import read_forecast, write_outputs
    from wfm.staffing import requirements

    if out.suffix.lower() not in (".csv", ".parquet"):
        raise InputError(f"--out {str(out)!r} has an unknown type", fix="name it .csv or .parquet")
    cfg = CenterConfig.from_toml(config)
    checked = read_forecast(forecast, cfg)
    for text in checked.notes:
        note(text)
    req = requirements(checked.frame, cfg)
    write_outputs(out.parent, {out.name: req})
    hours = cfg.interval / 60.0
    summary = (
        req.group_by("queue", "skill", maintain_order=True)
        .agg(
            pl.len().alias("intervals"),
            pl.col("contacts").sum(),
            pl.col("net_agents").max().alias("peak_net"),
            pl.col("agents").max().alias("peak_agents"),
            (pl.col("agents").sum() * hours).alias("agent_hours"),
        )
    )
    table = Table(title=f"Requirements -> {out}")
    for col in ("queue", "skill", "intervals", "contacts", "peak net", "peak agents", "agent-hours"):
        table.add_column(col, justify="left" if col in ("queue", "skill") else "right")
    for r in summary.iter_rows(named=True):
        table.add_row(r["queue"], r["skill"], f"{r['intervals']:,}", f"{r['contacts']:,.0f}", f"{r['peak_net']:,.1f}",
                      f"{r['peak_agents']:,}", f"{r['agent_hours']:,.1f}")
    console.print(table)


def _calculator(calls, aht, interval, sl, asa, patience, max_abandon, max_occupancy, shrinkage, concurrency) -> None:
    seconds = parse_interval(interval)
    target, answer = parse_service_level(sl)
    _check("--calls", calls, 0, 1e9, what="a number of contacts")
    _check("--aht", aht, 0, 1e6, lo_open=True, what="seconds")
    _check("--asa", asa, 0, 1e6, lo_open=True, what="seconds")
    _check("--patience", patience, 0, 1e7, what="seconds (0 for Erlang C)")
    _check("--max-abandon", max_abandon, 0, 1, lo_open=True, what="a share")
    _check("--max-occupancy", max_occupancy, 0, 1, lo_open=True, what="a share")
    _check("--shrinkage", shrinkage, 0, 1, hi_open=True, what="a share")
    _check("--concurrency", concurrency, 1, 1000, what="a whole number of sessions")
    if max_abandon is not None and patience <= 0:
        raise InputError("--max-abandon needs --patience", fix="give the callers' mean patience in seconds (Erlang A)")
    # chat: an agent on k sessions at once works like one server k times as fast (wfm.staffing)
    load, aht_eff = calls * aht / (seconds * concurrency), aht / concurrency
    need = float(erlang.required_agents(load, aht_eff, service_level=target, answer_seconds=answer, max_asa=asa,
                                        max_abandon=max_abandon, max_occupancy=max_occupancy, patience=patience))
    first = max(need - CALCULATOR_SPAN, 1.0)
    agents = np.arange(first, need + CALCULATOR_SPAN + 1)
    s = erlang.service(agents, load, aht_eff, answer, patience)
    model = "Erlang A" if patience > 0 else "Erlang C"
    per = f" / {concurrency} sessions per agent" if concurrency > 1 else ""
    title = (f"{calls:g} contacts / {seconds / 60:g} min, AHT {aht:g} s{per} = {load:.2f} Erlangs; "
             f"target {target:.0%} in {answer:g} s ({model})")
    table = Table(title=title)
    cols = ["agents"] + (["scheduled"] if shrinkage is not None else []) + [
        "service level", "ASA (s)", "P(wait)", "abandoned", "occupancy"]
    for c in cols:
        table.add_column(c, justify="right")
    for i, n in enumerate(agents):
        unstable = patience <= 0 and n <= load
        row = [f"{n:.0f}"]
        if shrinkage is not None:
            row.append(f"{math.ceil(n / (1 - shrinkage) - 1e-9):d}")
        if unstable:
            row += ["0.0%", "inf", "100.0%", "-", f"{min(load / n, 1):.1%}"]
        else:
            row += [f"{s.service_level[i]:.1%}", f"{s.asa[i]:.1f}", f"{s.p_wait[i]:.1%}",
                    f"{s.abandon[i]:.1%}" if patience > 0 else "-", f"{s.occupancy[i]:.1%}"]
        table.add_row(*row, style="bold reverse" if n == need else None)
    console.print(table)
    line = f"required: {need:.0f} agents on line"
    if shrinkage is not None:
        line += f", {math.ceil(need / (1 - shrinkage) - 1e-9):d} scheduled at {shrinkage:.0%} shrinkage"
    console.print(line)
