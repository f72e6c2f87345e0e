"""Writing case events, and handing them to the one dispatcher after commit.

All events of one transaction travel in ONE dispatch job (not one job per event), and only when
some consumer in ``atiende.dispatch`` listens to one of their verbs.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from atiende.cases.models import Case, Event
from atiende.core.actors import Actor


def record_event(
    case: Case, verb: str, actor: Actor, *, before: Any = None, after: Any = None
) -> Event:
    event = Event.objects.create(
        case=case, verb=verb, before=before, after=after, **actor.event_fields()
    )
    _dispatch_after_commit(event)
    return event


class _DispatchBatch:
    """The on-commit callback that carries the ids of one transaction's events."""

    def __init__(self) -> None:
        self.event_ids: list[int] = []

    def __call__(self) -> None:
        from atiende import dispatch
        from atiende.core.tasks import enqueue

        enqueue(dispatch.DISPATCH_TASK, self.event_ids)


def _dispatch_after_commit(event: Event) -> None:
    from atiende import dispatch

    if not dispatch.is_wanted(event.verb):
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # Join the batch already registered for this transaction, if there is one.
        for _sids, callback, _robust in connection.run_on_commit:
            if isinstance(callback, _DispatchBatch):
                callback.event_ids.append(event.pk)
                return
    batch = _DispatchBatch()
    batch.event_ids.append(event.pk)
    transaction.on_commit(batch)
