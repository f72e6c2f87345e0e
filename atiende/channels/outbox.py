"""The outbox: sending one claimed outbound message, and the sweep that recovers stuck ones.

``deliver_message`` runs OUTSIDE any transaction (the sender does network I/O); every state change
goes through ``cases.services`` (claim, record_delivery_status), so each shows on the case.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from atiende.cases.models import Channel, DeliveryStatus, Message
from atiende.cases.services import (
    SEND_MESSAGE_TASK,
    record_delivery_status,
    release_stuck_outbound_messages,
)
from atiende.channels.registry import sender_for
from atiende.core.actors import Actor
from atiende.core.tasks import enqueue
from atiende.jobs.errors import PermanentError, TransientError

logger = logging.getLogger(__name__)

ACTOR = Actor.system("envío de mensajes")


def _channel_label(channel: str) -> str:
    return str(Channel(channel).label) if channel in Channel.values else channel


def deliver_message(message: Message, *, is_last_attempt: bool) -> Message:
    """Send a message already claimed (``sending``) and record the outcome.

    Sent: ``sent`` + the provider's id. Permanent error or no sender for the channel: ``failed``
    with the reason. Transient error: back to ``queued`` and TransientError is raised again so the
    job retries with backoff; on the last attempt it is ``failed`` instead.
    """
    if _in_transaction():
        raise RuntimeError("deliver_message does network I/O: call it outside any transaction")
    send = sender_for(message.channel)
    if send is None:
        detail = _(
            "No hay un remitente configurado para el canal «%(c)s»; el mensaje no se envió."
        ) % {"c": _channel_label(message.channel)}
        return record_delivery_status(
            message=message, status=DeliveryStatus.FAILED, actor=ACTOR, detail=detail
        )
    try:
        external_id = send(message)
    except PermanentError as exc:
        detail = _("El envío falló y no se reintentará: %(e)s") % {"e": exc}
        return _record(message, DeliveryStatus.FAILED, detail)
    except Exception as exc:
        # Anything unexpected (a provider library's own error) is treated as transient: it is
        # retried a bounded number of times and then shown on the case as failed.
        if not isinstance(exc, TransientError):
            logger.exception("Sender for %s raised on message %s", message.channel, message.pk)
        if is_last_attempt:
            detail = _("El envío falló tras varios intentos: %(e)s") % {"e": exc}
            return _record(message, DeliveryStatus.FAILED, detail)
        _record(
            message, DeliveryStatus.QUEUED, _("Error temporal, se reintentará: %(e)s") % {"e": exc}
        )
        raise TransientError(str(exc)) from exc
    return _record(message, DeliveryStatus.SENT, "", external_id=external_id)


def _in_transaction() -> bool:
    """True inside ``atomic()``; the test runner's own wrapping transaction does not count."""
    blocks = transaction.get_connection().atomic_blocks
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


def _record(message: Message, status: str, detail: str, external_id: str = "") -> Message:
    return record_delivery_status(
        message=message,
        status=status,
        actor=ACTOR,
        detail=detail,
        external_id=external_id,
        count_attempt=True,
    )


def sweep_outbox(*, stuck_before: datetime) -> int:
    """Sweep (see ``jobs.sweeps``): enqueue again the outbound messages stuck since STUCK_BEFORE."""
    ids = release_stuck_outbound_messages(
        stuck_before=stuck_before, actor=Actor.system("barrido de trabajos")
    )
    for message_id in ids:
        enqueue(SEND_MESSAGE_TASK, message_id)
    return len(ids)
