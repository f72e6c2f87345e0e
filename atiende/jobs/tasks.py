"""Infrastructure jobs on the default queue: the event dispatcher, the stuck-work sweep and the
hourly purge of expired rows."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from atiende import dispatch
from atiende.jobs import housekeeping, sweeps
from atiende.jobs.errors import RETRYABLE

logger = logging.getLogger(__name__)

SWEEP_TASK = "default.sweep_stuck_work"
PURGE_TASK = "default.purge_expired_rows"


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


@shared_task(name=PURGE_TASK, acks_late=True)
def purge_expired_rows() -> dict[str, int]:
    """Run every purge of ``jobs.housekeeping.PURGES`` with its retention; one failing purge
    does not stop the others (it is logged, and the next hour tries again)."""
    counts: dict[str, int] = {}
    for purge in housekeeping.PURGES:
        days = getattr(settings, purge.retention_setting)
        try:
            purge_rows = dispatch.import_path(purge.path)
            counts[purge.name] = purge_rows(before=timezone.now() - timedelta(days=days))
        except Exception:
            logger.exception("Purge %s failed", purge.name)
    return counts
