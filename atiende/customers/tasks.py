"""Customer jobs: the CSV/XLSX import runs on the ``exports`` queue (slow work, CU7)."""

from __future__ import annotations

from celery import shared_task

from atiende.customers import importing


@shared_task(
    name=importing.IMPORT_TASK,
    bind=True,
    acks_late=True,
    autoretry_for=importing.RETRYABLE,
    retry_backoff=True,
    max_retries=8,
)
def import_customers(self, job_id: int) -> int:
    """Import the rows of one ``ImportJob``; a retry resumes after the last committed row."""
    job = importing.run_import(job_id)
    return job.processed if job else 0
