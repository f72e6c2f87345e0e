"""What every inbound e-mail way does with a message: store it as an envelope, raw, and return.

The pipe, the SMTP/LMTP listener and the IMAP poller call ``accept_email``; each acknowledges its
sender (exit status, 250 reply, \\Seen flag or move) only after it has returned.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.utils.translation import gettext as _

from atiende.cases.models import Channel
from atiende.intake.models import InboundEnvelope, Mailbox
from atiende.intake.normalise.email import first_message_id, header_block_value
from atiende.intake.services import receive_envelope

#: Headers that name the mailbox a message was delivered to, most specific first.
DELIVERY_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc")


class MessageTooLarge(ValueError):
    pass


def check_size(size: int) -> None:
    limit = settings.ATIENDE_INTAKE_MAX_MESSAGE_BYTES
    if size > limit:
        raise MessageTooLarge(
            _("El mensaje pesa %(s).1f MB; el máximo es %(l).0f MB.")
            % {"s": size / 1048576, "l": limit / 1048576}
        )


def accept_email(
    raw: bytes,
    *,
    source: str,
    mailbox: str = "",
    recipients: Iterable[str] = (),
    received_at: datetime | None = None,
    enqueue_processing: bool = True,
    enforce_size: bool = True,
) -> tuple[InboundEnvelope, bool]:
    """Store RAW as an e-mail envelope of its mailbox; ``(envelope, created)``.

    The mailbox is MAILBOX when given, else the first configured one among RECIPIENTS (the SMTP
    envelope), else the first named by the delivery headers; with none configured, the default
    account "". The Message-ID is the envelope's external id, so the same message delivered
    again, by any way, to the same mailbox is stored once.
    """
    if enforce_size:
        check_size(len(raw))
    account = mailbox.strip().lower() or resolve_mailbox(raw, recipients)
    external_id = first_message_id(header_block_value(raw, "Message-ID"))
    sender = parseaddr(header_block_value(raw, "From"))[1]
    return receive_envelope(
        channel=Channel.EMAIL,
        account=account,
        raw=raw,
        external_id=external_id,
        source=source,
        received_at=received_at,
        sender=sender if "@" in sender else "",
        metadata={"recipients": [r[:254] for r in list(recipients)[:20]]} if recipients else {},
        enqueue_processing=enqueue_processing,
    )


def resolve_mailbox(raw: bytes, recipients: Iterable[str] = ()) -> str:
    candidates = [r.strip().lower() for r in recipients]
    for name in DELIVERY_HEADERS:
        value = header_block_value(raw, name)
        if value:
            candidates += [a.lower() for _n, a in getaddresses([value])[:50] if a]
    if not candidates:
        return ""
    known = set(
        Mailbox.objects.filter(address__in=candidates[:200], is_active=True).values_list(
            "address", flat=True
        )
    )
    return next((c for c in candidates if c in known), "")
