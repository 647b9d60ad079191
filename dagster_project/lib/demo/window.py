"""The generated period in China time and its seasonal demand curve."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

DAY_S = 86_400
CHINA_UTC_OFFSET_S = 8 * 3600
EPOCH = date(1970, 1, 1)
NO_TIME = np.iinfo(np.int64).max


# People may have started buying up to a year before the window, so the window opens on an
# established customer base instead of an empty shop. Their history is not exported, except for
# the members and contacts it created: those arrive in the first day's files (an initial export).
HISTORY_DAYS = 365.0


_ONLINE_HOUR_WEIGHTS = np.array(
    [5, 3, 1.5, 1, 0.8, 1, 3, 7, 12, 18, 22, 23, 20, 18, 18, 19, 19, 18, 19, 24, 30, 34, 30, 15]
)
_OFFLINE_HOUR_WEIGHTS = np.array(
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 18, 16, 14, 16, 18, 20, 18, 16, 18, 15, 8, 0, 0]
)
_WEEKDAY_DEMAND = np.array([0.9, 0.9, 0.95, 1.0, 1.1, 1.3, 1.25])  # Monday first


def _day_label(day: int) -> str:
    return (EPOCH + timedelta(days=int(day))).isoformat()


@dataclass(frozen=True)
class Window:
    """The generated period in China time, with its seasonal demand curve (mean 1 per day).

    Purchases and visits are drawn in "operational time", in which demand is flat, and mapped back
    to calendar days through the cumulative demand, so peaks get proportionally more events.
    """

    start: date
    days: int
    cumulative: np.ndarray
    promotion: np.ndarray
    peaks: tuple[tuple[str, int, int], ...]  # label, year, day index

    @classmethod
    def build(cls, end: date, days: int) -> Window:
        start = end - timedelta(days=days - 1)
        epoch_days = (start - EPOCH).days + np.arange(days)
        demand = _WEEKDAY_DEMAND[(epoch_days + 3) % 7].copy()  # 1970-01-01 was a Thursday
        boost = np.zeros(days)
        peaks: list[tuple[str, int, int]] = []
        for year in range(start.year - 1, end.year + 2):
            for label, month, day, height in (("618", 6, 18, 2.0), ("双11", 11, 11, 4.0)):
                offset = (date(year, month, day) - start).days
                # pre-sale ramp, the peak day itself, and the after-glow day
                for first, last, extra in (
                    (-10, -6, 0.5),
                    (-5, -1, 0.8),
                    (0, 0, height),
                    (1, 1, 0.6),
                ):
                    low, high = max(offset + first, 0), min(offset + last, days - 1)
                    if low <= high:
                        boost[low : high + 1] = np.maximum(boost[low : high + 1], extra)
                if 0 <= offset < days:
                    peaks.append((label, year, offset))
        demand *= 1.0 + boost
        demand /= demand.mean()
        cumulative = np.r_[0.0, np.cumsum(demand)]
        return cls(start, days, cumulative, boost > 0, tuple(sorted(peaks, key=lambda p: p[2])))

    @property
    def start_s(self) -> int:
        """Window start as seconds since 1970-01-01 00:00 China time."""
        return (self.start - EPOCH).days * DAY_S

    @property
    def end_s(self) -> int:
        return self.start_s + self.days * DAY_S

    @property
    def start_day(self) -> int:
        return (self.start - EPOCH).days

    @property
    def total(self) -> float:
        return float(self.cumulative[-1])

    def day_index(self, operational: np.ndarray) -> np.ndarray:
        """Day index (0 = window start) of operational times; before the window time is flat."""
        operational = np.asarray(operational, dtype=np.float64)
        inside = np.interp(operational, self.cumulative, np.arange(self.days + 1))
        days = np.where(operational < 0, operational, inside)
        return np.minimum(np.floor(days), self.days - 1).astype(np.int64)

    def operational(self, seconds: np.ndarray) -> np.ndarray:
        days = (np.asarray(seconds, dtype=np.float64) - self.start_s) / DAY_S
        inside = np.interp(days, np.arange(self.days + 1), self.cumulative)
        return np.where(days < 0, days, inside)

    def seconds_on(
        self, rng: np.random.Generator, day_index: np.ndarray, offline: np.ndarray | None = None
    ) -> np.ndarray:
        """A time of day per row, drawn from the online (or offline) hourly profile."""
        n = len(day_index)
        hours = rng.choice(24, size=n, p=_ONLINE_HOUR_WEIGHTS / _ONLINE_HOUR_WEIGHTS.sum())
        if offline is not None:
            shop_hours = rng.choice(
                24, size=n, p=_OFFLINE_HOUR_WEIGHTS / _OFFLINE_HOUR_WEIGHTS.sum()
            )
            hours = np.where(offline, shop_hours, hours)
        within = hours * 3600 + rng.integers(0, 3600, size=n)
        return self.start_s + day_index * DAY_S + within

    def random_times(
        self, rng: np.random.Generator, low: np.ndarray, high: np.ndarray
    ) -> np.ndarray:
        """Times between two operational times, following the seasonal demand."""
        operational = low + rng.random(len(low)) * (high - low)
        return self.seconds_on(rng, self.day_index(operational))

    def local_day(self, seconds: np.ndarray) -> np.ndarray:
        """Epoch day (China time) of local seconds."""
        return np.asarray(seconds, dtype=np.int64) // DAY_S

    def export_day(self, seconds: np.ndarray) -> np.ndarray:
        """Export day of a record: history from before the window lands in the first export."""
        return np.maximum(self.local_day(seconds), self.start_day)

    def day_of(self, seconds: np.ndarray) -> np.ndarray:
        """Day index (0 = window start) of local seconds."""
        return (np.asarray(seconds, dtype=np.int64) - self.start_s) // DAY_S
