"""Business-time arithmetic: its laws (hypothesis) and the tricky days (tables)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holiday_sets
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atiende.sla.businesstime import BusinessCalendar, BusinessClock, CalendarError

MX = ZoneInfo("America/Mexico_City")
CL = ZoneInfo("America/Santiago")
NINE_TO_SIX = ((time(9), time(18)),)
OFFICE_WEEK = {day: NINE_TO_SIX for day in range(5)} | {5: ((time(9), time(13)),)}


def mexican_holidays(year: int):
    return holiday_sets.country_holidays("MX", years=year).keys()


def chilean_holidays(year: int):
    return holiday_sets.country_holidays("CL", years=year).keys()


MX_CLOCK = BusinessClock(BusinessCalendar("America/Mexico_City", OFFICE_WEEK, mexican_holidays))
CL_CLOCK = BusinessClock(BusinessCalendar("America/Santiago", OFFICE_WEEK, chilean_holidays))
NIGHT_CLOCK = BusinessClock(
    BusinessCalendar(
        "America/Santiago", {d: ((time(8), time(12)), (time(22), time(6))) for d in range(7)}
    )
)
CLOCKS = st.sampled_from([MX_CLOCK, CL_CLOCK, NIGHT_CLOCK])
INSTANTS = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
DURATIONS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400))


def at(zone, *args):
    return datetime(*args, tzinfo=zone)


# --- laws ----------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(CLOCKS, INSTANTS, DURATIONS)
def test_elapsed_undoes_add(clock, start, duration):
    assert clock.elapsed(start, clock.add(start, duration)) == duration


@settings(max_examples=200, deadline=None)
@given(CLOCKS, INSTANTS, DURATIONS, DURATIONS)
def test_add_is_monotonic_and_never_earlier_than_the_start(clock, start, d1, d2):
    shorter, longer = sorted([d1, d2])
    assert start <= clock.add(start, shorter) <= clock.add(start, longer)


@settings(max_examples=200, deadline=None)
@given(CLOCKS, INSTANTS, INSTANTS, INSTANTS)
def test_elapsed_is_additive(clock, a, b, c):
    a, b, c = sorted([a, b, c])
    assert clock.elapsed(a, c) == clock.elapsed(a, b) + clock.elapsed(b, c)


@settings(max_examples=200, deadline=None)
@given(CLOCKS, INSTANTS, INSTANTS)
def test_business_time_never_exceeds_wall_time(clock, a, b):
    a, b = sorted([a, b])
    assert timedelta(0) <= clock.elapsed(a, b) <= b - a


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)))
def test_holidays_are_never_counted(day):
    start, end = (
        at(MX, day.year, day.month, day.day),
        at(MX, day.year, day.month, day.day) + timedelta(days=1),
    )
    if day in holiday_sets.country_holidays("MX", years=day.year) or day.weekday() == 6:
        assert MX_CLOCK.elapsed(start, end) == timedelta(0)
    else:
        assert MX_CLOCK.elapsed(start, end) > timedelta(0)


@settings(max_examples=200, deadline=None)
@given(CLOCKS, INSTANTS)
def test_the_next_business_moment_is_business_time(clock, instant):
    moment = clock.next_business_moment(instant)
    assert moment >= instant and clock.is_business_time(moment)
    assert clock.elapsed(instant, moment) == timedelta(0)


# --- tables --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        # Friday 21:00 before the Monday holiday of 16 Sep 2024 (Independence Day is a Monday):
        # Saturday 09:00-13:00 counts; Monday is closed; Tuesday resumes.
        (at(MX, 2024, 9, 13, 21), timedelta(hours=2), at(MX, 2024, 9, 14, 11)),
        (at(MX, 2024, 9, 13, 21), timedelta(hours=6), at(MX, 2024, 9, 17, 11)),
        # Inside hours, across the end of the day.
        (at(MX, 2024, 9, 10, 17), timedelta(hours=2), at(MX, 2024, 9, 11, 10)),
        # Exactly at closing time the next hour is tomorrow morning.
        (at(MX, 2024, 9, 10, 18), timedelta(hours=1), at(MX, 2024, 9, 11, 10)),
        # Year end: 31 Dec 2024 is a Tuesday, 1 Jan 2025 a holiday.
        (at(MX, 2024, 12, 31, 17), timedelta(hours=2), at(MX, 2025, 1, 2, 10)),
        # Long intervals take as long as short ones: ~1 year of business time.
        (at(MX, 2024, 1, 2, 9), timedelta(hours=2000), None),
    ],
)
def test_add_in_mexico_city(start, duration, due):
    result = MX_CLOCK.add(start, duration)
    if due is not None:
        assert result == due
    assert MX_CLOCK.elapsed(start, result) == duration


def test_chilean_dst_changes_keep_hours_on_the_wall_clock():
    # Chile: clocks go back on Sat 6 Apr 2024 (24:00 -> 23:00) and forward on Sat 7 Sep 2024.
    # A working Friday before each change is 9 h, and the day after the change is normal too.
    for friday, monday in (
        (date(2024, 4, 5), date(2024, 4, 8)),
        (date(2024, 9, 6), date(2024, 9, 9)),
    ):
        assert CL_CLOCK.elapsed(
            at(CL, *friday.timetuple()[:3]), at(CL, *monday.timetuple()[:3], 23)
        ) == timedelta(hours=9 + 4 + 9)
        assert CL_CLOCK.add(at(CL, *friday.timetuple()[:3], 17), timedelta(hours=2)) == at(
            CL, friday.year, friday.month, friday.day + 1, 10
        )


def test_an_overnight_range_spanning_a_dst_change_is_as_long_as_the_night_really_is():
    # Santiago's clocks fall back at 24:00 on Sat 6 Apr 2024: the 22:00-06:00 shift is 9 h long.
    night = NIGHT_CLOCK.elapsed(at(CL, 2024, 4, 6, 21), at(CL, 2024, 4, 7, 7))
    assert night == timedelta(hours=9)
    # ...and on Sat 7 Sep 2024 they spring forward at 24:00: 7 h.
    assert NIGHT_CLOCK.elapsed(at(CL, 2024, 9, 7, 21), at(CL, 2024, 9, 8, 7)) == timedelta(hours=7)


def test_overrides_make_half_days_and_open_holidays():
    christmas_eve, holiday = date(2024, 12, 24), date(2024, 12, 25)
    calendar = BusinessCalendar(
        "America/Mexico_City",
        OFFICE_WEEK,
        mexican_holidays,
        overrides={christmas_eve: ((time(9), time(13)),), holiday: ((time(10), time(12)),)},
    )
    clock = BusinessClock(calendar)
    assert clock.elapsed(at(MX, 2024, 12, 24), at(MX, 2024, 12, 25)) == timedelta(hours=4)
    assert clock.elapsed(at(MX, 2024, 12, 25), at(MX, 2024, 12, 26)) == timedelta(hours=2)


def test_next_business_moment_after_hours_is_the_next_opening():
    assert MX_CLOCK.next_business_moment(at(MX, 2024, 9, 13, 21)) == at(MX, 2024, 9, 14, 9)
    assert MX_CLOCK.next_business_moment(at(MX, 2024, 9, 13, 10)) == at(MX, 2024, 9, 13, 10)


@pytest.mark.parametrize(
    ("weekly", "zone", "message"),
    [
        ({0: ((time(9), time(18)), (time(12), time(20)))}, "America/Mexico_City", "overlap"),
        ({0: ((time(9), time(9)),)}, "America/Mexico_City", "empty"),
        (
            {0: ((time(22), time(6)), (time(23), time(23, 30)))},
            "America/Mexico_City",
            "past midnight",
        ),
        ({}, "America/Mexico_City", "no working hours"),
        ({0: NINE_TO_SIX}, "America/Ciudad_Gotica", "unknown time zone"),
        ({7: NINE_TO_SIX}, "America/Mexico_City", "weekdays"),
    ],
)
def test_bad_calendars_are_refused_with_a_reason(weekly, zone, message):
    with pytest.raises(CalendarError, match=message):
        BusinessCalendar(zone, weekly)


def test_a_calendar_whose_every_day_is_closed_does_not_loop_forever():
    closed_always = BusinessCalendar(
        "UTC",
        {0: NINE_TO_SIX},
        holidays=lambda year: (date(year, 1, 1) + timedelta(days=n) for n in range(366)),
    )
    with pytest.raises(CalendarError, match="no working time"):
        BusinessClock(closed_always).add(datetime(2024, 1, 1, tzinfo=UTC), timedelta(hours=1))


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        MX_CLOCK.add(datetime(2024, 1, 1), timedelta(hours=1))


@pytest.mark.parametrize(
    ("received", "same_day_ends"),
    [
        # Inside hours: that day's close.
        (datetime(2026, 11, 13, 11, 0, tzinfo=MX), datetime(2026, 11, 13, 18, 0, tzinfo=MX)),
        # Saturday afternoon before a holiday Monday (Revolution Day): Tuesday's close.
        (datetime(2026, 11, 14, 15, 0, tzinfo=MX), datetime(2026, 11, 17, 18, 0, tzinfo=MX)),
        # Saturday morning: the half day's close.
        (datetime(2026, 11, 7, 8, 0, tzinfo=MX), datetime(2026, 11, 7, 13, 0, tzinfo=MX)),
    ],
)
def test_the_end_of_the_business_day_is_the_close_of_the_first_working_day(received, same_day_ends):
    assert MX_CLOCK.end_of_business_day(received) == same_day_ends


def test_the_end_of_the_business_day_of_an_always_open_calendar_is_midnight():
    always = BusinessClock(
        BusinessCalendar("UTC", {d: ((time(0), time(12)), (time(12), time(0))) for d in range(7)})
    )
    noon = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    assert always.end_of_business_day(noon) == datetime(2026, 3, 5, tzinfo=UTC)


@given(CLOCKS, INSTANTS)
@settings(max_examples=200, deadline=None)
def test_the_business_day_ends_after_its_first_business_moment_on_the_same_local_day(clock, t):
    start = clock.next_business_moment(t)
    end = clock.end_of_business_day(t)
    assert start < end
    midnight_after = datetime.combine(
        start.astimezone(clock.zone).date() + timedelta(days=1), time(0), tzinfo=clock.zone
    )
    assert end <= midnight_after


def test_a_folder_of_the_zone_database_is_not_a_time_zone():
    with pytest.raises(CalendarError, match="unknown time zone"):
        BusinessCalendar("America", {0: NINE_TO_SIX})
