"""The center's leave policy, one reading of the config for the scheduler and for adherence.

Notice is keyed by the agent's contract (``[rules] leave_notice_hours``, else
``default_notice_hours``) and by the leave's kind (``[leave.KIND]``: its own notice, or exempt);
the rule itself is :func:`solvers.leave.judge_notice`, applied by the scheduler to the published
roster and by :mod:`wfm.adherence` to the roster worked.

>>> from wfm.config import CenterConfig
>>> cfg = CenterConfig.from_toml_text('''
... [queues.calls]
... [shifts.part4]
... minutes = 240
... [contracts.part_time]
... shifts = ["part4"]
... [rules]
... leave_notice_hours = { part_time = 2 }
... ''')
>>> rules = solver_rules(cfg)
>>> rules.leave_notice_min("part_time", "personal"), rules.leave_notice_min("other", "personal")
(120, 1440)
"""

from __future__ import annotations

import polars as pl

from solvers.types import LeaveKind, Rules
from wfm.config import CenterConfig
from wfm.io import _unknown


def leave_kinds(cfg: CenterConfig) -> dict[str, LeaveKind]:
    """The solver's leave kinds from ``[leave.KIND]`` (with the defaults)."""
    return {name: LeaveKind(name, None if k.notice_hours is None else int(round(k.notice_hours * 60)),
                            k.notice_exempt, k.pay_deduction, k.certificate) for name, k in cfg.leave.items()}


def leave_rule_fields(cfg: CenterConfig) -> dict:
    """The leave fields of :class:`solvers.types.Rules` from the center file: notice per
    contract (the solver's pool), the default notice and the kinds."""
    r = cfg.rules
    return {"notice_min_by_pool": {k: int(round(v * 60)) for k, v in r.leave_notice_hours.items()},
            "default_notice_min": int(round(r.default_notice_hours * 60)),
            "leave_kinds": leave_kinds(cfg)}


def solver_rules(cfg: CenterConfig) -> Rules:
    """:class:`solvers.types.Rules` with the center's leave policy (other fields at their defaults)."""
    return Rules(**leave_rule_fields(cfg))


def first_start_min(cfg: CenterConfig, contract: str | None) -> int:
    """Earliest start (minutes after midnight) of the shifts ``contract`` may work (all shifts
    when the contract is unknown); 0 without shifts."""
    c = cfg.contracts.get(contract or "")
    names = c.shifts if c else list(cfg.shifts)
    return min((cfg.shifts[n].start_window[0] for n in names if n in cfg.shifts), default=0)


def check_leave_kinds(df: pl.DataFrame, cfg: CenterConfig, file: str) -> None:
    """A leave kind the center does not know is an error naming the row and the known kinds."""
    _unknown(df, "kind", list(cfg.leave), file, "leave kind")
