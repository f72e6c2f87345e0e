"""When an inbound request counts as registered (CH10): the next business moment.

The SLA app will own calendars (per team, with holidays); until the intake asks it, this module
holds the one default calendar: Monday to Friday, 09:00-18:00 in the desk's time zone, with the
public holidays of ``ATIENDE_DEFAULT_REGION``. ``registration_moment`` is the only entry point,
so switching to the SLA app's calendar is a change here alone.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import cache

import holidays
from django.conf import settings

from atiende.sla.businesstime import BusinessCalendar, BusinessClock

WEEKLY_HOURS = {day: ((time(9), time(18)),) for day in range(5)}


def _public_holidays(year: int) -> list[date]:
    try:
        return list(holidays.country_holidays(settings.ATIENDE_DEFAULT_REGION, years=year))
    except NotImplementedError:  # a region the holidays package does not know
        return []


@cache
def _default_clock(timezone: str) -> BusinessClock:
    return BusinessClock(
        BusinessCalendar(timezone=timezone, weekly=WEEKLY_HOURS, holidays=_public_holidays)
    )


def registration_moment(received_at: datetime) -> datetime:
    """RECEIVED_AT itself within business hours; otherwise when the desk next opens."""
    return _default_clock(settings.TIME_ZONE).next_business_moment(received_at)
