"""A seeded generator of realistic agent state logs, chat sessions and leave requests.

From a roster (``agent_id, date, activity, start, end[, skill]``) it makes what the floor would
have logged: most agents log in a little early, take their breaks on time and serve contacts in
cycles of available / on_contact / acw; a few agent-days are late (one in each lateness class),
overrun a break, leave early or do not come at all, and one agent files a leave request too late,
so every measure of :mod:`wfm.adherence`, :mod:`wfm.sessions` and the warnings has something to
show. Each special case is forced at least once when the roster has enough agent-days.

Example
-------
>>> from datetime import date, datetime as dt, timedelta
>>> days = [date(2026, 11, 2) + timedelta(days=i) for i in range(7)]
>>> roster = pl.DataFrame({"agent_id": "a", "date": days, "activity": "shift", "skill": "chat",
...                        "start": [dt(d.year, d.month, d.day, 9) for d in days],
...                        "end": [dt(d.year, d.month, d.day, 17) for d in days]})
>>> logs = LogGenerator(seed=1).generate(roster)
>>> sorted(set(logs.scenarios["scenario"]))  # every special case at least once
['absent', 'early_leave', 'late_10_30', 'late_30_60', 'late_lt_10', 'long_break']
>>> sorted(logs.states["state"].unique().to_list())
['acw', 'aux', 'available', 'on_contact']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from wfm.adherence import schedule_segments

#: special agent-day scenarios, each forced at least once (in this order of priority)
SCENARIOS = ("absent", "late_30_60", "late_10_30", "late_lt_10", "long_break", "early_leave")
ADHERENT = "adherent"
SATISFACTION_WEIGHTS = {"very_satisfied": 0.46, "satisfied": 0.36, "neutral": 0.07, "poor": 0.02,
                        "very_poor": 0.01, "none": 0.08}


@dataclass
class GeneratedLogs:
    """What :meth:`LogGenerator.generate` makes: frames in the contracts of wfm.io / wfm.sessions."""

    states: pl.DataFrame
    sessions: pl.DataFrame
    messages: pl.DataFrame
    leave: pl.DataFrame
    #: the scenario of every agent-day (``agent_id, date, scenario``), to check the measures against
    scenarios: pl.DataFrame


@dataclass
class LogGenerator:
    """Seeded maker of state, session and leave logs for a roster.

    Probabilities are per agent-day; every scenario of :data:`SCENARIOS` is forced once first.
    """

    seed: int = 0
    p_late_lt_10: float = 0.06
    p_late_10_30: float = 0.03
    p_late_30_60: float = 0.015
    p_absent: float = 0.01
    p_long_break: float = 0.06
    p_early_leave: float = 0.03
    #: mean handle time (s) and after-contact work (s) of a contact
    aht_s: float = 180.0
    acw_s: float = 20.0
    #: occupancy of an agent-day is drawn uniformly from this range
    occupancy: tuple[float, float] = (0.70, 0.92)
    #: chance that a worked block contains one aux (personal time) stretch of 3-12 minutes
    p_aux: float = 0.25
    #: the skill whose contacts are chat sessions
    chat_skill: str = "chat"
    #: mean customer-agent exchanges per chat and the chat outcome chances
    exchanges: float = 3.0
    p_invalid: float = 0.03
    p_lost: float = 0.02
    p_delayed: float = 0.05
    p_lead: float = 0.30
    #: reply delay in seconds: lognormal median, and chances of a >1 min and a >3 min reply
    reply_median_s: float = 20.0
    p_slow: float = 0.08
    p_very_slow: float = 0.02
    satisfaction: dict[str, float] = field(default_factory=lambda: dict(SATISFACTION_WEIGHTS))
    #: leave requests are filed this many hours ahead (uniform), a late one this many hours ahead
    notice_hours: tuple[float, float] = (30.0, 120.0)
    late_notice_hours: float = 3.0

    # ------------------------------------------------------------------ public
    def generate(self, roster: pl.DataFrame) -> GeneratedLogs:
        """Logs for every shift of ``roster`` (validated roster frame)."""
        rng = np.random.default_rng(self.seed)
        shifts = roster.filter(pl.col("activity") == "shift").sort("date", "agent_id")
        if "skill" not in shifts.columns:
            shifts = shifts.with_columns(skill=pl.lit(None, pl.String))
        on_leave = np.zeros(shifts.height, dtype=bool)
        on_leave[shifts.select("agent_id", "date").with_row_index("_i").join(
            roster.filter(pl.col("activity") == "leave").select("agent_id", "date").unique(),
            on=["agent_id", "date"], how="semi")["_i"].to_numpy()] = True
        scen = self._scenarios(~on_leave, rng)
        # the absent agent also files a late leave request for another of their shifts
        late_leave_row = -1
        agents = shifts["agent_id"].to_numpy()
        for i in np.flatnonzero(scen == "absent"):
            others = np.flatnonzero((agents == agents[i]) & (scen == ADHERENT))
            if others.size:
                late_leave_row = int(others[-1])
                scen[late_leave_row] = "leave"
                break
        segs = schedule_segments(roster)
        seg_map = {k: g for k, g in segs.group_by("agent_id", "date")}
        rows: list[tuple[str, str, datetime, datetime]] = []
        for i, (agent, day, start, end) in enumerate(shifts.select("agent_id", "date", "start", "end").iter_rows()):
            if scen[i] == "leave":
                continue
            rows.extend(self._day(agent, start, end, seg_map[(agent, day)], scen[i], rng))
        states = pl.DataFrame(rows, schema={"agent_id": pl.String, "state": pl.String, "start": pl.Datetime("us"),
                                            "end": pl.Datetime("us")}, orient="row").sort("agent_id", "start")
        sessions, messages = self._chats(states, shifts, rng)
        leave = self._leave(roster, shifts, late_leave_row, rng)
        scenarios = shifts.select("agent_id", "date").with_columns(scenario=pl.Series(scen))
        return GeneratedLogs(states, sessions, messages, leave, scenarios)

    # ------------------------------------------------------------------ agent-days
    def _scenarios(self, eligible: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A scenario per shift; shifts not ``eligible`` (rostered leave) get "leave"."""
        probs = {"late_lt_10": self.p_late_lt_10, "late_10_30": self.p_late_10_30, "late_30_60": self.p_late_30_60,
                 "absent": self.p_absent, "long_break": self.p_long_break, "early_leave": self.p_early_leave}
        names = list(probs) + [ADHERENT]
        p = np.array(list(probs.values()) + [max(0.0, 1 - sum(probs.values()))])
        scen = rng.choice(np.array(names, dtype=object), size=eligible.size, p=p / p.sum()).astype(object)
        forced = rng.permutation(np.flatnonzero(eligible))[: len(SCENARIOS)]
        for idx, name in zip(forced, SCENARIOS, strict=False):
            scen[idx] = name
        scen[~eligible] = "leave"
        return scen

    def _day(self, agent: str, start: datetime, end: datetime, segs: pl.DataFrame, scen: str,
             rng: np.random.Generator) -> list[tuple[str, str, datetime, datetime]]:
        minute = timedelta(minutes=1)
        login = {
            ADHERENT: -rng.uniform(0.5, 6), "long_break": -rng.uniform(0.5, 6), "early_leave": -rng.uniform(0.5, 6),
            "late_lt_10": rng.uniform(1.5, 9), "late_10_30": rng.uniform(11, 29), "late_30_60": rng.uniform(31, 59),
        }.get(scen)
        if login is None:  # absent: no login at all, or far too late
            if rng.random() < 0.5:
                return []
            login = rng.uniform(65, 110)
        first = _second(start + login * minute)
        last = _second(end - rng.uniform(10, 60) * minute if scen == "early_leave" else end + rng.uniform(0, 3) * minute)
        pauses = segs.filter(pl.col("activity") != "work").sort("seg_start")
        long_one = int(rng.integers(pauses.height)) if scen == "long_break" and pauses.height else -1
        out: list[tuple[str, str, datetime, datetime]] = []
        t = first
        occ = rng.uniform(*self.occupancy)
        for j, (p0, p1, what) in enumerate(pauses.select("seg_start", "seg_end", "activity").iter_rows()):
            b0 = _second(p0 + rng.uniform(-1.5, 1.5) * minute)
            b1 = _second(p1 + (rng.uniform(10, 25) if j == long_one else rng.uniform(-1, 2)) * minute)
            if b0 >= last:
                break
            if b1 <= t:
                continue
            out.extend(self._work(agent, t, max(t, b0), occ, rng))
            out.append((agent, what, max(t, b0), min(b1, last)))
            t = min(b1, last)
        out.extend(self._work(agent, t, last, occ, rng))
        return out

    def _work(self, agent: str, t0: datetime, t1: datetime, occ: float,
              rng: np.random.Generator) -> list[tuple[str, str, datetime, datetime]]:
        total = (t1 - t0).total_seconds()
        if total <= 0:
            return []
        cycle = (self.aht_s + self.acw_s) / occ
        n = int(total / cycle * 1.5) + 5
        idle = rng.exponential(cycle - self.aht_s - self.acw_s, n)
        talk = rng.gamma(4.0, self.aht_s / 4.0, n)
        wrap = rng.exponential(self.acw_s, n)
        dur = np.column_stack([idle, talk, wrap]).ravel()
        names = np.tile(["available", "on_contact", "acw"], n)
        if rng.random() < self.p_aux:  # one stretch of personal time
            k = 3 * int(rng.integers(n // 2 + 1))
            dur = np.insert(dur, k, rng.uniform(180, 720))
            names = np.insert(names, k, "aux")
        ends = np.minimum(np.cumsum(dur), total)
        starts = np.concatenate([[0.0], ends[:-1]])
        keep = ends - starts >= 1
        base = np.datetime64(t0, "us")
        s = base + (starts[keep] * 1e6).astype("timedelta64[us]")
        e = base + (ends[keep] * 1e6).astype("timedelta64[us]")
        s = s.astype("datetime64[s]").astype(datetime)
        e = e.astype("datetime64[s]").astype(datetime)
        if keep.any():
            e[-1] = t1
        return [(agent, str(n_), a, b) for n_, a, b in zip(names[keep], s, e, strict=True) if b > a]

    # ------------------------------------------------------------------ chats
    def _chats(self, states: pl.DataFrame, shifts: pl.DataFrame,
               rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
        chat_agents = shifts.filter(pl.col("skill") == self.chat_skill).select("agent_id", "date").unique()
        if shifts["skill"].is_null().all():
            chat_agents = shifts.select("agent_id", "date").unique()
        contacts = (states.filter(pl.col("state") == "on_contact").with_columns(date=pl.col("start").dt.date())
                    .join(chat_agents, on=["agent_id", "date"], how="semi").sort("start", "agent_id"))
        levels = list(self.satisfaction)
        w = np.array([self.satisfaction[k] for k in levels], dtype=float)
        n = contacts.height
        kind = rng.choice(["ok", "invalid", "lost", "delayed"], size=n,
                          p=[1 - self.p_invalid - self.p_lost - self.p_delayed, self.p_invalid, self.p_lost,
                             self.p_delayed])
        sat = rng.choice(levels, size=n, p=w / w.sum())
        lead = rng.random(n) < self.p_lead
        sess_rows, msg_rows = [], []
        for i, (agent, start, end) in enumerate(contacts.select("agent_id", "start", "end").iter_rows()):
            sid = f"S{i + 1:06d}"
            times, sides = self._messages(start, kind[i], rng)
            msg_rows.extend((sid, side, at) for side, at in zip(sides, times, strict=True))
            stop = max([end, *times]) if times else end
            valid = kind[i] not in ("invalid", "lost")
            sess_rows.append((sid, agent, start, stop, str(sat[i]) if valid else "none",
                              bool(lead[i]) and valid))
        sessions = pl.DataFrame(sess_rows, orient="row", schema={
            "session_id": pl.String, "agent_id": pl.String, "start": pl.Datetime("us"), "end": pl.Datetime("us"),
            "satisfaction": pl.String, "lead_captured": pl.Boolean})
        messages = pl.DataFrame(msg_rows, orient="row", schema={
            "session_id": pl.String, "side": pl.String, "at": pl.Datetime("us")})
        return sessions, messages

    def _messages(self, start: datetime, kind: str, rng: np.random.Generator) -> tuple[list[datetime], list[str]]:
        """Message times and sides of one chat of the given outcome."""
        if kind == "invalid":  # the agent greets, the customer never writes
            return [start + timedelta(seconds=2)], ["agent"]
        if kind == "lost":
            k = int(rng.integers(1, 3))
            return [start + timedelta(seconds=float(s)) for s in np.cumsum(rng.uniform(5, 40, k))], ["customer"] * k
        k = max(1, int(rng.poisson(self.exchanges)))
        t = start
        times, sides = [], []
        for _ in range(k):
            t += timedelta(seconds=float(rng.uniform(3, 40)))
            times.append(t), sides.append("customer")
            u = rng.random()
            delay = (rng.uniform(185, 300) if u < self.p_very_slow else rng.uniform(65, 175)
                     if u < self.p_very_slow + self.p_slow else min(55.0, rng.lognormal(np.log(self.reply_median_s), 0.6)))
            t += timedelta(seconds=float(delay))
            times.append(t), sides.append("agent")
        if kind == "delayed":  # the customer writes twice more and the chat ends
            for _ in range(2):
                t += timedelta(seconds=float(rng.uniform(5, 30)))
                times.append(t), sides.append("customer")
        return [_second(x) for x in times], sides

    # ------------------------------------------------------------------ leave
    def _leave(self, roster: pl.DataFrame, shifts: pl.DataFrame, late_row: int,
               rng: np.random.Generator) -> pl.DataFrame:
        """A request per roster leave row (filed in time) and the late one for ``shifts[late_row]``."""
        rows = []
        for agent, start, end in roster.filter(pl.col("activity") == "leave").select(
                "agent_id", "start", "end").iter_rows():
            rows.append((agent, start, end, "personal", _second(start - timedelta(hours=rng.uniform(*self.notice_hours)))))
        if late_row >= 0:
            agent, start, end = shifts.select("agent_id", "start", "end").row(late_row)
            rows.append((agent, start, end, "personal", start - timedelta(hours=self.late_notice_hours)))
        return pl.DataFrame(rows, orient="row", schema={
            "agent_id": pl.String, "start": pl.Datetime("us"), "end": pl.Datetime("us"), "kind": pl.String,
            "requested_at": pl.Datetime("us")}).sort("agent_id", "start")


def _second(t: datetime) -> datetime:
    """``t`` rounded down to the second (logs keep whole seconds)."""
    return t.replace(microsecond=0)
