"""The SMTP/LMTP listener (aiosmtpd): the reply to DATA is sent only once the envelope is committed.

Recipients: with mailboxes configured, only their addresses are accepted (550 for the rest); with
none, every recipient is (the embedded default). A message over ATIENDE_INTAKE_MAX_MESSAGE_MB gets
552; a database that cannot store it, 451 (the sending server tries again later).
"""

from __future__ import annotations

import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings

from atiende.channels.email.inbound import MessageTooLarge, accept_email
from atiende.intake.models import Mailbox

logger = logging.getLogger(__name__)


def recipient_accepted(address: str) -> bool:
    mailboxes = Mailbox.objects.filter(is_active=True)
    return not mailboxes.exists() or mailboxes.filter(address__iexact=address.strip()).exists()


def store(raw: bytes, recipients: list[str]) -> list[str]:
    """One envelope per configured mailbox among RECIPIENTS (the default account when none)."""
    known = {
        a.lower(): a
        for a in Mailbox.objects.filter(is_active=True).values_list("address", flat=True)
    }
    mailboxes = list(dict.fromkeys(r.lower() for r in recipients if r.lower() in known)) or [""]
    ids = []
    for mailbox in mailboxes:
        envelope, _created = accept_email(
            raw, source="smtp", mailbox=mailbox, recipients=recipients
        )
        ids.append(str(envelope.uuid))
    return ids


class IntakeHandler:
    def __init__(self, *, lmtp: bool = False) -> None:
        self.lmtp = lmtp

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if not await sync_to_async(recipient_accepted)(address):
            return "550 5.1.1 Mailbox unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            ids = await sync_to_async(store)(raw, list(envelope.rcpt_tos))
        except MessageTooLarge:
            reply = "552 5.3.4 Message too big"
        except Exception:
            logger.exception("Could not store an inbound message; the client will retry")
            reply = "451 4.3.0 Temporary failure, please try again later"
        else:
            reply = f"250 2.0.0 OK queued as {ids[0]}"
        # LMTP answers DATA once per recipient (RFC 2033).
        count = len(envelope.rcpt_tos) if self.lmtp else 1
        return "\r\n".join([reply] * max(count, 1))


class IntakeController(Controller):
    def __init__(self, *, host: str, port: int, lmtp: bool = False, **kwargs: Any) -> None:
        self.lmtp = lmtp
        super().__init__(IntakeHandler(lmtp=lmtp), hostname=host, port=port, **kwargs)

    def factory(self) -> SMTP:
        server_class = LMTP if self.lmtp else SMTP
        return server_class(
            self.handler,
            data_size_limit=settings.ATIENDE_INTAKE_MAX_MESSAGE_BYTES,
            decode_data=False,
            hostname=self.hostname,
            ident="Atiende",
        )
