"""Chat session quality (docs/domain.md, sections 1 and 7): sessions and their messages.

Two tables:

* sessions ``session_id, agent_id, start, end[, satisfaction, lead_captured, invalid]``:
  ``satisfaction`` is one of the 6 levels of :data:`SATISFACTION_LEVELS` (blank = ``none``),
  ``lead_captured`` says the customer left a phone number or e-mail (true/false, yes/no, 1/0;
  blank = false), ``invalid`` marks spam, tests and empty chats (blank = decided by the rule of
  :attr:`SessionRules.min_customer_messages`);
* messages ``session_id, side, at``: ``side`` is ``customer`` or ``agent``.

Measures (:func:`session_measures`), per agent and for all: invalid-session rate (of all
sessions), and over valid sessions: lead ratio, lost-session rate (the customer spoke, the agent
never answered after the customer's first message: a greeting alone answers nobody), delayed-session rate (the last two messages are the customer's), total session
time, satisfaction by level with the satisfied (very satisfied + satisfied >= 80 % of rated
sessions) and dissatisfied (poor + very poor <= 5 %) targets, and replies slower than 1 and 3
minutes (a reply's wait runs from the first unanswered customer message to the agent's answer).

Example
-------
>>> from datetime import datetime as dt
>>> s = pl.DataFrame({"session_id": ["s1"], "agent_id": ["a"], "start": [dt(2026, 11, 2, 9)],
...                   "end": [dt(2026, 11, 2, 9, 5)], "satisfaction": ["satisfied"], "lead_captured": [True]})
>>> m = pl.DataFrame({"session_id": ["s1", "s1"], "side": ["customer", "agent"],
...                   "at": [dt(2026, 11, 2, 9), dt(2026, 11, 2, 9, 2)]})
>>> per_session, summary = session_measures(s, m)
>>> summary.filter(agent_id="all")["slow_1min"].to_list()  # the answer came after 2 minutes
[1]
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from wfm.errors import InputError
from wfm.io import DATETIME, Column, Contract, _duplicates, _unknown, check_table, read_raw

SATISFACTION_LEVELS = ("very_satisfied", "satisfied", "neutral", "poor", "very_poor", "none")
SIDES = ("customer", "agent")
_TRUE = ("true", "yes", "y", "1")
_FALSE = ("false", "no", "n", "0", "")

SESSIONS = Contract(
    "sessions",
    (
        Column("session_id", pl.String, what="a unique session id"),
        Column("agent_id", pl.String, what="the agent who served the session"),
        Column("start", DATETIME, what="session start"),
        Column("end", DATETIME, what="session end"),
        Column("satisfaction", pl.String, required=False, what=f"one of {', '.join(SATISFACTION_LEVELS)}"),
        Column("lead_captured", pl.String, required=False, what="true if a phone or e-mail was captured"),
        Column("invalid", pl.String, required=False, what="true for spam, tests and empty sessions"),
    ),
    key=("session_id",),
)
MESSAGES = Contract(
    "messages",
    (
        Column("session_id", pl.String, what="the session the message belongs to"),
        Column("side", pl.String, what="customer or agent"),
        Column("at", DATETIME, what='when it was sent, e.g. "2026-11-02 08:30:15"'),
    ),
)


@dataclass
class SessionRules:
    """Thresholds of the chat measures; defaults from docs/domain.md sections 1 and 7.

    >>> SessionRules().min_satisfied
    0.8
    """

    #: a reply slower than this (seconds) misses the 1-minute answer target
    reply_seconds: float = 60.0
    #: a reply slower than this (seconds) is a violation
    violation_seconds: float = 180.0
    min_satisfied: float = 0.80
    max_dissatisfied: float = 0.05
    satisfied_levels: tuple[str, ...] = ("very_satisfied", "satisfied")
    dissatisfied_levels: tuple[str, ...] = ("poor", "very_poor")
    #: without an ``invalid`` flag, a session with fewer customer messages than this is invalid
    min_customer_messages: int = 1

    @classmethod
    def from_config(cls, cfg) -> SessionRules:
        """The answer time of the center's first chat queue (``answer_seconds``) as the reply target."""
        chats = [name for name, q in cfg.queues.items() if q.channel == "chat"]
        return cls(reply_seconds=cfg.target(chats[0], "answer_seconds")) if chats else cls()


# ------------------------------------------------------------------------- reading
def _flag(s: pl.Series, file: str, column: str) -> pl.Series:
    """Parse a yes/no text column; blank stays null."""
    if s.dtype == pl.Boolean:
        return s
    text = s.cast(pl.String).str.strip_chars().str.to_lowercase()
    bad = text.is_not_null() & ~text.is_in(_TRUE + _FALSE)
    if bad.any():
        i = int(bad.arg_true()[0])
        raise InputError(f"{s[i]!r} is not true or false", file=file, row=i + 2, column=column,
                         fix="write true or false (yes/no and 1/0 work too)")
    return pl.select(pl.when(text.is_null() | (text == "")).then(None).otherwise(text.is_in(list(_TRUE)))
                     ).to_series().alias(column)


def check_sessions(df: pl.DataFrame, file: str = "sessions") -> pl.DataFrame:
    """Validate a session table; fill ``satisfaction`` (none), ``lead_captured`` (false), ``invalid`` (null)."""
    df = check_table(df, SESSIONS, file)
    _duplicates(df, ("session_id",), file, "session")
    bad = df["end"] < df["start"]
    if bad.any():
        raise InputError("the session ends before it starts", file=file, row=int(bad.arg_true()[0]) + 2,
                         column="end", fix="end must not be before start")
    sat = (df["satisfaction"] if "satisfaction" in df.columns else pl.Series([None] * df.height, dtype=pl.String))
    sat = sat.str.strip_chars().str.to_lowercase().str.replace_all(r"[ -]", "_")
    sat = pl.select(pl.when(sat.is_null() | (sat == "")).then(pl.lit("none")).otherwise(sat)).to_series()
    _unknown(pl.DataFrame({"satisfaction": sat}), "satisfaction", list(SATISFACTION_LEVELS), file, "satisfaction level")
    out = df.with_columns(satisfaction=sat)
    for name, fill in (("lead_captured", False), ("invalid", None)):
        col = _flag(df[name], file, name) if name in df.columns else pl.Series(name, [None] * df.height, pl.Boolean)
        out = out.with_columns(col.fill_null(fill) if fill is not None else col.cast(pl.Boolean))
    return out


def check_messages(df: pl.DataFrame, sessions: pl.DataFrame, file: str = "messages") -> pl.DataFrame:
    """Validate a message table against its sessions."""
    df = check_table(df, MESSAGES, file)
    df = df.with_columns(side=pl.col("side").str.to_lowercase())
    _unknown(df, "side", list(SIDES), file, "side")
    _unknown(df, "session_id", set(sessions["session_id"].to_list()), file, "session")
    return df.sort("session_id", "at")


def read_sessions(sessions_path, messages_path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read and validate the session and message files."""
    s = check_sessions(read_raw(sessions_path), str(sessions_path))
    return s, check_messages(read_raw(messages_path), s, str(messages_path))


# ------------------------------------------------------------------------- measures
def per_session(sessions: pl.DataFrame, messages: pl.DataFrame, rules: SessionRules | None = None) -> pl.DataFrame:
    """One row per session with its message counts, flags and reply times.

    Columns: the session's own plus ``duration_s, customer_msgs, agent_msgs, invalid, lost, delayed,
    replies, slow_1min, slow_3min, max_reply_s``. ``lost`` and ``delayed`` are false for invalid
    sessions.

    >>> from datetime import datetime as dt
    >>> s = pl.DataFrame({"session_id": ["s"], "agent_id": ["a"], "start": [dt(2026, 11, 2, 9)],
    ...                   "end": [dt(2026, 11, 2, 9, 1)]})
    >>> m = pl.DataFrame({"session_id": ["s", "s"], "side": ["customer", "customer"],
    ...                   "at": [dt(2026, 11, 2, 9), dt(2026, 11, 2, 9, 0, 30)]})
    >>> per_session(s, m).select("lost", "delayed").row(0)  # nobody answered the customer
    (True, True)
    """
    rules = rules or SessionRules()
    m = messages.sort("session_id", "at").with_columns(
        prev=pl.col("side").shift(1).over("session_id"),
        # the customer has spoken at or before this message (a greeting before that answers nobody)
        customer_spoke=(pl.col("side") == "customer").cum_sum().over("session_id") > 0,
    )
    # a customer message after an agent message (or first) opens a wait; the next agent message ends it
    m = m.with_columns(
        wait_from=pl.when((pl.col("side") == "customer") & (pl.col("prev").fill_null("agent") != "customer"))
        .then(pl.col("at")).forward_fill().over("session_id"),
    ).with_columns(
        reply_s=pl.when((pl.col("side") == "agent") & (pl.col("prev") == "customer"))
        .then((pl.col("at") - pl.col("wait_from")).dt.total_seconds(fractional=True)),
    )
    agg = m.group_by("session_id").agg(
        customer_msgs=(pl.col("side") == "customer").sum(),
        agent_msgs=(pl.col("side") == "agent").sum(),
        answers=((pl.col("side") == "agent") & pl.col("customer_spoke")).sum(),
        last_two_customer=(pl.col("side").tail(2) == "customer").all() & (pl.len() >= 2),
        replies=pl.col("reply_s").count(),
        slow_1min=(pl.col("reply_s") > rules.reply_seconds).sum(),
        slow_3min=(pl.col("reply_s") > rules.violation_seconds).sum(),
        max_reply_s=pl.col("reply_s").max(),
    )
    s = sessions.join(agg, on="session_id", how="left").with_columns(
        pl.col("customer_msgs", "agent_msgs", "answers", "replies", "slow_1min", "slow_3min").fill_null(0),
        pl.col("last_two_customer").fill_null(False),
    )
    invalid = pl.col("invalid").fill_null(pl.col("customer_msgs") < rules.min_customer_messages) \
        if "invalid" in s.columns else pl.col("customer_msgs") < rules.min_customer_messages
    s = s.with_columns(invalid=invalid)
    return s.with_columns(
        duration_s=(pl.col("end") - pl.col("start")).dt.total_seconds(fractional=True),
        # lost: the customer spoke and no agent message came after the customer's first one
        lost=~pl.col("invalid") & (pl.col("customer_msgs") > 0) & (pl.col("answers") == 0),
        delayed=~pl.col("invalid") & pl.col("last_two_customer"),
    ).drop("last_two_customer", "answers")


def _summarise(s: pl.DataFrame, rules: SessionRules) -> list[pl.Expr]:
    valid = ~pl.col("invalid")
    rated = valid & (pl.col("satisfaction") != "none")

    def share(num: pl.Expr, den: pl.Expr) -> pl.Expr:
        return pl.when(den > 0).then(num / den).otherwise(None)

    n_valid = valid.sum()
    n_rated = rated.sum()
    sat = (rated & pl.col("satisfaction").is_in(list(rules.satisfied_levels))).sum()
    dis = (rated & pl.col("satisfaction").is_in(list(rules.dissatisfied_levels))).sum()
    replies = pl.col("replies").filter(valid).sum()
    return [
        pl.len().alias("sessions"),
        pl.col("invalid").sum().alias("invalid"),
        share(pl.col("invalid").sum(), pl.len()).alias("invalid_rate"),
        n_valid.alias("valid"),
        (valid & pl.col("lead_captured")).sum().alias("leads"),
        share((valid & pl.col("lead_captured")).sum(), n_valid).alias("lead_ratio"),
        pl.col("lost").sum().alias("lost"),
        share(pl.col("lost").sum(), n_valid).alias("lost_rate"),
        pl.col("delayed").sum().alias("delayed"),
        share(pl.col("delayed").sum(), n_valid).alias("delayed_rate"),
        (pl.col("duration_s").filter(valid).sum() / 3600).alias("session_hours"),
        *[(valid & (pl.col("satisfaction") == lvl)).sum().alias(f"sat_{lvl}") for lvl in SATISFACTION_LEVELS],
        n_rated.alias("rated"),
        share(sat, n_rated).alias("satisfied_share"),
        share(dis, n_rated).alias("dissatisfied_share"),
        replies.alias("replies"),
        pl.col("slow_1min").filter(valid).sum().alias("slow_1min"),
        pl.col("slow_3min").filter(valid).sum().alias("slow_3min"),
        share(pl.col("slow_1min").filter(valid).sum(), replies).alias("slow_1min_rate"),
        share(pl.col("slow_3min").filter(valid).sum(), replies).alias("slow_3min_rate"),
    ]


def session_measures(
    sessions: pl.DataFrame,
    messages: pl.DataFrame,
    rules: SessionRules | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Chat measures: ``(per_session, summary)``; ``summary`` has one row per agent and one ``all``.

    Summary columns: ``sessions, invalid, invalid_rate`` (of all sessions), and over valid
    sessions ``leads, lead_ratio, lost, lost_rate, delayed, delayed_rate, session_hours``, counts
    ``sat_<level>`` for the 6 levels, ``rated`` (level not none), ``satisfied_share,
    dissatisfied_share`` (of rated), ``replies, slow_1min, slow_3min`` and their rates, then the
    satisfaction targets with ``satisfied_ok, dissatisfied_ok``.
    """
    rules = rules or SessionRules()
    if "satisfaction" not in sessions.columns:
        sessions = sessions.with_columns(satisfaction=pl.lit("none"))
    if "lead_captured" not in sessions.columns:
        sessions = sessions.with_columns(lead_captured=pl.lit(False))
    s = per_session(sessions, messages, rules)
    exprs = _summarise(s, rules)
    by_agent = s.group_by("agent_id").agg(exprs).sort("agent_id")
    total = s.select(exprs).with_columns(agent_id=pl.lit("all"))
    summary = pl.concat([by_agent, total.select(by_agent.columns)], how="vertical_relaxed")
    summary = summary.with_columns(
        satisfied_target=pl.lit(rules.min_satisfied),
        satisfied_ok=pl.col("satisfied_share") >= rules.min_satisfied,
        dissatisfied_target=pl.lit(rules.max_dissatisfied),
        dissatisfied_ok=pl.col("dissatisfied_share") <= rules.max_dissatisfied,
    )
    return s, summary
