"""Large-neighbourhood search around the CP-SAT model: keep most of the roster, re-solve a part.

Each step frees either a few agents (all their days) or a few consecutive days (all agents),
fixes every other shift literal to the incumbent, and lets CP-SAT re-optimise the part with the
incumbent as hint; a better roster replaces the incumbent. Deterministic for a given seed
(the neighbourhoods come from ``numpy.random.default_rng(seed)``), apart from where the wall
clock stops it.
"""

from __future__ import annotations

import os
import time

import numpy as np
from ortools.sat.python import cp_model

from .model import RosterModel, make_solver

_LOG = bool(os.environ.get("SOLVERS_LNS_LOG"))


def improve(rm: RosterModel, values: list[int], objective: float, *, deadline: float,
            seed: int = 0, workers: int = 2, step_s: float = 2.0,
            params: dict | None = None) -> tuple[list[int], float, int]:
    """Improve a full solution ``values`` (one value per model variable) until ``deadline``
    (a ``time.perf_counter()`` instant). Returns (values, objective, steps that improved)."""
    rng = np.random.default_rng(seed)
    n_agents, n_days = len(rm.agents), rm.days
    step_s = max(step_s, len(values) / 15_000)  # big models need longer presolves
    x_index = {key: [o.var.Index() for o in opts] for key, opts in rm.options.items()}
    improved = 0
    size = {"agents": 0.25, "days": 0.25, "block": 0.35}  # adaptive share freed, per kind
    kinds = list(size)
    step = 0
    while time.perf_counter() < deadline - 0.2:
        kind = kinds[step % len(kinds)]
        step += 1
        f = size[kind]
        if kind == "agents":
            who = rng.choice(n_agents, size=max(2, min(n_agents, round(f * n_agents))),
                             replace=False).tolist()
            days = range(n_days)
        elif kind == "days":
            w = max(2, min(n_days, round(f * n_days)))
            start = int(rng.integers(0, n_days - w + 1))
            who, days = range(n_agents), range(start, start + w)
        else:
            w = max(2, min(n_days, round(f * n_days)))
            start = int(rng.integers(0, n_days - w + 1))
            who = rng.choice(n_agents, size=max(2, n_agents // 2), replace=False).tolist()
            days = range(start, start + w)
        free = {(a, d) for a in who for d in days}
        m = rm.model.Clone()
        m.ClearHints()
        for i, v in enumerate(values):
            m.AddHint(m.GetIntVarFromProtoIndex(i), v)
        proto = m.Proto()
        for key, idxs in x_index.items():
            if key in free:
                continue
            for i in idxs:
                var = proto.variables[i]
                var.domain.clear()
                var.domain.extend([values[i], values[i]])
        left = deadline - time.perf_counter()
        s = make_solver(max(min(step_s, left), 0.1), int(rng.integers(1 << 30)), workers,
                        params)
        st = s.Solve(m)
        if _LOG:
            print(f"lns step {step} free={len(free)} {s.StatusName(st)} "
                  f"{s.ObjectiveValue() if st in (2, 4) else None} best={objective} "
                  f"{s.WallTime():.2f}s", flush=True)
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE) and s.ObjectiveValue() < objective - 1e-9:
            values = list(s.ResponseProto().solution)
            objective = s.ObjectiveValue()
            improved += 1
        grow = st == cp_model.OPTIMAL  # solved the part to optimality: free more next time
        size[kind] = min(1.0, f * 1.2) if grow else max(0.02, f * 0.85)
    return values, objective, improved
