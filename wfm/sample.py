"""A seeded generator of a realistic multi-channel center: history, agents and leave requests.

The center itself is the bundled ``wfm/data/center.toml``. History has weekly and intraday
seasonality per channel, a slow trend, day-to-day level noise (over-dispersed Poisson counts),
handle times that vary through the day, and abandonment on the phone queue. Agents are sized
from the history so the sample week can be rostered.

Example
-------
>>> from wfm.config import CenterConfig
>>> cfg = CenterConfig.from_toml(sample_config_path())
>>> h = generate_history(cfg, weeks=8, seed=1)
>>> sorted(h["queue"].unique())
['calls', 'chat', 'email', 'forms', 'posts']
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl

from wfm.config import CenterConfig
from wfm.grid import interval_grid

#: the last day of bundled history (a Sunday); the sample plan week is the Monday after
SAMPLE_END = date(2026, 11, 15)

# Daily volume on a Monday-to-Sunday week, per channel, at the sample's scale.
DAILY_VOLUME = {"inbound_call": 2400.0, "chat": 620.0, "email": 330.0, "post": 150.0, "form": 420.0,
                "outbound_call": 300.0}
WEEKLY_SHAPE = {
    "inbound_call": [1.22, 1.08, 1.0, 0.98, 0.95, 0.55, 0.45],
    "chat": [1.05, 1.0, 1.0, 1.0, 1.02, 0.9, 0.85],
}
DEFAULT_WEEKLY = [1.15, 1.05, 1.0, 1.0, 0.95, 0.0, 0.0]
# Intraday peaks (hour of day, width in hours, weight): calls peak mid-morning and after lunch,
# chat in the evening, back-office work through office hours.
INTRADAY = {
    "inbound_call": [(10.5, 1.6, 1.0), (14.5, 1.8, 0.8), (18.0, 1.5, 0.25)],
    "chat": [(11.0, 2.0, 0.7), (15.0, 2.0, 0.6), (20.0, 1.5, 1.0)],
}
DEFAULT_INTRADAY = [(10.0, 2.0, 1.0), (14.5, 2.0, 0.8)]


def sample_config_path() -> Path:
    """Path of the bundled sample center file."""
    return Path(str(resources.files("wfm") / "data" / "center.toml"))


def _intraday(channel: str, minutes: np.ndarray) -> np.ndarray:
    h = minutes / 60.0
    shape = np.full_like(h, 0.08, dtype=float)
    for mu, sd, w in INTRADAY.get(channel, DEFAULT_INTRADAY):
        shape += w * np.exp(-0.5 * ((h - mu) / sd) ** 2)
    return shape


def generate_history(cfg: CenterConfig, *, weeks: int = 10, end: date = SAMPLE_END, seed: int = 0,
                     scale: float = 1.0) -> pl.DataFrame:
    """Contact history for every queue of ``cfg``: ``weeks`` weeks ending on ``end``.

    Returns the history contract: ``queue, start, contacts, aht_s`` and ``abandoned`` (phone).
    """
    rng = np.random.default_rng(seed)
    first = end - timedelta(days=7 * weeks - 1)
    grid = interval_grid(cfg, first, 7 * weeks)
    frames = []
    for qname, q in cfg.queues.items():
        g = grid.filter(pl.col("queue") == qname)
        if g.height == 0:
            continue
        starts = g["start"]
        mins = (starts.dt.hour().cast(pl.Int32) * 60 + starts.dt.minute().cast(pl.Int32)).to_numpy()
        wd = starts.dt.weekday().to_numpy() - 1
        day_idx = np.asarray([(d - first).days for d in starts.dt.date().to_list()])
        weekly = np.asarray(WEEKLY_SHAPE.get(q.channel, DEFAULT_WEEKLY))
        shape = _intraday(q.channel, mins)
        # normalise the intraday shape per day so a day's volume is its daily total
        day_sum = np.bincount(day_idx, weights=shape)
        shape = shape / day_sum[day_idx]
        n_days = 7 * weeks
        trend = 1.0 + 0.002 * np.arange(n_days)  # about +1.4 % a week
        level = rng.gamma(shape=400.0, scale=1 / 400.0, size=n_days)  # ~5 % day-to-day noise
        daily = DAILY_VOLUME[q.channel] * scale * trend * level
        rate = daily[day_idx] * weekly[wd] * shape
        contacts = rng.poisson(rate).astype(float)
        aht = q.aht_seconds * (1.0 + 0.08 * np.sin(2 * np.pi * (mins - 8 * 60) / (24 * 60)))
        aht = aht * rng.normal(1.0, 0.05, size=aht.size)
        aht = np.where(contacts > 0, np.round(aht, 1), np.nan)
        cols = {"queue": g["queue"], "start": starts, "contacts": contacts, "aht_s": aht}
        if q.live and q.patience_seconds > 0:
            cols["abandoned"] = rng.binomial(contacts.astype(int), 0.04).astype(float)
        frames.append(pl.DataFrame(cols))
    out = pl.concat(frames, how="diagonal_relaxed")
    return out.with_columns(pl.col("aht_s").fill_nan(None)).sort("queue", "start")


@dataclass(frozen=True)
class PoolSize:
    skill: str
    contract: str
    count: int


def agent_pool(cfg: CenterConfig, scale: float = 1.0) -> list[PoolSize]:
    """Head count per skill and contract for the sample center at a given volume scale."""
    base = [
        PoolSize("voice", "full_time", 38), PoolSize("voice", "part_time", 16),
        PoolSize("chat", "long_day", 12), PoolSize("chat", "part_time", 6),
        PoolSize("backoffice", "full_time", 7),
    ]
    return [PoolSize(p.skill, p.contract, max(1, math.ceil(p.count * scale))) for p in base
            if p.skill in cfg.skills() and p.contract in cfg.contracts]


def generate_agents(cfg: CenterConfig, *, seed: int = 0, scale: float = 1.0) -> pl.DataFrame:
    """Agents on the contracts of docs/domain.md section 5, a few of them multi-skilled."""
    rng = np.random.default_rng(seed)
    rows = []
    n = 0
    for p in agent_pool(cfg, scale):
        for _ in range(p.count):
            n += 1
            skills = [p.skill]
            if p.skill == "voice" and rng.random() < 0.15 and "chat" in cfg.skills():
                skills.append("chat")
            rows.append({"agent_id": f"A{n:03d}", "name": f"Agent {n}", "contract": p.contract,
                         "skills": "|".join(skills)})
    return pl.DataFrame(rows)


def generate_leave(agents: pl.DataFrame, week: date, *, seed: int = 0, n: int = 4) -> pl.DataFrame:
    """A few leave requests for the plan week, some filed too late for the notice rule."""
    rng = np.random.default_rng(seed)
    ids = agents["agent_id"].to_list()
    rows = []
    for i in range(min(n, len(ids))):
        agent = ids[int(rng.integers(len(ids)))]
        day = week + timedelta(days=int(rng.integers(0, 7)))
        start = datetime(day.year, day.month, day.day)
        # every other request is filed well ahead; the rest only hours before
        ahead = timedelta(days=int(rng.integers(3, 10))) if i % 2 == 0 else timedelta(hours=int(rng.integers(1, 12)))
        rows.append({"agent_id": agent, "start": start, "end": start + timedelta(days=1),
                     "kind": ["personal", "sick", "annual"][i % 3], "requested_at": start - ahead})
    return pl.DataFrame(rows)


def write_sample_center(folder: str | Path, *, weeks: int = 10, seed: int | None = None,
                        force: bool = False) -> dict[str, Path]:
    """Write ``center.toml``, ``history.csv``, ``agents.csv``, ``leave.csv`` and ``actuals.csv``.

    ``actuals.csv`` is the week after the history as it really happened (same process, same
    seed), for measuring the plan afterwards with ``wfm kpi``. Existing files are an error
    unless ``force`` is set.
    """
    from wfm.errors import InputError
    from wfm.grid import next_week_after
    from wfm.io import write_outputs

    folder = Path(folder)
    names = ["center.toml", "history.csv", "agents.csv", "leave.csv", "actuals.csv"]
    clash = [n for n in names if (folder / n).exists()]
    if clash and not force:
        raise InputError(f"{clash[0]} already exists", file=str(folder / clash[0]),
                         fix="choose an empty folder, move the existing files away, or give --force")
    cfg = CenterConfig.from_toml(sample_config_path())
    seed = cfg.center.seed if seed is None else seed
    full = generate_history(cfg, weeks=weeks + 1, end=SAMPLE_END + timedelta(days=7), seed=seed)
    cut = datetime.combine(SAMPLE_END + timedelta(days=1), datetime.min.time())
    history = full.filter(pl.col("start") < cut)
    actuals = full.filter(pl.col("start") >= cut)
    agents = generate_agents(cfg, seed=seed)
    leave = generate_leave(agents, next_week_after(SAMPLE_END), seed=seed)
    paths = write_outputs(folder, {
        "center.toml": sample_config_path().read_bytes(),
        "history.csv": history,
        "agents.csv": agents,
        "leave.csv": leave,
        "actuals.csv": actuals,
    })
    return dict(zip(names, paths, strict=True))
