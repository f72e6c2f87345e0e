"""Time for the demo: desk business hours and a simulated clock.

The demo replays about sixty days of work through the services, and the services stamp their
rows with ``django.utils.timezone.now()`` (registered_at, event ``at``, message ``created_at``,
first response, resolution...). So that this history reads like sixty days and not like one
minute, the loader runs every action under ``simulated_now(clock)``: for its duration,
``timezone.now()`` returns the clock's current value. Nothing else in the process is touched.

How: ``django.utils.timezone.now`` calls ``datetime.now(tz=utc)`` through the module's global
name ``datetime``; model field defaults hold a reference to that very function, so replacing the
function would miss them. Instead the module's ``datetime`` name is swapped for a subclass whose
``now()`` reads the clock and whose ``isinstance`` check still accepts every real datetime (the
technique freezegun uses). It is restored on exit, and it is single-threaded by design: only the
``load_demo`` command uses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta, tzinfo

from django.utils import timezone as dj_timezone

#: Desk opening hours per weekday (Monday = 0): Mon-Fri 9:00-19:00, Saturday 10:00-14:00.
BUSINESS_HOURS: dict[int, tuple[time, time]] = {
    **{day: (time(9), time(19)) for day in range(5)},
    5: (time(10), time(14)),
}


class Clock:
    """A settable "now" (aware, UTC)."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def set(self, at: datetime) -> None:
        self.current = at


_REAL_DATETIME = datetime


class _ClockDatetimeMeta(type):
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, _REAL_DATETIME)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, _REAL_DATETIME)


@contextmanager
def simulated_now(clock: Clock) -> Iterator[Clock]:
    """Make ``django.utils.timezone.now()`` return ``clock.current`` inside the block."""

    class ClockDatetime(_REAL_DATETIME, metaclass=_ClockDatetimeMeta):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
            current = clock.current
            return current.astimezone(tz) if tz is not None else current.replace(tzinfo=None)

    # django.utils.timezone imports datetime; the stubs do not re-export it.
    saved = dj_timezone.datetime  # type: ignore[attr-defined]
    dj_timezone.datetime = ClockDatetime  # type: ignore[attr-defined]
    try:
        yield clock
    finally:
        dj_timezone.datetime = saved  # type: ignore[attr-defined]


# --- business hours ----------------------------------------------------------------------------


def is_business_time(at: datetime, tz: tzinfo) -> bool:
    local = at.astimezone(tz)
    hours = BUSINESS_HOURS.get(local.weekday())
    return hours is not None and hours[0] <= local.time() < hours[1]


def next_opening(at: datetime, tz: tzinfo) -> datetime:
    """AT itself when the desk is open then, else the next moment it opens."""
    if is_business_time(at, tz):
        return at
    local = at.astimezone(tz)
    for days in range(8):
        day = (local + timedelta(days=days)).date()
        hours = BUSINESS_HOURS.get(day.weekday())
        if hours is None:
            continue
        opening = datetime.combine(day, hours[0], tzinfo=tz)
        if opening > local:
            return opening.astimezone(UTC)
    raise AssertionError("the desk opens at least once a week")


def add_business_minutes(at: datetime, minutes: float, tz: tzinfo) -> datetime:
    """Move AT forward by MINUTES of desk time (nights and Sundays do not count)."""
    current = next_opening(at, tz)
    remaining = timedelta(minutes=minutes)
    while True:
        local = current.astimezone(tz)
        closing = datetime.combine(local.date(), BUSINESS_HOURS[local.weekday()][1], tzinfo=tz)
        left_today = closing - local
        if remaining < left_today:
            return current + remaining
        remaining -= left_today
        current = next_opening(closing.astimezone(UTC), tz)
