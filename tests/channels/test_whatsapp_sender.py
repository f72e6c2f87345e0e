"""WhatsApp sender against a fake Cloud API: text, templates, the window, consent, Meta's errors."""

from __future__ import annotations

import socket
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from atiende.cases import services
from atiende.cases.models import DeliveryStatus, Message
from atiende.channels.outbox import deliver_message
from atiende.channels.tasks import send_message
from atiende.channels.whatsapp.models import WhatsAppTemplate
from atiende.channels.whatsapp.sender import send_whatsapp
from atiende.channels.whatsapp.services import queue_whatsapp_reply
from atiende.core.actors import Actor
from atiende.customers import services as customers
from atiende.jobs.errors import PermanentError, TransientError
from tests.factories.cases import make_case
from tests.factories.customers import CustomerFactory, IdentityFactory
from tests.fakes.whatsapp_cloud import whatsapp_cloud_fixture  # noqa: F401

WA = "5215512345678"
SYSTEM = Actor.system("tests")


@pytest.fixture
def case(db):
    """A customer who wrote by WhatsApp two hours ago: the window is open."""
    customer = CustomerFactory(name="Lucía Pérez")
    IdentityFactory(customer=customer, kind="whatsapp", address=WA)
    return make_case(
        customer=customer,
        channel="whatsapp",
        message_text="Hola, ¿mi pedido ya salió?",
        from_address=WA,
        received_at=timezone.now() - timedelta(hours=2),
    )


@pytest.fixture
def stale_case(db):
    """A customer whose last WhatsApp message is three days old: only templates may go."""
    customer = CustomerFactory(name="Jorge Díaz")
    IdentityFactory(customer=customer, kind="whatsapp", address="5215587654321")
    return make_case(
        customer=customer,
        channel="whatsapp",
        message_text="Quedo pendiente",
        from_address="5215587654321",
        received_at=timezone.now() - timedelta(days=3),
    )


@pytest.fixture
def follow_up(db):
    return WhatsAppTemplate.objects.create(
        name="seguimiento_caso",
        language="es_MX",
        status="approved",
        body="Hola {{1}}, le escribimos sobre su caso {{2}}.",
    )


def claimed(message: Message) -> Message:
    taken = services.claim_outbound_message(message.pk)
    assert taken is not None
    return taken


def raw_text_reply(case, body: str) -> Message:
    """A WhatsApp text queued WITHOUT the policy (as an old client or a bug could): Meta decides."""
    return services.add_outbound_message(
        case=case, actor=SYSTEM, channel="whatsapp", body_text=body
    )


def test_it_sends_free_text_inside_the_window_and_stores_the_wamid(case, whatsapp_cloud):
    whatsapp_cloud.customer_wrote(WA)
    message = queue_whatsapp_reply(case=case, actor=SYSTEM, body="Sí, salió hoy por la mañana.")

    message = deliver_message(claimed(message), is_last_attempt=False)

    assert message.delivery_status == DeliveryStatus.SENT
    assert message.external_id.startswith("wamid.")
    request = whatsapp_cloud.requests[-1]
    assert request.path == f"/v21.0/{whatsapp_cloud.phone_number_id}/messages"
    assert request.headers["authorization"] == f"Bearer {whatsapp_cloud.token}"
    assert request.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA,
        "biz_opaque_callback_data": str(message.uuid),
        "type": "text",
        "text": {"body": "Sí, salió hoy por la mañana.", "preview_url": False},
    }
    assert request.response["messages"][0]["id"] == message.external_id


def test_it_sends_an_approved_template_outside_the_window(stale_case, follow_up, whatsapp_cloud):
    whatsapp_cloud.approve_template("seguimiento_caso", "es_MX", 2)
    message = queue_whatsapp_reply(
        case=stale_case, actor=SYSTEM, template=follow_up, params=["Jorge", stale_case.folio]
    )

    message = deliver_message(claimed(message), is_last_attempt=False)

    assert message.delivery_status == DeliveryStatus.SENT
    assert message.body_text == f"Hola Jorge, le escribimos sobre su caso {stale_case.folio}."
    sent = whatsapp_cloud.sent[-1]
    assert sent["type"] == "template"
    assert sent["template"] == {
        "name": "seguimiento_caso",
        "language": {"code": "es_MX"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "Jorge"},
                    {"type": "text", "text": stale_case.folio},
                ],
            }
        ],
    }


def test_meta_refuses_free_text_outside_the_window_and_the_message_fails(
    stale_case, whatsapp_cloud
):
    whatsapp_cloud.customer_wrote("5215587654321", at=timezone.now() - timedelta(days=3))
    message = raw_text_reply(stale_case, "¿Sigue interesado?")

    message = deliver_message(claimed(message), is_last_attempt=False)

    assert whatsapp_cloud.requests[-1].response["error"]["code"] == 131047
    assert message.delivery_status == DeliveryStatus.FAILED
    assert message.status_detail.startswith("El envío falló y no se reintentará: WhatsApp no lo")
    assert "pasaron más de 24 horas" in message.status_detail


def test_it_raises_a_permanent_error_with_a_spanish_detail_on_131047(stale_case, whatsapp_cloud):
    message = raw_text_reply(stale_case, "¿Sigue interesado?")

    with pytest.raises(PermanentError, match="solo se pueden enviar plantillas aprobadas"):
        send_whatsapp(message)


def test_it_honours_a_consent_withdrawn_after_the_reply_was_queued(case, whatsapp_cloud):
    whatsapp_cloud.customer_wrote(WA)
    message = queue_whatsapp_reply(case=case, actor=SYSTEM, body="Le confirmo el envío.")
    customers.record_consent(
        customer=case.customer,
        channel="whatsapp",
        purpose="contact",
        is_granted=False,
        method="message",
        evidence="BAJA",
        actor=SYSTEM,
    )

    message = deliver_message(claimed(message), is_last_attempt=False)

    assert message.delivery_status == DeliveryStatus.FAILED
    assert "retiró su consentimiento" in message.status_detail
    assert whatsapp_cloud.requests == []


@pytest.mark.parametrize("code", [4, 80007, 130429, 131048, 131056])
def test_a_rate_limit_is_transient(case, whatsapp_cloud, code):
    whatsapp_cloud.customer_wrote(WA)
    whatsapp_cloud.fail_next(code)
    message = queue_whatsapp_reply(case=case, actor=SYSTEM, body="Un momento, por favor.")

    with pytest.raises(TransientError, match="WhatsApp limitó los envíos"):
        deliver_message(claimed(message), is_last_attempt=False)

    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.QUEUED
    assert "se reintentará" in message.status_detail


def test_a_rate_limited_message_is_sent_by_the_retry(case, whatsapp_cloud, celery_retries):
    whatsapp_cloud.customer_wrote(WA)
    whatsapp_cloud.fail_next(130429)
    message = queue_whatsapp_reply(case=case, actor=SYSTEM, body="Un momento, por favor.")

    assert send_message.apply(args=[message.pk]).get() == "sent"

    message.refresh_from_db()
    assert (message.delivery_status, message.attempts) == (DeliveryStatus.SENT, 2)
    assert [r.status for r in whatsapp_cloud.requests] == [429, 200]


@pytest.mark.parametrize("code", [1, 2, 131000])
def test_meta_server_trouble_is_transient(case, whatsapp_cloud, code):
    whatsapp_cloud.customer_wrote(WA)
    whatsapp_cloud.fail_next(code)

    with pytest.raises(TransientError, match="Error temporal de WhatsApp"):
        send_whatsapp(raw_text_reply(case, "Hola"))


def test_an_expired_token_is_permanent_and_says_what_to_renew(case, whatsapp_cloud):
    whatsapp_cloud.customer_wrote(WA)
    whatsapp_cloud.expire_token()
    message = queue_whatsapp_reply(case=case, actor=SYSTEM, body="Hola")

    message = deliver_message(claimed(message), is_last_attempt=False)

    assert whatsapp_cloud.requests[-1].status == 401
    assert message.delivery_status == DeliveryStatus.FAILED
    assert "renovar ATIENDE_WHATSAPP_TOKEN" in message.status_detail


def test_a_wrong_token_is_refused_by_meta(case, whatsapp_cloud, settings):
    whatsapp_cloud.customer_wrote(WA)
    settings.ATIENDE_WHATSAPP_TOKEN = "EAA-otro"

    with pytest.raises(PermanentError, match="token de acceso"):
        send_whatsapp(raw_text_reply(case, "Hola"))


def test_an_undeliverable_number_is_permanent(case, whatsapp_cloud):
    whatsapp_cloud.customer_wrote(WA)
    whatsapp_cloud.undeliverable(WA)

    with pytest.raises(PermanentError, match=f"no puede entregar mensajes al número {WA}"):
        send_whatsapp(raw_text_reply(case, "Hola"))


def test_a_template_meta_does_not_know_is_permanent(stale_case, follow_up, whatsapp_cloud):
    message = queue_whatsapp_reply(
        case=stale_case, actor=SYSTEM, template=follow_up, params=["Jorge", stale_case.folio]
    )

    with pytest.raises(PermanentError, match="«seguimiento_caso» \\(es_MX\\) no existe"):
        send_whatsapp(message)


def test_a_template_approved_at_meta_with_other_parameters_is_permanent(
    stale_case, follow_up, whatsapp_cloud
):
    whatsapp_cloud.approve_template("seguimiento_caso", "es_MX", 3)
    message = queue_whatsapp_reply(
        case=stale_case, actor=SYSTEM, template=follow_up, params=["Jorge", stale_case.folio]
    )

    with pytest.raises(PermanentError, match="cantidad de parámetros no coincide"):
        send_whatsapp(message)


def test_a_provider_that_cannot_be_reached_is_transient(case, settings):
    with socket.socket() as sock:  # a port nothing listens on: bind it, note it, close it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.ATIENDE_WHATSAPP_API_URL = f"http://127.0.0.1:{port}/v21.0"
    settings.ATIENDE_WHATSAPP_PHONE_NUMBER_ID = "1"
    settings.ATIENDE_WHATSAPP_TOKEN = "t"

    with pytest.raises(TransientError, match="No se pudo conectar con WhatsApp"):
        send_whatsapp(raw_text_reply(case, "Hola"))


def test_it_fails_clearly_when_whatsapp_is_not_configured(case, settings):
    settings.ATIENDE_WHATSAPP_TOKEN = ""

    with pytest.raises(PermanentError, match="WhatsApp no está configurado"):
        send_whatsapp(raw_text_reply(case, "Hola"))


def test_the_fake_rejects_a_malformed_payload_like_meta(whatsapp_cloud):
    response = httpx.post(
        f"{whatsapp_cloud.url}/{whatsapp_cloud.phone_number_id}/messages",
        json={"messaging_product": "whatsapp", "to": WA, "type": "text", "text": {"cuerpo": "x"}},
        headers={"Authorization": f"Bearer {whatsapp_cloud.token}"},
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["type"]) == (100, "OAuthException")
    assert error["message"] == "(#100) Invalid parameter"


def test_the_whole_path_from_the_reply_to_sent(
    case, whatsapp_cloud, django_capture_on_commit_callbacks
):
    whatsapp_cloud.customer_wrote(WA)

    with django_capture_on_commit_callbacks(execute=True):
        message = queue_whatsapp_reply(case=case, actor=SYSTEM, body="Su pedido salió hoy.")

    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.external_id == whatsapp_cloud.requests[-1].response["messages"][0]["id"]
    assert whatsapp_cloud.sent[-1]["text"]["body"] == "Su pedido salió hoy."
