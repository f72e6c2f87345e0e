"""outbound.send_message: claimed once, outcome recorded on the case, errors retried or failed."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from atiende.cases import services
from atiende.cases.models import DeliveryStatus, Verb
from atiende.channels import registry
from atiende.channels.outbox import deliver_message
from atiende.channels.tasks import send_message
from atiende.core.actors import Actor
from atiende.jobs.errors import PermanentError, TransientError
from atiende.jobs.models import FailedJob
from tests.factories.cases import make_case
from tests.factories.customers import IdentityFactory

ATTEMPTS: list[int] = []
HERE = "tests.channels.test_send_message"


def flaky_sender(message) -> str:
    ATTEMPTS.append(message.pk)
    if len(ATTEMPTS) == 1:
        raise TransientError("proveedor ocupado")
    return "proveedor-123"


def down_sender(message) -> str:
    raise TransientError("proveedor caído")


def refusing_sender(message) -> str:
    raise PermanentError("número inexistente")


def buggy_sender(message) -> str:
    raise KeyError("campo")


@pytest.fixture(autouse=True)
def _reset():
    ATTEMPTS.clear()


@pytest.fixture
def case(db):
    case = make_case(summary="Estado de mi pedido")
    IdentityFactory(customer=case.customer, address="cliente@correo.test")
    return case


def reply(case, channel: str = "email"):
    return services.add_outbound_message(
        case=case, actor=Actor.system("tests"), channel=channel, body_text="Su pedido sale hoy."
    )


def delivery_events(case) -> list[dict]:
    return [e.after for e in case.events.filter(verb=Verb.DELIVERY_CHANGED).order_by("pk")]


def use_sender(monkeypatch, name: str) -> None:
    monkeypatch.setitem(registry.SENDERS, "whatsapp", f"{HERE}:{name}")


def test_it_sends_a_queued_message_after_the_reply_commits(
    case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = reply(case)

    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.external_id == mail.outbox[0].extra_headers["Message-ID"]
    assert message.attempts == 1
    assert delivery_events(case)[-1]["delivery_status"] == "sent"


def test_it_sends_once_when_the_job_is_delivered_twice(case):
    message = reply(case)

    assert send_message.apply(args=[message.pk]).get() == "sent"
    assert send_message.apply(args=[message.pk]).get() == "skipped"

    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_it_does_not_send_a_message_another_worker_has_claimed(case):
    message = reply(case)
    assert services.claim_outbound_message(message.pk) is not None

    assert send_message.apply(args=[message.pk]).get() == "skipped"
    assert mail.outbox == []


def test_it_fails_a_message_whose_channel_has_no_sender(case):
    message = reply(case, channel="sms")

    send_message.apply(args=[message.pk]).get()

    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED
    assert "No hay un remitente configurado para el canal «SMS»" in message.status_detail
    assert delivery_events(case)[-1]["delivery_status"] == "failed"
    assert "SMS" in delivery_events(case)[-1]["detail"]


def test_it_fails_a_message_the_provider_refuses(case, monkeypatch):
    use_sender(monkeypatch, "refusing_sender")
    message = reply(case, channel="whatsapp")

    send_message.apply(args=[message.pk]).get()

    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED
    assert message.status_detail == "El envío falló y no se reintentará: número inexistente"
    assert not FailedJob.objects.exists()


def test_it_puts_a_message_back_in_the_queue_and_retries_on_a_transient_error(
    case, monkeypatch, celery_retries
):
    use_sender(monkeypatch, "flaky_sender")
    message = reply(case, channel="whatsapp")

    assert send_message.apply(args=[message.pk]).get() == "sent"

    message.refresh_from_db()
    assert (message.delivery_status, message.external_id, message.attempts) == (
        "sent",
        "proveedor-123",
        2,
    )
    assert [e["delivery_status"] for e in delivery_events(case)] == ["queued", "sent"]
    assert "Error temporal, se reintentará: proveedor ocupado" in delivery_events(case)[0]["detail"]


def test_it_fails_the_message_when_the_retries_run_out(case, monkeypatch, celery_retries):
    use_sender(monkeypatch, "down_sender")
    message = reply(case, channel="whatsapp")

    assert send_message.apply(args=[message.pk]).get() == "failed"

    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED
    assert message.attempts == 9  # the first try and 8 retries
    assert message.status_detail == "El envío falló tras varios intentos: proveedor caído"


def test_it_treats_an_unexpected_sender_error_as_transient(case, monkeypatch, celery_retries):
    use_sender(monkeypatch, "buggy_sender")
    message = reply(case, channel="whatsapp")

    send_message.apply(args=[message.pk]).get()

    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED
    assert message.status_detail == "El envío falló tras varios intentos: 'campo'"


def test_it_refuses_to_send_inside_a_transaction(case):
    message = services.claim_outbound_message(reply(case).pk)
    with transaction.atomic(), pytest.raises(RuntimeError, match="outside any transaction"):
        deliver_message(message, is_last_attempt=False)
    assert mail.outbox == []
