"""Vectorised keyed averages (robust to outliers) and table lookups with fallbacks."""

from __future__ import annotations

import numpy as np
import polars as pl

#: Values further than this many robust standard deviations (1.4826 x MAD) from their key's
#: median are clipped before averaging, so one outlier day does not poison a profile.
ROBUST_Z = 3.0


def keyed_mean(
    keys: np.ndarray,
    values: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    robust_z: float | None = ROBUST_Z,
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean of ``values`` per key, after clipping outliers per key.

    Returns the sorted unique keys and their means.

    >>> k, m = keyed_mean(np.array([0, 0, 0, 1]), np.array([1.0, 2.0, 3.0, 5.0]), robust_z=None)
    >>> k.tolist(), m.tolist()
    ([0, 1], [2.0, 5.0])
    """
    w = np.ones_like(values, dtype=float) if weights is None else np.asarray(weights, float)
    frame = pl.DataFrame({"k": keys, "v": values.astype(float), "w": w})
    frame = frame.filter(pl.col("w") > 0, pl.col("v").is_finite())
    if robust_z is not None:
        frame = (
            frame.with_columns(
                med=pl.col("v").median().over("k"),
            )
            .with_columns(
                spread=(pl.col("v") - pl.col("med")).abs().median().over("k") * 1.4826,
            )
            .with_columns(
                v=pl.col("v").clip(
                    pl.col("med") - robust_z * pl.col("spread"),
                    pl.col("med") + robust_z * pl.col("spread"),
                )
            )
        )
    out = frame.group_by("k").agg(m=(pl.col("v") * pl.col("w")).sum() / pl.col("w").sum()).sort("k")
    return out["k"].to_numpy(), out["m"].to_numpy().astype(float)


def lookup(keys: np.ndarray, table_keys: np.ndarray, table_values: np.ndarray) -> np.ndarray:
    """Values of ``table`` at ``keys``; NaN where a key is not in the table."""
    out = np.full(keys.shape, np.nan)
    if table_keys.size == 0:
        return out
    at = np.clip(np.searchsorted(table_keys, keys), 0, table_keys.size - 1)
    hit = table_keys[at] == keys
    out[hit] = table_values[at[hit]]
    return out


def fill(primary: np.ndarray, *fallbacks: np.ndarray | float) -> np.ndarray:
    """``primary`` with NaNs replaced by the first finite fallback."""
    out = primary.copy()
    for fb in fallbacks:
        miss = ~np.isfinite(out)
        if not miss.any():
            break
        out[miss] = fb[miss] if isinstance(fb, np.ndarray) else fb
    return out
