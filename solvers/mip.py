"""A linear CP-SAT model solved by a MIP solver (SCIP, shipped with OR-Tools).

The count models of :mod:`solvers.construct` are plain integer programs: integer counts,
linear constraints, a linear objective. On them a branch-and-cut MIP solver, whose LP
relaxation and cuts bound the shifts' coverage from below, proves far more than CP-SAT with
1 or 2 workers. Measured on the 200-agent call-center week (``benchmarks/callcenter.py``),
60 s on one core: the voice desk's count model solved to optimality in 8 s (126; CP-SAT
proved 122 and found 134 in the same time), the chat desk 115 with a proved bound of 109
from nothing (CP-SAT: 84-89; HiGHS through SciPy: 95) and optimal in 15 s from its roster.

The model is built once, with CP-SAT's API, and read from its proto, so both solvers see
the same constraints; :func:`solve_linear` returns a value per proto variable, which the
caller hands back to CP-SAT as a complete hint (``fix_variables_to_their_hinted_value``)
to read its expressions.

>>> from ortools.sat.python import cp_model
>>> m = cp_model.CpModel()
>>> x, y = m.NewIntVar(0, 10, "x"), m.NewIntVar(0, 10, "y")
>>> _ = m.Add(2 * x + 3 * y >= 7)
>>> m.Minimize(x + y)
>>> r = solve_linear(m, time_limit_s=5)
>>> r.status, r.objective, r.bound
('OPTIMAL', 3.0, 3.0)
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

#: The MIP solver: SCIP is compiled into OR-Tools' wheels (no further dependency).
BACKEND = "SCIP"
_INF = 2**62


@dataclass(frozen=True)
class MipResult:
    """What :func:`solve_linear` found: ``status`` (``OPTIMAL``, ``FEASIBLE``,
    ``INFEASIBLE`` or ``UNKNOWN``, as CP-SAT names them), ``values`` one per proto variable
    (``None`` without a solution), the ``objective`` and the proved ``bound`` (a lower one for
    a minimisation, rounded up when the objective can only take integer values), as CP-SAT
    reports ``ObjectiveValue`` and ``BestObjectiveBound``."""

    status: str
    values: list | None
    objective: float | None
    bound: float


@functools.cache
def available() -> bool:
    """Whether this OR-Tools build has the MIP solver (the PyPI wheels do); callers fall back
    to CP-SAT without it."""
    return pywraplp.Solver.CreateSolver(BACKEND) is not None


def is_linear(model: cp_model.CpModel) -> bool:
    """Whether every constraint of ``model`` is a linear one without enforcement literal and
    the objective is linear (what a MIP solver can take)."""
    proto = model.Proto()
    return all(c.has_linear() and not len(c.enforcement_literal) for c in proto.constraints) \
        and not proto.has_floating_point_objective()


def solve_linear(model: cp_model.CpModel, *, time_limit_s: float | None = None,
                 hint: list | None = None, budget=None, seed: int = 0) -> MipResult:
    """Minimise ``model`` (linear: :func:`is_linear`) with the MIP solver within
    ``time_limit_s`` or, deterministically, within ``budget`` (a :class:`solvers.budget.Budget`:
    a node limit from its work, its deadline as the wall cap; the work is charged to it);
    ``hint`` (a value per proto variable, ``None`` for unknown ones, as :func:`hinted` gives)
    is where the search starts. Raises ``ValueError`` on a constraint that is not linear,
    ``RuntimeError`` when OR-Tools has no MIP solver (:func:`available`)."""
    if not is_linear(model):
        raise ValueError("solve_linear takes linear constraints and objective only")
    proto = model.Proto()
    s = pywraplp.Solver.CreateSolver(BACKEND)
    if s is None:
        raise RuntimeError(f"this OR-Tools build has no {BACKEND} solver")
    xs = []
    for v in proto.variables:
        d = v.domain
        lo, hi = d[0], d[len(d) - 1]  # a domain with holes is relaxed to its hull
        xs.append(s.IntVar(lo if lo > -_INF else -s.infinity(), hi if hi < _INF else s.infinity(), ""))
    for c in proto.constraints:
        lin = c.linear
        lo = lin.domain[0] if lin.domain[0] > -_INF else -s.infinity()
        hi = lin.domain[len(lin.domain) - 1] if lin.domain[len(lin.domain) - 1] < _INF else s.infinity()
        row = s.Constraint(lo, hi)
        for v, co in zip(lin.vars, lin.coeffs):
            row.SetCoefficient(xs[v], co)
    # CP-SAT keeps a maximisation as the minimisation of its negation (scaling factor -1):
    # the solver minimises the proto's own terms, reported back in the model's terms
    obj = s.Objective()
    scale, off = 1.0, 0.0
    if proto.has_objective():
        o = proto.objective
        scale = o.scaling_factor or 1.0
        for v, co in zip(o.vars, o.coeffs):
            obj.SetCoefficient(xs[v], obj.GetCoefficient(xs[v]) + co)
        off = o.offset
    integral = float(off).is_integer()  # proto coefficients are integers
    obj.SetOffset(off)
    obj.SetMinimization()
    if hint is not None:  # a partial one is completed by the solver
        given = [(x, float(h)) for x, h in zip(xs, hint) if h is not None]
        s.SetHint([x for x, _ in given], [h for _, h in given])
    allotted, nodes = None, None
    if budget is not None:
        nodes, iterations, wall_s, allotted = budget.mip_limits()
        time_limit_s = wall_s if time_limit_s is None else min(time_limit_s, wall_s)
    if time_limit_s is None:
        raise ValueError("solve_linear needs a time limit or a budget")
    # one thread and a fixed seed: the same model, hint and node limit give the same answer
    params = [f"randomization/randomseedshift = {int(seed) % 2**31}", "lp/threads = 1",
              "parallel/maxnthreads = 1"]
    if nodes is not None:
        params += [f"limits/totalnodes = {nodes}", f"lp/iterlim = {iterations}",
                   f"lp/rootiterlim = {iterations}"]
    s.SetSolverSpecificParametersAsString("\n".join(params) + "\n")
    s.SetTimeLimit(max(int(min(time_limit_s, 1e7) * 1000), 1))
    t0 = time.perf_counter()
    st = s.Solve()
    if budget is not None:
        wall = time.perf_counter() - t0
        budget.charge_mip(s.nodes(), s.iterations(), allotted)
        budget.note_wall(wall, time_limit_s, st not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.INFEASIBLE)
                         and s.nodes() < nodes, "MIP")
    if st == pywraplp.Solver.INFEASIBLE:
        return MipResult("INFEASIBLE", None, None, math.inf * scale)
    found = st in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE)
    bound = obj.Value() if st == pywraplp.Solver.OPTIMAL else obj.BestBound()
    if integral and math.isfinite(bound):
        bound = float(math.ceil(bound - 1e-6))
    if not found:
        return MipResult("UNKNOWN", None, None, scale * bound if math.isfinite(bound) else -math.inf * scale)
    values = [round(x.solution_value()) for x in xs]
    value = float(round(obj.Value())) if integral else obj.Value()
    return MipResult("OPTIMAL" if st == pywraplp.Solver.OPTIMAL else "FEASIBLE", values,
                     scale * value, scale * min(bound, value))


def set_full_hint(model: cp_model.CpModel, values: list) -> None:
    """Replace ``model``'s hints with a complete solution (one value per proto variable)."""
    model.ClearHints()
    hint = model.Proto().solution_hint
    hint.vars.extend(range(len(values)))
    hint.values.extend(int(v) for v in values)


def hinted(model: cp_model.CpModel) -> list | None:
    """The model's hint as a value per proto variable (``None`` where it has none), or
    ``None`` without hint."""
    h = model.Proto().solution_hint
    if not len(h.vars):
        return None
    out: list = [None] * len(model.Proto().variables)
    for v, x in zip(h.vars, h.values):
        out[v] = x
    return out
