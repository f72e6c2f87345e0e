"""Failed jobs: recorded when a task fails for good, retried or resolved by an administrator."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core.tasks import enqueue_on_commit
from atiende.jobs.housekeeping import delete_in_batches
from atiende.jobs.models import ConsumerReceipt, FailedJob


class FailedJobError(Exception):
    """The failed job cannot be retried (already retried or resolved)."""


def _json_safe(value: Any) -> Any:
    """Task arguments are ids and plain values; anything else is kept as its text."""
    return json.loads(json.dumps(value, default=str))


def record_failed_job(
    *,
    task_name: str,
    task_id: str,
    args: Any,
    kwargs: Any,
    exception: BaseException | None,
    traceback: str = "",
) -> FailedJob:
    exception_class = type(exception).__qualname__ if exception is not None else "Unknown"
    module = type(exception).__module__ if exception is not None else ""
    if module and module != "builtins":
        exception_class = f"{module}.{exception_class}"
    return FailedJob.objects.create(
        task_name=task_name[:200],
        task_id=task_id[:64],
        args=_json_safe(list(args)),
        kwargs=_json_safe(dict(kwargs)),
        exception_class=exception_class[:255],
        exception_message=str(exception or "")[:10_000],
        traceback=traceback[-50_000:],
    )


@transaction.atomic
def retry_failed_job(*, job: FailedJob) -> FailedJob:
    """Enqueue the task again, by name, with its arguments (after commit); the row is resolved.

    Claimed with a conditional UPDATE, so two administrators clicking at once enqueue it once.
    If the task fails again, the failure handler records a new row.
    """
    now = timezone.now()
    claimed = FailedJob.objects.filter(pk=job.pk, is_resolved=False).update(
        retried_at=now, is_resolved=True
    )
    if not claimed:
        raise FailedJobError(_("El trabajo %(id)s ya fue reintentado o resuelto.") % {"id": job.pk})
    job.refresh_from_db()
    enqueue_on_commit(job.task_name, *job.args, **job.kwargs)
    return job


def resolve_failed_job(*, job: FailedJob) -> bool:
    """Mark the failure as dealt with, without running anything. False if it already was."""
    return bool(FailedJob.objects.filter(pk=job.pk, is_resolved=False).update(is_resolved=True))


def purge_consumer_receipts(*, before: datetime) -> int:
    """Delete receipts written before BEFORE (``jobs.housekeeping``): by then no dispatch job
    for those events is still being retried, so the receipts have done their work."""
    return delete_in_batches(ConsumerReceipt.objects.filter(processed_at__lt=before))
