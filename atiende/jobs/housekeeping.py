"""Rows that are only useful for a while: purged by one periodic job.

Each entry names a ``"module:function"`` called as ``function(before=datetime)`` that deletes
its own app's rows created before that instant and returns how many went; ``jobs`` imports none
of them, so each app keeps owning its tables. ``default.purge_expired_rows`` runs them hourly
(``CELERY_BEAT_SCHEDULE``), each with its own retention from settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

#: Delete at most this many rows per statement, so a purge never holds long locks.
BATCH = 5000


@dataclass(frozen=True)
class Purge:
    name: str
    path: str
    #: Name of the setting that holds the retention in days.
    retention_setting: str


PURGES: list[Purge] = [
    Purge(
        "idempotency_keys",
        "atiende.api.idempotency:purge_idempotency_keys",
        "ATIENDE_IDEMPOTENCY_KEY_DAYS",
    ),
    Purge(
        "consumer_receipts",
        "atiende.jobs.services:purge_consumer_receipts",
        "ATIENDE_CONSUMER_RECEIPT_DAYS",
    ),
]


def delete_in_batches(queryset: QuerySet) -> int:
    """Delete QUERYSET's rows BATCH at a time (by primary key); returns how many went."""
    total = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:BATCH])
        if not ids:
            return total
        deleted, _ = queryset.model._default_manager.filter(pk__in=ids).delete()
        total += deleted
