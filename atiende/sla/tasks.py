"""Service-level jobs, on the ``sla`` queue: the periodic scan, acting on alerts, recomputing."""

from __future__ import annotations

from celery import shared_task

from atiende.jobs.errors import RETRYABLE
from atiende.sla import alerts, services


@shared_task(name=alerts.SCAN_TASK, bind=True, acks_late=True, ignore_result=True)
def scan(self) -> dict[str, int]:
    """Beat runs it every few seconds; a missed or duplicated tick is harmless (claims)."""
    return alerts.scan()


@shared_task(
    name=alerts.PROCESS_TASK,
    bind=True,
    acks_late=True,
    autoretry_for=RETRYABLE,
    retry_backoff=True,
    max_retries=8,
)
def process_alerts(self, alert_ids: list[int]) -> dict[str, int]:
    return alerts.process_alerts(alert_ids)


@shared_task(
    name=services.RECOMPUTE_TASK,
    bind=True,
    acks_late=True,
    autoretry_for=RETRYABLE,
    retry_backoff=True,
    max_retries=5,
)
def recompute_policy_cases(self, calendar_id: int | None) -> int:
    return services.recompute_open_cases(calendar_id)
