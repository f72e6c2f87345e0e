"""The hourly purge: rows that only serve for a while go once their retention is over."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from atiende.api.models import IdempotencyKey
from atiende.jobs import housekeeping
from atiende.jobs.models import ConsumerReceipt
from atiende.jobs.tasks import purge_expired_rows


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


def idempotency_key(user, key: str, *, age_days: int) -> IdempotencyKey:
    return IdempotencyKey.objects.create(
        user=user,
        key=key,
        method="POST",
        path="/api/v1/cases/",
        request_hash="0" * 64,
        created_at=days_ago(age_days),
    )


def test_expired_idempotency_keys_and_receipts_are_purged_and_recent_ones_kept(agent, settings):
    settings.ATIENDE_IDEMPOTENCY_KEY_DAYS = 7
    settings.ATIENDE_CONSUMER_RECEIPT_DAYS = 14
    idempotency_key(agent, "old", age_days=8)
    idempotency_key(agent, "recent", age_days=1)
    ConsumerReceipt.objects.create(consumer="sla", event_id=1, processed_at=days_ago(15))
    ConsumerReceipt.objects.create(consumer="sla", event_id=2, processed_at=days_ago(2))

    counts = purge_expired_rows.delay().get()

    assert counts == {"idempotency_keys": 1, "consumer_receipts": 1}
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["recent"]
    assert list(ConsumerReceipt.objects.values_list("event_id", flat=True)) == [2]


def test_a_failing_purge_does_not_stop_the_others(agent, monkeypatch):
    broken = housekeeping.Purge("broken", "atiende.nowhere:purge", "ATIENDE_CONSUMER_RECEIPT_DAYS")
    monkeypatch.setattr(housekeeping, "PURGES", [broken, *housekeeping.PURGES])
    idempotency_key(agent, "old", age_days=30)

    counts = purge_expired_rows.delay().get()

    assert "broken" not in counts
    assert counts["idempotency_keys"] == 1


def test_large_purges_go_in_batches(monkeypatch, db):
    monkeypatch.setattr(housekeeping, "BATCH", 3)
    ConsumerReceipt.objects.bulk_create(
        ConsumerReceipt(consumer="sla", event_id=n, processed_at=days_ago(30)) for n in range(10)
    )

    deleted = housekeeping.delete_in_batches(ConsumerReceipt.objects.all())

    assert deleted == 10
    assert not ConsumerReceipt.objects.exists()
