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


def record_events_bulk(verb: str, actor: Actor, items: list[tuple[int, Any]]) -> list[Event]:
    """One event per (case id, after) in a single INSERT: for jobs that observe many cases at
    once (the service-level scan) without changing them, so no case row is locked."""
    events = Event.objects.bulk_create(
        [
            Event(case_id=case_id, verb=verb, after=after, **actor.event_fields())
            for case_id, after in items
        ]
    )
    for event in events:
        if event.pk is not None:
            _dispatch_after_commit(event)
    return events


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
