"""The MTA pipe (``atiende intake email < message.eml``): store, process, report one JSON line."""

from __future__ import annotations

from typing import Any

from atiende.channels.email.inbound import MessageTooLarge, accept_email
from atiende.intake.models import InboundEnvelope, Outcome
from atiende.intake.services import process_now


def deliver_from_pipe(raw: bytes, *, mailbox: str = "") -> dict[str, Any]:
    """The outcome of one piped message: ``{"outcome", "folio", "envelope", "reason"}``.

    The envelope is committed first; then it is processed here, so the MTA's log shows where the
    message went. A second delivery of the same message is reported as ``duplicate``.
    """
    try:
        envelope, created = accept_email(
            raw, source="pipe", mailbox=mailbox, enqueue_processing=False
        )
    except MessageTooLarge as exc:
        return {
            "outcome": Outcome.REJECTED.value,
            "folio": None,
            "envelope": None,
            "reason": str(exc),
        }
    if not created:
        return report(envelope, duplicate=True)
    return report(process_now(envelope))


def report(envelope: InboundEnvelope, *, duplicate: bool = False) -> dict[str, Any]:
    outcome = Outcome.DUPLICATE.value if duplicate else (envelope.outcome or Outcome.QUEUED.value)
    return {
        "outcome": outcome,
        "folio": envelope.case.folio if envelope.case else None,
        "envelope": str(envelope.uuid),
        "reason": envelope.reason,
    }
