"""The case service: every state change of a case is one function here.

Each function locks the case row(s) (ordered by pk when several), validates, writes the new state
and its ``Event`` in one transaction, and leaves side effects (sending, dispatch) to after commit.
All take keyword-only arguments and an ``actor``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import Team, User
from atiende.cases.events import record_event
from atiende.cases.folios import next_folio
from atiende.cases.models import (
    Case,
    CaseLink,
    CaseType,
    Category,
    ClosureReason,
    DeliveryStatus,
    Direction,
    Message,
    Note,
    Priority,
    Status,
    StatusTransition,
    Tag,
    Verb,
)
from atiende.core.actors import Actor
from atiende.core.html import html_to_text, sanitise_html
from atiende.core.tasks import enqueue_on_commit
from atiende.customers.models import Customer
from atiende.customers.services import merge_customer_records

SEND_MESSAGE_TASK = "outbound.send_message"

#: Fields update_case_fields may change, besides tags.
EDITABLE_FIELDS = ("case_type", "category", "priority", "summary", "solution", "custom_fields")


class CaseError(Exception):
    """A case operation that cannot be done. ``code`` is stable; the message is for people."""

    code = "case_error"


class InvalidTransition(CaseError):
    code = "invalid_transition"


class StaleCase(CaseError):
    code = "stale_case"


class CaseValidationError(CaseError):
    code = "invalid_case"


# --- helpers -------------------------------------------------------------------------------------


def lock_case(case: Case, expected_version: int | None = None) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleCase(
            _(
                "El caso %(folio)s cambió mientras lo editaba "
                "(versión %(v)s, usted tenía %(e)s). Recargue."
            )
            % {"folio": locked.folio, "v": locked.version, "e": expected_version}
        )
    return locked


def lock_cases(*cases: Case) -> list[Case]:
    """Lock several cases in pk order, so two merges can never deadlock each other."""
    locked = {
        c.pk: c
        for c in Case.objects.select_for_update()
        .filter(pk__in=[c.pk for c in cases])
        .order_by("pk")
    }
    return [locked[c.pk] for c in cases]


def touch_case(case: Case, *fields: str) -> None:
    case.version += 1
    case.updated_at = timezone.now()
    case.save(update_fields=[*fields, "version", "updated_at"])


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


# --- creation ------------------------------------------------------------------------------------


@transaction.atomic
def open_case(
    *,
    actor: Actor,
    customer: Customer,
    channel: str,
    summary: str,
    case_type: str = CaseType.INFORMATION,
    priority: str = "normal",
    category: Category | None = None,
    team: Team | None = None,
    received_at: datetime | None = None,
    message_text: str = "",
    message_html: str = "",
    from_address: str = "",
    external_id: str = "",
    custom_fields: dict | None = None,
    tags: list[str] | None = None,
    registered_at: datetime | None = None,
    subject: str = "",
) -> Case:
    """Register a new case; with a message, the customer's words become its first message.

    REGISTERED_AT: when the desk counts it as registered (CH10: after hours, the next business
    moment); RECEIVED_AT stays the real arrival time. SUBJECT is the first message's subject.
    """
    now = timezone.now()
    lines = (summary or message_text or html_to_text(message_html)).strip().splitlines()
    if not lines:
        raise CaseValidationError(_("El caso necesita un resumen o un mensaje."))
    _check_category(category, case_type)
    case = Case(
        customer=customer,
        channel=channel,
        summary=lines[0][:255],
        case_type=case_type,
        priority=priority,
        category=category,
        team=team,
        received_at=received_at or now,
        registered_at=registered_at or now,
        custom_fields=custom_fields or {},
    )
    case.folio = next_folio(case_type, now)
    case.save()
    record_event(case, Verb.CREATED, actor, after=_case_snapshot(case))
    if tags:
        case.tags.set(_tags(tags))
    if message_text or message_html:
        _create_inbound(
            case,
            channel,
            message_text,
            message_html,
            from_address,
            external_id,
            subject,
            case.received_at,
            actor,
        )
    return case


def _case_snapshot(case: Case) -> dict[str, Any]:
    fields = (
        "folio",
        "case_type",
        "priority",
        "channel",
        "status",
        "summary",
        "team",
        "received_at",
    )
    return {f: _plain(getattr(case, f)) for f in fields} | {"customer": str(case.customer.uuid)}


def _check_category(category: Category | None, case_type: str) -> None:
    if category is None:
        return
    if not category.is_active:
        raise CaseValidationError(_("La categoría %(c)s está inactiva.") % {"c": category})
    if category.case_type and category.case_type != case_type:
        raise CaseValidationError(
            _("La categoría %(c)s no corresponde al tipo %(t)s.")
            % {"c": category, "t": CaseType(case_type).label}
        )


def _tags(names: list[str]) -> list[Tag]:
    clean = sorted({n.strip().lower()[:60] for n in names if n.strip()})
    existing = {t.name: t for t in Tag.objects.filter(name__in=clean)}
    missing = [Tag(name=n) for n in clean if n not in existing]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    return list(Tag.objects.filter(name__in=clean))


# --- lifecycle -----------------------------------------------------------------------------------


def allowed_next_statuses(status: str) -> set[str]:
    return set(
        StatusTransition.objects.filter(from_status=status).values_list("to_status", flat=True)
    )


@transaction.atomic
def change_status(
    *,
    case: Case,
    status: str,
    actor: Actor,
    solution: str = "",
    closure_reason: str = "",
    satisfaction_confirmed: bool | None = None,
    expected_version: int | None = None,
) -> Case:
    """Move the case along its lifecycle (CA3).

    Resolving needs a solution; closing, a reason (CA9).
    """
    case = lock_case(case, expected_version)
    if status not in Status.values:
        raise InvalidTransition(_("Estado desconocido: %(s)s") % {"s": status})
    if status not in allowed_next_statuses(case.status):
        raise InvalidTransition(
            _("No se puede pasar de «%(a)s» a «%(b)s».")
            % {"a": case.get_status_display(), "b": Status(status).label}
        )
    before = {"status": case.status}
    fields = ["status"]
    if status == Status.RESOLVED:
        case.solution = solution.strip() or case.solution
        if not case.solution:
            raise CaseValidationError(
                _("Registre la solución o el siguiente paso antes de resolver.")
            )
        case.resolved_at = timezone.now()
        fields += ["solution", "resolved_at"]
    if status == Status.CLOSED:
        if closure_reason not in ClosureReason.values:
            raise CaseValidationError(_("Indique un motivo de cierre válido."))
        case.closure_reason, case.satisfaction_confirmed = closure_reason, satisfaction_confirmed
        case.closed_at = timezone.now()
        fields += ["closure_reason", "satisfaction_confirmed", "closed_at"]
    if case.status == Status.RESOLVED and status in OPEN_AGAIN:
        case.resolved_at = None
        fields.append("resolved_at")
    case.status = status
    touch_case(case, *fields)
    after = {f: _plain(getattr(case, f)) for f in fields}
    record_event(case, Verb.STATUS_CHANGED, actor, before=before, after=after)
    return case


OPEN_AGAIN = {Status.OPEN, Status.IN_PROGRESS}


@transaction.atomic
def assign_case(
    *,
    case: Case,
    actor: Actor,
    assignee: User | None,
    team: Team | None = None,
    expected_version: int | None = None,
) -> Case:
    """Give the case an owner (and optionally a team). A new case becomes open when assigned."""
    case = lock_case(case, expected_version)
    team = team or case.team
    if assignee is not None:
        if not assignee.is_active:
            raise CaseValidationError(_("%(u)s no está activo.") % {"u": assignee})
        if team is not None and not assignee.teams.filter(pk=team.pk).exists():
            raise CaseValidationError(
                _("%(u)s no pertenece al equipo %(t)s.") % {"u": assignee, "t": team}
            )
    if team != case.team:
        record_event(
            case,
            Verb.TEAM_CHANGED,
            actor,
            before={"team": case.team_id},
            after={"team": _plain(team)},
        )
    before = {"assignee": case.assignee_id}
    case.assignee, case.team = assignee, team
    fields = ["assignee", "team"]
    if case.status == Status.NEW and assignee is not None:
        record_event(
            case,
            Verb.STATUS_CHANGED,
            actor,
            before={"status": case.status},
            after={"status": Status.OPEN},
        )
        case.status = Status.OPEN
        fields.append("status")
    touch_case(case, *fields)
    record_event(case, Verb.ASSIGNED, actor, before=before, after={"assignee": _plain(assignee)})
    return case


@transaction.atomic
def escalate_case(
    *,
    case: Case,
    level: int,
    reason: str,
    actor: Actor,
    team: Team | None = None,
    expected_version: int | None = None,
) -> Case:
    """Raise the escalation level and mark the case escalated.

    RT8: level 2 is the supervisor, level 3 the operations manager.
    """
    case = lock_case(case, expected_version)
    if not case.is_open:
        raise InvalidTransition(_("Solo se escalan casos abiertos."))
    if level not in (2, 3) or level <= case.escalation_level:
        raise CaseValidationError(
            _("El nivel debe ser 2 o 3 y mayor que el actual (%(n)s).")
            % {"n": case.escalation_level}
        )
    if not reason.strip():
        raise CaseValidationError(_("Indique el motivo del escalamiento."))
    before = {
        "escalation_level": case.escalation_level,
        "status": case.status,
        "team": case.team_id,
    }
    case.escalation_level, case.status = level, Status.ESCALATED
    case.team = team or case.team
    touch_case(case, "escalation_level", "status", "team")
    after = {
        "escalation_level": level,
        "status": case.status,
        "team": case.team_id,
        "reason": reason.strip(),
    }
    record_event(case, Verb.ESCALATED, actor, before=before, after=after)
    return case


@transaction.atomic
def update_case_fields(
    *,
    case: Case,
    actor: Actor,
    tags: list[str] | None = None,
    expected_version: int | None = None,
    **changes: Any,
) -> Case:
    """Change classification and descriptive fields; one event lists every before/after pair."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise CaseValidationError(
            _("Campos no editables: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    if "priority" in changes and changes["priority"] not in Priority.values:
        raise CaseValidationError(
            _("Prioridad desconocida: %(p)s. Elija baja, normal, alta o urgente.")
            % {"p": changes["priority"]}
        )
    case = lock_case(case, expected_version)
    before, after = {}, {}
    for field, value in changes.items():
        if getattr(case, field) != value:
            before[field], after[field] = _plain(getattr(case, field)), _plain(value)
            setattr(case, field, value)
    _check_category(case.category, case.case_type)
    if tags is not None:
        old = sorted(case.tags.values_list("name", flat=True))
        new = _tags(tags)
        if old != sorted(t.name for t in new):
            case.tags.set(new)
            before["tags"], after["tags"] = old, sorted(t.name for t in new)
    if after:
        touch_case(case, *[f for f in after if f != "tags"])
        record_event(case, Verb.FIELDS_CHANGED, actor, before=before, after=after)
    return case


@transaction.atomic
def set_promise(
    *,
    case: Case,
    promise_at: datetime,
    reason: str,
    actor: Actor,
    expected_version: int | None = None,
) -> Case:
    """Commit to a resolution time (SL5); every change is logged with its reason."""
    case = lock_case(case, expected_version)
    if promise_at <= case.received_at:
        raise CaseValidationError(_("La promesa debe ser posterior a la recepción del caso."))
    before = {"promise_at": _plain(case.promise_at)}
    case.promise_at = promise_at
    touch_case(case, "promise_at")
    record_event(
        case,
        Verb.PROMISE_SET,
        actor,
        before=before,
        after={"promise_at": _plain(promise_at), "reason": reason},
    )
    return case


#: The columns of a case that the service-level clocks keep (``record_due_times``): the due
#: times, and the promise while it is the policy's resolution time.
DUE_FIELDS = ("first_response_due_at", "resolution_due_at", "next_due_at", "promise_at")


@transaction.atomic
def record_due_times(
    *,
    case: Case,
    actor: Actor,
    change: str,
    due: dict[str, datetime | None],
    detail: dict[str, Any] | None = None,
) -> Case:
    """Store the due times the service-level clocks computed, with an event saying why (CHANGE:
    started, paused, resumed, recomputed, met...). DUE holds any of ``DUE_FIELDS``; DETAIL is what
    the clocks want to keep in the history (targets, policy, pause).

    The version is not bumped: these columns follow from other changes (they arrive a moment
    after them, from the dispatch job) and nobody edits them, so a page or API client holding
    the case must not be told it is stale because its clocks were computed."""
    unknown = set(due) - set(DUE_FIELDS)
    if unknown:
        raise CaseValidationError(
            _("Campos no editables: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    case = lock_case(case)
    before = {f: _plain(getattr(case, f)) for f in due}
    for field, value in due.items():
        setattr(case, field, value)
    case.save(update_fields=list(due))
    after = {"change": change, **{f: _plain(v) for f, v in due.items()}, **(detail or {})}
    record_event(case, Verb.SLA_CHANGED, actor, before=before, after=after)
    return case


# --- messages ------------------------------------------------------------------------------------


def _create_inbound(
    case, channel, text, html, from_address, external_id, subject, received_at, actor
) -> Message:
    safe_html = sanitise_html(html)
    message = Message.objects.create(
        case=case,
        direction=Direction.INBOUND,
        channel=channel,
        from_address=from_address[:255],
        subject=subject[:255],
        body_text=text or html_to_text(safe_html),
        body_html=safe_html,
        external_id=external_id[:255],
        delivery_status=DeliveryStatus.RECEIVED,
        created_at=received_at,
    )
    record_event(
        case, Verb.MESSAGE_RECEIVED, actor, after={"message": str(message.uuid), "channel": channel}
    )
    return message


@transaction.atomic
def add_inbound_message(
    *,
    case: Case,
    actor: Actor,
    channel: str,
    body_text: str = "",
    body_html: str = "",
    from_address: str = "",
    subject: str = "",
    external_id: str = "",
    received_at: datetime | None = None,
) -> Message:
    """Append what the customer sent. A reply to a resolved case within the window reopens it."""
    if not (body_text or body_html).strip():
        raise CaseValidationError(_("El mensaje está vacío."))
    case = lock_case(case)
    received_at = received_at or timezone.now()
    message = _create_inbound(
        case, channel, body_text, body_html, from_address, external_id, subject, received_at, actor
    )
    window = timedelta(days=settings.ATIENDE_REOPEN_DAYS)
    if (
        case.status == Status.RESOLVED
        and case.resolved_at
        and received_at - case.resolved_at <= window
    ):
        record_event(
            case,
            Verb.REOPENED,
            actor,
            before={"status": case.status},
            after={"status": Status.OPEN},
        )
        case.status, case.resolved_at = Status.OPEN, None
        touch_case(case, "status", "resolved_at")
    else:
        touch_case(case)
    return message


@transaction.atomic
def add_outbound_message(
    *,
    case: Case,
    actor: Actor,
    channel: str | None = None,
    body_text: str = "",
    body_html: str = "",
    to_address: str = "",
    subject: str = "",
    expected_version: int | None = None,
) -> Message:
    """Queue a reply to the customer. The row is the outbox: a channel's sender job sends it."""
    if not (body_text or body_html).strip():
        raise CaseValidationError(_("La respuesta está vacía."))
    case = lock_case(case, expected_version)
    safe_html = sanitise_html(body_html)
    message = Message.objects.create(
        case=case,
        direction=Direction.OUTBOUND,
        channel=channel or case.channel,
        author=actor.user,
        to_address=to_address[:255],
        subject=(subject or case.summary)[:255],
        body_text=body_text or html_to_text(safe_html),
        body_html=safe_html,
        delivery_status=DeliveryStatus.QUEUED,
    )
    record_event(
        case,
        Verb.MESSAGE_QUEUED,
        actor,
        after={"message": str(message.uuid), "channel": message.channel},
    )
    fields = []
    if case.first_response_at is None and actor.user is not None:
        case.first_response_at = message.created_at
        fields.append("first_response_at")
        record_event(case, Verb.FIRST_RESPONSE, actor, after={"at": _plain(message.created_at)})
    touch_case(case, *fields)
    enqueue_on_commit(SEND_MESSAGE_TASK, message.pk)
    return message


def claim_outbound_message(message_id: int) -> Message | None:
    """Take a queued message for sending (idempotent).

    Returns None if another worker has it or it is done.
    """
    claimed = Message.objects.filter(
        pk=message_id, direction=Direction.OUTBOUND, delivery_status=DeliveryStatus.QUEUED
    ).update(delivery_status=DeliveryStatus.SENDING, status_changed_at=timezone.now())
    return Message.objects.select_related("case__customer").get(pk=message_id) if claimed else None


def release_stuck_outbound_messages(
    *, stuck_before: datetime, actor: Actor, limit: int = 500
) -> list[int]:
    """The outbox sweep: ids of outbound messages whose send job must be enqueued again.

    ``sending`` since before STUCK_BEFORE: a worker died mid-send; back to ``queued``, with an
    event. ``queued`` since before STUCK_BEFORE: its job was lost; its clock restarts, so the next
    sweep waits again instead of piling duplicates behind a slow queue. Conditional UPDATEs
    throughout: a send that finishes meanwhile is never undone.
    """
    outbox = Message.objects.filter(
        direction=Direction.OUTBOUND, status_changed_at__lt=stuck_before
    )
    sending = outbox.filter(delivery_status=DeliveryStatus.SENDING)
    detail = _("El envío se interrumpió (el proceso terminó a mitad del envío); se reintentará.")
    released: list[int] = []
    for pk in sending.values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            now = timezone.now()
            if not sending.filter(pk=pk).update(
                delivery_status=DeliveryStatus.QUEUED, status_detail=detail, status_changed_at=now
            ):
                continue
            message = Message.objects.select_related("case").get(pk=pk)
            before = {"delivery_status": DeliveryStatus.SENDING}
            after = {"message": str(message.uuid), "delivery_status": DeliveryStatus.QUEUED}
            after["detail"] = detail
            record_event(message.case, Verb.DELIVERY_CHANGED, actor, before=before, after=after)
            released.append(pk)
    queued = outbox.filter(delivery_status=DeliveryStatus.QUEUED)
    ids = list(queued.values_list("pk", flat=True)[:limit])
    queued.filter(pk__in=ids).update(status_changed_at=timezone.now())
    return released + ids


@transaction.atomic
def record_delivery_status(
    *,
    message: Message,
    status: str,
    actor: Actor,
    detail: str = "",
    external_id: str = "",
    count_attempt: bool = False,
) -> Message:
    """Record what the channel says happened to an outbound message; failures show on the case."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    before = {"delivery_status": message.delivery_status}
    message.delivery_status, message.status_detail = status, detail[:2000]
    message.status_changed_at = timezone.now()
    message.external_id = external_id or message.external_id
    message.attempts += int(count_attempt)
    message.save(
        update_fields=[
            "delivery_status",
            "status_detail",
            "status_changed_at",
            "external_id",
            "attempts",
        ]
    )
    after = {"message": str(message.uuid), "delivery_status": status, "detail": detail[:500]}
    record_event(message.case, Verb.DELIVERY_CHANGED, actor, before=before, after=after)
    return message


# --- notes, attachments, links -------------------------------------------------------------------

MENTION = re.compile(r"(?<![\w.])@([\w.\-]{2,150})")


@transaction.atomic
def add_note(*, case: Case, body: str, actor: Actor, expected_version: int | None = None) -> Note:
    """An internal note (CA5); @username mentions of active users are recorded."""
    if not body.strip():
        raise CaseValidationError(_("La nota está vacía."))
    case = lock_case(case, expected_version)
    note = Note.objects.create(case=case, author=actor.user, body=body.strip())
    mentioned = list(User.objects.filter(username__in=set(MENTION.findall(body)), is_active=True))
    note.mentions.set(mentioned)
    record_event(
        case,
        Verb.NOTE_ADDED,
        actor,
        after={"note": note.pk, "mentions": [u.username for u in mentioned]},
    )
    touch_case(case)
    return note


@transaction.atomic
def link_cases(*, case: Case, other: Case, kind: str, actor: Actor) -> CaseLink:
    if case.pk == other.pk:
        raise CaseValidationError(_("Un caso no puede vincularse consigo mismo."))
    case, other = lock_cases(case, other)
    link, created = CaseLink.objects.get_or_create(from_case=case, to_case=other, kind=kind)
    if created:
        for a, b in ((case, other), (other, case)):
            record_event(a, Verb.LINKED, actor, after={"case": b.folio, "kind": kind})
    return link


@transaction.atomic
def merge_cases(*, source: Case, target: Case, actor: Actor) -> Case:
    """Fold SOURCE into TARGET: its messages, notes and attachments move; SOURCE is closed."""
    if source.pk == target.pk:
        raise CaseValidationError(_("Un caso no puede fusionarse consigo mismo."))
    source, target = lock_cases(source, target)
    if source.merged_into_id or target.status == Status.CLOSED:
        raise InvalidTransition(
            _("Solo se fusiona un caso no fusionado en un caso que no esté cerrado.")
        )
    moved = {
        "messages": source.messages.update(case=target),
        "notes": source.notes.update(case=target),
        "attachments": source.attachments.update(case=target),
    }
    before = {"status": source.status}
    source.merged_into, source.status = target, Status.CLOSED
    source.closure_reason, source.closed_at = ClosureReason.MERGED, timezone.now()
    touch_case(source, "merged_into", "status", "closure_reason", "closed_at")
    record_event(
        source, Verb.MERGED, actor, before=before, after={"merged_into": target.folio, **moved}
    )
    record_event(target, Verb.ABSORBED, actor, after={"case": source.folio, **moved})
    touch_case(target)
    return target


@transaction.atomic
def split_case(*, case: Case, message_ids: list[int], summary: str, actor: Actor) -> Case:
    """Move some messages of CASE to a new case of the same customer (CA5)."""
    case = lock_case(case)
    messages = case.messages.filter(pk__in=message_ids)
    if not message_ids or messages.count() != len(set(message_ids)):
        raise CaseValidationError(_("Elija mensajes de este mismo caso para dividirlo."))
    new_case = open_case(
        actor=actor,
        customer=case.customer,
        channel=case.channel,
        summary=summary or case.summary,
        case_type=case.case_type,
        priority=case.priority,
        category=case.category,
        team=case.team,
        received_at=min(m.created_at for m in messages),
    )
    new_case.split_from = case
    new_case.save(update_fields=["split_from"])
    uuids = [str(u) for u in messages.values_list("uuid", flat=True)]
    messages.update(case=new_case)
    record_event(case, Verb.SPLIT, actor, after={"new_case": new_case.folio, "messages": uuids})
    record_event(new_case, Verb.SPLIT, actor, after={"split_from": case.folio, "messages": uuids})
    touch_case(case)
    return new_case


@transaction.atomic
def merge_customers(*, source: Customer, target: Customer, actor: Actor) -> Customer:
    """Merge two customer profiles (agent-confirmed, CU2) and move SOURCE's cases to TARGET."""
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update()
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    source, target = locked[source.pk], locked[target.pk]
    merge_customer_records(source=source, target=target, actor=actor)
    for case in Case.objects.select_for_update().filter(customer=source).order_by("pk"):
        case.customer = target
        touch_case(case, "customer")
        record_event(
            case,
            Verb.CUSTOMER_CHANGED,
            actor,
            before={"customer": str(source.uuid)},
            after={"customer": str(target.uuid)},
        )
    return target
