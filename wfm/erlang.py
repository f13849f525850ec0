"""Exact, vectorised queueing formulas for live channels: Erlang B, Erlang C and Erlang A.

Every function takes numpy arrays (or scalars) that broadcast together, one element per
interval problem, and never loops in Python over intervals. Nothing here knows about the
center configuration: :mod:`wfm.staffing` maps queues onto these functions.

Notation (the planner's words in brackets):

* ``load`` ``a`` = contacts x AHT / interval length (offered load, Erlangs)
* ``agents`` ``n`` (agents on line; may be fractional, see below)
* ``aht`` average handle time in seconds, ``answer_seconds`` ``T`` the service-level threshold
* ``patience`` mean patience of a caller in seconds (Erlang A only; exponential)

Numerics
--------
Erlang B is written through the Poisson distribution, ``1/B(n, a) - 1 = Q(n, a) / g(n, a)``
with ``Q`` the regularised upper incomplete gamma function (``scipy.special.gammaincc``) and
``g(n, a) = a**n e**-a / n!`` evaluated in log space with ``gammaln``. Where ``Q`` underflows
(load far above the agents, ``a - n >> sqrt(a)``) the finite series
``sum_j n (n-1) ... (n-j+1) / a**j`` is summed instead; its ratio ``n/a`` is then well below 1.
Erlang C follows without cancellation as ``1/C = 1 + (1 - a/n)(1/B - 1)``.
Both formulas extend to fractional agents (continuous Erlang B, Jagerman 1974).

Erlang A (M/M/n+M, Palm 1943; Garnett, Mandelbaum & Reiman 2002) uses
``x = n patience / AHT`` and ``y = a patience / AHT`` and the function
``A(x, y) = P(x, y) / g(x, y) = sum_m y**m / ((x+1)...(x+m))`` with ``P`` the regularised lower
incomplete gamma function, again in log space, with a series where ``P`` underflows.
Then ``P(wait) = A / (A + 1/B - 1)``, ``P(abandon | wait) = 1 - (x/y) P(x+1, y)/P(x, y)``,
the share answered within ``T`` is
``1 - P(wait) + P(wait) (x/y) [P(x+1, y) - P(x+1, y e**(-T/patience))] / P(x, y)`` and the
mean wait of answered contacts needs one integral, ``int_0^y P(x+1, u)/u du``, done with
Gauss-Legendre quadrature on a window fitted to each problem.

Example
-------
>>> round(float(service_level(14, 10.0, 180.0, 20.0)), 5)
0.88835
>>> int(required_agents(10.0, 180.0, service_level=0.8, answer_seconds=20.0))
14
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special as sp

__all__ = [
    "Service",
    "asa",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "required_agents",
    "service",
    "service_level",
]

#: Below this, a regularised incomplete gamma value is treated as underflowed and a series is used.
_TINY = 1e-280
#: Gauss-Legendre nodes for the Erlang A waiting-time integral.
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(96)


# --------------------------------------------------------------------------- helpers
def _log_g(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``log(y**x e**-y / Gamma(x+1))`` (a Poisson probability for integer ``x``), 0 at x = y = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return sp.xlogy(x, y) - y - sp.gammaln(x + 1.0)


def _falling_series(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``sum_{j>=1} n (n-1) ... (n-j+1) / a**j`` for ``n << a`` (terms fall geometrically)."""
    total = np.zeros_like(a)
    term = np.ones_like(a)
    j = 0
    live = np.ones(a.shape, dtype=bool)
    while live.any():
        term = np.where(live, term * np.maximum(n - j, 0.0) / a, 0.0)
        total = total + term
        j += 1
        live = term > 1e-17 * total
    return total


def _log_d(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``log(1/B(n, a) - 1)``: -inf at n = 0, where every contact is blocked."""
    n, a = np.broadcast_arrays(np.asarray(n, float), np.asarray(a, float))
    out = np.full(n.shape, -np.inf)
    pos = n > 0
    zero_load = pos & (a <= 0)
    out[zero_load] = np.inf
    m = pos & ~zero_load
    if m.any():
        nn, aa = n[m], a[m]
        q = sp.gammaincc(nn, aa)
        with np.errstate(divide="ignore"):
            val = np.log(q) - _log_g(nn, aa)
        low = q < _TINY
        if low.any():
            val[low] = np.log(_falling_series(nn[low], aa[low]))
        out[m] = val
    return out


def _log_a(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``log A(x, y)`` and ``R = 1 - 1/A = P(x+1, y) / P(x, y)`` (Erlang A), for y > 0."""
    p0 = sp.gammainc(x, y)
    p1 = sp.gammainc(x + 1.0, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_a = np.log(p0) - _log_g(x, y)
        r = p1 / p0
    low = p0 < _TINY
    if low.any():  # y << x: A = 1 + y/(x+1) + y^2/((x+1)(x+2)) + ...
        xl, yl = x[low], y[low]
        s = np.zeros_like(yl)
        term = np.ones_like(yl)
        k = 1
        live = np.ones(yl.shape, dtype=bool)
        while live.any():
            term = np.where(live, term * yl / (xl + k), 0.0)
            s = s + term
            k += 1
            live = term > 1e-17 * s
        log_a[low] = np.log1p(s)
        r[low] = s / (1.0 + s)
    return log_a, r


def _arrays(*args: object) -> list[np.ndarray]:
    return [np.asarray(v, dtype=float) for v in np.broadcast_arrays(*[np.asarray(a, float) for a in args])]


# --------------------------------------------------------------------------- Erlang B / C
def erlang_b(agents: np.ndarray | float, load: np.ndarray | float) -> np.ndarray:
    """Blocking probability of M/M/n/n (Erlang B), exact at any load.

    >>> round(float(erlang_b(10, 10.0)), 6)
    0.214582
    """
    n, a = _arrays(agents, load)
    d = _log_d(n, a)
    return sp.expit(-d)


def erlang_c(agents: np.ndarray | float, load: np.ndarray | float) -> np.ndarray:
    """Probability that a contact waits (Erlang C, M/M/n); 1 where ``agents <= load``.

    >>> round(float(erlang_c(14, 10.0)), 5)
    0.17413
    """
    n, a = _arrays(agents, load)
    out = np.ones(n.shape)
    ok = n > a
    if ok.any():
        d = np.exp(_log_d(n[ok], a[ok]))
        out[ok] = 1.0 / (1.0 + d * (1.0 - a[ok] / n[ok]))
    return out


def service_level(agents, load, aht, answer_seconds) -> np.ndarray:
    """Erlang C service level: share of contacts answered within ``answer_seconds``.

    >>> round(float(service_level(14, 10.0, 180.0, 20.0)), 5)
    0.88835
    """
    n, a, h, t = _arrays(agents, load, aht, answer_seconds)
    c = erlang_c(n, a)
    with np.errstate(invalid="ignore", over="ignore"):
        sl = 1.0 - c * np.exp(-(n - a) * t / h)
    return np.where(n > a, sl, 0.0)


def asa(agents, load, aht) -> np.ndarray:
    """Erlang C average speed of answer (seconds); inf where ``agents <= load``.

    >>> round(float(asa(14, 10.0, 180.0)), 2)
    7.84
    """
    n, a, h = _arrays(agents, load, aht)
    c = erlang_c(n, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > a, c * h / (n - a), np.inf)


def occupancy(agents, load) -> np.ndarray:
    """Share of agents' time busy, ``load / agents`` (capped at 1; Erlang C).

    >>> float(occupancy(20, 10.0))
    0.5
    """
    n, a = _arrays(agents, load)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, np.minimum(a / n, 1.0), np.nan)


# --------------------------------------------------------------------------- Erlang A
@dataclass
class Service:
    """What a number of agents achieves, per interval problem (arrays of one shape).

    ``service_level`` is the share of *offered* contacts answered within the threshold;
    ``asa`` is the mean wait of *answered* contacts; ``abandon`` the share that hangs up.
    """

    agents: np.ndarray
    p_wait: np.ndarray
    service_level: np.ndarray
    asa: np.ndarray
    abandon: np.ndarray
    occupancy: np.ndarray


def erlang_a(agents, load, aht, patience, answer_seconds) -> Service:
    """Erlang A (M/M/n+M): callers hang up after an exponential patience of mean ``patience`` s.

    Returns a :class:`Service`. ``patience`` must be > 0 (use the Erlang C functions for 0).

    >>> s = erlang_a(14, 10.0, 180.0, 120.0, 20.0)
    >>> bool(s.abandon < 0.03 and s.service_level > 0.9)
    True
    """
    n, a, h, pat, t = _arrays(agents, load, aht, patience, answer_seconds)
    shape = n.shape
    n, a, h, pat, t = (v.ravel() for v in (n, a, h, pat, t))
    p_wait = np.zeros(n.shape)
    sl = np.ones(n.shape)
    wait = np.zeros(n.shape)
    abandon = np.zeros(n.shape)
    m = a > 0
    nobody = m & (n <= 0)
    p_wait[nobody], sl[nobody], abandon[nobody], wait[nobody] = 1.0, 0.0, 1.0, np.nan
    m &= n > 0
    if m.any():
        nm, am, hm, pm, tm = n[m], a[m], h[m], pat[m], t[m]
        x = nm * pm / hm
        y = am * pm / hm
        log_a, r = _log_a(x, y)
        log_d = _log_d(nm, am)
        pw = sp.expit(log_a - log_d)
        ab_given_wait = np.clip((y - x * r) / y, 0.0, 1.0)
        # share of waiting contacts answered within T: (x/y)[P(x+1,y) - P(x+1,uT)] / P(x,y)
        u_t = y * np.exp(-tm / pm)
        p0 = sp.gammainc(x, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            late = np.where(p0 > _TINY, sp.gammainc(x + 1.0, u_t) / p0, 0.0)
        within = np.clip((x / y) * (r - late), 0.0, 1.0)
        p_wait[m] = pw
        abandon[m] = pw * ab_given_wait
        sl[m] = (1.0 - pw) + pw * within
        served = 1.0 - abandon[m]
        with np.errstate(divide="ignore", invalid="ignore"):
            wait[m] = np.where(served > 0, pw * x * _wait_integral(x, y, log_a, p0) * pm / served, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(n > 0, np.minimum(a * (1.0 - abandon) / n, 1.0), np.nan)
    return Service(
        agents=n.reshape(shape),
        p_wait=p_wait.reshape(shape),
        service_level=sl.reshape(shape),
        asa=wait.reshape(shape),
        abandon=abandon.reshape(shape),
        occupancy=occ.reshape(shape),
    )


def _wait_integral(x: np.ndarray, y: np.ndarray, log_a: np.ndarray, p0: np.ndarray) -> np.ndarray:
    """``int_0^y P(x+1, u)/u du / (y P(x, y))``: the answered contacts' wait, up to a factor.

    With ``c = x+1`` and ``V = log U``, ``U ~ Gamma(c)``, the integral is ``E[(log y - V)+]``.
    Below the mode (y < c) it is ``f(log y) int_0^inf w e^{L(w)} dw`` with
    ``L(w) = -c w + y (1 - e^-w)``; above, ``log y - digamma(c)`` plus the mirror-image tail
    with ``L(w) = c w - y (e^w - 1)``. Both integrands fall off log-concavely from w = 0, so
    Gauss-Legendre on ``[0, W]`` with ``L(W) < -60`` is exact to rounding.
    """
    c = x + 1.0
    below = y < c
    k = np.abs(c - y)
    q = np.maximum(y / 4.0, 1e-300)
    big_w = (-k + np.sqrt(k * k + 240.0 * q)) / (2 * q) * 2.0

    def logl(w: np.ndarray) -> np.ndarray:
        yb, cb, bb = y[..., None], c[..., None], below[..., None]
        left = -cb * w - yb * np.expm1(-w)
        right = cb * w - yb * np.expm1(w)
        return np.where(bb, left, right)

    for _ in range(60):  # widen until the integrand is negligible at the end
        short = logl(big_w[:, None])[:, 0] > -60.0
        if not short.any():
            break
        big_w = np.where(short, big_w * 2.0, big_w)
    w = (_GL_NODES[None, :] + 1.0) * 0.5 * big_w[:, None]
    with np.errstate(over="ignore", under="ignore"):
        j = (np.exp(logl(w)) * w) @ _GL_WEIGHTS * 0.5 * big_w
    # below: I/(y P) = f(log y) J / (y P) = J / A ; above: (log y - psi(c))/(y P) + J / A
    with np.errstate(over="ignore", under="ignore"):
        base = j * np.exp(-log_a)
    with np.errstate(divide="ignore", invalid="ignore"):
        extra = np.where(below, 0.0, (np.log(y) - sp.digamma(c)) / (y * p0))
    return base + extra


# --------------------------------------------------------------------------- one entry point
def service(agents, load, aht, answer_seconds, patience=0.0) -> Service:
    """Reverse calculation: the service ``agents`` give (Erlang C where ``patience == 0``, else A).

    >>> s = service([13, 14], 10.0, 180.0, 20.0)
    >>> [round(float(v), 3) for v in s.service_level]
    [0.796, 0.888]
    """
    n, a, h, t, pat = _arrays(agents, load, aht, answer_seconds, patience)
    out = erlang_a(n, a, h, np.where(pat > 0, pat, 1.0), t)
    c = pat <= 0
    if c.any():
        out.p_wait = np.where(c, _safe_c(n, a), out.p_wait)
        out.service_level = np.where(c, _safe(service_level, n, a, h, t), out.service_level)
        out.asa = np.where(c, _safe(asa, n, a, h), out.asa)
        out.abandon = np.where(c, 0.0, out.abandon)
        out.occupancy = np.where(c, occupancy(n, a), out.occupancy)
    return out


def _safe_c(n, a):
    return np.where(a > 0, erlang_c(n, np.where(a > 0, a, 1.0)), 0.0)


def _safe(fn, n, a, *rest):
    return np.where(a > 0, fn(n, np.where(a > 0, a, 1.0), *rest), np.where(fn is asa, 0.0, 1.0))


# --------------------------------------------------------------------------- required agents
def required_agents(
    load,
    aht,
    *,
    service_level: float | np.ndarray | None = None,
    answer_seconds: float | np.ndarray = 20.0,
    max_asa: float | np.ndarray | None = None,
    max_abandon: float | np.ndarray | None = None,
    max_occupancy: float | np.ndarray | None = None,
    patience: float | np.ndarray = 0.0,
    fractional: bool = False,
) -> np.ndarray:
    """The fewest agents meeting every given target at once (Erlang C, or A where patience > 0).

    Each metric is monotone in the number of agents, so the answer is the largest of the
    per-target answers; each is found by a vectorised search (start near the square-root
    staffing guess, gallop up or down, then bisect), never by a Python loop per interval.
    ``max_abandon`` only applies where ``patience > 0``. Zero load needs 0 agents.
    With ``fractional=True`` the answer is interpolated linearly between the integer agents
    below and at the requirement, on the binding target (as some planners ask).

    >>> required_agents([10.0, 0.0], 180.0, service_level=0.8, answer_seconds=20.0).tolist()
    [14.0, 0.0]
    """
    a, h, t, pat = _arrays(load, aht, answer_seconds, patience)
    shape = a.shape
    a, h, t, pat = (v.ravel() for v in (a, h, t, pat))
    targets = _Targets.build(a.shape, service_level, max_asa, max_abandon, max_occupancy)
    pos = a > 0
    out = np.zeros(a.shape)
    if pos.any():
        out[pos] = _solve(a[pos], h[pos], t[pos], pat[pos], targets.take(pos), fractional)
    return out.reshape(shape)


@dataclass
class _Targets:
    sl: np.ndarray
    asa: np.ndarray
    abandon: np.ndarray
    occ: np.ndarray

    @classmethod
    def build(cls, shape, sl, asa_, ab, occ) -> _Targets:
        def arr(v, off):
            return np.broadcast_to(np.asarray(off if v is None else v, float), shape).astype(float)

        return cls(arr(sl, 0.0), arr(asa_, np.inf), arr(ab, 1.0), arr(occ, 1.0))

    def take(self, m) -> _Targets:
        return _Targets(self.sl[m], self.asa[m], self.abandon[m], self.occ[m])


def _margins(n, a, h, t, pat, tg: _Targets) -> np.ndarray:
    """How far each target is from being met at ``n`` agents (>= 0 everywhere means met)."""
    s = service(n, a, h, t, pat)
    ab = np.where(pat > 0, s.abandon, 0.0)
    occ_ok = (tg.occ >= 1.0) | (n * tg.occ >= a * (1.0 - ab) * (1 - 1e-12))
    stable = (pat > 0) | (n > a)
    ok = (
        stable
        & (s.service_level >= tg.sl * (1 - 1e-12))
        & (np.nan_to_num(s.asa, nan=np.inf) <= tg.asa * (1 + 1e-12))
        & (ab <= tg.abandon * (1 + 1e-12))
        & occ_ok
    )
    return ok


def _guess(a, h, t, pat, tg: _Targets) -> np.ndarray:
    """Square-root staffing (Halfin-Whitt) guess, a few agents from the answer at most."""
    beta_lo = np.zeros_like(a)
    beta_hi = np.full_like(a, 8.0)
    sq = np.sqrt(a)
    for _ in range(20):
        b = 0.5 * (beta_lo + beta_hi)
        pw = 1.0 / (1.0 + b * sp.ndtr(b) / np.exp(-0.5 * b * b) * np.sqrt(2 * np.pi))
        sl = 1.0 - pw * np.exp(-b * sq * t / h)
        with np.errstate(divide="ignore"):
            wait = pw * h / (b * sq)
        ok = (sl >= tg.sl) & (wait <= tg.asa)
        beta_hi = np.where(ok, b, beta_hi)
        beta_lo = np.where(ok, beta_lo, b)
    n = np.ceil(a + beta_hi * sq)
    n = np.maximum(n, np.ceil(a / np.maximum(tg.occ, 1e-9)))
    return np.maximum(n, 1.0)


def _solve(a, h, t, pat, tg: _Targets, fractional: bool) -> np.ndarray:
    # lo: known to fail (or 0), hi: known to pass
    base = np.where(pat > 0, 0.0, np.floor(a))
    guess = np.maximum(_guess(a, h, t, pat, tg), base + 1)
    idx = np.arange(a.size)

    def ok(n, sel):
        return _margins(n, a[sel], h[sel], t[sel], pat[sel], tg.take(sel))

    good = ok(guess, idx)
    lo = np.where(good, base, guess)
    hi = np.where(good, guess, np.inf)
    # gallop: from the guess, steps 1, 2, 4, ... down (if it passes) or up (if it fails)
    step = np.ones_like(a)
    open_ = np.ones(a.shape, dtype=bool)
    while open_.any():
        sel = idx[open_]
        g = good[sel]
        probe = np.where(g, np.maximum(hi[sel] - step[sel], lo[sel] + 1), lo[sel] + step[sel])
        valid = ~g | (probe < hi[sel])
        r = ok(probe, sel)
        lo[sel] = np.where(valid & ~r, probe, lo[sel])
        hi[sel] = np.where(valid & r, probe, hi[sel])
        # a passing guess walks down while passing, a failing one up while failing
        done = ~valid | (g & ~r) | (~g & r)
        step[sel] *= 2
        open_[sel] = ~done
    # bisect between lo (fails) and hi (passes)
    while True:
        gap = hi - lo > 1
        if not gap.any():
            break
        sel = idx[gap]
        mid = np.floor((lo[sel] + hi[sel]) / 2)
        r = ok(mid, sel)
        hi[sel] = np.where(r, mid, hi[sel])
        lo[sel] = np.where(r, lo[sel], mid)
    if not fractional:
        return hi
    return _interpolate(hi, a, h, t, pat, tg)


def _interpolate(n, a, h, t, pat, tg: _Targets) -> np.ndarray:
    """Fractional agents: linear interpolation of the binding target between n-1 and n."""
    below = np.maximum(n - 1, 0)
    s1 = service(n, a, h, t, pat)
    s0 = service(below, a, h, t, pat)
    frac = np.zeros_like(n)

    def cross(v0, v1, target, rising):
        with np.errstate(divide="ignore", invalid="ignore"):
            f = (target - v0) / (v1 - v0) if rising else (v0 - target) / (v0 - v1)
        return np.where(np.isfinite(f), np.clip(f, 0.0, 1.0), 1.0)

    if np.any(tg.sl > 0):
        f = cross(s0.service_level, s1.service_level, tg.sl, True)
        frac = np.maximum(frac, np.where(s0.service_level < tg.sl, f, 0.0))
    asa0 = np.nan_to_num(s0.asa, nan=np.inf, posinf=1e300)
    f = cross(asa0, s1.asa, tg.asa, False)
    frac = np.maximum(frac, np.where(asa0 > tg.asa, f, 0.0))
    f = cross(s0.abandon, s1.abandon, tg.abandon, False)
    frac = np.maximum(frac, np.where((pat > 0) & (s0.abandon > tg.abandon), f, 0.0))
    occ_n = a / np.maximum(tg.occ, 1e-12)
    frac = np.maximum(frac, np.where(tg.occ < 1, np.clip(occ_n - below, 0.0, 1.0), 0.0))
    unstable = (pat <= 0) & (below <= a)
    frac = np.where(unstable, np.maximum(frac, np.clip(a - below, 0, 1) + 1e-9 * 0), frac)
    return np.where(n > 0, below + frac, 0.0)
