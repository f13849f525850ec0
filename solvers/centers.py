"""Random valid contact centers, seeded: quality and validity on centers nobody tuned for.

:func:`random_center` draws a one-week interval-mode :class:`~solvers.types.Problem` from a
seed; :func:`draw_center` also returns what was drawn (:class:`CenterDraw`, one row of a
benchmark table) and a *witness*: a roster that keeps every hard rule, built with the center.

What is drawn (each center on its own ``numpy`` generator seeded by ``seed``):

* the interval: 15, 30 or 60 minutes;
* the opening hours: around the clock (00:00-24:00, covered by same-day shifts, since shifts
  never cross midnight) or a day of 6 to 18 hours starting between 05:00 and 10:00; every day
  of the week alike;
* 1 to 3 queues, live (voice, chat: a daily arrival curve with one or two peaks, turned into
  agents by square-root staffing, ``ceil(a + beta * sqrt(a))`` on the offered load ``a``) or
  deferred (e-mail, back office: a flat workload over office hours, ``volume x AHT /
  productive time``); the volumes are scaled so that the requirement is ``load`` (drawn) of
  the pool's on-line hours;
* 20 to 400 agents (log-uniform; ``size`` fixes it, ``max_agents`` caps it);
* contracts of the domain (``full_time`` "5 on 2 off" 8 h days, ``long_day`` "1 on 1 off"
  12 h days, ``part_time`` cloud agents booking 2-4 h blocks) and unusual ones
  (``four_ten``: four 10 h days; ``six_short``: six 6 h days; ``weekend``: part-time blocks on
  Saturday and Sunday only; ``flex_hours``: 8 h days, hours counted over the week);
* dual skills (a drawn share of the agents serve two queues);
* leave with mixed notice: timely, late, and filed during the week for a later day;
* the hard rules: continuous coverage and handover each on in most centers, rest 8-12 h.

Feasible by construction. Every center comes with a witness roster (:attr:`RandomCenter.witness`)
that keeps every hard rule; ``tests/solvers/test_random_centers.py`` checks it with the
independent checker over many seeds. The witness is built like this:

* every queue has a *chain* of full-time teams over its opening hours: team ``k`` starts at
  ``s_k`` (``s_0`` = opening, the last one ends at closing, ``s_{k+1} <= s_k + length -
  handover``), so consecutive teams overlap by at least the handover time; a team is two
  agents whose breaks are staggered by one break length (each break window is at least twice
  as long as its break, :func:`break_rules`), so one of them is on line at every interval
  (continuous coverage) and one of the next team is on line when a team leaves (handover);
  each team position is held by two "5 on 2 off" agents, Monday-Friday and Wednesday-Sunday;
* every other agent works its contract's days with shifts that *end at its queue's closing
  time* (no handover is due when the queue closes), the same start every day (so the rest
  between days is ``24 h - length >= 12 h``); a template is offered only when it fits in
  every queue's opening hours, so that start exists;
* no leave is granted (refusing leave is always allowed; it only costs).

The pool is sized so the chains fit (fewer queues when ``max_agents`` is too small for them),
and the requirement is soft, so every center has a roster; how good it is is the solver's job.

>>> c = draw_center(3, max_agents=40)
>>> len(c.problem.agents) <= 40, c.drawn.seed
(True, 3)
>>> from solvers.checker import check
>>> check(c.problem, c.witness)
[]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from .types import (
    MINUTES_PER_DAY,
    Activity,
    Agent,
    Assignment,
    BreakRule,
    Contract,
    Grid,
    LeaveRequest,
    Problem,
    Rules,
    ShiftTemplate,
)

#: Interval lengths drawn (minutes).
INTERVALS = (15, 30, 60)
#: Share of centers open around the clock; the others open ``DAY_HOURS`` hours a day.
AROUND_THE_CLOCK_SHARE = 0.25
DAY_HOURS = (6, 18)
#: Earliest and latest opening hour of a center that is not open around the clock.
OPENING_HOURS = (5, 10)
#: Deferred queues work office hours (within the center's opening hours) when those are at
#: least as long as a full-time day; otherwise the center's opening hours.
OFFICE_HOURS = (8 * 60, 18 * 60)
#: Agents per center: drawn log-uniform between these.
AGENTS = (20, 400)
#: The requirement is this share (drawn) of the pool's on-line hours.
LOAD = (0.6, 1.0)
#: Square-root staffing: agents = ceil(a + beta * sqrt(a)) on the offered load a (Erlangs).
SAFETY_BETA = (0.3, 1.2)
#: Average handle time of a contact (seconds), live and deferred.
AHT_S = (120, 420)
#: Deferred work: productive share of an agent's time (docs/domain.md section 1: 6 h of an 8 h day).
DEFERRED_UTILISATION = 0.75
#: Weekend volume relative to a weekday.
WEEKEND_FACTOR = (0.5, 1.0)
#: Interval-to-interval noise on the arrival curve (relative standard deviation).
NOISE = 0.1
#: Share of centers with each of the two coverage rules on.
CONTINUOUS_SHARE = 0.7
HANDOVER_SHARE = 0.7
#: Minimum rest between two shifts (hours) and handover time (minutes) drawn.
REST_HOURS = (8, 11, 12)
HANDOVER_MIN = (15, 30)
#: Leave requests per agent in the week, and the mix of notice.
LEAVE_RATE = (0.0, 0.15)
LEAVE_MIX = {"timely": 0.55, "late": 0.25, "filed_in_week": 0.20}
#: Share of agents serving two queues (drawn per center from these).
DUAL_SHARES = (0.0, 0.1, 0.25, 0.4)

LIVE_QUEUES = ("voice", "chat", "tours")
DEFERRED_QUEUES = ("email", "backoffice", "outbound")
#: Pools whose leave notice ``Rules`` knows (docs/domain.md section 4: chat desk 24 h, cloud agents 2 h).
DESK, CLOUD = "chat_desk", "cloud"


@dataclass(frozen=True)
class ContractKind:
    """A contract the generator can draw: its shift lengths, the days its witness works and
    the days a week it is worked on average (for sizing the requirement)."""

    name: str
    lengths: tuple[int, ...]
    witness_days: tuple[int, ...]
    days_per_week: float
    pool: str
    unusual: bool = False


KINDS = {
    "full_time": ContractKind("full_time", (480,), (0, 1, 2, 3, 4), 5, DESK),
    "long_day": ContractKind("long_day", (720,), (0, 2, 4, 6), 3.5, DESK),
    "part_time": ContractKind("part_time", (120, 180, 240), (0, 1, 2), 4, CLOUD),
    "four_ten": ContractKind("four_ten", (600,), (0, 1, 2, 3), 4, DESK, True),
    "six_short": ContractKind("six_short", (360,), (0, 1, 2, 3, 4, 5), 6, DESK, True),
    "weekend": ContractKind("weekend", (240,), (5, 6), 2, CLOUD, True),
    "flex_hours": ContractKind("flex_hours", (480,), (0, 1, 2), 4, DESK, True),
}


@dataclass(frozen=True)
class CenterDraw:
    """What was drawn for one center (one row of the benchmark table)."""

    seed: int
    interval_min: int
    opening: tuple[int, int]
    skills: dict[str, str]
    contracts: dict[str, int]
    agents: int
    dual_skilled: int
    leave: dict[str, int]
    continuous_coverage: bool
    handover: bool
    load: float

    @property
    def around_the_clock(self) -> bool:
        return self.opening == (0, MINUTES_PER_DAY)

    def opening_text(self) -> str:
        """``"08:00-20:00"`` (or ``"00:00-24:00"``)."""
        o, c = self.opening
        return f"{o // 60:02d}:{o % 60:02d}-{c // 60:02d}:{c % 60:02d}"


@dataclass
class RandomCenter:
    """A drawn center: the problem, what was drawn and a roster keeping every hard rule."""

    problem: Problem
    drawn: CenterDraw
    witness: list[Assignment] = field(default_factory=list)


def random_center(seed: int, *, size: int | None = None, max_agents: int | None = None) -> Problem:
    """A random valid, feasible one-week center (see the module doc).

    ``size`` fixes the number of agents (at least what the queues' chains need), otherwise it
    is drawn from ``AGENTS`` and capped at ``max_agents``. The same arguments give an equal
    problem.

    >>> p = random_center(0, max_agents=30)
    >>> p.grid.days, len(p.agents) <= 30
    (7, True)
    """
    return draw_center(seed, size=size, max_agents=max_agents).problem


# ------------------------------------------------------------------ shift templates


def _floor(v: float, step: int) -> int:
    return int(v // step * step)


def break_rules(length: int, iv: int) -> tuple[BreakRule, ...]:
    """Breaks of a shift of ``length`` minutes on an ``iv``-minute grid.

    Each window is at least twice its break long (two agents of a team can take it one after
    the other) and starts after the previous window's latest end (the model asks for it).
    From 6 h: a lunch of 60 min near the middle and, on grids of 15 or 30 min, a short break
    before and after it; 3-4 h: one short break (15 or 30 min grids); shorter: none.

    >>> [(b.kind, b.length_min, b.earliest_after_min, b.latest_after_min)
    ...  for b in break_rules(480, 15)]
    [('break', 15, 90, 120), ('lunch', 60, 210, 270), ('break', 15, 360, 390)]
    """
    short = max(15, iv)
    out: list[BreakRule] = []
    if length >= 360:
        lunch_at = _floor(length * 0.45, iv)
        if iv <= 30:
            first = _floor(length * 0.2, iv)
            out.append(BreakRule(short, first, first + max(2 * short, 30)))
        out.append(BreakRule(60, lunch_at, lunch_at + 60, "lunch"))
        if iv <= 30:
            last = _floor(length * 0.75, iv)
            out.append(BreakRule(short, last, last + max(2 * short, 30)))
    elif length >= 180 and iv <= 30:
        at = _floor(length * 0.4, iv)
        out.append(BreakRule(short, at, at + 2 * short))
    prev = 0
    for b in out:  # the staggered team (second agent one break length later) fits
        assert b.earliest_after_min >= prev and b.latest_after_min >= b.earliest_after_min + b.length_min
        prev = b.latest_after_min + b.length_min
    assert prev <= length
    return tuple(out)


def _template_name(kind: str, length: int) -> str:
    return {"part_time": f"pt{length // 60}", "weekend": f"pt{length // 60}"}.get(
        kind, f"day{length // 60}" if length < 720 else f"long{length // 60}")


# ------------------------------------------------------------------ requirement


def square_root_staffing(load_erlang: np.ndarray, beta: float) -> np.ndarray:
    """Agents for an offered load (Erlangs): ``ceil(a + beta sqrt(a))``, 0 where ``a = 0``.

    The square-root rule (Halfin-Whitt) approximates Erlang C with a service level set by
    ``beta``; the generator uses it so that ``solvers`` need not import ``wfm``.

    >>> square_root_staffing(np.array([0.0, 4.0, 100.0]), 1.0).tolist()
    [0, 6, 110]
    """
    a = np.asarray(load_erlang, dtype=float)
    return np.where(a > 0, np.ceil(a + beta * np.sqrt(a) - 1e-9), 0).astype(np.int64)


def _scale_to(hours: float, agents_of, iv: int) -> np.ndarray:
    """``agents_of(volume)`` at the volume whose agent-hours are closest to ``hours``."""
    lo, hi = 0.0, 1.0
    while agents_of(hi).sum() * iv / 60 < hours and hi < 1e9:
        hi *= 2
    for _ in range(40):
        mid = (lo + hi) / 2
        if agents_of(mid).sum() * iv / 60 < hours:
            lo = mid
        else:
            hi = mid
    return agents_of(hi)


def _live_curve(rng, window: tuple[int, int], ipd: int, iv: int) -> np.ndarray:
    """A daily arrival curve (sums to 1 over the window): one or two peaks over a base."""
    o, c = window
    t = (np.arange(ipd) + 0.5) * iv
    inside = (t >= o) & (t < c)
    shape = np.full(ipd, rng.uniform(0.1, 0.4))
    for _ in range(int(rng.integers(1, 3))):
        peak = rng.uniform(o + 0.15 * (c - o), o + 0.85 * (c - o))
        width = rng.uniform(0.07, 0.2) * (c - o)
        shape = shape + rng.uniform(0.5, 1.0) * np.exp(-((t - peak) / width) ** 2)
    shape = np.where(inside, shape, 0.0)
    return shape / shape.sum()


def _requirement(rng, kind: str, window, days: int, ipd: int, iv: int, hours: float,
                 weekend: np.ndarray) -> np.ndarray:
    """Agents needed per interval for one queue: ``hours`` agent-hours over the week."""
    o, c = window
    t = (np.arange(ipd) + 0.5) * iv
    inside = np.tile((t >= o) & (t < c), (days, 1))
    aht = rng.uniform(*AHT_S)
    if kind == "live":
        curve = _live_curve(rng, window, ipd, iv)
        noise = np.clip(1 + NOISE * rng.standard_normal((days, ipd)), 0.5, None)
        shape = curve[None, :] * weekend[:, None] * noise
        beta = rng.uniform(*SAFETY_BETA)

        def agents_of(volume: float) -> np.ndarray:
            return square_root_staffing(volume * shape * aht / (iv * 60), beta)
    else:  # deferred: the day's workload spread flat over the window
        per_day = weekend * rng.uniform(0.9, 1.1, days)

        def agents_of(volume: float) -> np.ndarray:
            work_min = volume * per_day * aht / 60 / DEFERRED_UTILISATION
            flat = np.ceil(work_min / (c - o) - 1e-9).astype(np.int64)
            return np.where(inside, flat[:, None], 0)
    req = _scale_to(hours, agents_of, iv)
    return np.where(inside, np.maximum(req, 1), 0).astype(np.int64)  # somebody while open


# ------------------------------------------------------------------ the center


def _chain_starts(window: tuple[int, int], length: int, handover: int, step: int,
                  earliest: int) -> list[int]:
    """Team starts from opening to closing, each within ``length - handover`` of the last."""
    o, c = window
    if c - o <= length:
        return [o]
    n = 2
    while True:
        starts = [earliest + _floor(o - earliest + k * (c - length - o) / (n - 1), step)
                  for k in range(n)]
        if all(b - a <= length - handover for a, b in zip(starts, starts[1:])):
            return starts
        n += 1


def _contract(kind: str, templates: tuple[str, ...], ft_len: int) -> Contract:
    """The contract of a kind (see ``KINDS`` and the module doc); ``ft_len`` the full-time day."""
    if kind == "full_time":
        return Contract(kind, templates, (5, 5), (5 * ft_len, 5 * ft_len), pattern="5on2off")
    if kind == "long_day":
        return Contract(kind, templates, pattern="1on1off")
    if kind == "part_time":
        return Contract(kind, templates, (2, 5), (360, 1200), pattern="part_time")
    if kind == "four_ten":
        return Contract(kind, templates, (4, 4), (2400, 2400))
    if kind == "six_short":
        return Contract(kind, templates, (6, 6), (2160, 2160))
    if kind == "weekend":
        return Contract(kind, templates, (1, 2), (0, 480), pattern="part_time")
    return Contract(kind, templates, None, (3 * ft_len, 5 * ft_len), max_consecutive_days=5)


def _shift(agent_id: str, day: int, t: ShiftTemplate, start: int, skill: str,
           stagger: bool = False) -> Assignment:
    breaks = tuple(Activity(b.kind, start + b.earliest_after_min + (b.length_min if stagger else 0),
                            start + b.earliest_after_min + (b.length_min if stagger else 0)
                            + b.length_min) for b in t.breaks)
    return Assignment(agent_id, day, t.name, start, start + t.length_min, skill, breaks)


def _leave(rng, agents: list[Agent], grid: Grid, window, rules: Rules) -> tuple[list, dict]:
    """Leave requests with mixed notice, and their count by kind of notice."""
    n = int(round(len(agents) * rng.uniform(*LEAVE_RATE)))
    kinds = list(LEAVE_MIX)
    counts = dict.fromkeys(kinds, 0)
    out = []
    week0 = grid.at(0, 0)
    for _ in range(n):
        a = agents[int(rng.integers(len(agents)))]
        how = kinds[int(rng.choice(len(kinds), p=list(LEAVE_MIX.values())))]
        day = int(rng.integers(1 if how == "filed_in_week" else 0, grid.days))
        if rng.random() < 0.6:  # a whole day
            start, end = grid.at(day, 0), grid.at(day + 1, 0)
        else:  # part of a day, inside the opening hours
            o, c = window
            at = o + 60 * int(rng.integers(0, max((c - o) // 60 - 2, 1)))
            start = grid.at(day, at)
            end = start + timedelta(hours=int(rng.integers(2, 5)))
        notice = timedelta(minutes=rules.notice_min(a.pool))
        if how == "timely":
            filed = start - notice - timedelta(hours=float(rng.uniform(0, 96)))
        elif how == "late":
            filed = start - notice * float(rng.uniform(0.05, 0.9))
        else:
            filed = week0 + (start - week0) * float(rng.uniform(0, 0.95))
        filed = filed.replace(second=0, microsecond=0)
        counts[how] += 1
        kind = "sick" if rng.random() < 0.3 else "personal"
        out.append(LeaveRequest(a.agent_id, start, end, kind, filed))
    return out, counts


def draw_center(seed: int, *, size: int | None = None, max_agents: int | None = None,
                start: date | None = None) -> RandomCenter:
    """Draw a center from ``seed``: the problem, the record of the draw and a witness roster.

    ``start`` (a Monday) defaults to a week of 2026 chosen by the seed.
    """
    rng = np.random.default_rng(seed)
    iv = int(rng.choice(INTERVALS))
    ipd = MINUTES_PER_DAY // iv
    days = 7
    start = start or date(2026, 1, 5) + timedelta(weeks=seed % 52)
    if rng.random() < AROUND_THE_CLOCK_SHARE:
        opening = (0, MINUTES_PER_DAY)
    else:
        hours = int(rng.integers(DAY_HOURS[0], DAY_HOURS[1] + 1))
        first = int(rng.integers(OPENING_HOURS[0], min(OPENING_HOURS[1], 24 - hours) + 1))
        opening = (60 * first, 60 * (first + hours))
    rules = Rules(min_rest_min=60 * int(rng.choice(REST_HOURS)),
                  handover_min=int(rng.choice(HANDOVER_MIN)),
                  continuous_coverage=bool(rng.random() < CONTINUOUS_SHARE),
                  handover=bool(rng.random() < HANDOVER_SHARE))

    # queues and their opening hours
    n_queues = int(rng.integers(1, 4))
    kinds_q = ["live"] + ["live" if rng.random() < 0.5 else "deferred" for _ in range(n_queues - 1)]
    office = (max(opening[0], OFFICE_HOURS[0]), min(opening[1], OFFICE_HOURS[1]))
    if office[1] - office[0] < 480:
        office = opening
    names, live, deferred = [], list(LIVE_QUEUES), list(DEFERRED_QUEUES)
    for k in kinds_q:
        names.append((live if k == "live" else deferred).pop(0))
    windows = {q: opening if k == "live" else office for q, k in zip(names, kinds_q)}

    # the pool's size and the full-time day; fewer queues when the chains do not fit
    n_agents = size if size is not None else int(round(math.exp(rng.uniform(*np.log(AGENTS)))))
    if size is None and max_agents is not None:
        n_agents = min(n_agents, max_agents)
    step = 30 if iv <= 30 else 60
    earliest = min(w[0] for w in windows.values())
    latest_end = max(w[1] for w in windows.values())

    def chains(qs):
        w_min = min(windows[q][1] - windows[q][0] for q in qs)
        length = min(480, w_min)
        return length, {q: _chain_starts(windows[q], length, rules.handover_min, step, earliest)
                        for q in qs}

    ft_len, chain = chains(names)
    while len(names) > 1 and 4 * sum(map(len, chain.values())) > n_agents:
        names.pop()
        kinds_q.pop()
        ft_len, chain = chains(names)
    core = 4 * sum(map(len, chain.values()))
    n_agents = max(n_agents, core)
    windows = {q: windows[q] for q in names}
    w_min = min(c - o for o, c in windows.values())

    # contracts: the domain's, and some unusual ones; a kind only if its shifts fit every queue
    offered = ["full_time"] + [k for k in ("long_day", "part_time") if rng.random() < 0.7]
    unusual = [k for k in KINDS if KINDS[k].unusual]
    offered += [unusual[i] for i in rng.permutation(len(unusual))[:int(rng.integers(0, 3))]]
    offered = [k for k in offered if max(KINDS[k].lengths) <= w_min or k == "full_time"]
    templates: dict[str, ShiftTemplate] = {}
    contracts: dict[str, Contract] = {}
    for k in offered:
        lengths = (ft_len,) if k in ("full_time", "flex_hours") else KINDS[k].lengths
        names_t = []
        for L in lengths:
            name = _template_name(k, L)
            names_t.append(name)
            t_step = iv if k in ("part_time", "weekend") else step
            templates.setdefault(name, ShiftTemplate(name, L, earliest, latest_end - L, t_step,
                                                     break_rules(L, iv)))
        contracts[k] = _contract(k, tuple(names_t), ft_len)

    # agents: the chains first, then the others by a drawn mix of contracts
    agents: list[Agent] = []
    witness: list[Assignment] = []
    ft = templates[contracts["full_time"].templates[0]]
    for q in names:
        for s in chain[q]:
            for stagger in (False, True):
                for work in ((0, 1, 2, 3, 4), (2, 3, 4, 5, 6)):
                    aid = f"A{len(agents) + 1:03d}"
                    agents.append(Agent(aid, contracts["full_time"], (q,), DESK))
                    witness += [_shift(aid, d, ft, s, q, stagger) for d in work]
    mix = rng.dirichlet(np.ones(len(offered)))
    dual = float(rng.choice(DUAL_SHARES)) if len(names) > 1 else 0.0
    weights = np.array([2.0 if k == "live" else 1.0 for k in kinds_q])
    weights /= weights.sum()
    weekend_days = [d for d in range(days) if (start + timedelta(days=d)).weekday() >= 5]
    for _ in range(n_agents - core):
        k = offered[int(rng.choice(len(offered), p=mix))]
        q = names[int(rng.choice(len(names), p=weights))]
        skills = (q,)
        if rng.random() < dual:
            other = [n for n in names if n != q]
            skills = (q, other[int(rng.integers(len(other)))])
        aid = f"A{len(agents) + 1:03d}"
        off = frozenset(start + timedelta(days=d) for d in range(days)
                        if k == "weekend" and d not in weekend_days)
        agents.append(Agent(aid, contracts[k], skills, KINDS[k].pool, fixed_days_off=off))
        t = templates[contracts[k].templates[-1]]
        close = windows[q][1]
        work = KINDS[k].witness_days if k != "weekend" else tuple(weekend_days)
        witness += [_shift(aid, d, t, close - t.length_min, q) for d in work]

    # the requirement: a share of the pool's on-line hours per queue
    load = float(rng.uniform(*LOAD))
    online: dict[str, float] = dict.fromkeys(names, 0.0)
    for a in agents:
        t = templates[a.contract.templates[-1]]
        hours = KINDS[a.contract.name].days_per_week * (
            t.length_min - sum(b.length_min for b in t.breaks)) / 60
        for q in a.skills:
            online[q] += hours / len(a.skills)
    weekend = np.array([rng.uniform(*WEEKEND_FACTOR) if d in weekend_days else 1.0
                        for d in range(days)])
    requirement = {q: _requirement(rng, kind, windows[q], days, ipd, iv, load * online[q], weekend)
                   for q, kind in zip(names, kinds_q)}
    t = (np.arange(ipd) + 0.5) * iv
    open_ = {q: np.tile((t >= o) & (t < c), (days, 1)) for q, (o, c) in windows.items()}
    grid = Grid(start, days, iv, open_)
    leave, leave_counts = _leave(rng, agents, grid, opening, rules)
    problem = Problem(grid, list(templates.values()), agents, requirement=requirement,
                      leave=leave, rules=rules)
    used: dict[str, int] = {}
    for a in agents:
        used[a.contract.name] = used.get(a.contract.name, 0) + 1
    drawn = CenterDraw(seed=seed, interval_min=iv, opening=opening,
                       skills=dict(zip(names, kinds_q)), contracts=used, agents=len(agents),
                       dual_skilled=sum(len(a.skills) > 1 for a in agents), leave=leave_counts,
                       continuous_coverage=rules.continuous_coverage, handover=rules.handover,
                       load=round(load, 3))
    return RandomCenter(problem, drawn, witness)


def leave_late(problem: Problem) -> int:
    """Leave requests filed with less than their pool's notice (before the leave starts)."""
    pools = {a.agent_id: a.pool for a in problem.agents}
    return sum(r.start - r.requested_at < timedelta(minutes=problem.rules.notice_min(pools[r.agent_id]))
               for r in problem.leave)

