"""The center's leave policy: [leave.KIND] and notice per contract, for the scheduler and adherence."""

from __future__ import annotations

import pytest

from wfm.config import CenterConfig
from wfm.errors import ConfigError, InputError
from wfm.leave import leave_kinds, solver_rules

BASE = '[queues.calls]\n[shifts.part4]\nminutes = 240\n[contracts.part_time]\nshifts = ["part4"]\n'


def test_default_kinds_and_overrides():
    cfg = CenterConfig.from_toml_text(BASE + "[leave.sick]\nnotice_exempt = false\nnotice_hours = 1\n"
                                      "[leave.training]\npay_deduction = 0\n")
    kinds = leave_kinds(cfg)
    assert set(kinds) == {"personal", "sick", "annual", "training"}
    assert kinds["personal"].pay_deduction == 1.0 and kinds["sick"].notice_min == 60
    rules = solver_rules(CenterConfig.from_toml_text(BASE))
    assert rules.leave_notice_min("part_time", "sick") == 0  # exempt by default
    assert rules.leave_kinds["sick"].pay_deduction == 0.4 and rules.leave_kinds["sick"].certificate


def test_notice_keys_are_contracts_and_kinds_are_checked():
    with pytest.raises(ConfigError, match=r"key 'rules\.leave_notice_hours\.cloud': unknown contract 'cloud'"):
        CenterConfig.from_toml_text(BASE + "[rules]\nleave_notice_hours = { cloud = 2 }\n")
    with pytest.raises(ConfigError, match=r"leave\.sick\.pay_deduction"):
        CenterConfig.from_toml_text(BASE + "[leave.sick]\npay_deduction = 1.4\n")
    with pytest.raises(ConfigError, match=r"exempt"):
        CenterConfig.from_toml_text(BASE + "[leave.sick]\nnotice_hours = 2\n")


def test_scheduler_reads_unknown_kinds_as_an_error(tmp_path):
    import polars as pl

    from wfm.io import read_leave

    cfg = CenterConfig.from_toml_text(BASE)
    path = tmp_path / "leave.csv"
    path.write_text("agent_id,start,end,kind,requested_at\nA,2026-11-02 00:00,2026-11-03 00:00,holiday,"
                    "2026-10-30 08:00\n")
    with pytest.raises(InputError, match=r"row 2, column 'kind': unknown leave kind 'holiday'.*annual, personal, sick"):
        read_leave(path, pl.DataFrame({"agent_id": ["A"]}), cfg.leave)


def test_the_scheduler_uses_the_kinds_of_the_center():
    from datetime import date

    import polars as pl

    from wfm.sample import sample_config_path
    from wfm.schedule import build_problem

    cfg = CenterConfig.from_toml(sample_config_path())
    agents = pl.DataFrame({"agent_id": ["A"], "contract": ["part_time"], "skills": ["voice"]})
    req = pl.DataFrame(schema={"queue": pl.String, "start": pl.Datetime("us"), "agents": pl.Float64})
    p = build_problem(cfg, req, agents, None, date(2026, 11, 2))
    assert p.rules.leave_notice_min("part_time", "personal") == 120
    assert p.rules.leave_notice_min("part_time", "sick") == 0
