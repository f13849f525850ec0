"""Staffing speed: required agents for 100,000 interval problems, Erlang C and Erlang A,
side by side with pyworkforce 0.5.1's ``ErlangC.required_positions`` on the same problems.

Run: ``python -m benchmarks.staffing`` (writes ``benchmarks/results/staffing.md``).

pyworkforce is a benchmark-only dependency. It is used in this interpreter when importable;
otherwise from the interpreter named by ``WFM_PYWORKFORCE_PYTHON`` (default
``/work/venv-pyworkforce/bin/python``, a separate virtualenv), through a subprocess that times
its own loop. Its pure-Python loop takes seconds per thousand problems, so it runs on a
seeded subset and its time for 100,000 is extrapolated linearly (said so in the table).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wfm import erlang

RESULTS = Path(__file__).resolve().parent / "results" / "staffing.md"

PROBLEMS = 100_000
PYWORKFORCE_SUBSET = 1_000
REPEATS = 5
SEED = 2026
AHT_S = 180.0
INTERVAL_MIN = 30
SL, ANSWER_S = 0.80, 20.0
PATIENCE_S, MAX_ABANDON = 120.0, 0.05
MAX_ASA_S, MAX_OCCUPANCY = 20.0, 0.85
LOAD_RANGE = (0.1, 5_000.0)

_PYWORKFORCE_LOOP = r"""
import json, sys, time
from pyworkforce.queuing import ErlangC
job = json.load(sys.stdin)
out = []
t0, c0 = time.perf_counter(), time.process_time()
for tr in job["transactions"]:
    e = ErlangC(transactions=tr, aht=job["aht_min"], asa=job["answer_min"], interval=job["interval"])
    out.append(e.required_positions(service_level=job["sl"])["raw_positions"])
elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
import pyworkforce
print(json.dumps({"positions": out, "seconds": elapsed, "cpu": cpu,
                  "version": getattr(pyworkforce, "__version__", "0.5.1")}))
"""


@dataclass
class Timing:
    median: float
    runs: list[float]
    cpu: float  # median process CPU time: less sensitive to other jobs on a shared machine


def timed(fn, repeats: int) -> tuple[Timing, object]:
    runs, cpu, result = [], [], None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        runs.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return Timing(float(np.median(runs)), runs, float(np.median(cpu))), result


def problems(n: int = PROBLEMS, seed: int = SEED) -> np.ndarray:
    """Offered loads (Erlangs), log-uniform over LOAD_RANGE, rounded to whole contacts."""
    rng = np.random.default_rng(seed)
    load = np.exp(rng.uniform(np.log(LOAD_RANGE[0]), np.log(LOAD_RANGE[1]), n))
    contacts = np.maximum(np.round(load * INTERVAL_MIN * 60 / AHT_S), 1.0)
    return contacts * AHT_S / (INTERVAL_MIN * 60)


def run_pyworkforce(loads: np.ndarray) -> dict | None:
    job = {"transactions": (loads * INTERVAL_MIN * 60 / AHT_S).round().tolist(), "aht_min": AHT_S / 60,
           "answer_min": ANSWER_S / 60, "interval": INTERVAL_MIN, "sl": SL}
    try:
        import pyworkforce  # noqa: F401

        python = sys.executable
    except ImportError:
        python = os.environ.get("WFM_PYWORKFORCE_PYTHON", "/work/venv-pyworkforce/bin/python")
        if not Path(python).exists():
            return None
    proc = subprocess.run([python, "-c", _PYWORKFORCE_LOOP], input=json.dumps(job), capture_output=True, text=True,
                          check=False)
    if proc.returncode:
        print(proc.stderr, file=sys.stderr)
        return None
    res = json.loads(proc.stdout)
    res["python"] = python
    return res


def main() -> None:
    loads = problems()
    erlang.required_agents(loads[:1000], AHT_S, service_level=SL, answer_seconds=ANSWER_S)  # warm-up
    t_c, n_c = timed(lambda: erlang.required_agents(loads, AHT_S, service_level=SL, answer_seconds=ANSWER_S), REPEATS)
    t_a, _ = timed(lambda: erlang.required_agents(loads, AHT_S, service_level=SL, answer_seconds=ANSWER_S,
                                                     max_abandon=MAX_ABANDON, patience=PATIENCE_S), 3)
    all_targets = {"service_level": SL, "answer_seconds": ANSWER_S, "max_asa": MAX_ASA_S,
                   "max_occupancy": MAX_OCCUPANCY}
    t_c4, _ = timed(lambda: erlang.required_agents(loads, AHT_S, **all_targets), REPEATS)
    t_a4, _ = timed(lambda: erlang.required_agents(loads, AHT_S, **all_targets, max_abandon=MAX_ABANDON,
                                                    patience=PATIENCE_S), 3)
    t_sub, _ = timed(lambda: erlang.required_agents(loads[:PYWORKFORCE_SUBSET], AHT_S, service_level=SL,
                                                     answer_seconds=ANSWER_S), REPEATS)
    pwf = run_pyworkforce(loads[:PYWORKFORCE_SUBSET])
    load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    lines = [
        "# Staffing benchmark: required agents per interval",
        "",
        (f"`python -m benchmarks.staffing` - {PROBLEMS:,} interval problems, offered load log-uniform "
        f"{LOAD_RANGE[0]:g}-{LOAD_RANGE[1]:,.0f} Erlangs (whole contacts per {INTERVAL_MIN}-min interval, "
        f"AHT {AHT_S:g} s, seed {SEED}); target {SL:.0%} answered in {ANSWER_S:g} s; Erlang A adds "
        f"mean patience {PATIENCE_S:g} s and abandonment <= {MAX_ABANDON:.0%}."),
        (f"Medians of {REPEATS} runs (Erlang A: 3), wall clock and process CPU time. "
         f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores **shared with other jobs** (1-min load average {load_avg:.1f} at the end of the run), "
        f"Python {platform.python_version()}, numpy {np.__version__}."),
        "",
        "| method | problems | wall time | CPU time | per problem (wall) | same answer as exact |",
        "|---|---:|---:|---:|---:|---:|",
        (f"| wfm Erlang C (exact, vectorised) | {PROBLEMS:,} | {t_c.median:.3f} s | {t_c.cpu:.3f} s | "
         f"{t_c.median / PROBLEMS * 1e6:.2f} us | - |"),
        (f"| wfm Erlang A (exact, vectorised) | {PROBLEMS:,} | {t_a.median:.3f} s | {t_a.cpu:.3f} s | "
         f"{t_a.median / PROBLEMS * 1e6:.2f} us | - |"),
        (f"| wfm Erlang C, all targets (+ ASA <= {MAX_ASA_S:g} s, occupancy <= {MAX_OCCUPANCY:.0%}) | "
         f"{PROBLEMS:,} | {t_c4.median:.3f} s | {t_c4.cpu:.3f} s | {t_c4.median / PROBLEMS * 1e6:.2f} us | - |"),
        (f"| wfm Erlang A, all targets (+ ASA, occupancy) | {PROBLEMS:,} | {t_a4.median:.3f} s | "
         f"{t_a4.cpu:.3f} s | {t_a4.median / PROBLEMS * 1e6:.2f} us | - |"),
        (f"| wfm Erlang C, pyworkforce subset | {PYWORKFORCE_SUBSET:,} | {t_sub.median * 1e3:.1f} ms | "
         f"{t_sub.cpu * 1e3:.1f} ms | "
        f"{t_sub.median / PYWORKFORCE_SUBSET * 1e6:.2f} us | - |"),
    ]
    notes = []
    if pwf is None:
        lines.append("| pyworkforce 0.5.1 `ErlangC.required_positions` | - | not installed | - | - | - |")
    else:
        pos = np.array(pwf["positions"], dtype=float)
        exact = n_c[:PYWORKFORCE_SUBSET]
        same = float(np.mean(pos == exact))
        per = pwf["seconds"] / PYWORKFORCE_SUBSET
        lines += [
            (f"| pyworkforce {pwf['version']} `ErlangC.required_positions` (loop) | {PYWORKFORCE_SUBSET:,} | "
            f"{pwf['seconds']:.2f} s | {pwf['cpu']:.2f} s | {per * 1e6:,.0f} us | {same:.2%} |"),
            (f"| pyworkforce, extrapolated x{PROBLEMS // PYWORKFORCE_SUBSET} | {PROBLEMS:,} | "
            f"~{per * PROBLEMS:,.0f} s | ~{pwf['cpu'] * PROBLEMS / PYWORKFORCE_SUBSET:,.0f} s | - | - |"),
        ]
        speedup = per * PROBLEMS / t_c.median
        speedup_cpu = pwf["cpu"] * PROBLEMS / PYWORKFORCE_SUBSET / t_c.cpu
        sub_speedup = pwf["seconds"] / t_sub.median
        notes += [
            (f"- Erlang C speed-up over pyworkforce: **{speedup:,.0f}x** wall ({speedup_cpu:,.0f}x CPU) at "
             f"100,000 problems (pyworkforce extrapolated from {PYWORKFORCE_SUBSET:,}), {sub_speedup:,.0f}x on "
             f"the same {PYWORKFORCE_SUBSET:,} problems measured directly."),
            (f"- pyworkforce ran in `{pwf['python']}` (in a subprocess; a separate virtualenv when it is not "
             "importable here), timed inside that process around its loop only."),
        ]
        diff = np.flatnonzero(pos != exact)
        if diff.size:
            sl_exact = erlang.service_level(exact[diff], loads[diff], AHT_S, ANSWER_S)
            sl_pwf = erlang.service_level(pos[diff], loads[diff], AHT_S, ANSWER_S)
            notes.append(f"- {diff.size} disagreement(s); exact answer / pyworkforce / load / SL at each:")
            notes += [f"  - {exact[i]:.0f} / {pos[i]:.0f} / {loads[i]:.3f} Erlangs / {s1:.6f} vs {s2:.6f}"
                      for i, s1, s2 in zip(diff[:10], sl_exact, sl_pwf, strict=False)]
        else:
            notes.append("- pyworkforce and the exact answer agree on every problem of the subset: its start at "
                         "`round(load + 1)` only over-staffs when `floor(load) + 1` agents already meet the target "
                         "(a long answer threshold; see `tests/test_erlang.py`), which does not happen in these problems.")
    notes += [
        (f"- Targets: Erlang C 100,000 in < 0.2 s: {'met' if t_c.median < 0.2 else 'NOT met'} "
        f"({t_c.median:.3f} s); Erlang A 100,000 in < 2 s: {'met' if t_a.median < 2 else 'NOT met'} "
        f"({t_a.median:.3f} s). All runs (s): C {', '.join(f'{r:.3f}' for r in t_c.runs)}; "
        f"A {', '.join(f'{r:.3f}' for r in t_a.runs)}."),
        ("- Exactness is tested, not timed here: `tests/test_erlang.py` checks Erlang B/C/A against a 50-digit "
        "mpmath reference (relative error <= 1e-9) and every answer's minimality."),
    ]
    text = "\n".join(lines + [""] + notes) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
