"""Send one outbound ``Message`` as e-mail through Django's configured mail backend.

Threading: the Message-ID is ours, derived from the message's UUID, so a retry after an unclear
failure reuses it (the customer's mail program shows one message). It is stored, angle brackets
included, as the message's ``external_id``; the intake matches replies' In-Reply-To against it.
The subject carries the folio tag (``[AT-2026-000123]``), the second threading key.
From is the mailbox the customer wrote to (else the case team's mailbox, else the desk default),
so replies come back to the same mailbox. Messages no person wrote (acknowledgements) say so with
``Auto-Submitted: auto-replied`` (RFC 3834), so well-behaved programs do not answer them.
"""

from __future__ import annotations

import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.utils.html import linebreaks
from django.utils.translation import gettext as _

from atiende.cases.models import Channel, DeliveryStatus, Direction, Message
from atiende.customers.models import Identity, IdentityKind
from atiende.intake.models import InboundEnvelope, Mailbox
from atiende.jobs.errors import PermanentError, TransientError

#: How many earlier Message-IDs go in References (the oldest ones are dropped first).
MAX_REFERENCES = 10


def send_email(message: Message) -> str:
    """Deliver MESSAGE by e-mail; return its Message-ID. Network I/O: call outside transactions."""
    case = message.case
    to_address = message.to_address or customer_email(message)
    if not to_address:
        raise PermanentError(
            _("El cliente no tiene una dirección de correo electrónico entregable.")
        )
    message_id = make_message_id(message)
    mail = EmailMultiAlternatives(
        subject=subject_with_folio(message.subject or case.summary, case.folio),
        body=message.body_text,
        from_email=from_address(message),
        to=[to_address],
        headers={"Message-ID": message_id, **threading_headers(message), **automatic(message)},
    )
    mail.attach_alternative(
        message.body_html or linebreaks(message.body_text, autoescape=True), "text/html"
    )
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as handle:
            mail.attach(attachment.filename, handle.read(), attachment.content_type)
    try:
        mail.send()
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        if codes and all(code >= 500 for code in codes):
            raise PermanentError(
                _("El servidor de correo rechazó al destinatario %(to)s.") % {"to": to_address}
            ) from exc
        raise TransientError(str(exc)) from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise TransientError(_("El servidor de correo rechazó las credenciales SMTP.")) from exc
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code >= 500:
            raise PermanentError(
                _("El servidor de correo rechazó el mensaje (%(code)s %(text)s).")
                % {"code": exc.smtp_code, "text": _decode(exc.smtp_error)}
            ) from exc
        raise TransientError(str(exc)) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientError(str(exc) or type(exc).__name__) from exc
    return message_id


def from_address(message: Message) -> str:
    """The mailbox the customer last wrote to on this case, else its team's, else the default."""
    account = (
        InboundEnvelope.objects.filter(case_id=message.case_id, channel=Channel.EMAIL)
        .exclude(account="")
        .order_by("-received_at", "-pk")
        .values_list("account", flat=True)
        .first()
    )
    mailboxes = Mailbox.objects.filter(is_active=True)
    mailbox = mailboxes.filter(address=account).first() if account else None
    if mailbox is None and message.case.team_id:
        mailbox = mailboxes.filter(team_id=message.case.team_id).order_by("pk").first()
    return mailbox.from_header if mailbox else settings.DEFAULT_FROM_EMAIL


def automatic(message: Message) -> dict[str, str]:
    """RFC 3834 marks for a message no person wrote: never to be answered automatically."""
    if message.author_id is not None:
        return {}
    return {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}


def customer_email(message: Message) -> str:
    """The customer's deliverable e-mail identity, verified ones first, newest first."""
    identity = (
        Identity.objects.filter(
            customer_id=message.case.customer_id, kind=IdentityKind.EMAIL, is_undeliverable=False
        )
        .order_by("-is_verified", "-created_at", "-pk")
        .first()
    )
    return identity.address if identity else ""


def make_message_id(message: Message) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "atiende.local"
    return f"<atiende.{message.uuid}@{domain}>"


def subject_with_folio(subject: str, folio: str) -> str:
    subject = " ".join(subject.split())  # no line breaks in a header
    tag = f"[{folio}]"
    return subject if tag in subject else f"{subject} {tag}".strip()


def threading_headers(message: Message) -> dict[str, str]:
    """In-Reply-To: the case's latest inbound e-mail; References: the thread up to it."""
    thread = (
        Message.objects.filter(
            case_id=message.case_id, channel=Channel.EMAIL, created_at__lte=message.created_at
        )
        .exclude(external_id="")
        .exclude(pk=message.pk)
        .filter(
            Q(direction=Direction.INBOUND)
            | ~Q(delivery_status__in=[DeliveryStatus.QUEUED, DeliveryStatus.FAILED])
        )
        .order_by("created_at", "pk")
        .values_list("direction", "external_id")
    )
    ids = [(direction, _angle(external_id)) for direction, external_id in thread]
    inbound = [i for i, (direction, _id) in enumerate(ids) if direction == Direction.INBOUND]
    if not inbound:
        return {}
    chain = [external_id for _direction, external_id in ids[: inbound[-1] + 1]][-MAX_REFERENCES:]
    return {"In-Reply-To": chain[-1], "References": " ".join(chain)}


def _angle(external_id: str) -> str:
    clean = "".join(external_id.split())
    return clean if clean.startswith("<") else f"<{clean}>"


def _decode(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
