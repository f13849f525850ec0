"""Reading, validating and writing the data contracts (DESIGN.md), once, at the edge.

Every table is a long polars frame. ``read_*`` functions take a path (CSV or Parquet), check
it against its contract and return a clean, sorted frame plus notes for the planner; a mistake
raises :class:`wfm.errors.InputError` naming the file, the row, the column and the fix.
Rows are numbered as a spreadsheet shows a CSV: header = row 1, first data row = row 2.

Outputs are written atomically (:func:`write_outputs`): every file goes to a temporary name in
the target folder first and is renamed into place only when all of them were written, so a
failed run never leaves a half-written file and never clobbers the previous good one.

Example
-------
>>> import polars as pl, tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> [p.name for p in write_outputs(d, {"a.csv": pl.DataFrame({"x": [1]})})]
['a.csv']
"""

from __future__ import annotations

import difflib
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from wfm.errors import InputError

# ------------------------------------------------------------------------- schemas
# column -> (dtype, required, description used in messages)
DATETIME = pl.Datetime("us")


@dataclass(frozen=True)
class Column:
    name: str
    dtype: pl.DataType | type[pl.DataType]
    required: bool = True
    what: str = ""
    #: smallest allowed value (numbers)
    min: float | None = None


@dataclass(frozen=True)
class Contract:
    """The contract of one table: its columns and its key."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    extra_ok: bool = False

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


HISTORY = Contract(
    "history",
    (
        Column("queue", pl.String, what="the queue name from the config"),
        Column("start", DATETIME, what='the interval start, e.g. "2026-11-02 08:30"'),
        Column("contacts", pl.Float64, what="contacts offered in the interval", min=0),
        Column("aht_s", pl.Float64, required=False, what="average handle time in seconds", min=0),
        Column("abandoned", pl.Float64, required=False, what="contacts abandoned", min=0),
    ),
    key=("queue", "start"),
)
FORECAST = Contract(
    "forecast",
    (
        Column("queue", pl.String, what="the queue name"),
        Column("start", DATETIME, what="the interval start"),
        Column("contacts", pl.Float64, what="forecast contacts", min=0),
        Column("lo", pl.Float64, required=False, what="lower prediction bound", min=0),
        Column("hi", pl.Float64, required=False, what="upper prediction bound", min=0),
        Column("aht_s", pl.Float64, required=False, what="forecast handle time in seconds", min=0),
        Column("model", pl.String, required=False, what="the model that made the row"),
    ),
    key=("queue", "start"),
)
REQUIREMENTS = Contract(
    "requirements",
    (
        Column("queue", pl.String, what="the queue name"),
        Column("start", DATETIME, what="the interval start"),
        Column("agents", pl.Float64, what="scheduled agents required", min=0),
    ),
    key=("queue", "start"),
    extra_ok=True,
)
AGENTS = Contract(
    "agents",
    (
        Column("agent_id", pl.String, what="a unique agent id"),
        Column("contract", pl.String, what="a contract name from the config"),
        Column("skills", pl.String, what='skills separated by "|", e.g. "voice|chat"'),
        Column("name", pl.String, required=False, what="the agent's name"),
        Column("days_off", pl.String, required=False, what='fixed days off, e.g. "sat|sun"'),
    ),
    key=("agent_id",),
)
LEAVE = Contract(
    "leave",
    (
        Column("agent_id", pl.String, what="an agent id from agents.csv"),
        Column("start", DATETIME, what="start of the leave"),
        Column("end", DATETIME, what="end of the leave"),
        Column("kind", pl.String, what="personal, sick, annual, ..."),
        Column("requested_at", DATETIME, what="when the request was filed"),
    ),
)
ROSTER = Contract(
    "roster",
    (
        Column("agent_id", pl.String, what="the agent"),
        Column("date", pl.Date, what="the day"),
        Column("activity", pl.String, what="shift, break, lunch or leave"),
        Column("start", DATETIME, what="activity start"),
        Column("end", DATETIME, what="activity end"),
        Column("skill", pl.String, required=False, what="the skill worked"),
    ),
    extra_ok=True,
)
STATE_LOG = Contract(
    "state log",
    (
        Column("agent_id", pl.String, what="the agent"),
        Column("state", pl.String, what="logged_out, available, on_contact, acw, break, lunch, ..."),
        Column("start", DATETIME, what="state start"),
        Column("end", DATETIME, what="state end"),
    ),
)
SPECIAL_DAYS = Contract(
    "special days",
    (
        Column("date", pl.Date, what='the day, e.g. "2026-12-25"'),
        Column("action", pl.String, what='"exclude" (leave out of training) or "factor" (scale the forecast)'),
        Column("factor", pl.Float64, required=False, what="the multiplier for action = factor, e.g. 1.3", min=0),
        Column("queue", pl.String, required=False, what="the queue it applies to (empty = every queue)"),
    ),
)


@dataclass
class Checked:
    """A validated table and what the planner should know about it."""

    frame: pl.DataFrame
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------- reading
def read_raw(path: str | Path) -> pl.DataFrame:
    """Read a CSV (every column as text) or Parquet file; empty or unreadable files are InputErrors."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=str(path), fix="check the path")
    if path.stat().st_size == 0:
        raise InputError("the file is empty", file=str(path), fix="give a file with a header row and data rows")
    try:
        if path.suffix.lower() == ".parquet":
            df = pl.read_parquet(path)
        else:
            with path.open(encoding="utf-8", errors="replace") as fh:
                header = fh.readline()
            # spreadsheets in many locales save with ";" or a tab between columns
            sep = next((c for c in (",", ";", "\t") if c in header), ",")
            df = pl.read_csv(path, infer_schema=False, truncate_ragged_lines=False, separator=sep)
    except Exception as exc:  # polars raises several kinds; all mean "not a readable table"
        raise InputError(f"cannot be read as a table ({str(exc).splitlines()[0]})", file=str(path),
                         fix="save it as UTF-8 CSV with a header row, or as Parquet") from None
    if df.height == 0:
        raise InputError("the file has a header but no data rows", file=str(path), fix="add data rows")
    return df


def check_table(df: pl.DataFrame, contract: Contract, file: str) -> pl.DataFrame:
    """Check columns, types and ranges against a contract; return typed columns in contract order."""
    cols = [c.strip() for c in df.columns]
    df = df.rename(dict(zip(df.columns, cols, strict=True)))
    known = contract.names
    for c in cols:
        if c not in known and not contract.extra_ok:
            close = difflib.get_close_matches(c, known, n=1)
            fix = f"rename it to {close[0]!r}" if close else f"the {contract.name} columns are {', '.join(known)}"
            raise InputError("unknown column", file=file, column=c, fix=fix)
    for col in contract.columns:
        if col.required and col.name not in cols:
            raise InputError("missing column", file=file, column=col.name,
                             fix=f"add a column {col.name!r}: {col.what}")
    out = []
    for col in contract.columns:
        if col.name not in cols:
            continue
        out.append(_cast(df, col, file))
    extras = [c for c in cols if c not in known]
    return pl.DataFrame(out).hstack(df.select(extras)) if extras else pl.DataFrame(out)


def _cast(df: pl.DataFrame, col: Column, file: str) -> pl.Series:
    s = df.get_column(col.name)
    if s.dtype == pl.String:
        s = s.str.strip_chars()
        blank = s.is_null() | (s == "")
        if col.required:
            _fail_first(blank, file, col, "is empty", f"give {col.what}")
        if col.dtype == DATETIME:
            cast = s.str.to_datetime(strict=False, time_unit="us")
        elif col.dtype == pl.Date:
            cast = s.str.to_date(strict=False)
        elif col.dtype == pl.String:
            cast = s
        else:
            cast = s.cast(col.dtype, strict=False)
        bad = cast.is_null() & ~blank
        _fail_first(bad, file, col, lambda i: f"{s[i]!r} is not {_kind(col.dtype)}", f"give {col.what}")
    else:
        try:
            cast = s.cast(col.dtype)
        except Exception:
            raise InputError(f"has type {s.dtype}, expected {_kind(col.dtype)}", file=file, column=col.name,
                             fix=f"give {col.what}") from None
    if col.dtype == pl.Float64:
        _fail_first(cast.is_nan(), file, col, "is NaN", f"give {col.what} as a number")
        if col.min is not None:
            neg = cast < col.min
            _fail_first(neg.fill_null(False), file, col, lambda i: f"{cast[i]:g} is negative",
                        f"{col.name} must be >= {col.min:g}")
    return cast.alias(col.name)


def _kind(dtype: object) -> str:
    if dtype == DATETIME:
        return 'a date and time like "2026-11-02 08:30"'
    if dtype == pl.Date:
        return 'a date like "2026-11-02"'
    if dtype == pl.Float64:
        return "a number"
    return str(dtype)


def _fail_first(mask: pl.Series, file: str, col: Column, problem: str | Callable[[int], str], fix: str) -> None:
    if mask.any():
        idx = int(mask.arg_true()[0])
        n = int(mask.sum())
        text = problem(idx) if callable(problem) else problem
        if n > 1:
            text += f" ({n:,} rows like this)"
        raise InputError(text, file=file, row=idx + 2, column=col.name, fix=fix)


def _duplicates(df: pl.DataFrame, key: tuple[str, ...], file: str, what: str) -> None:
    dup = df.select(key).is_duplicated()
    if dup.any():
        rows = dup.arg_true()
        first = df.row(int(rows[0]), named=True)
        desc = ", ".join(f"{k}={first[k]}" for k in key)
        raise InputError(f"duplicate {what} ({desc}) appears {int(dup.sum())} times", file=file,
                         row=int(rows[0]) + 2, column=key[-1], fix="keep one row per " + " x ".join(key))


def _with_row(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_row_index("_row", offset=2)


def _unknown(df: pl.DataFrame, column: str, known: list[str] | set[str], file: str, what: str) -> None:
    bad = ~df.get_column(column).is_in(list(known))
    if bad.any():
        i = int(bad.arg_true()[0])
        v = df.get_column(column)[i]
        close = difflib.get_close_matches(str(v), [str(k) for k in known], n=1)
        fix = (f"did you mean {close[0]!r}? " if close else "") + f"known {what}s: {', '.join(sorted(map(str, known)))}"
        raise InputError(f"unknown {what} {v!r}", file=file, row=i + 2, column=column, fix=fix)


# ------------------------------------------------------------------------- contracts
def read_history(path: str | Path, cfg) -> Checked:  # cfg: wfm.config.CenterConfig
    """Read contact history and check it against the center's queues, grid and opening hours."""
    file = str(path)
    return check_history(check_table(read_raw(path), HISTORY, file), cfg, file)


def check_history(df: pl.DataFrame, cfg, file: str = "history") -> Checked:
    """Validate a typed history frame: queues, grid, duplicates, interval length, gaps."""
    from wfm.grid import interval_grid

    notes: list[str] = []
    _unknown(df, "queue", list(cfg.queues), file, "queue")
    step = cfg.interval
    per_queue = (
        df.sort("queue", "start")
        .with_columns(gap=pl.col("start").diff().over("queue", pl.col("start").dt.date()).dt.total_minutes())
        .filter(pl.col("gap") > 0)
        .group_by("queue").agg(pl.col("gap").min())
    )
    steps = dict(per_queue.iter_rows())
    if len(set(steps.values())) > 1:
        desc = ", ".join(f"{q}: {m} min" for q, m in sorted(steps.items()))
        raise InputError(f"mixed interval lengths ({desc})", file=file, column="start",
                         fix=f"give every queue at {step}-minute intervals")
    data_step = next(iter(steps.values()), step)
    on_data_grid = ((df["start"].dt.minute() % data_step == 0) & (df["start"].dt.second() == 0)).all()
    if data_step < step and step % data_step == 0 and on_data_grid:
        _duplicates(df, ("queue", "start"), file, "interval")
        df = aggregate_history(df, step)
        notes.append(f"{file}: {data_step}-minute data summed to the center's {step}-minute intervals")
    off = (df["start"].dt.minute() % step != 0) | (df["start"].dt.second() != 0)
    if off.any():
        i = int(off.arg_true()[0])
        hint = (f"the file looks like {data_step}-minute data; set [center] interval_minutes = {data_step} "
                "or aggregate it") if data_step != step else f"interval starts are multiples of {step} minutes"
        raise InputError(f"{df['start'][i]} is not on the {step}-minute interval grid", file=file, row=i + 2,
                         column="start", fix=hint)
    _duplicates(df, ("queue", "start"), file, "interval")
    sorted_df = df.sort("queue", "start")
    if not sorted_df.equals(df):
        notes.append(f"{file}: rows were not in time order; sorted them")
    df = sorted_df
    # gaps inside opening hours
    first, last = df["start"].min().date(), df["start"].max().date()
    grid = interval_grid(cfg, first, (last - first).days + 1)
    missing = grid.join(df.select("queue", "start"), on=["queue", "start"], how="anti")
    # a queue's history only counts from its own first row
    starts = df.group_by("queue").agg(pl.col("start").min().alias("_first"), pl.col("start").max().alias("_last"))
    missing = (missing.join(starts, on="queue").filter((pl.col("start") >= pl.col("_first"))
                                                       & (pl.col("start") <= pl.col("_last"))).drop("_first", "_last"))
    if missing.height:
        where = ", ".join(
            f"{q} {d} ({n})" for q, d, n in
            missing.group_by("queue", pl.col("start").dt.date().alias("d")).len().sort("queue", "d").head(5).iter_rows()
        )
        msg = f"{missing.height:,} intervals inside opening hours are missing (first: {where})"
        if cfg.center.missing_intervals == "refuse":
            raise InputError(msg, file=file, column="start",
                             fix='add the rows, or set [center] missing_intervals = "fill" to fill them with 0')
        fill = missing.with_columns(contacts=pl.lit(0.0))
        df = pl.concat([df, fill], how="diagonal_relaxed").sort("queue", "start")
        notes.append(f"{file}: {msg}; filled with 0 contacts")
    return Checked(df, notes)


def aggregate_history(df: pl.DataFrame, step: int) -> pl.DataFrame:
    """Sum finer history to ``step``-minute intervals: contacts and abandons add up, AHT is contact-weighted."""
    aggs = [pl.col("contacts").sum()]
    if "abandoned" in df.columns:
        aggs.append(pl.col("abandoned").sum())
    if "aht_s" in df.columns:
        handled = pl.when(pl.col("aht_s").is_not_null()).then(pl.col("contacts")).otherwise(0.0)
        aggs.append(((pl.col("aht_s").fill_null(0.0) * handled).sum() / handled.sum()).alias("aht_s"))
    out = (df.with_columns(pl.col("start").dt.truncate(f"{step}m"))
           .group_by("queue", "start", maintain_order=True).agg(aggs))
    if "aht_s" in out.columns:
        out = out.with_columns(pl.col("aht_s").fill_nan(None))
    return out.select([c for c in df.columns if c in out.columns])


def read_forecast(path: str | Path, cfg) -> Checked:
    file = str(path)
    df = check_table(read_raw(path), FORECAST, file)
    _unknown(df, "queue", list(cfg.queues), file, "queue")
    _duplicates(df, ("queue", "start"), file, "interval")
    if "aht_s" not in df.columns:
        df = df.join(pl.DataFrame({"queue": list(cfg.queues),
                                   "aht_s": [q.aht_seconds for q in cfg.queues.values()]}), on="queue")
    return Checked(df.sort("queue", "start"))


def read_requirements(path: str | Path, cfg) -> Checked:
    file = str(path)
    df = check_table(read_raw(path), REQUIREMENTS, file)
    _unknown(df, "queue", list(cfg.queues), file, "queue")
    _duplicates(df, ("queue", "start"), file, "interval")
    return Checked(df.sort("queue", "start"))


def read_agents(path: str | Path, cfg) -> Checked:
    file = str(path)
    df = check_table(read_raw(path), AGENTS, file)
    _duplicates(df, ("agent_id",), file, "agent")
    _unknown(df, "contract", list(cfg.contracts), file, "contract")
    skills = set(cfg.skills())
    exploded = df.with_row_index("_i").select("_i", pl.col("skills").str.split("|")).explode("skills")
    bad = ~exploded["skills"].str.strip_chars().is_in(list(skills))
    if bad.any():
        j = int(bad.arg_true()[0])
        i, v = exploded.row(j)
        raise InputError(f"unknown skill {v!r}", file=file, row=int(i) + 2, column="skills",
                         fix=f"known skills: {', '.join(sorted(skills))} (separate several with '|')")
    if "days_off" in df.columns:
        from wfm.config import WEEKDAYS

        ex = df.with_row_index("_i").select("_i", pl.col("days_off").fill_null("").str.split("|")).explode("days_off")
        ex = ex.filter(pl.col("days_off").str.strip_chars() != "")
        bad = ~ex["days_off"].str.strip_chars().str.to_lowercase().is_in(list(WEEKDAYS))
        if bad.any():
            j = int(bad.arg_true()[0])
            i, v = ex.row(j)
            raise InputError(f"{v!r} is not a weekday", file=file, row=int(i) + 2, column="days_off",
                             fix=f"use {', '.join(WEEKDAYS)} separated by '|'")
    return Checked(df)


def read_leave(path: str | Path, agents: pl.DataFrame, kinds=None) -> Checked:
    """Read leave requests for ``agents``; with ``kinds`` (the center's ``cfg.leave``) an unknown
    leave kind is an error naming the row and the known kinds."""
    file = str(path)
    df = check_table(read_raw(path), LEAVE, file)
    _unknown(df, "agent_id", set(agents["agent_id"]), file, "agent")
    if kinds is not None:
        _unknown(df, "kind", list(kinds), file, "leave kind")
    bad = df["end"] <= df["start"]
    if bad.any():
        i = int(bad.arg_true()[0])
        raise InputError("the leave ends before it starts", file=file, row=i + 2, column="end",
                         fix="end must be after start")
    return Checked(df)


def read_special_days(path: str | Path, cfg) -> Checked:
    """Days a planner marks: holidays or campaigns to leave out of training, or to scale."""
    file = str(path)
    df = check_table(read_raw(path), SPECIAL_DAYS, file)
    bad = ~df["action"].is_in(["exclude", "factor"])
    if bad.any():
        i = int(bad.arg_true()[0])
        raise InputError(f"{df['action'][i]!r} is not an action", file=file, row=i + 2, column="action",
                         fix='use "exclude" or "factor"')
    if "factor" not in df.columns:
        df = df.with_columns(factor=pl.lit(None, dtype=pl.Float64))
    missing = (df["action"] == "factor") & df["factor"].is_null()
    if missing.any():
        i = int(missing.arg_true()[0])
        raise InputError("action is factor but no factor is given", file=file, row=i + 2, column="factor",
                         fix="give the multiplier, e.g. 1.3 for 30 % more contacts")
    if "queue" in df.columns:
        known = df.filter(pl.col("queue").is_not_null() & (pl.col("queue") != ""))
        if known.height:
            _unknown(df.with_columns(pl.col("queue").fill_null(list(cfg.queues)[0])), "queue", list(cfg.queues),
                     file, "queue")
    return Checked(df)


def read_roster(path: str | Path) -> Checked:
    file = str(path)
    return Checked(check_table(read_raw(path), ROSTER, file))


def read_state_log(path: str | Path, agents: set[str] | None = None) -> Checked:
    file = str(path)
    df = check_table(read_raw(path), STATE_LOG, file)
    if agents is not None:
        _unknown(df, "agent_id", agents, file, "agent")
    bad = df["end"] < df["start"]
    if bad.any():
        i = int(bad.arg_true()[0])
        raise InputError("the state ends before it starts", file=file, row=i + 2, column="end",
                         fix="end must not be before start")
    return Checked(df.sort("agent_id", "start"))


# ------------------------------------------------------------------------- writing
def write_outputs(folder: str | Path, files: Mapping[str, pl.DataFrame | bytes | Callable[[Path], None]]) -> list[Path]:
    """Write several outputs all-or-nothing.

    ``files`` maps a file name to a polars frame (written as CSV or Parquet by its suffix), raw
    bytes, or a callable that writes to the path it is given (e.g. a matplotlib ``savefig``).
    Everything is written to temporary files beside the targets first; only when all succeeded
    are they renamed into place (``os.replace`` is atomic on one file system).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, payload in files.items():
            target = folder / name
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=folder)
            os.close(fd)
            tmp_path = Path(tmp)
            staged.append((tmp_path, target))
            if isinstance(payload, pl.DataFrame):
                if target.suffix.lower() == ".parquet":
                    payload.write_parquet(tmp_path)
                else:
                    payload.write_csv(tmp_path, datetime_format="%Y-%m-%d %H:%M", float_precision=4)
            elif isinstance(payload, bytes | bytearray):
                tmp_path.write_bytes(payload)
            else:
                payload(tmp_path)
    except BaseException:
        for tmp_path, _ in staged:
            tmp_path.unlink(missing_ok=True)
        raise
    for tmp_path, target in staged:
        os.replace(tmp_path, target)
    return [t for _, t in staged]
