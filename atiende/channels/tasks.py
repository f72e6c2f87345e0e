"""Outbound jobs, on the ``outbound`` queue."""

from __future__ import annotations

from celery import shared_task

from atiende.cases.services import SEND_MESSAGE_TASK, claim_outbound_message
from atiende.channels.outbox import deliver_message
from atiende.jobs.errors import RETRYABLE


@shared_task(
    name=SEND_MESSAGE_TASK,
    bind=True,
    acks_late=True,
    autoretry_for=RETRYABLE,
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
)
def send_message(self, message_id: int) -> str:
    """Send outbound message MESSAGE_ID once: only the job that claims it (queued→sending) sends."""
    message = claim_outbound_message(message_id)
    if message is None:
        return "skipped"
    message = deliver_message(message, is_last_attempt=self.request.retries >= self.max_retries)
    return message.delivery_status
