"""Input handling shared by the models: time units, array coercion, input checks and
grouping of identical rows."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

# Time units the summary can be expressed in, as days per unit.
TIME_UNIT_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 365.25 / 12}
DAYS_PER_MONTH = 365.25 / 12


# --- input checks ------------------------------------------------------------------------------


def _as_float(values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).ravel()


def _weights(weights: Sequence[float] | np.ndarray | None, n: int) -> np.ndarray:
    return np.ones(n) if weights is None else _as_float(weights)


def _bgnbd_input_problems(x: np.ndarray, t_x: np.ndarray, t: np.ndarray, w: np.ndarray) -> str:
    if not (len(x) == len(t_x) == len(t) == len(w)):
        return "frequency, recency, T and weights differ in length"
    checks = {
        "non-finite values": ~(np.isfinite(x) & np.isfinite(t_x) & np.isfinite(t)),
        "non-integer or negative frequency": (x < 0) | (x != np.round(x)),
        "negative recency": t_x < 0,
        "recency greater than T": t_x > t,
        "repeat buyers with zero recency": (x > 0) & (t_x <= 0),
        "negative or non-finite weights": ~np.isfinite(w) | (w < 0),
    }
    found = [f"{int(mask.sum())} rows with {name}" for name, mask in checks.items() if mask.any()]
    return "; ".join(found)


# --- grouping ----------------------------------------------------------------------------------


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(values, sort=False)
    return codes.astype(np.int64), np.asarray(uniques, dtype=np.float64)


def _group_rows(
    codes: Sequence[np.ndarray], sizes: Sequence[int], weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Group rows with identical code tuples: (first row of each group, summed weight)."""
    key = np.zeros(len(weights), dtype=np.int64)
    for column, size in zip(codes, sizes, strict=True):
        key = key * size + column
    group, _ = pd.factorize(key, sort=False)
    first = np.full(group.max() + 1 if len(group) else 0, len(group), dtype=np.int64)
    np.minimum.at(first, group, np.arange(len(group)))
    return first, np.bincount(group, weights=weights)


def _fits_in_int64(sizes: Sequence[int]) -> bool:
    return math.prod(max(size, 1) for size in sizes) < 2**62
