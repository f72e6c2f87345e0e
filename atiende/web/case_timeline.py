"""Read side of the case view: one timeline merging messages, notes and events, and the clocks.

Each kind is read with one bounded query (newest N before a point in time) plus one prefetch for
attachments, so the page's query count does not grow with the conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format

from atiende.cases.models import (
    Case,
    Channel,
    DeliveryStatus,
    Direction,
    Event,
    Message,
    Note,
    Priority,
    Status,
    Verb,
)
from atiende.core.actors import ActorKind
from atiende.sla.models import Clock, ClockState, TargetKind

#: How many entries the timeline shows at once; older ones are behind "ver anteriores".
TIMELINE_LIMIT = 300

#: Events already visible as a message or note of the timeline, or too noisy for it; the
#: history tab shows every event.
HIDDEN_IN_TIMELINE = (
    Verb.MESSAGE_RECEIVED,
    Verb.MESSAGE_QUEUED,
    Verb.NOTE_ADDED,
    Verb.ATTACHMENT_ADDED,
    Verb.DELIVERY_CHANGED,
    Verb.SLA_CHANGED,
    Verb.FIRST_RESPONSE,
)


@dataclass
class Entry:
    """One row of the timeline, with its labels resolved once here rather than per template
    lookup (``bench/console.py`` times the case page with a 300-message timeline)."""

    kind: str  # "message", "note" or "event"
    at: datetime
    pk: int
    item: Any
    label: str = ""  # channel (message) or verb (event)
    status: str = ""  # delivery status of an outbound message
    risk: str = ""  # ok / warning / breached colour of that status
    who: str = ""
    details: list[str] = field(default_factory=list)
    attachments: list[Any] = field(default_factory=list)


@dataclass
class Timeline:
    entries: list[Entry]
    has_older: bool

    @property
    def oldest_at(self) -> datetime | None:
        return self.entries[0].at if self.entries else None


def case_timeline(
    case: Case, *, before: datetime | None = None, limit: int = TIMELINE_LIMIT
) -> Timeline:
    """The newest LIMIT entries of CASE (older than BEFORE if given), oldest first."""
    messages = (
        Message.objects.filter(case=case)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("-created_at", "-pk")
    )
    notes = (
        Note.objects.filter(case=case)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("-created_at", "-pk")
    )
    events = (
        Event.objects.filter(case=case)
        .exclude(verb__in=HIDDEN_IN_TIMELINE)
        .select_related("actor")
        .order_by("-at", "-pk")
    )
    if before is not None:
        messages = messages.filter(created_at__lt=before)
        notes = notes.filter(created_at__lt=before)
        events = events.filter(at__lt=before)
    channels = {value: str(label) for value, label in Channel.choices}
    statuses = {value: str(label) for value, label in DeliveryStatus.choices}
    verbs = {value: str(label) for value, label in Verb.choices}
    kinds = {value: str(label) for value, label in ActorKind.choices}
    entries = [_message_entry(m, channels, statuses) for m in messages[: limit + 1]]
    entries += [
        Entry(
            "note",
            n.created_at,
            n.pk,
            n,
            who=str(n.author or ""),
            attachments=list(n.attachments.all()),
        )
        for n in notes[: limit + 1]
    ]
    entries += [
        Entry(
            "event",
            e.at,
            e.pk,
            e,
            label=verbs.get(e.verb, e.verb),
            who=e.actor_name or kinds.get(e.actor_kind, e.actor_kind),
            details=_details(e.after),
        )
        for e in events[: limit + 1]
    ]
    entries.sort(key=lambda e: (e.at, e.kind != "event", e.pk), reverse=True)
    has_older = len(entries) > limit
    return Timeline(entries=list(reversed(entries[:limit])), has_older=has_older)


RISK_BY_STATUS: dict[str, str] = {
    DeliveryStatus.QUEUED: "warning",
    DeliveryStatus.SENDING: "warning",
    DeliveryStatus.FAILED: "breached",
}


def _message_entry(message: Message, channels: dict, statuses: dict) -> Entry:
    outbound = message.direction == Direction.OUTBOUND
    return Entry(
        "message",
        message.created_at,
        message.pk,
        message,
        label=channels.get(message.channel, message.channel),
        status=statuses.get(message.delivery_status, message.delivery_status) if outbound else "",
        risk=RISK_BY_STATUS.get(message.delivery_status, "ok") if outbound else "",
        who=str(message.author or "") if outbound else message.from_address,
        attachments=list(message.attachments.all()),
    )


#: After-data keys worth a word in the timeline, and the choices that name their values.
SHOWN_DETAILS: dict[str, dict[str, Any] | None] = {
    "status": dict(Status.choices),
    "priority": dict(Priority.choices),
    "escalation_level": None,
    "reason": None,
    "promise_at": None,
    "tags": None,
    "case": None,
    "new_case": None,
    "split_from": None,
    "merged_into": None,
}


def _details(data: Any) -> list[str]:
    """The few after-data values of an event worth showing inline; the history tab has all."""
    if not isinstance(data, dict):
        return []
    items = []
    for key, labels in SHOWN_DETAILS.items():
        if key not in data or data[key] in (None, "", []):
            continue
        value = data[key]
        if isinstance(value, list):
            items.append(", ".join(str(v) for v in value))
        elif key == "promise_at":
            moment = parse_datetime(str(value))
            items.append(
                date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
                if moment
                else str(value)
            )
        else:
            items.append(str(labels.get(value, value)) if labels else str(value))
    return items


@dataclass
class ClockView:
    label: str
    state: str
    due_at: datetime | None
    risk: str  # "ok", "warning", "breached" or "" (met/stopped)


def case_clocks(case: Case, now: datetime | None = None) -> list[ClockView]:
    """The case's service-level clocks with their risk, for the header's countdowns."""
    now = now or timezone.now()
    views = []
    for clock in Clock.objects.filter(case=case).order_by("created_at", "pk"):
        if clock.state in (ClockState.MET, ClockState.STOPPED):
            risk = "breached" if clock.breached_at else ""
        elif clock.breached_at or (clock.due_at and clock.due_at <= now):
            risk = "breached"
        elif clock.warn_at and clock.warn_at <= now:
            risk = "warning"
        else:
            risk = "ok"
        views.append(
            ClockView(
                label=str(TargetKind(clock.kind).label),
                state=clock.state,
                due_at=clock.due_at,
                risk=risk,
            )
        )
    return views


def promise_risk(case: Case, now: datetime | None = None) -> str:
    if case.promise_at is None or not case.is_open:
        return ""
    return "breached" if case.promise_at <= (now or timezone.now()) else "ok"
