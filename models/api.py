"""The public entry points: ``forecast`` and ``backtest`` over long polars frames of queues."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from models import metrics
from models.base import Forecaster, Series, make
from models.calendar import build_calendar, day_of, infer_step
from models.combo import Combination
from models.errors import InputError, InsufficientHistoryError, ModelFailedError
from models.intervals import IntervalModel

#: Models tried by the automatic choice when ``models=None``.
AUTO_MODELS: tuple[str, ...] = (
    "seasonal_naive",
    "weekday_mean",
    "poisson_glm",
    "ets_profile",
    "combo",
)


@dataclass
class ForecastResult:
    """What ``forecast`` returns: the forecast, the backtest behind the choice, and scores.

    ``fit_seconds`` holds per queue the time to fit the chosen model on the full history and
    forecast the future rows.
    """

    forecast: pl.DataFrame
    backtest: pl.DataFrame
    scores: pl.DataFrame
    fit_seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Prepared:
    queue: str
    series: Series
    future_start: np.ndarray
    future_factor: np.ndarray


def _check_frame(frame: pl.DataFrame, name: str, columns: Sequence[str]) -> pl.DataFrame:
    if not isinstance(frame, pl.DataFrame):
        raise InputError(f"{name} must be a polars DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"{name} lacks column(s) {missing}; it has {frame.columns}, expected {list(columns)}"
        )
    if not isinstance(frame.schema["start"], pl.Datetime):
        raise InputError(f"{name} column 'start' must be pl.Datetime, got {frame.schema['start']}")
    return frame.with_columns(
        pl.col("queue").cast(pl.String),
        pl.col("start").dt.replace_time_zone(None).cast(pl.Datetime("us")),
    )


def _where(frame: pl.DataFrame, name: str, i: int) -> str:
    """``history row 1,203 (queue 'calls', start 2024-01-03 09:00)``: a row a person can find."""
    row = frame.row(i, named=True)
    start = row.get("start")
    when = f"{start:%Y-%m-%d %H:%M}" if start is not None else "no start"
    return f"{name} row {i:,} (queue {row.get('queue')!r}, start {when})"


def _refuse(frame: pl.DataFrame, name: str, mask: pl.Series, column: str, problem: str, fix: str) -> None:
    """Raise an :class:`InputError` naming the first row where ``mask`` holds and how many do."""
    mask = mask.fill_null(False)
    n = int(mask.sum())
    if n == 0:
        return
    i = int(mask.arg_true()[0])
    value = frame[column][i] if column in frame.columns else None
    more = f" ({n:,} rows like this)" if n > 1 else ""
    raise InputError(
        f"{_where(frame, name, i)}, column '{column}': {problem.format(value=value)}{more}; {fix}"
    )


def _check_keys(frame: pl.DataFrame, name: str) -> None:
    """No empty queue or start, and one row per queue x interval start."""
    for col in ("queue", "start"):
        _refuse(frame, name, frame[col].is_null(), col, "is empty",
                "every row needs a queue and an interval start")
    dup = frame.select("queue", "start").is_duplicated()
    if dup.any():
        i = int(dup.arg_true()[0])
        raise InputError(
            f"{_where(frame, name, i)}: this queue x start appears more than once "
            f"({int(dup.sum()):,} rows of {name} share their queue and start with another row); "
            "keep one row per queue x start (add up the contacts of copies that are parts of "
            "one interval)"
        )


def _check_values(frame: pl.DataFrame, name: str, column: str, *, counts: bool) -> None:
    """Numbers of ``column`` are finite and >= 0 (nulls are checked by the caller)."""
    v = frame[column].cast(pl.Float64)
    what = "contacts are counts >= 0" if counts else f"'{column}' values are numbers >= 0"
    _refuse(frame, name, v.is_nan(), column, "NaN is not a number",
            "fill it (0 contacts if nobody called) or drop the row" if counts else "drop the row")
    _refuse(frame, name, v.is_infinite(), column, "{value} is not a finite number",
            "fix the value or drop the row")
    _refuse(frame, name, v < 0, column, "{value} is negative", what)


def _holiday_days(country: str | None, years: range) -> np.ndarray | None:
    if country is None:
        return None
    import holidays as holidays_lib

    try:
        cal = holidays_lib.country_holidays(country, years=list(years))
    except NotImplementedError:
        raise InputError(
            f"holidays={country!r} is not a country code the 'holidays' package knows; "
            "use e.g. 'US', 'GB', 'CN'"
        ) from None
    return np.array(sorted(cal.keys()), dtype="datetime64[D]")


def _special(
    special_days: pl.DataFrame | None, queue: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Excluded dates, factored dates and their factors that apply to ``queue``."""
    empty = np.array([], "datetime64[D]")
    if special_days is None or special_days.height == 0:
        return empty, empty, np.array([])
    sd = special_days
    for col in ("date", "action"):
        if col not in sd.columns:
            raise InputError(
                f"special_days lacks column '{col}'; expected date, action, factor[, queue]"
            )
    bad = sd.filter(~pl.col("action").is_in(["exclude", "factor"]))
    if bad.height:
        raise InputError(
            f"special_days column 'action': {bad['action'][0]!r} is not allowed; use 'exclude' or 'factor'"
        )
    if "queue" in sd.columns:
        sd = sd.filter(pl.col("queue").is_null() | (pl.col("queue").cast(pl.String) == queue))
    dates = sd["date"].cast(pl.Date).to_numpy().astype("datetime64[D]")
    action = sd["action"].to_numpy()
    if "factor" in sd.columns:
        factor = sd["factor"].cast(pl.Float64).fill_null(1.0).to_numpy()
    else:
        factor = np.ones(sd.height)
    is_f = action == "factor"
    if is_f.any() and not (factor[is_f] > 0).all():
        raise InputError("special_days column 'factor': factors must be > 0")
    return dates[action == "exclude"], dates[is_f], factor[is_f]


def _prepare(
    history: pl.DataFrame,
    future: pl.DataFrame,
    target: str,
    weight: str | None,
    special_days: pl.DataFrame | None,
    holidays: str | None,
) -> list[_Prepared]:
    cols = ["queue", "start", target] + ([weight] if weight else [])
    history = _check_frame(history, "history", cols)
    future = _check_frame(future, "future", ["queue", "start"])
    _check_keys(history, "history")
    if weight is not None:
        _check_values(history, "history", weight, counts=True)
        # a rate is undefined where nobody called: drop those rows
        value = pl.col(target).cast(pl.Float64)
        history = history.filter(value.is_not_null() & value.is_not_nan())
    _refuse(history, "history", history[target].is_null(), target, "is empty",
            "fill it (0 contacts if nobody called) or drop the row")
    _check_values(history, "history", target, counts=weight is None)
    for col in ("queue", "start"):
        _refuse(future, "future", future[col].is_null(), col, "is empty",
                "every future row needs a queue and an interval start")
    if history.height == 0:
        raise InsufficientHistoryError("history has no rows; give at least one week per queue")
    both = pl.concat([history["start"], future["start"]])
    hol = _holiday_days(holidays, range(both.min().year - 1, both.max().year + 2))
    out = []
    for queue in future["queue"].unique(maintain_order=True).to_list():
        h = history.filter(pl.col("queue") == queue).sort("start")
        if h.height == 0:
            raise InsufficientHistoryError(
                f"queue '{queue}' has no history rows; cannot forecast it"
            )
        f_start = (
            future.filter(pl.col("queue") == queue)["start"].to_numpy().astype("datetime64[us]")
        )
        start = h["start"].to_numpy().astype("datetime64[us]")
        y = h[target].cast(pl.Float64).to_numpy().copy()
        w = h[weight].cast(pl.Float64).fill_null(0.0).to_numpy() if weight else None
        excl, fdates, factors = _special(special_days, queue)
        days = day_of(start)
        keep = ~np.isin(days, excl)
        fut_factor = np.ones(f_start.size)
        if fdates.size:
            order = np.argsort(fdates)
            fdates, factors = fdates[order], factors[order]
            at = np.clip(np.searchsorted(fdates, days), 0, fdates.size - 1)
            hit = fdates[at] == days
            y[hit] = y[hit] / factors[at[hit]]
            fd = day_of(f_start)
            at_f = np.clip(np.searchsorted(fdates, fd), 0, fdates.size - 1)
            hit_f = fdates[at_f] == fd
            fut_factor[hit_f] = factors[at_f[hit_f]]
        cal = build_calendar(days, day_of(f_start), holiday_days=hol, excluded=excl)
        series = Series(
            start[keep], y[keep], infer_step(start), cal, None if w is None else w[keep]
        )
        out.append(_Prepared(queue, series, f_start, fut_factor))
    return out


def _cutoffs(series: Series, origins: int, horizon_days: int) -> list[np.datetime64]:
    end = day_of(series.start[-1:])[0] + np.timedelta64(1, "D")
    return [
        (end - np.timedelta64(o * horizon_days, "D")).astype("datetime64[us]")
        for o in range(1, origins + 1)
    ]


def _run_backtest(
    prep: _Prepared,
    names: Sequence[str | Forecaster],
    origins: int,
    horizon_days: int,
    level: float,
    first: int = 1,
) -> pl.DataFrame:
    s = prep.series
    horizon = np.timedelta64(horizon_days, "D")
    frames = []
    done: dict[tuple[str, int], np.ndarray] = {}  # (model name, origin) -> forecast, for combos
    for name in sorted(names, key=lambda n: isinstance(make(n), Combination)):
        rows = []
        for o, cutoff in enumerate(_cutoffs(s, origins, horizon_days), start=1):
            if o < first:
                continue
            test = (s.start >= cutoff) & (s.start < cutoff + horizon)
            train = s.before(cutoff)
            model = make(name)
            if not test.any() or train.weeks() < model.min_weeks - 1.0 / 7.0:
                continue
            parts = [done.get((m, o)) for m in getattr(model, "members", ())]
            if parts and all(p is not None for p in parts):  # members already backtested
                pred = model.combine(parts)
            else:
                pred = np.maximum(model.fit(train).predict(s.start[test]), 0.0)
            if isinstance(name, str):
                done[(name, o)] = pred
            rows.append((o, s.start[test], s.y[test], pred, s.w[test]))
        if not rows:
            continue
        lo_all, hi_all = [], []
        for o, _, _, pred, _ in rows:
            others = [r for r in rows if r[0] != o]
            oa = np.concatenate([r[2] for r in others]) if others else np.array([])
            of = np.concatenate([r[3] for r in others]) if others else np.array([])
            im = (
                IntervalModel.fit(oa, of, level, is_rate=s.is_rate)
                if np.isfinite(of).any()
                else IntervalModel.poisson(level)
            )
            lo, hi = im.bounds(pred)
            lo_all.append(lo)
            hi_all.append(hi)
        label = name if isinstance(name, str) else name.name
        frames.append(
            pl.DataFrame(
                {
                    "queue": prep.queue,
                    "model": label,
                    "origin": np.concatenate([np.full(r[1].size, r[0]) for r in rows]),
                    "start": np.concatenate([r[1] for r in rows]),
                    "actual": np.concatenate([r[2] for r in rows]),
                    "forecast": np.concatenate([r[3] for r in rows]),
                    "lo": np.concatenate(lo_all),
                    "hi": np.concatenate(hi_all),
                    "_w": np.concatenate([r[4] for r in rows]),
                }
            )
        )
    if not frames:
        return pl.DataFrame()
    return pl.concat(frames)


def _score(bt: pl.DataFrame, is_rate: bool) -> pl.DataFrame:
    rows = []
    for (queue, model), g in bt.group_by(["queue", "model"], maintain_order=True):
        a, f = g["actual"].to_numpy(), g["forecast"].to_numpy()
        if not np.isfinite(f).all():  # a model that failed: scored NaN, never chosen
            nan = float("nan")
            rows.append({"queue": queue, "model": model, "wape": nan, "mae": nan, "mape": nan,
                         "bias": nan, "accuracy": nan, "coverage": nan})
            continue
        if is_rate:  # weight errors by volume: a contact-weighted WAPE
            w = g["_w"].to_numpy()
            a, f = a * w, f * w
        rows.append(
            {
                "queue": queue,
                "model": model,
                "wape": metrics.wape(a, f),
                "mae": float(np.mean(np.abs(a - f))) if a.size else float("nan"),
                "mape": metrics.mape(g["actual"], g["forecast"]),
                "bias": metrics.bias(a, f),
                "accuracy": metrics.accuracy(a, f),
                "coverage": metrics.coverage(g["actual"], g["lo"], g["hi"]),
            }
        )
    return pl.DataFrame(rows)


def _names(models: Sequence[str | Forecaster] | str | None) -> list[str | Forecaster]:
    if models is None:
        return list(AUTO_MODELS)
    if isinstance(models, (str, Forecaster)):
        return [models]
    names = list(models)
    if not names:
        raise InputError("models is empty; give None for the automatic choice or a list of names")
    for n in names:
        make(n)  # fail early on unknown names
    return names


def forecast(
    history: pl.DataFrame,
    future: pl.DataFrame,
    target: str = "contacts",
    weight: str | None = None,
    models: Sequence[str | Forecaster] | str | None = None,
    level: float = 0.80,
    origins: int = 4,
    special_days: pl.DataFrame | None = None,
    holidays: str | None = None,
    seed: int = 0,
    horizon_days: int = 7,
    interval_origins: int = 12,
) -> ForecastResult:
    """Forecast ``target`` for exactly the rows of ``future``, per queue, with intervals.

    Each queue's model is chosen by a rolling-origin backtest on its own history (the model
    with the lowest WAPE over ``origins`` windows of ``horizon_days``; ``origins=0`` takes the
    first model of ``models`` that fits). The interval comes from the chosen model's residuals
    over ``interval_origins`` windows, or as many as the history allows (more windows than for
    the choice, because a few weeks under-state the tails; with none, Poisson noise for counts
    and in-sample residuals for rates). ``weight`` (e.g. ``"contacts"`` for
    ``target="aht_s"``) makes every average a weighted one. ``special_days`` rows with action ``exclude`` are left out
    of training; rows with action ``factor`` are divided by the factor in the history and the
    forecast of that date is multiplied by it. ``holidays`` is a country code for the
    ``holidays`` package: holidays without rows count as closures. ``seed`` is accepted for
    stochastic models; the registered models are all deterministic.

    >>> import polars as pl, datetime as dt
    >>> start = [dt.datetime(2024, 1, 1) + dt.timedelta(days=d, hours=h)
    ...          for d in range(35) for h in (9, 10)]
    >>> hist = pl.DataFrame({"queue": "q", "start": start, "contacts": [10.0, 20.0] * 35})
    >>> fut = pl.DataFrame({"queue": "q", "start": [dt.datetime(2024, 2, 5, 10)]})
    >>> forecast(hist, fut, models=["weekday_mean"]).forecast["contacts"].to_list()
    [20.0]
    """
    if not 0 < level < 1:
        raise InputError(f"level must be between 0 and 1, got {level}")
    if origins < 0:
        raise InputError(f"origins must be >= 0, got {origins}")
    del seed  # every model here is deterministic; kept so configs can pin stochastic ones later
    names = _names(models)
    preps = _prepare(history, future, target, weight, special_days, holidays)
    forecasts, backtests, scores, timing = [], [], [], {}
    for prep in preps:
        s = prep.series
        bt = _run_backtest(prep, names, origins, horizon_days, level) if origins else pl.DataFrame()
        if bt.height:
            sc = _score(bt, s.is_rate)
            best = _best(sc, prep.queue)
            sc = sc.with_columns(chosen=pl.col("model") == best)
        else:
            sc = pl.DataFrame()
            best = None
        label_to_name = {(n if isinstance(n, str) else n.name): n for n in names}
        chosen = label_to_name[best] if best is not None else _first_fitting(names, s)
        t0 = time.perf_counter()
        model = make(chosen).fit(s)
        point = np.maximum(model.predict(prep.future_start), 0.0) * prep.future_factor
        if not np.isfinite(point).all():
            raise ModelFailedError(
                f"queue '{prep.queue}': model '{_label(chosen)}' forecast "
                f"{int((~np.isfinite(point)).sum()):,} of {point.size:,} future intervals as "
                "NaN or infinite; choose another model for this queue"
            )
        timing[prep.queue] = time.perf_counter() - t0
        label = chosen if isinstance(chosen, str) else chosen.name
        parts = [bt.filter(pl.col("model") == label)] if bt.height else []
        if interval_origins > origins:
            parts.append(
                _run_backtest(prep, [chosen], interval_origins, horizon_days, level, origins + 1)
            )
        parts = [p for p in parts if p.height]
        resid = pl.concat(parts, how="diagonal") if parts else pl.DataFrame()
        if resid.height:
            a, f = resid["actual"].to_numpy(), resid["forecast"].to_numpy()
            im = IntervalModel.fit(a, f, level, is_rate=s.is_rate)
            lo, hi = im.bounds(point)
        else:  # no backtest window fits in the history
            _, lo, hi = model.predict_interval(prep.future_start, level)
            lo, hi = lo * prep.future_factor, hi * prep.future_factor
        forecasts.append(
            pl.DataFrame(
                {
                    "queue": prep.queue,
                    "start": prep.future_start,
                    target: point,
                    "lo": lo,
                    "hi": hi,
                    "model": label,
                }
            )
        )
        if bt.height:
            backtests.append(bt.drop("_w"))
            scores.append(sc)
    fut = _check_frame(future, "future", ["queue", "start"]).with_row_index("_row")
    fc = (
        pl.concat(forecasts)
        if forecasts
        else pl.DataFrame(
            schema={
                "queue": pl.String,
                "start": pl.Datetime("us"),
                target: pl.Float64,
                "lo": pl.Float64,
                "hi": pl.Float64,
                "model": pl.String,
            }
        )
    )
    if fc.height:
        fc = fc.with_columns(pl.col("start").cast(pl.Datetime("us")))
        fc = fc.with_columns(_k=pl.int_range(pl.len()).over(["queue", "start"]))
        fut = fut.with_columns(_k=pl.int_range(pl.len()).over(["queue", "start"]))
        fc = fut.join(fc, on=["queue", "start", "_k"], how="left").sort("_row").drop("_row", "_k")
        fc = fc.with_columns(start=future["start"])  # the caller's dtype and time zone
    return ForecastResult(
        forecast=fc,
        backtest=pl.concat(backtests) if backtests else _empty_backtest(),
        scores=pl.concat(scores, how="diagonal") if scores else _empty_scores(),
        fit_seconds=timing,
    )


def _label(name: str | Forecaster) -> str:
    return name if isinstance(name, str) else name.name


def _best(scores: pl.DataFrame, queue: str) -> str:
    """The model with the lowest backtest WAPE; a NaN score never wins.

    A model whose backtest forecasts are not all finite scores NaN and is passed over. When no
    WAPE is defined because the queue had no contacts in any backtest window, the lowest mean
    absolute error decides. When every candidate failed, :class:`ModelFailedError` says so
    instead of falling back to the first candidate.
    """
    ok = scores.filter(pl.col("wape").is_finite())
    key = "wape"
    if ok.height == 0:
        ok, key = scores.filter(pl.col("mae").is_finite()), "mae"
    if ok.height == 0:
        raise ModelFailedError(
            f"queue '{queue}': every candidate model ({', '.join(scores['model'].to_list())}) "
            "gave NaN or infinite backtest forecasts; check the queue's history or choose "
            "a model explicitly"
        )
    return ok.sort(key, maintain_order=True)["model"][0]


def _first_fitting(names: Sequence[str | Forecaster], s: Series) -> str | Forecaster:
    for n in names:
        if s.weeks() >= make(n).min_weeks - 1.0 / 7.0:
            return n
    raise InsufficientHistoryError(
        f"history spans {s.weeks():.1f} week(s), too little for any of the models "
        f"{[n if isinstance(n, str) else n.name for n in names]}; give at least one full week"
    )


def _empty_backtest() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "queue": pl.String,
            "model": pl.String,
            "origin": pl.Int64,
            "start": pl.Datetime("us"),
            "actual": pl.Float64,
            "forecast": pl.Float64,
            "lo": pl.Float64,
            "hi": pl.Float64,
        }
    )


def _empty_scores() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "queue": pl.String,
            "model": pl.String,
            "wape": pl.Float64,
            "mae": pl.Float64,
            "mape": pl.Float64,
            "bias": pl.Float64,
            "accuracy": pl.Float64,
            "coverage": pl.Float64,
            "chosen": pl.Boolean,
        }
    )


def backtest(
    history: pl.DataFrame,
    target: str = "contacts",
    weight: str | None = None,
    models: Sequence[str | Forecaster] | str | None = None,
    level: float = 0.80,
    origins: int = 4,
    horizon_days: int = 7,
    special_days: pl.DataFrame | None = None,
    holidays: str | None = None,
) -> pl.DataFrame:
    """Rolling-origin backtest: per queue, model and origin, forecasts next to actuals.

    Origin 1 forecasts the last ``horizon_days`` of history from everything before it,
    origin 2 the window before that, and so on. Columns: queue, model, origin, start,
    actual, forecast, lo, hi (lo/hi from the residuals of the *other* origins).
    """
    history = _check_frame(history, "history", ["queue", "start", target])
    names = _names(models)
    out = []
    last_rows = history.select("queue", "start").sort("start").unique("queue", keep="last")
    for prep in _prepare(history, last_rows, target, weight, special_days, holidays):
        bt = _run_backtest(prep, names, origins, horizon_days, level)
        if bt.height:
            out.append(bt.drop("_w"))
    return pl.concat(out) if out else _empty_backtest()


def cross_validation(
    history: pl.DataFrame,
    h_days: int = 7,
    n_windows: int = 4,
    target: str = "contacts",
    models: Sequence[str | Forecaster] | str | None = None,
    **kwargs,
) -> pl.DataFrame:
    """statsforecast-style name for :func:`backtest` (``h_days`` = horizon, ``n_windows`` = origins)."""
    return backtest(
        history, target=target, models=models, origins=n_windows, horizon_days=h_days, **kwargs
    )


def evaluate(
    backtest_frame: pl.DataFrame,
    every: str | None = None,
    by: Sequence[str] = ("queue", "model"),
    noise_floor: bool = True,
) -> pl.DataFrame:
    """Accuracy of a backtest frame per ``by`` group, at the interval level or summed to ``every``.

    ``every`` is a polars duration such as ``"1h"`` or ``"1d"``: actuals and forecasts are
    summed to that level first (for count targets), so the same backtest gives interval, hour
    and day accuracy. Coverage is reported at the interval level only. ``noise_floor`` (for
    count targets; give False for a rate such as AHT) adds the best accuracy a perfect rate
    forecast could expect at that level on that volume under Poisson noise
    (:func:`models.metrics.noise_floor`, with :func:`models.metrics.perfect_rate` per day).

    >>> import polars as pl, datetime as dt
    >>> t = [dt.datetime(2024, 1, 1, 9), dt.datetime(2024, 1, 1, 9, 30)]
    >>> bt = pl.DataFrame({"queue": "q", "model": "m", "origin": 1, "start": t,
    ...                    "actual": [10.0, 20.0], "forecast": [20.0, 10.0], "lo": 0.0, "hi": 30.0})
    >>> evaluate(bt)["accuracy"][0], evaluate(bt, every="1h")["accuracy"][0]
    (0.33333333333333337, 1.0)
    >>> round(evaluate(bt)["noise_floor"][0], 3), round(evaluate(bt, every="1h")["noise_floor"][0], 3)
    (0.798, 0.855)
    """
    by = list(by)
    frame = _check_backtest(backtest_frame, by)
    a, f = pl.col("actual"), pl.col("forecast")
    covered = None
    if every is None and {"lo", "hi"} <= set(frame.columns):
        covered = ((a >= pl.col("lo")) & (a <= pl.col("hi"))).mean().alias("coverage")
    keys = [k for k in (*by, "origin") if k in frame.columns]
    sums = [a.sum(), f.sum()]
    if noise_floor:
        day = frame.select(pl.struct(*keys, pl.col("start").dt.date()).hash())
        rate = metrics.perfect_rate(frame["actual"], frame["forecast"], day.to_series().to_numpy())
        frame = frame.with_columns(_rate=rate)
        sums.append(pl.col("_rate").sum())
    if every is not None:
        frame = frame.group_by(*keys, pl.col("start").dt.truncate(every)).agg(sums)
    wape = (a - f).abs().sum() / a.sum()
    aggs = [
        wape.alias("wape"),
        ((a - f).abs() / a).filter(a > 0).mean().alias("mape"),
        ((f - a).sum() / a.sum()).alias("bias"),
        (1.0 - wape).alias("accuracy"),
    ]
    if noise_floor:
        frame = frame.with_columns(_mad=metrics.poisson_mad(frame["_rate"].to_numpy()))
        aggs.append((1.0 - pl.col("_mad").sum() / pl.col("_rate").sum()).alias("noise_floor"))
    if covered is not None:
        aggs.append(covered)
    return frame.group_by(by, maintain_order=True).agg(aggs).sort(by)


def _check_backtest(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """A backtest frame fit to score: the columns, finite values, one row per key and start."""
    if not isinstance(frame, pl.DataFrame):
        raise InputError(f"backtest_frame must be a polars DataFrame, got {type(frame).__name__}")
    need = [*by, "start", "actual", "forecast"]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise InputError(
            f"backtest_frame lacks column(s) {missing}; it has {frame.columns}, expected {need}"
        )
    for col in ("actual", "forecast"):
        v = frame[col].cast(pl.Float64)
        bad = v.is_null() | ~v.is_finite()
        if bad.any():
            i = int(bad.arg_true()[0])
            raise InputError(
                f"backtest_frame row {i:,}, column '{col}': {v[i]} is not a finite number "
                f"({int(bad.sum()):,} rows like this); drop or fill those rows before scoring"
            )
    neg = frame["actual"].cast(pl.Float64) < 0
    if neg.any():
        i = int(neg.arg_true()[0])
        raise InputError(
            f"backtest_frame row {i:,}, column 'actual': {frame['actual'][i]} is negative; "
            "actuals are counts or rates >= 0"
        )
    # one row per series and interval; pooling queues is grouping ``by`` fewer columns
    key = list(dict.fromkeys(k for k in ("queue", "model", *by, "origin") if k in frame.columns)) + ["start"]
    dup = frame.select(key).is_duplicated()
    if dup.any():
        i = int(dup.arg_true()[0])
        raise InputError(
            f"backtest_frame row {i:,}: {', '.join(f'{k}={frame[k][i]}' for k in key)} appears "
            f"more than once ({int(dup.sum()):,} rows); keep one row per {' x '.join(key)}"
        )
    return frame
