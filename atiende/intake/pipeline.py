"""One normalised message onto the right case: identify, classify, thread, call the services.

Runs inside ``services.process_envelope``'s transaction, with the envelope locked; every change to
a case goes through ``cases.services`` (and so leaves its events), every change to a customer
through ``customers.services``.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from atiende.cases import services as cases
from atiende.cases.attachments import AttachmentRejected, add_attachment, check_attachment
from atiende.cases.models import (
    Case,
    CaseType,
    Channel,
    DeliveryStatus,
    Direction,
    LinkKind,
    Message,
    Status,
)
from atiende.core.actors import Actor
from atiende.customers.addresses import InvalidAddress
from atiende.customers.models import Customer, Identity, IdentityKind
from atiende.customers.services import (
    CustomerError,
    find_or_create_customer,
    mark_identity_undeliverable,
)
from atiende.intake.classify import is_status_request
from atiende.intake.models import EnvelopeStatus, InboundEnvelope, Mailbox, Outcome
from atiende.intake.normalise import Bounce, NormalisedMessage
from atiende.intake.services import finish
from atiende.sla.calendars import registration_moment

SYSTEM = Actor.system("recepción")
#: "[AT-2026-000123]" or "[RECL-000045]" anywhere in the subject.
FOLIO_TAG = re.compile(r"\[([A-Z][A-Z0-9]{0,11}(?:-\d{4})?-\d{1,12})\]")
STATUS_REQUEST_TAG = "consulta-de-estado"


def apply(envelope: InboundEnvelope, message: NormalisedMessage) -> InboundEnvelope:
    envelope.sender = message.sender_address[:255]
    if message.notes:
        envelope.metadata = {**envelope.metadata, "notes": message.notes[:50]}
    if message.rejection:
        return finish(envelope, EnvelopeStatus.REJECTED, Outcome.REJECTED, reason=message.rejection)
    if message.bounce is not None:
        return _bounce(envelope, message.bounce)
    if message.sender_address.lower() in mailboxes():
        reason = _("Remitente es un buzón propio: se descarta para no crear un bucle.")
        return finish(envelope, EnvelopeStatus.REJECTED, Outcome.REJECTED, reason=reason)
    if _over_rate_limit(envelope):
        reason = _("Demasiados mensajes de %(s)s en la última hora.") % {"s": envelope.sender}
        return finish(envelope, EnvelopeStatus.REJECTED, Outcome.REJECTED, reason=reason)
    duplicate = _same_message(envelope.channel, message.message_id)
    if duplicate is not None:
        reason = _("El mensaje ya estaba registrado.")
        return finish(
            envelope, EnvelopeStatus.PROCESSED, Outcome.DUPLICATE, reason=reason,
            case=duplicate.case, message=duplicate,
        )  # fmt: skip
    try:
        customer = identify_customer(envelope.channel, message)
    except (InvalidAddress, CustomerError) as exc:
        reason = _("Remitente no válido: %(e)s") % {
            "e": "; ".join(getattr(exc, "messages", [str(exc)]))
        }
        return finish(envelope, EnvelopeStatus.REJECTED, Outcome.REJECTED, reason=reason)
    case, previous = find_case(envelope.channel, message, customer, envelope)
    if message.auto_reply:
        # Stored (this envelope, linked to its case) and never answered: RFC 3834.
        return finish(
            envelope, EnvelopeStatus.PROCESSED, Outcome.AUTO_REPLY, reason=message.auto_reply,
            case=case,
        )  # fmt: skip
    status_request = is_status_request(message.visible_text or message.text)
    if case is not None:
        return _append(envelope, message, case, status_request)
    return _open(envelope, message, customer, previous, status_request)


# --- identity ------------------------------------------------------------------------------------


def identify_customer(channel: str, message: NormalisedMessage) -> Customer:
    """The customer behind the sender's identity, or a new one.

    Only an exact identity match links a message to an existing customer. Addresses the customer
    gives together in one form are theirs (``find_or_create_customer`` adds the new ones); an
    address that belongs to someone else is never re-linked (CU2: consent or an agent-confirmed
    merge only).
    """
    addresses = {IdentityKind.EMAIL.value: message.sender_address}
    phone = message.extra.get("phone", "")
    if phone:
        addresses[IdentityKind.PHONE.value] = phone
    try:
        customer, _created = find_or_create_customer(
            actor=Actor.customer(message.sender_name), name=message.sender_name, addresses=addresses
        )
    except InvalidAddress:
        if not phone:
            raise
        addresses.pop(IdentityKind.PHONE.value)  # a mistyped phone must not lose the request
        customer, _created = find_or_create_customer(
            actor=Actor.customer(message.sender_name), name=message.sender_name, addresses=addresses
        )
    while customer.merged_into_id is not None:
        customer = Customer.objects.get(pk=customer.merged_into_id)
    return customer


# --- threading -----------------------------------------------------------------------------------


def find_case(
    channel: str, message: NormalisedMessage, customer: Customer, envelope: InboundEnvelope
) -> tuple[Case | None, Case | None]:
    """(case to append to, earlier case it refers to).

    Keys, in order: In-Reply-To/References against the Message-IDs we sent and received; the folio
    tag in the subject, when the sender is that case's customer (a folio is guessable, a Message-ID
    is not). A closed case, or one resolved longer ago than ATIENDE_REOPEN_DAYS, is not appended
    to: a new case is opened and linked to it. A resolved case inside the window is reopened by
    ``add_inbound_message``.
    """
    candidate = None
    if message.references:
        known = (
            Message.objects.filter(channel=Channel.EMAIL, external_id__in=message.references)
            .select_related("case")
            .order_by("-created_at", "-pk")
            .first()
        )
        candidate = known.case if known else None
    if candidate is None:
        tag = FOLIO_TAG.search(message.subject)
        if tag:
            tagged = Case.objects.filter(folio=tag.group(1)).first()
            if tagged is not None and tagged.customer_id == customer.pk:
                candidate = tagged
    seen = 0
    while candidate is not None and candidate.merged_into_id is not None and seen < 10:
        candidate, seen = Case.objects.get(pk=candidate.merged_into_id), seen + 1
    if candidate is None:
        return None, None
    if candidate.status == Status.CLOSED:
        return None, candidate
    window = timedelta(days=settings.ATIENDE_REOPEN_DAYS)
    if candidate.status == Status.RESOLVED and (
        candidate.resolved_at is None or envelope.received_at - candidate.resolved_at > window
    ):
        return None, candidate
    return candidate, None


#: How long a process trusts its copy of the mailbox list (admin changes show up after this).
MAILBOX_CACHE_SECONDS = 30
_mailbox_cache: tuple[float, dict[str, Mailbox]] = (0.0, {})


def mailboxes() -> dict[str, Mailbox]:
    """Our mailboxes by address, read once per MAILBOX_CACHE_SECONDS: every message needs them
    (loop check, team, acknowledgement) and they change rarely."""
    global _mailbox_cache
    read_at, cached = _mailbox_cache
    if time.monotonic() - read_at > MAILBOX_CACHE_SECONDS:
        cached = {m.address.lower(): m for m in Mailbox.objects.select_related("team")}
        _mailbox_cache = (time.monotonic(), cached)
    return cached


def forget_mailboxes() -> None:
    """Read the mailboxes again on next use (tests, and a command that just changed them)."""
    global _mailbox_cache
    _mailbox_cache = (0.0, {})


def _same_message(channel: str, message_id: str) -> Message | None:
    """The same e-mail delivered again through another mailbox or way (same Message-ID)."""
    if not message_id:
        return None
    return (
        Message.objects.filter(
            channel=channel, direction=Direction.INBOUND, external_id=message_id[:255]
        )
        .select_related("case")
        .first()
    )


def _over_rate_limit(envelope: InboundEnvelope) -> bool:
    """Per-sender limit (mail storms, form floods): envelopes from the sender in the last hour."""
    limit = settings.ATIENDE_INTAKE_SENDER_LIMIT_PER_HOUR
    if not limit or not envelope.sender:
        return False
    since = envelope.received_at - timedelta(hours=1)
    recent = InboundEnvelope.objects.filter(
        channel=envelope.channel,
        sender=envelope.sender,
        received_at__gte=since,
        received_at__lte=envelope.received_at,
    ).exclude(pk=envelope.pk)
    return recent.count() >= limit


# --- writing the case ----------------------------------------------------------------------------


def _text(message: NormalisedMessage) -> str:
    return (message.visible_text or message.text).strip() or _("(Mensaje sin texto)")


def _append(
    envelope: InboundEnvelope, message: NormalisedMessage, case: Case, status_request: bool
) -> InboundEnvelope:
    actor = Actor.customer(message.sender_name or message.sender_address)
    added = cases.add_inbound_message(
        case=case,
        actor=actor,
        channel=envelope.channel,
        body_text=_text(message),
        body_html=message.html,
        from_address=message.sender_address,
        subject=message.subject,
        external_id=message.message_id,
        received_at=envelope.received_at,
    )
    if status_request:
        names = list(case.tags.values_list("name", flat=True))
        if STATUS_REQUEST_TAG not in names:
            cases.update_case_fields(case=case, actor=SYSTEM, tags=[*names, STATUS_REQUEST_TAG])
    _attachments(case, added, message)
    return finish(
        envelope, EnvelopeStatus.PROCESSED, Outcome.APPENDED,
        case=case, message=added, is_status_request=status_request,
    )  # fmt: skip


def _open(
    envelope: InboundEnvelope,
    message: NormalisedMessage,
    customer: Customer,
    previous: Case | None,
    status_request: bool,
) -> InboundEnvelope:
    mailbox = mailboxes().get(envelope.account)
    case_type = message.extra.get("case_type") or CaseType.INFORMATION
    text = _text(message)
    case = cases.open_case(
        actor=Actor.customer(message.sender_name or message.sender_address),
        customer=customer,
        channel=envelope.channel,
        summary=message.subject or text,
        case_type=case_type if case_type in CaseType.values else CaseType.INFORMATION,
        team=mailbox.team if mailbox else None,
        received_at=envelope.received_at,
        registered_at=registration_moment(envelope.received_at),
        message_text=text,
        message_html=message.html,
        from_address=message.sender_address,
        external_id=message.message_id,
        subject=message.subject,
        tags=[STATUS_REQUEST_TAG] if status_request else None,
    )
    first = case.messages.order_by("pk").only("id", "case_id").first()
    if previous is not None:
        cases.link_cases(case=case, other=previous, kind=LinkKind.RELATED, actor=SYSTEM)
    _attachments(case, first, message)
    if envelope.channel == Channel.WEBFORM or (mailbox and mailbox.send_acknowledgement):
        acknowledge(case, message)
    return finish(
        envelope, EnvelopeStatus.PROCESSED, Outcome.NEW_CASE,
        case=case, message=first, is_status_request=status_request,
    )  # fmt: skip


def _attachments(case: Case, message: Message | None, normalised: NormalisedMessage) -> None:
    """Store what passes the size and type limits; say on the case what was left out and why."""
    skipped = []
    for part in normalised.attachments:
        try:
            name = check_attachment(part.filename, len(part.data))
            add_attachment(
                case=case,
                file=ContentFile(part.data, name=name),
                filename=name,
                content_type=part.content_type,
                message=message,
                actor=SYSTEM,
            )
        except AttachmentRejected as exc:
            skipped.append(str(exc))
    if skipped:
        body = _("Adjuntos no guardados:") + "\n" + "\n".join(f"- {reason}" for reason in skipped)
        cases.add_note(case=case, body=body, actor=SYSTEM)


def acknowledge(case: Case, message: NormalisedMessage) -> Message:
    """The acknowledgement with the folio: an outbound message on the case, sent by its job.

    Never for automatic messages or bounces (the caller checks): auto-replies are not answered.
    """
    greeting = (
        _("Hola %(name)s:") % {"name": message.sender_name} if message.sender_name else _("Hola:")
    )
    body = "\n\n".join(
        [
            greeting,
            _("Recibimos su solicitud y la registramos con el folio %(folio)s.")
            % {"folio": case.folio},
            _("Para darle seguimiento, responda a este correo conservando el folio en el asunto."),
            _("Atentamente,\nAtención a clientes"),
        ]
    )
    return cases.add_outbound_message(
        case=case,
        actor=Actor.system("acuse de recibo"),
        channel=Channel.EMAIL,
        body_text=body,
        to_address=message.sender_address,
        subject=_("Recibimos su solicitud"),
    )


# --- bounces -------------------------------------------------------------------------------------


def _bounce(envelope: InboundEnvelope, bounce: Bounce) -> InboundEnvelope:
    """A delivery report opens no case: the outbound message it refers to is marked failed and,
    when the failure is permanent, the address is flagged undeliverable."""
    actor = Actor.system("rebotes de correo")
    detail = _("Rebote del servidor de correo: %(d)s") % {"d": bounce.detail}
    case = None
    sent = Message.objects.filter(
        channel=Channel.EMAIL,
        direction=Direction.OUTBOUND,
        external_id__in=bounce.original_message_ids,
    ).select_related("case")
    for outbound in sent:
        case = outbound.case
        if outbound.delivery_status != DeliveryStatus.FAILED and bounce.is_permanent:
            cases.record_delivery_status(
                message=outbound, status=DeliveryStatus.FAILED, actor=actor, detail=detail
            )
    marked = []
    if bounce.is_permanent:
        for address in bounce.recipients:
            identity = mark_identity_undeliverable(
                kind=IdentityKind.EMAIL, address=address, actor=actor, reason=bounce.detail
            )
            if isinstance(identity, Identity):
                marked.append(identity.address)
    envelope.metadata = {
        **envelope.metadata,
        "bounce": {
            "recipients": bounce.recipients,
            "permanent": bounce.is_permanent,
            "undeliverable": marked,
        },
    }
    return finish(envelope, EnvelopeStatus.PROCESSED, Outcome.BOUNCE, reason=detail, case=case)
