"""The stuck-work sweep: lost send jobs are enqueued again; interrupted sends go back to queued."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from atiende.cases import services
from atiende.cases.models import DeliveryStatus, Message, Verb
from atiende.core.actors import Actor
from atiende.jobs import sweeps
from atiende.jobs.tasks import sweep_stuck_work
from tests.factories.cases import make_case
from tests.factories.customers import IdentityFactory


@pytest.fixture
def case(db):
    case = make_case()
    IdentityFactory(customer=case.customer, address="cliente@correo.test")
    return case


def queue_reply(case, *, status: str, minutes_ago: int) -> Message:
    """An outbound message whose send job never ran (tests do not run on-commit callbacks)."""
    message = services.add_outbound_message(
        case=case, actor=Actor.system("tests"), body_text="Su pedido sale hoy."
    )
    Message.objects.filter(pk=message.pk).update(
        delivery_status=status, status_changed_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return message


def stuck_minutes() -> int:
    return settings.ATIENDE_STUCK_AFTER_MINUTES + 1


def test_it_enqueues_again_a_message_queued_for_too_long(case):
    message = queue_reply(case, status=DeliveryStatus.QUEUED, minutes_ago=stuck_minutes())

    assert sweep_stuck_work.apply().get()["outbox"] == 1

    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1


def test_it_returns_an_interrupted_send_to_queued_and_sends_it(case):
    message = queue_reply(case, status=DeliveryStatus.SENDING, minutes_ago=stuck_minutes())

    sweep_stuck_work.apply().get()

    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT
    statuses = [
        (e.before["delivery_status"], e.after["delivery_status"])
        for e in case.events.filter(verb=Verb.DELIVERY_CHANGED).order_by("pk")
    ]
    # Released by the sweep (with an event on the case), then claimed again and sent.
    assert statuses == [("sending", "queued"), ("sending", "sent")]


def test_it_leaves_recent_work_alone(case):
    queued = queue_reply(case, status=DeliveryStatus.QUEUED, minutes_ago=1)
    sending = queue_reply(case, status=DeliveryStatus.SENDING, minutes_ago=1)

    assert sweep_stuck_work.apply().get()["outbox"] == 0

    assert Message.objects.get(pk=queued.pk).delivery_status == DeliveryStatus.QUEUED
    assert Message.objects.get(pk=sending.pk).delivery_status == DeliveryStatus.SENDING
    assert mail.outbox == []


def test_it_restarts_the_clock_of_what_it_enqueued(case, monkeypatch):
    monkeypatch.setattr("atiende.channels.outbox.enqueue", lambda *args: None)  # job lost again
    message = queue_reply(case, status=DeliveryStatus.QUEUED, minutes_ago=stuck_minutes())

    assert sweep_stuck_work.apply().get()["outbox"] == 1
    assert sweep_stuck_work.apply().get()["outbox"] == 0  # not re-enqueued every minute
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.QUEUED


def test_it_runs_every_sweep_even_when_one_fails(db, monkeypatch, celery_retries):
    ran = []
    monkeypatch.setattr(
        sweeps,
        "SWEEPS",
        [sweeps.Sweep("broken", "tests.jobs.test_sweep:broken_sweep"), *sweeps.SWEEPS],
    )
    monkeypatch.setattr(
        "atiende.channels.outbox.release_stuck_outbound_messages", lambda **kw: ran.append(kw) or []
    )

    result = sweep_stuck_work.apply()

    assert result.failed()
    assert len(ran) == 1


def broken_sweep(*, stuck_before):
    raise RuntimeError("barrido roto")


def test_it_is_scheduled_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-stuck-work"]
    assert entry == {"task": "default.sweep_stuck_work", "schedule": 60.0}
