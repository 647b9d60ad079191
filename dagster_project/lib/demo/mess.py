"""The mess injected into the exports: timestamp forms, messy identifiers, blanks, duplicates."""

from __future__ import annotations

import numpy as np

from dagster_project.lib.demo.arrays import _FULL_WIDTH_DIGITS, _join, _pick, _replace
from dagster_project.lib.demo.frames import Frame, Table
from dagster_project.lib.demo.window import CHINA_UTC_OFFSET_S

UNPARSEABLE_TIMESTAMP = "not-a-date"

# Share of each timestamp format: 'YYYY-MM-DD HH:MM:SS', 'YYYY/MM/DD HH:MM' (both China time),
# ISO 8601 in UTC.
TIMESTAMP_FORMAT_SHARES = (0.90, 0.05, 0.05)
# canonical, '+86 138 1234 5678', '86-138-1234-5678', '138 1234 5678', full width, too short
PHONE_FORM_SHARES = (0.91, 0.02, 0.02, 0.02, 0.015, 0.015)
DUPLICATE_ROW_SHARE = 0.005
REEXPORT_SHARE = 0.015
GUEST_ORDER_SHARE = 0.008
UNPARSEABLE_SHARE = 0.002
NEGATIVE_QUANTITY_SHARE = 0.002


def _iso(seconds: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(seconds, dtype=np.int64).astype("datetime64[s]"))


def _timestamps(seconds: np.ndarray, formats: np.ndarray) -> np.ndarray:
    """Local seconds as text in the format chosen per row (0 standard, 1 slash, 2 ISO UTC)."""
    out = np.empty(len(seconds), dtype="U20")
    standard, slash, iso = formats == 0, formats == 1, formats == 2
    out[standard] = _replace(_iso(seconds[standard]), "T", " ")
    minutes = _iso(seconds[slash]).astype("U16")
    out[slash] = _replace(_replace(minutes, "-", "/"), "T", " ")
    out[iso] = _join(_iso(seconds[iso] - CHINA_UTC_OFFSET_S), "Z")
    return out


def _mixed_timestamps(rng: np.random.Generator, seconds: np.ndarray) -> np.ndarray:
    formats = rng.choice(3, size=len(seconds), p=TIMESTAMP_FORMAT_SHARES)
    return _timestamps(seconds, formats)


def _epoch_seconds(seconds: np.ndarray) -> np.ndarray:
    return (np.asarray(seconds, dtype=np.int64) - CHINA_UTC_OFFSET_S).astype(str)


# --- messy identifiers ---------------------------------------------------------------------------


def _messy_phones(rng: np.random.Generator, phones: np.ndarray) -> np.ndarray:
    """Canonical 11-digit phones rewritten in the forms people and systems type them."""
    out = phones.astype("U20")
    form = rng.choice(len(PHONE_FORM_SHARES), size=len(phones), p=PHONE_FORM_SHARES)
    form[phones == ""] = 0
    head = np.strings.slice(phones, 0, 3)
    middle = np.strings.slice(phones, 3, 7)
    tail = np.strings.slice(phones, 7, 11)
    variants = {
        1: lambda m: _join("+86 ", head[m], " ", middle[m], " ", tail[m]),
        2: lambda m: _join("86-", head[m], "-", middle[m], "-", tail[m]),
        3: lambda m: _join(head[m], " ", middle[m], " ", tail[m]),
        4: lambda m: np.strings.translate(phones[m], _FULL_WIDTH_DIGITS),
        5: lambda m: np.strings.slice(phones[m], 0, 9),
    }
    for code, rewrite in variants.items():
        mask = form == code
        out[mask] = rewrite(mask)
    return out


def _messy_emails(rng: np.random.Generator, emails: np.ndarray) -> np.ndarray:
    out = emails.astype("U64")
    form = rng.choice(4, size=len(emails), p=(0.95, 0.015, 0.015, 0.02))
    form[emails == ""] = 0
    out[form == 1] = np.strings.upper(emails[form == 1])
    out[form == 2] = np.strings.capitalize(emails[form == 2])
    out[form == 3] = _join(" ", emails[form == 3], " ")
    return out


def _blank(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    """Empty an optional field on a share of rows."""
    out = values.astype(str)
    out[rng.random(len(values)) < share] = ""
    return out


def _consent_text(rng: np.random.Generator, consent: np.ndarray) -> np.ndarray:
    n = len(consent)
    yes = rng.choice(np.array(["1", "true", "是"]), size=n, p=(0.8, 0.12, 0.08))
    no = rng.choice(np.array(["0", "false", "否"]), size=n, p=(0.8, 0.12, 0.08))
    return _blank(rng, np.where(consent, yes, no), 0.03)


def _with_duplicates(
    name: str, rng: np.random.Generator, table: Table, day: np.ndarray, share: float
) -> Frame:
    """Repeat a few rows verbatim right after themselves, as a glitching export does."""
    n = len(day)
    repeated = np.flatnonzero(_pick(rng, n, share, minimum=1 if n else 0))
    return Frame(name, table, day, np.sort(np.r_[np.arange(n), repeated], kind="stable"))
