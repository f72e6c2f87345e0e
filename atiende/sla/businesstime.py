"""Business-time arithmetic: pure, exact and independent of the length of the interval.

A ``BusinessCalendar`` (weekly hours, time zone, holidays, per-date overrides such as half days)
is turned, year by year, into a sorted list of working intervals in UTC microseconds with the
cumulative business time at each interval's start. Then

- ``elapsed(a, b)`` is a difference of two positions on that cumulative axis, and
- ``add(t, d)`` is the inverse: the position of ``t`` plus ``d``, mapped back to an instant,

each with two binary searches: no minute-by-minute or day-by-day loop, whatever the duration.
Microseconds are integers, so the laws hold exactly: ``elapsed(a, add(a, d)) == d``.

Local wall times become instants through ``zoneinfo`` (PEP 495, fold=0): a wall time inside a
DST gap is read with the offset before the change (02:30 becomes 03:30 summer time), and a range
that spans a change is as long as it really is (a 00:00-06:00 range is 5 or 7 hours that night).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
#: How far ``add`` searches for working time before deciding the calendar has none left.
MAX_YEARS_AHEAD = 50

Range = tuple[time, time]


class CalendarError(ValueError):
    """A calendar that cannot work (bad zone, overlapping or inverted hours, no working time)."""


def to_us(instant: datetime) -> int:
    if instant.tzinfo is None:
        raise ValueError("business-time arithmetic needs aware datetimes")
    return (instant - EPOCH) // MICROSECOND


def from_us(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def validate_ranges(ranges: Sequence[Range], label: str) -> tuple[Range, ...]:
    """Sort and check one day's ranges. An end at or before its start runs past midnight
    (22:00-06:00) and must be the day's last range; ranges may not overlap."""
    ordered = sorted(ranges)
    for index, (start, end) in enumerate(ordered):
        if start == end:
            raise CalendarError(f"{label}: the range {start:%H:%M}-{end:%H:%M} is empty")
        overnight = _minutes(end) <= _minutes(start)
        if overnight and index != len(ordered) - 1:
            raise CalendarError(f"{label}: only the last range of a day may run past midnight")
        if index and _minutes(start) < _minutes(ordered[index - 1][1]):
            raise CalendarError(f"{label}: ranges overlap")
    return tuple(ordered)


@dataclass(frozen=True)
class BusinessCalendar:
    """Working time: ``weekly[0]`` is Monday's ranges ... ``weekly[6]`` Sunday's.

    ``holidays(year)`` gives the closed dates of a year; ``overrides`` replace a date's hours
    (a half day, or opening on a holiday); an empty tuple closes the date.
    """

    timezone: str
    weekly: Mapping[int, Sequence[Range]]
    holidays: Callable[[int], Iterable[date]] = lambda year: ()
    overrides: Mapping[date, Sequence[Range]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # "America" is a folder
            raise CalendarError(f"unknown time zone {self.timezone!r}") from exc
        if set(self.weekly) - set(range(7)):
            raise CalendarError("weekdays are numbered 0 (Monday) to 6 (Sunday)")
        names = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
        for day, ranges in self.weekly.items():
            validate_ranges(ranges, names[day])
        for when, hours in self.overrides.items():
            validate_ranges(hours, when.isoformat())
        if not any(self.weekly.values()):
            raise CalendarError("the calendar has no working hours in its week")

    def ranges_on(self, day: date, closed: set[date]) -> Sequence[Range]:
        if day in self.overrides:
            return self.overrides[day]
        if day in closed:
            return ()
        return self.weekly.get(day.weekday(), ())


class BusinessClock:
    """Answers business-time questions for one calendar. Build once, reuse (it caches years)."""

    def __init__(self, calendar: BusinessCalendar) -> None:
        self.calendar = calendar
        self.zone = ZoneInfo(calendar.timezone)
        self._first_year = self._last_year = 0
        self._safe_from = self._safe_to = 0
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._cum_start: list[int] = []  # business µs before each interval
        self._cum_end: list[int] = []  # business µs up to each interval's end

    # --- public API ----------------------------------------------------------------------------

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two instants (negative when END is before START)."""
        a, b = to_us(start), to_us(end)
        self._cover(min(a, b), max(a, b))
        return timedelta(microseconds=self._position(b) - self._position(a))

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant at which DURATION of business time has passed since START."""
        if duration < timedelta(0):
            raise ValueError("duration must not be negative")
        if not duration:
            return start
        t = to_us(start)
        self._cover(t, t)
        target = self._position(t) + duration // MICROSECOND
        for _ in range(MAX_YEARS_AHEAD):
            index = bisect_left(self._cum_end, target)
            if index < len(self._starts):
                return from_us(self._starts[index] + target - self._cum_start[index])
            self._extend_to(self._last_year + 1)
        raise CalendarError(f"no working time within {MAX_YEARS_AHEAD} years")

    def next_business_moment(self, instant: datetime) -> datetime:
        """INSTANT if it is working time, else the start of the next working interval."""
        t = to_us(instant)
        self._cover(t, t)
        for _ in range(MAX_YEARS_AHEAD):
            index = bisect_right(self._ends, t)  # first interval ending after t
            if index < len(self._starts):
                return instant if self._starts[index] <= t else from_us(self._starts[index])
            self._extend_to(self._last_year + 1)
        raise CalendarError(f"no working time within {MAX_YEARS_AHEAD} years")

    def end_of_business_day(self, instant: datetime) -> datetime:
        """The end of "the same (business) day" for a request received at INSTANT: the close of
        the local day of its next business moment, at the latest that day's midnight."""
        start = self.next_business_moment(instant)
        day = start.astimezone(self.zone).date() + timedelta(days=1)
        midnight = self._local_us(day, time(0, 0))
        self._cover(to_us(start), midnight)
        index = bisect_left(self._starts, midnight) - 1
        return from_us(min(self._ends[index], midnight))

    def is_business_time(self, instant: datetime) -> bool:
        t = to_us(instant)
        self._cover(t, t)
        index = bisect_right(self._starts, t) - 1
        return index >= 0 and t < self._ends[index]

    # --- the cumulative axis -------------------------------------------------------------------

    def _position(self, t: int) -> int:
        """Business µs from the start of the built horizon up to instant T."""
        index = bisect_right(self._starts, t) - 1
        if index < 0:
            return 0
        return self._cum_start[index] + min(t, self._ends[index]) - self._starts[index]

    def _cover(self, a: int, b: int) -> None:
        if self._safe_from <= a and b < self._safe_to:
            return
        # One year of margin on each side: local dates near New Year straddle UTC years, and an
        # instant on Dec 31 must see its own day's overnight range from the year before.
        first, last = from_us(a).year - 1, from_us(b).year + 1
        if not self._starts or first < self._first_year:
            self._build(first, max(last, self._last_year))
        elif last > self._last_year:
            self._extend_to(last)

    def _extend_to(self, last: int) -> None:
        self._build(self._first_year, last)

    def _build(self, first: int, last: int) -> None:
        intervals = self._intervals(first, last)
        self._first_year, self._last_year = first, last
        # Instants of these UTC years are answered without looking at the horizon again.
        self._safe_from = to_us(datetime(first + 1, 1, 1, tzinfo=UTC))
        self._safe_to = to_us(datetime(last, 1, 1, tzinfo=UTC))
        self._starts = [s for s, _ in intervals]
        self._ends = [e for _, e in intervals]
        self._cum_start, self._cum_end, total = [], [], 0
        for s, e in intervals:
            self._cum_start.append(total)
            total += e - s
            self._cum_end.append(total)

    def _intervals(self, first: int, last: int) -> list[tuple[int, int]]:
        closed = {d for year in range(first, last + 1) for d in self.calendar.holidays(year)}
        day, stop = date(first, 1, 1), date(last, 12, 31)
        raw: list[tuple[int, int]] = []
        while day <= stop:
            for start, end in self.calendar.ranges_on(day, closed):
                end_day = day + timedelta(days=1) if _minutes(end) <= _minutes(start) else day
                raw.append((self._local_us(day, start), self._local_us(end_day, end)))
            day += timedelta(days=1)
        return _merge(raw)

    def _local_us(self, day: date, wall: time) -> int:
        return to_us(datetime.combine(day, wall, tzinfo=self.zone))


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort and join intervals that touch or overlap (an overnight range meeting the next day's)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
