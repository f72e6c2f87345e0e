"""Intake jobs, on the ``inbound`` queue."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from atiende.intake.services import PROCESS_TASK, EnvelopeRetry, process_envelope
from atiende.jobs.errors import RETRYABLE


@shared_task(
    name=PROCESS_TASK,
    bind=True,
    acks_late=True,
    autoretry_for=(EnvelopeRetry, *RETRYABLE),
    retry_backoff=True,
    retry_backoff_max=600,
    # More than the envelope's own limit: the envelope dead-letters itself first.
    max_retries=settings.ATIENDE_INTAKE_MAX_ATTEMPTS + 2,
)
def process_envelope_task(self, envelope_id: int) -> str:
    """Process envelope ENVELOPE_ID (idempotent); returns its outcome, or "skipped"."""
    envelope = process_envelope(envelope_id)
    return envelope.outcome if envelope is not None else "skipped"
