"""Celery signal handlers. Infrastructure only: they record, they decide nothing."""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection

logger = logging.getLogger(__name__)


def record_task_failure(
    sender: Any = None,
    task_id: str | None = None,
    exception: BaseException | None = None,
    args: Any = None,
    kwargs: Any = None,
    einfo: Any = None,
    **_: Any,
) -> None:
    """Store a ``FailedJob`` for a task that failed for good (``task_failure`` is not sent for
    retries). Never raises: a broken database must not hide the original failure."""
    from atiende.jobs.services import record_failed_job

    try:
        if not connection.in_atomic_block:
            # The failure may have been the connection itself.
            connection.close_if_unusable_or_obsolete()
        record_failed_job(
            task_name=getattr(sender, "name", "") or str(sender),
            task_id=task_id or "",
            args=args or [],
            kwargs=kwargs or {},
            exception=exception,
            traceback=str(getattr(einfo, "traceback", "") or ""),
        )
    except Exception:
        logger.exception("Could not record the failure of task %s[%s]", sender, task_id)
