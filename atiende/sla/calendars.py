"""From calendar rows to the pure arithmetic of ``businesstime``, with validation and a cache.

Hours are written "HH:MM-HH:MM"; "24:00" may end a range. Validation happens here, at
configuration time, with messages for administrators (Spanish); a stored calendar always builds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

import holidays as holiday_sets
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from atiende.sla.businesstime import BusinessCalendar, BusinessClock, CalendarError, Range
from atiende.sla.models import Calendar

RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*(\+1)?\s*$")
WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def _wall(hours: str, minutes: str) -> time:
    h, m = int(hours), int(minutes)
    if (h, m) == (24, 0):
        return time(0, 0)
    if h > 23 or m > 59:
        raise ValueError
    return time(h, m)


def parse_ranges(value: Any, label: str) -> tuple[Range, ...]:
    """["09:00-14:00", "15:00-18:00"] → ((09:00, 14:00), (15:00, 18:00)); ValidationError if bad."""
    if isinstance(value, str):
        value = [part for part in re.split(r"[,;]", value) if part.strip()]
    if not isinstance(value, list | tuple):
        raise ValidationError(_("%(d)s: escriba los horarios como 09:00-18:00.") % {"d": label})
    ranges: list[Range] = []
    for item in value:
        match = RANGE.match(item) if isinstance(item, str) else None
        try:
            if not match:
                raise ValueError
            start, end = _wall(*match.group(1, 2)), _wall(*match.group(3, 4))
        except ValueError:
            raise ValidationError(
                _("%(d)s: «%(r)s» no es un horario válido (use HH:MM-HH:MM).")
                % {"d": label, "r": item}
            ) from None
        until_midnight = match.group(3) == "24"
        overnight = bool(match.group(5))
        if start == end == time(0, 0) and until_midnight:
            # The whole day: two halves, the second ending at midnight (an "overnight" end).
            ranges += [(time(0, 0), time(12, 0)), (time(12, 0), time(0, 0))]
            continue
        if end <= start and not (overnight or until_midnight):
            raise ValidationError(
                _(
                    "%(d)s: «%(r)s» termina antes de empezar. Si el turno cruza la medianoche, "
                    "escríbalo %(r)s+1."
                )
                % {"d": label, "r": item.strip()}
            )
        if overnight and end > start:
            raise ValidationError(
                _("%(d)s: «%(r)s» no cruza la medianoche; quite el +1.")
                % {"d": label, "r": item.strip()}
            )
        ranges.append((start, end))
    return tuple(ranges)


def format_range(start: time, end: time) -> str:
    """The stored spelling of a range: 24:00 for midnight, +1 when it runs past midnight."""
    if end == time(0, 0):
        return f"{start:%H:%M}-24:00"
    return f"{start:%H:%M}-{end:%H:%M}" + ("+1" if end <= start else "")


def format_ranges(ranges: Iterable[str]) -> str:
    return ", ".join(ranges)


def holiday_function(country: str, subdivision: str = ""):
    """The closed dates of a year for a country (and subdivision) of the ``holidays`` package."""
    if not country:
        return lambda year: ()
    try:
        holiday_sets.country_holidays(country, subdiv=subdivision or None, years=2026)
    except Exception as exc:
        if subdivision and "subdivision" in str(exc):
            message = _("La subdivisión «%(s)s» no existe en %(c)s.")
        else:
            message = _("No hay feriados para el país «%(c)s».")
        raise ValidationError(message % {"s": subdivision, "c": country}) from None

    @lru_cache(maxsize=64)
    def for_year(year: int) -> tuple[date, ...]:
        return tuple(holiday_sets.country_holidays(country, subdiv=subdivision or None, years=year))

    return for_year


def build_calendar(
    *,
    timezone: str,
    weekly_hours: Mapping[str, Any],
    holiday_country: str = "",
    holiday_subdivision: str = "",
    special_days: Sequence[tuple[date, Any]] = (),
) -> BusinessCalendar:
    """A validated ``BusinessCalendar``; every problem is a ValidationError with a clear message.

    A calendar must have working time: a week without hours is refused here, and one whose
    special days and holidays close everything is caught by ``add`` giving up after
    ``MAX_YEARS_AHEAD`` years (never an endless loop).
    """
    if not isinstance(weekly_hours, Mapping):
        raise ValidationError(_("El horario semanal no es válido."))
    weekly: dict[int, tuple[Range, ...]] = {}
    for key, value in weekly_hours.items():
        if str(key) not in {str(n) for n in range(7)}:
            raise ValidationError(_("Día de la semana desconocido: %(d)s.") % {"d": key})
        weekly[int(key)] = parse_ranges(value, WEEKDAYS[int(key)])
    overrides = {day: parse_ranges(hours, day.isoformat()) for day, hours in special_days}
    try:
        calendar = BusinessCalendar(
            timezone=timezone,
            weekly=weekly,
            holidays=holiday_function(holiday_country.upper(), holiday_subdivision),
            overrides=overrides,
        )
    except CalendarError as exc:
        raise ValidationError(_translate(str(exc))) from None
    return calendar


def _translate(message: str) -> str:
    """The arithmetic module speaks English to programmers; administrators read Spanish."""
    # Named groups feed named placeholders, so a translation may reorder them.
    replacements = [
        (r"^unknown time zone '(?P<z>.*)'$",
         _("La zona horaria «%(z)s» no existe (use una IANA).")),
        (r"^the calendar has no working hours in its week$", _("El calendario no tiene horas.")),
        (r"^(?P<d>.*): ranges overlap$", _("%(d)s: los horarios se superponen.")),
        (r"^(?P<d>.*): only the last range of a day may run past midnight$",
         _("%(d)s: solo el último horario del día puede pasar de medianoche.")),
        (r"^(?P<d>.*): the range (?P<r>.*) is empty$", _("%(d)s: el horario %(r)s está vacío.")),
    ]  # fmt: skip
    for pattern, spanish in replacements:
        match = re.match(pattern, message)
        if match:
            return spanish % match.groupdict()
    return message


def calendar_from_model(calendar: Calendar) -> BusinessCalendar:
    return build_calendar(
        timezone=calendar.timezone,
        weekly_hours=calendar.weekly_hours,
        holiday_country=calendar.holiday_country,
        holiday_subdivision=calendar.holiday_subdivision,
        special_days=[(d.date, d.hours) for d in calendar.special_days.all()],
    )


@lru_cache(maxsize=256)
def _clock(calendar_id: int, version: int) -> BusinessClock:
    calendar = Calendar.objects.prefetch_related("special_days").get(pk=calendar_id)
    return BusinessClock(calendar_from_model(calendar))


def clock_for(calendar: Calendar) -> BusinessClock:
    """The arithmetic of a stored calendar, cached per (calendar, version) in this process."""
    return _clock(calendar.pk, calendar.version)


def clock_for_draft(calendar: Calendar) -> BusinessClock:
    """An unsaved or draft calendar (the simulator): built fresh, never cached."""
    special = [(d.date, d.hours) for d in calendar.special_days.all()] if calendar.pk else []
    return BusinessClock(
        build_calendar(
            timezone=calendar.timezone,
            weekly_hours=calendar.weekly_hours,
            holiday_country=calendar.holiday_country,
            holiday_subdivision=calendar.holiday_subdivision,
            special_days=special,
        )
    )


def registration_moment(received_at: datetime) -> datetime:
    """CH10: when a request received at RECEIVED_AT counts as registered: that instant within the
    desk's business hours, else when the desk next opens. The desk's calendar is its first active
    one (the seeded office calendar); with none configured, the arrival itself."""
    calendar = Calendar.objects.filter(is_active=True).order_by("pk").first()
    if calendar is None:
        return received_at
    return max(clock_for(calendar).next_business_moment(received_at), received_at)
