"""Infrastructure jobs: the event dispatcher and the stuck-work sweep. Both on the default queue."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from atiende import dispatch
from atiende.jobs import sweeps
from atiende.jobs.errors import RETRYABLE

logger = logging.getLogger(__name__)

SWEEP_TASK = "default.sweep_stuck_work"


class SweepFailed(Exception):
    """One or more sweeps raised; the others still ran."""


@shared_task(
    name=dispatch.DISPATCH_TASK,
    bind=True,
    acks_late=True,
    autoretry_for=RETRYABLE,
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
)
def dispatch_events(self, event_ids: list[int]) -> int:
    """Hand committed events to the consumers of ``atiende.dispatch`` (once each, in order)."""
    return dispatch.dispatch_events(event_ids)


@shared_task(
    name=SWEEP_TASK,
    bind=True,
    acks_late=True,
    autoretry_for=RETRYABLE,
    retry_backoff=True,
    max_retries=3,
)
def sweep_stuck_work(self) -> dict[str, int]:
    """Run every sweep of ``jobs.sweeps.SWEEPS``; one failing sweep does not stop the others."""
    stuck_before = timezone.now() - timedelta(minutes=settings.ATIENDE_STUCK_AFTER_MINUTES)
    counts: dict[str, int] = {}
    failed: list[str] = []
    for sweep in sweeps.SWEEPS:
        try:
            counts[sweep.name] = dispatch.import_path(sweep.path)(stuck_before=stuck_before)
        except Exception:
            logger.exception("Sweep %s failed", sweep.name)
            failed.append(sweep.name)
    if any(counts.values()):
        logger.info("Stuck work enqueued again: %s", counts)
    if failed:
        raise SweepFailed(f"sweeps failed: {', '.join(failed)}")
    return counts
