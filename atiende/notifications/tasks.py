"""E-mails of notifications, on the outbound queue."""

from __future__ import annotations

from celery import shared_task

from atiende.jobs.errors import RETRYABLE
from atiende.notifications import services


@shared_task(
    name=services.SEND_EMAILS_TASK,
    bind=True,
    acks_late=True,
    autoretry_for=RETRYABLE,
    retry_backoff=True,
    max_retries=5,
)
def send_notification_emails(self, ids: list[int]) -> int:
    return services.send_notification_emails(ids)
