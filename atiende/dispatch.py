"""The one place where committed case events reach the layers above ``cases``.

``CONSUMERS`` lists, in the order they run, each consumer's dotted path and the event verbs it
wants (None: all). The dispatch job (``DISPATCH_TASK``, in ``atiende.jobs.tasks``) calls
``dispatch_events``, which hands each event to each consumer once: a ``ConsumerReceipt`` row per
(consumer, event), written in the consumer's own transaction, makes redelivery of the job
harmless. Consumers added by later features: automation rules, SLA clocks, live push, outgoing
webhooks, indicator rollups.

Contract for a consumer ``def consume(event: Event) -> None``:
- it runs inside the transaction that writes its receipt: write rows, enqueue jobs with
  ``enqueue_on_commit``; never do network I/O here (send webhooks etc. from their own job);
- raise ``atiende.jobs.errors.TransientError`` to be retried later with backoff; anything else
  fails the job (recorded as a ``FailedJob`` for an administrator to retry).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

DISPATCH_TASK = "default.dispatch_events"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Consumer:
    name: str
    path: str  # "module:function", called with one Event
    verbs: frozenset[str] | None = None

    def wants(self, verb: str) -> bool:
        return self.verbs is None or verb in self.verbs


CONSUMERS: list[Consumer] = [
    # Service-level clocks (atiende/sla/consumer.py): start, pause, meet, recompute.
    Consumer(
        "sla_clocks",
        "atiende.sla.consumer:consume",
        frozenset(
            {
                "created",
                "status_changed",
                "reopened",
                "first_response",
                "message_queued",
                "message_received",
                "fields_changed",
                "team_changed",
                "escalated",
                "merged",
                "promise_set",
                "customer_changed",
            }
        ),  # fmt: skip
    ),
    # Live push to the browsers (atiende/live/push.py), after the clocks moved: every verb.
    Consumer("live_push", "atiende.live.push:consume"),
]


def is_wanted(verb: str) -> bool:
    return any(consumer.wants(verb) for consumer in CONSUMERS)


@cache
def import_path(path: str) -> Callable[..., Any]:
    """Resolve "package.module:function" (also used for sweeps and channel senders)."""
    module_name, _, attribute = path.partition(":")
    if not attribute:
        raise ValueError(f"{path!r} is not a 'module:function' path")
    return getattr(importlib.import_module(module_name), attribute)


def dispatch_events(event_ids: Iterable[int]) -> int:
    """Hand the events to every consumer, in ``CONSUMERS`` order and, per consumer, in event order.

    Returns how many (consumer, event) calls were made now. Stops at the first consumer that
    raises, so no consumer ever sees an event before every consumer listed above it has handled
    it; on the job's retry the receipts skip the work already done.
    """
    from django.db import IntegrityError, transaction

    from atiende.cases.models import Event
    from atiende.jobs.models import ConsumerReceipt

    ids = list(dict.fromkeys(event_ids))
    events = list(Event.objects.filter(pk__in=ids).order_by("at", "pk"))
    if len(events) != len(ids):
        missing = set(ids) - {e.pk for e in events}
        logger.warning("dispatch: events %s do not exist (rolled back?); skipped", sorted(missing))
    calls = 0
    for consumer in list(CONSUMERS):
        wanted = [event for event in events if consumer.wants(event.verb)]
        if not wanted:
            continue
        consume = import_path(consumer.path)
        for event in wanted:
            with transaction.atomic():
                try:
                    # The receipt first: a concurrent run of the same job blocks here until this
                    # transaction ends, then finds the receipt and skips.
                    with transaction.atomic():
                        ConsumerReceipt.objects.create(consumer=consumer.name, event_id=event.pk)
                except IntegrityError:
                    continue
                consume(event)
            calls += 1
    return calls
