"""Injected time: the app runs on `SystemClock`, tests on `FixedClock`. Always timezone-aware.

People's times are Europe/Helsinki (`HELSINKI`); what is stored is UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; for tests and benchmarks."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at

    def advance(self, delta: timedelta) -> None:
        self._at += delta


def helsinki_instant(day: date, clock: time) -> datetime:
    """The UTC instant of a Helsinki wall-clock time on a day. The offset is that day's (EET in
    winter, EEST in summer). A time that does not exist (the spring-forward hour, 03.00–04.00 on
    the last Sunday of March) comes out an hour later; a repeated one (October) is its first."""
    return datetime.combine(day, clock.replace(tzinfo=None), HELSINKI).astimezone(UTC)


def local_days_between(earlier: datetime, later: datetime) -> int:
    """Calendar days in Helsinki from one instant to another (tomorrow is 1, whatever the hour)."""
    return (later.astimezone(HELSINKI).date() - earlier.astimezone(HELSINKI).date()).days
