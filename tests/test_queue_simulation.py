"""Erlang C and Erlang A against a discrete-event simulation of the queue (seeded, a few seconds).

The simulator is the FIFO multi-server recursion: callers are taken in arrival order; a caller
reaches the earliest moment a line frees up; if that is later than their (exponential)
patience they hang up without taking the line, else the line is busy until the call ends.
This is exact for M/M/n+M (and M/M/n with infinite patience), with no time stepping.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats

from wfm import erlang

AHT = 180.0
T = 20.0


@dataclass
class Replications:
    p_wait: np.ndarray
    service_level: np.ndarray
    asa: np.ndarray
    abandon: np.ndarray

    def interval(self, name: str, level: float = 0.99) -> tuple[float, float]:
        v = getattr(self, name)
        half = stats.t.ppf(0.5 + level / 2, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size)
        return v.mean() - half, v.mean() + half


def simulate(agents: int, load: float, patience: float, *, calls: int = 20_000, reps: int = 16,
             seed: int = 0, warmup: int = 2_000) -> Replications:
    rng = np.random.default_rng(seed)
    out = {k: [] for k in ("p_wait", "service_level", "asa", "abandon")}
    for _ in range(reps):
        arrivals = np.cumsum(rng.exponential(AHT / load, calls))
        service = rng.exponential(AHT, calls)
        patient = rng.exponential(patience, calls) if patience > 0 else np.full(calls, np.inf)
        free = [0.0] * agents
        waits = np.empty(calls)
        served = np.zeros(calls, dtype=bool)
        for i in range(calls):
            start = max(free[0], arrivals[i])
            wait = start - arrivals[i]
            if wait > patient[i]:
                waits[i] = patient[i]
                continue
            heapq.heapreplace(free, start + service[i])
            waits[i] = wait
            served[i] = True
        w, s = waits[warmup:], served[warmup:]
        out["p_wait"].append(np.mean(w > 0))
        out["service_level"].append(np.mean(s & (w <= T)))
        out["asa"].append(w[s].mean())
        out["abandon"].append(np.mean(~s))
    return Replications(**{k: np.array(v) for k, v in out.items()})


CASES = [  # agents, load (Erlangs), patience (s; 0 = never hang up)
    (14, 10.0, 0.0),
    (56, 50.0, 0.0),
    (4, 2.0, 0.0),
    (12, 10.0, 120.0),
    (48, 50.0, 60.0),
    (95, 100.0, 180.0),  # overloaded: only abandonment keeps the queue stable
]


@pytest.mark.parametrize("agents,load,patience", CASES)
def test_predictions_fall_inside_the_simulation_confidence_interval(agents, load, patience):
    sim = simulate(agents, load, patience, seed=agents)
    pred = erlang.service(agents, load, AHT, T, patience)
    for name in ("p_wait", "service_level", "asa", "abandon"):
        lo, hi = sim.interval(name)
        value = float(getattr(pred, name))
        if patience == 0 and name == "abandon":
            assert value == 0.0 and hi == 0.0
            continue
        assert lo <= value <= hi, f"{name}: predicted {value:.5f}, simulated 99% CI [{lo:.5f}, {hi:.5f}]"


def test_erlang_c_over_staffs_when_callers_abandon():
    load, patience = 50.0, 60.0
    targets = {"service_level": 0.8, "answer_seconds": T}
    n_c = int(erlang.required_agents(load, AHT, **targets))
    n_a = int(erlang.required_agents(load, AHT, patience=patience, **targets))
    assert n_a < n_c
    # with callers who hang up, the smaller Erlang A staff already meets 80/20 in the simulation
    sim = simulate(n_a, load, patience, seed=7)
    lo, _ = sim.interval("service_level")
    assert lo >= 0.8 - 0.005 and sim.service_level.mean() >= 0.8
    # while Erlang C, blind to abandonment, predicts a service level far below what happens
    c_pred = float(erlang.service_level(n_a, load, AHT, T))
    assert c_pred < lo - 0.05
