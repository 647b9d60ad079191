"""Small vectorised helpers: strings, ids, money and masks built from numpy arrays."""

from __future__ import annotations

import numpy as np

_ID_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_ALNUM = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_LOWER_ALNUM = b"abcdefghijklmnopqrstuvwxyz0123456789"
_BASE32 = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_DIGITS = b"0123456789"
_HEX = b"0123456789abcdef"
_FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def _join(*parts: np.ndarray | str) -> np.ndarray:
    """Element-wise string concatenation of arrays and scalars."""
    joined = np.asarray(parts[0])
    for part in parts[1:]:
        joined = np.strings.add(joined, part)
    return joined


def _replace(values: np.ndarray, old: str, new: str) -> np.ndarray:
    # np.strings.replace fails on empty arrays.
    return np.strings.replace(values, old, new) if values.size else values


def _random_strings(rng: np.random.Generator, n: int, length: int, alphabet: bytes) -> np.ndarray:
    table = np.frombuffer(alphabet, dtype=np.uint8)
    codes = table[rng.integers(0, len(table), size=(n, length))]
    return np.ascontiguousarray(codes).view(f"S{length}").ravel().astype(f"U{length}")


def _scrambled_codes(index: np.ndarray, salt: int) -> np.ndarray:
    """Eight base-32 characters, a bijection of the index so codes never collide."""
    mask = np.uint64((1 << 40) - 1)
    value = (index.astype(np.uint64) * np.uint64(0x9E3779B97F) + np.uint64(salt)) & mask
    value ^= value >> np.uint64(17)
    shifts = np.arange(35, -1, -5, dtype=np.uint64)
    table = np.frombuffer(_BASE32, dtype=np.uint8)
    codes = table[((value[:, None] >> shifts[None, :]) & np.uint64(31)).astype(np.intp)]
    return np.ascontiguousarray(codes).view("S8").ravel().astype("U8")


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    text = np.asarray(values, dtype=np.int64).astype(str)
    # np.strings.zfill fails on empty arrays.
    return np.strings.zfill(text, width) if text.size else text


def _yuan(fen: np.ndarray) -> np.ndarray:
    """Integer fen as a yuan string with two decimals."""
    fen = np.asarray(fen, dtype=np.int64)
    sign = np.where(fen < 0, "-", "")
    whole = (np.abs(fen) // 100).astype(str)
    cents = _digits(np.abs(fen) % 100, 2)
    return _join(sign, whole, ".", cents)


def _pick(rng: np.random.Generator, n: int, share: float, minimum: int = 0) -> np.ndarray:
    """A random mask with about ``share`` of ``n`` rows set, and at least ``minimum`` of them."""
    mask = rng.random(n) < share
    shortfall = min(minimum, n) - int(mask.sum())
    if shortfall > 0:
        mask[rng.choice(np.flatnonzero(~mask), size=shortfall, replace=False)] = True
    return mask


def _uniform_int(rng: np.random.Generator, low: float, high: float, n: int) -> np.ndarray:
    return rng.integers(int(low), int(high), size=n, endpoint=True).astype(np.int64)


def _group_positions(group: np.ndarray) -> np.ndarray:
    """0-based position of every element within its run of equal, adjacent group values."""
    if len(group) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    lengths = np.diff(np.r_[starts, len(group)])
    return np.arange(len(group)) - np.repeat(starts, lengths)
