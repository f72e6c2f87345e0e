"""Configuring service levels: calendars and policies are checked here, at configuration time,
so a stored calendar always computes and a stored active policy can match cases.

Every function validates all it is given and raises ``django.core.exceptions.ValidationError``
with Spanish messages (per field where it can); nothing is half-written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone as dj_timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from atiende.accounts.models import Team
from atiende.cases.models import Case
from atiende.core.tasks import enqueue_on_commit
from atiende.sla import clocks
from atiende.sla.businesstime import MAX_YEARS_AHEAD, BusinessClock, CalendarError
from atiende.sla.calendars import build_calendar, format_range, parse_ranges
from atiende.sla.models import OPEN_CLOCK_STATES, Calendar, Clock, Policy, SpecialDay, Target
from atiende.sla.policies import check_reachable, clean_conditions, clean_target

RECOMPUTE_TASK = "sla.recompute_policy_cases"


def _unique_slug(model: Any, name: str, current: int | None) -> str:
    base = slugify(name)[:40] or "sla"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exclude(pk=current).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def save_calendar(
    *,
    name: str,
    timezone: str,
    weekly_hours: dict[str, Any],
    holiday_country: str = "",
    holiday_subdivision: str = "",
    special_days: list[tuple[date, str, Any]] | None = None,
    is_active: bool = True,
    calendar: Calendar | None = None,
) -> Calendar:
    """Create or update a calendar. Refused: unknown zone, overlapping or inverted hours, a week
    without hours, a calendar whose next working minute is beyond the search horizon."""
    if not (name or "").strip():
        raise ValidationError({"name": _("Indique un nombre.")})
    days = (
        special_days
        if special_days is not None
        else ([(d.date, d.name, d.hours) for d in calendar.special_days.all()] if calendar else [])
    )
    if len({d for d, _n, _h in days}) != len(days):
        raise ValidationError({"special_days": _("Hay fechas especiales repetidas.")})
    weekly = {str(k): v for k, v in (weekly_hours or {}).items() if v}
    business = build_calendar(
        timezone=timezone,
        weekly_hours=weekly,
        holiday_country=holiday_country,
        holiday_subdivision=holiday_subdivision,
        special_days=[(d, hours) for d, _n, hours in days],
    )
    try:
        BusinessClock(business).next_business_moment(datetime.now(UTC))
    except CalendarError:
        raise ValidationError(
            _("El calendario no tiene horas laborables en los próximos %(n)s años.")
            % {"n": MAX_YEARS_AHEAD}
        ) from None
    calendar = calendar or Calendar()
    calendar.name = name.strip()[:120]
    calendar.slug = calendar.slug or _unique_slug(Calendar, name, calendar.pk)
    calendar.timezone = timezone
    calendar.weekly_hours = {
        key: [format_range(s, e) for s, e in parse_ranges(v, key)]
        for key, v in sorted(weekly.items())
    }
    calendar.holiday_country = holiday_country.upper()
    calendar.holiday_subdivision = holiday_subdivision
    calendar.is_active = is_active
    calendar.version = (calendar.version or 0) + 1 if calendar.pk else 1
    calendar.save()
    if special_days is not None:
        calendar.special_days.all().delete()
        SpecialDay.objects.bulk_create(
            [
                SpecialDay(
                    calendar=calendar,
                    date=d,
                    name=(n or "")[:120] or _("Día especial"),
                    hours=[format_range(s, e) for s, e in parse_ranges(hours, d.isoformat())],
                )
                for d, n, hours in days
            ]
        )
    _recompute_after_commit_for_calendar(calendar)
    return calendar


@dataclass
class TargetSpec:
    kind: str
    seconds: int | None = None
    business_time: bool = True
    handoff_team: Team | None = None
    raise_priority: bool = False
    escalate_to: int = 0
    reassign_team: Team | None = None


@transaction.atomic
def save_policy(
    *,
    name: str,
    calendar: Calendar,
    targets: list[TargetSpec],
    position: int = 100,
    is_active: bool = True,
    warn_percent: int = 75,
    conditions: dict[str, list[str]] | None = None,
    teams: list[Team] | None = None,
    policy: Policy | None = None,
) -> Policy:
    """Create or update a policy and its targets; open cases that follow it are recomputed."""
    errors: dict[str, Any] = {}
    if not (name or "").strip():
        errors["name"] = _("Indique un nombre.")
    if not 1 <= int(warn_percent) <= 99:
        errors["warn_percent"] = _("El aviso debe estar entre 1 % y 99 % del plazo.")
    if not targets:
        errors["targets"] = _("Una política necesita al menos un objetivo.")
    kinds = [t.kind for t in targets]
    if len(set(kinds)) != len(kinds):
        errors["targets"] = _("Cada objetivo puede aparecer una sola vez.")
    for spec in targets:
        try:
            spec.seconds = clean_target(spec.kind, spec.seconds, spec.business_time)
        except ValidationError as exc:
            errors.setdefault("targets", " ".join(exc.messages))
        if spec.escalate_to not in (0, 2, 3):
            errors["targets"] = _("Solo se escala a N2 o N3.")
    if is_active and not calendar.is_active:
        errors["calendar"] = _("Una política activa necesita un calendario activo.")
    try:
        cleaned = clean_conditions(conditions or {})
    except ValidationError as exc:
        errors.update(exc.message_dict)
        cleaned = {}
    if errors:
        raise ValidationError(errors)
    policy = policy or Policy()
    policy.name, policy.calendar = name.strip()[:120], calendar
    policy.slug = policy.slug or _unique_slug(Policy, name, policy.pk)
    policy.position, policy.is_active, policy.warn_percent = position, is_active, warn_percent
    for attr, values in cleaned.items():
        setattr(policy, attr, values)
    check_reachable(policy, cleaned, teams or [])
    policy.version = (policy.version or 0) + 1 if policy.pk else 1
    policy.save()
    policy.teams.set(teams or [])
    policy.targets.all().delete()
    Target.objects.bulk_create(
        [
            Target(
                policy=policy,
                kind=s.kind,
                seconds=s.seconds,
                business_time=s.business_time,
                handoff_team=s.handoff_team,
                raise_priority=s.raise_priority,
                escalate_to=s.escalate_to,
                reassign_team=s.reassign_team,
            )
            for s in targets
        ]
    )
    enqueue_on_commit(RECOMPUTE_TASK, None)
    return policy


def _recompute_after_commit_for_calendar(calendar: Calendar) -> None:
    if Clock.objects.filter(calendar=calendar, state__in=OPEN_CLOCK_STATES).exists():
        enqueue_on_commit(RECOMPUTE_TASK, calendar.pk)


def recompute_open_cases(calendar_id: int | None = None, *, batch: int = 500) -> int:
    """After a policy change (CALENDAR_ID None) or a calendar change: every case with an open
    clock follows the policy that matches it now, with the new terms and hours. Cases one by
    one, each in its own transaction."""
    clocks_open = Clock.objects.filter(state__in=OPEN_CLOCK_STATES)
    if calendar_id is not None:
        clocks_open = clocks_open.filter(calendar_id=calendar_id)
    now, changed, last = dj_timezone.now(), 0, 0
    while True:
        ids = list(
            clocks_open.filter(case_id__gt=last)
            .order_by("case_id")
            .values_list("case_id", flat=True)
            .distinct()[:batch]
        )
        if not ids:
            return changed
        for case in Case.objects.filter(pk__in=ids):
            reason = "policy" if calendar_id is None else "calendar"
            changed += clocks.rematch(case, now, reason, force=calendar_id is not None)
        last = ids[-1]
