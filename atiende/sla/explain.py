"""Why is this due at …: the policy, the calendar, the start, the pauses and the closed days
behind each clock of a case, in words for agents and as data for the API."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import holidays as holiday_sets
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from atiende.cases.models import Case
from atiende.sla.calendars import WEEKDAYS, clock_for
from atiende.sla.models import Calendar, CaseServiceLevel, Clock, ClockState, TargetKind
from atiende.sla.policies import CaseFacts, compile_policy, describe_target, human_duration


def closed_days(calendar: Calendar, start: datetime, end: datetime) -> list[tuple[date, str]]:
    """Holidays and closed special days of CALENDAR between two instants (local dates)."""
    zone = clock_for(calendar).zone
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    found: dict[date, str] = {}
    if calendar.holiday_country:
        for year in range(first.year, last.year + 1):
            try:
                days = holiday_sets.country_holidays(
                    calendar.holiday_country,
                    subdiv=calendar.holiday_subdivision or None,
                    years=year,
                    language="es",
                )
            except Exception:
                days = holiday_sets.country_holidays(
                    calendar.holiday_country,
                    subdiv=calendar.holiday_subdivision or None,
                    years=year,
                )
            found |= {d: str(n) for d, n in days.items() if first <= d <= last}
    for special in calendar.special_days.filter(date__gte=first, date__lte=last):
        if not special.hours:
            found[special.date] = special.name
        else:
            found.pop(special.date, None)
    return sorted(found.items())


def _local(value: datetime | None, calendar: Calendar) -> str:
    if value is None:
        return "—"
    return date_format(timezone.localtime(value, clock_for(calendar).zone), "DATETIME_FORMAT")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def explain_clock(clock: Clock, received_at: datetime) -> dict[str, Any]:
    calendar = clock.calendar
    pauses = [{"from": start, "to": end} for start, end in (clock.pauses or [])]
    measure = _("hábiles") if clock.business_time else _("corridas")
    target = describe_target(clock)
    lines = []
    if clock.kind == TargetKind.REGISTRATION:
        lines.append(
            _("Registrar el caso el mismo día hábil de su recepción (%(r)s).")
            % {"r": _local(received_at, calendar)}
        )
    else:
        lines.append(
            _("Plazo: %(t)s, contado desde %(s)s con el calendario «%(c)s» (%(z)s).")
            % {
                "t": target,
                "s": _local(clock.started_at, calendar),
                "c": calendar,
                "z": calendar.timezone,
            }
        )
        if (
            clock.started_at > received_at + timedelta(seconds=1)
            and clock.kind != TargetKind.NEXT_RESPONSE
        ):
            lines.append(
                _(
                    "Recibido fuera de horario (%(r)s): el reloj empezó en el siguiente "
                    "momento hábil."
                )
                % {"r": _local(received_at, calendar)}
            )
    if pauses:
        lines.append(
            _(
                "En pausa %(n)s vez/veces mientras se esperaba al cliente o a un tercero; "
                "ese tiempo no cuenta."
            )
            % {"n": len(pauses)}
        )
    if clock.consumed_s and clock.seconds:
        lines.append(
            _("Tiempo %(m)s ya usado antes del tramo actual: %(u)s.")
            % {"m": measure, "u": human_duration(clock.consumed_s)}
        )
    end = clock.due_at or clock.met_at or clock.stopped_at
    since = min(received_at, clock.started_at)
    if clock.business_time and end and end > since:
        closed = closed_days(calendar, since, end)
        if closed:
            lines.append(
                _("Días no laborables en el plazo: %(d)s.")
                % {"d": "; ".join(f"{d:%d/%m/%Y} ({name})" for d, name in closed)}
            )
    if clock.state == ClockState.MET:
        lines.append(_("Cumplido el %(m)s.") % {"m": _local(clock.met_at, calendar)})
    elif clock.state == ClockState.PAUSED:
        lines.append(_("En pausa desde %(p)s.") % {"p": _local(clock.paused_at, calendar)})
    elif clock.state == ClockState.STOPPED:
        lines.append(_("Detenido el %(s)s.") % {"s": _local(clock.stopped_at, calendar)})
    if clock.breached_at:
        lines.append(_("Vencido el %(b)s.") % {"b": _local(clock.breached_at, calendar)})
    return {
        "kind": clock.kind,
        "label": str(TargetKind(clock.kind).label),
        "target": target,
        "state": clock.state,
        "started_at": _iso(clock.started_at),
        "due_at": _iso(clock.due_at),
        "warn_at": _iso(clock.warn_at),
        "met_at": _iso(clock.met_at),
        "breached_at": _iso(clock.breached_at),
        "stopped_at": _iso(clock.stopped_at),
        "pauses": pauses,
        "due_local": _local(clock.due_at, calendar),
        "explanation": lines,
    }


def explain_case(case: Case) -> dict[str, Any]:
    """Everything the case's due times rest on; empty clocks when no policy matched."""
    level = CaseServiceLevel.objects.select_related("policy__calendar").filter(case=case).first()
    policy = level.policy if level else None
    clocks = list(
        Clock.objects.filter(case=case)
        .select_related("calendar", "policy")
        .order_by("created_at", "pk")
    )
    data: dict[str, Any] = {
        "policy": None,
        "calendar": None,
        "promise_at": _iso(case.promise_at),
        "promise_from_policy": bool(level and level.promise_from_policy),
        "clocks": [explain_clock(c, case.received_at) for c in clocks],
    }
    if policy is not None:
        facts = CaseFacts.of(case)
        data["policy"] = {
            "slug": policy.slug,
            "name": policy.name,
            "position": policy.position,
            "matched_because": compile_policy(policy).reasons(facts),
        }
        calendar = policy.calendar
        data["calendar"] = {
            "slug": calendar.slug,
            "name": calendar.name,
            "timezone": calendar.timezone,
            "holiday_country": calendar.holiday_country,
            "hours": {
                WEEKDAYS[int(day)]: ranges for day, ranges in sorted(calendar.weekly_hours.items())
            },
        }
    return data
