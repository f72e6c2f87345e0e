"""Enqueueing jobs by name, after commit, so that no lower layer imports the task it triggers."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def enqueue(task_name: str, *args: Any, **kwargs: Any) -> None:
    """Send TASK_NAME to the broker now. Routing to a queue follows the name's prefix."""
    from atiende.celery import app

    if app.conf.task_always_eager:
        if task_name not in app.tasks:
            app.autodiscover_tasks(force=True)  # a web process has not imported the tasks modules
        app.tasks[task_name].apply(args=args, kwargs=kwargs, throw=True)
    else:
        app.send_task(task_name, args=args, kwargs=kwargs)


def enqueue_on_commit(task_name: str, *args: Any, **kwargs: Any) -> None:
    """Enqueue once the current transaction commits; nothing is sent for a rolled-back change."""
    transaction.on_commit(lambda: enqueue(task_name, *args, **kwargs))
