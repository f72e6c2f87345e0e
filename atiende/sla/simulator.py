"""Replay the last N days of real cases under a draft policy (or calendar) before activating it.

For every case received in the window that the draft's conditions match, each target is
computed as the clocks would have: started at the next business moment after reception, the
pauses the case really had (from its clock of that kind) added back, and compared with what
really happened (registration, first response, resolution). Next-response and hand-off targets
need the message-by-message history and are not replayed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from atiende.cases.models import Case
from atiende.sla.businesstime import BusinessClock
from atiende.sla.calendars import clock_for_draft
from atiende.sla.models import Calendar, Clock, Policy, Target, TargetKind
from atiende.sla.policies import CaseFacts, compile_policy

REPLAYED = (TargetKind.REGISTRATION, TargetKind.FIRST_RESPONSE, TargetKind.RESOLUTION)
ACTUAL: dict[str, str] = {
    TargetKind.REGISTRATION: "registered_at",
    TargetKind.FIRST_RESPONSE: "first_response_at",
    TargetKind.RESOLUTION: "resolved_at",
}


@dataclass
class TargetOutcome:
    kind: str
    cases: int = 0
    met: int = 0
    breached: int = 0
    open_on_time: int = 0
    open_late: int = 0
    late_seconds: list[float] = field(default_factory=list)
    breached_now: int = 0  # under the policy the cases really followed

    def as_dict(self) -> dict[str, Any]:
        late = sorted(self.late_seconds)
        return {
            "kind": self.kind,
            "label": str(TargetKind(self.kind).label),
            "cases": self.cases,
            "met": self.met,
            "breached": self.breached,
            "open_on_time": self.open_on_time,
            "open_late": self.open_late,
            "met_percent": round(100 * self.met / self.cases, 1) if self.cases else None,
            "average_late_s": round(sum(late) / len(late)) if late else 0,
            "worst_late_s": round(late[-1]) if late else 0,
            "breached_now": self.breached_now,
        }


def _due(
    kind: str,
    target: Target,
    business: BusinessClock,
    received: datetime,
    pauses: list[tuple[datetime, datetime]],
) -> datetime:
    if kind == TargetKind.REGISTRATION:
        return business.end_of_business_day(received)
    total = timedelta(seconds=target.seconds or 0)

    def add(start: datetime, span: timedelta) -> datetime:
        return business.add(start, span) if target.business_time else start + span

    def used(a: datetime, b: datetime) -> timedelta:
        if b <= a:
            return timedelta(0)
        return business.elapsed(a, b) if target.business_time else b - a

    start = business.next_business_moment(received)
    for paused, resumed in pauses:
        due = add(start, total)
        if paused >= due:
            break
        total -= used(start, paused)
        start = resumed
    return add(start, total)


def _pause(paused: str, resumed: str | None, now: datetime) -> tuple[datetime, datetime]:
    """A recorded pause; one still running ends now."""
    start = parse_datetime(paused) or now
    return start, (parse_datetime(resumed) if resumed else None) or now


def simulate(
    *,
    policy: Policy,
    days: int,
    calendar: Calendar | None = None,
    now: datetime | None = None,
    limit: int = 20000,
) -> dict[str, Any]:
    """What would have been met or breached, and by how much, had POLICY (with CALENDAR, if
    given, instead of its own) applied to the cases of the last DAYS days."""
    now = now or timezone.now()
    days = max(1, min(int(days), 366))
    business = clock_for_draft(calendar or policy.calendar)
    compiled = compile_policy(policy)
    targets = {t.kind: t for t in policy.targets.all() if t.kind in REPLAYED}
    outcomes = {kind: TargetOutcome(kind) for kind in targets}
    window = Case.objects.filter(received_at__gte=now - timedelta(days=days), merged_into=None)
    window = window.select_related("customer").order_by("received_at", "pk")[:limit]
    replayed = 0
    for case in window:
        if not compiled.matches(CaseFacts.of(case)):
            continue
        replayed += 1
        clocks = {c.kind: c for c in Clock.objects.filter(case=case, kind__in=list(targets))}
        for kind, target in targets.items():
            outcome = outcomes[kind]
            outcome.cases += 1
            real = clocks.get(kind)
            pauses = [_pause(a, b, now) for a, b in (real.pauses if real else [])]
            due = _due(kind, target, business, case.received_at, pauses)
            done = getattr(case, ACTUAL[kind])
            if real is not None and real.breached_at is not None:
                outcome.breached_now += 1
            if done is None:
                if due < now:
                    outcome.open_late += 1
                    outcome.late_seconds.append((now - due).total_seconds())
                else:
                    outcome.open_on_time += 1
            elif done <= due:
                outcome.met += 1
            else:
                outcome.breached += 1
                outcome.late_seconds.append((done - due).total_seconds())
    return {
        "policy": policy.name,
        "calendar": (calendar or policy.calendar).name,
        "days": days,
        "cases": replayed,
        "targets": [outcomes[k].as_dict() for k in REPLAYED if k in outcomes],
    }
