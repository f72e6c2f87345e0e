from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from atiende.cases import services
from atiende.cases.models import DeliveryStatus, Status, Verb
from atiende.core.actors import Actor
from tests.factories.cases import make_case


@pytest.fixture
def resolved_case(db, agent):
    case = make_case(message_text="¿Tienen departamentos de 2 recámaras?")
    return services.change_status(
        case=case, status=Status.RESOLVED, solution="Se envió la lista", actor=Actor.agent(agent)
    )


def test_a_reply_queues_an_outbound_row_and_marks_the_first_response(db, agent, monkeypatch):
    sent = []
    monkeypatch.setattr(
        services, "enqueue_on_commit", lambda name, *args: sent.append((name, args))
    )
    case = make_case()
    message = services.add_outbound_message(
        case=case, body_text="Con gusto le ayudo", actor=Actor.agent(agent)
    )
    case.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.QUEUED
    assert case.first_response_at == message.created_at
    assert sent == [(services.SEND_MESSAGE_TASK, (message.pk,))]
    assert case.events.filter(verb=Verb.FIRST_RESPONSE).count() == 1


def test_a_customer_reply_within_the_window_reopens_a_resolved_case(resolved_case):
    services.add_inbound_message(
        case=resolved_case,
        body_text="Sigue sin llegar",
        channel="email",
        actor=Actor.customer("Luz"),
    )
    resolved_case.refresh_from_db()
    assert resolved_case.status == Status.OPEN
    assert resolved_case.events.filter(verb=Verb.REOPENED).exists()


def test_a_late_reply_does_not_reopen(resolved_case, settings):
    late = timezone.now() + timedelta(days=settings.ATIENDE_REOPEN_DAYS + 1)
    services.add_inbound_message(
        case=resolved_case,
        body_text="Gracias",
        channel="email",
        received_at=late,
        actor=Actor.customer("Luz"),
    )
    resolved_case.refresh_from_db()
    assert resolved_case.status == Status.RESOLVED


def test_the_same_external_id_cannot_be_stored_twice(db):
    case = make_case()
    services.add_inbound_message(
        case=case,
        body_text="hola",
        channel="whatsapp",
        external_id="wamid.1",
        actor=Actor.customer("x"),
    )
    with pytest.raises(IntegrityError):
        services.add_inbound_message(
            case=case,
            body_text="hola",
            channel="whatsapp",
            external_id="wamid.1",
            actor=Actor.customer("x"),
        )


def test_a_claimed_message_cannot_be_claimed_again(db, agent):
    message = services.add_outbound_message(
        case=make_case(), body_text="Listo", actor=Actor.agent(agent)
    )
    assert services.claim_outbound_message(message.pk) is not None
    assert services.claim_outbound_message(message.pk) is None


def test_delivery_failures_show_on_the_case(db, agent):
    message = services.add_outbound_message(
        case=make_case(), body_text="Listo", actor=Actor.agent(agent)
    )
    services.record_delivery_status(
        message=message,
        status=DeliveryStatus.FAILED,
        detail="550 buzón inexistente",
        actor=Actor.system("smtp"),
    )
    event = message.case.events.last()
    assert event.verb == Verb.DELIVERY_CHANGED and event.after["detail"] == "550 buzón inexistente"
