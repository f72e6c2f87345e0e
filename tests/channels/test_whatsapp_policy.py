"""WhatsApp policy: the 24-hour window, consent and approved templates decide what may be sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from atiende.cases import services
from atiende.cases.models import Message
from atiende.channels.whatsapp.demo import DEMO_TEMPLATES, load_demo_templates
from atiende.channels.whatsapp.models import WhatsAppTemplate, WhatsAppTemplateMessage
from atiende.channels.whatsapp.policy import (
    WhatsAppPolicyError,
    can_message_on_whatsapp,
    usable_templates,
    validate_whatsapp_reply,
    whatsapp_recipient,
    window_closes_at,
    window_is_open,
)
from atiende.channels.whatsapp.services import queue_whatsapp_reply
from atiende.core.actors import Actor
from atiende.customers import services as customers
from atiende.customers.models import ConsentPurpose
from tests.factories.cases import make_case
from tests.factories.customers import CustomerFactory, IdentityFactory

WA = "5215512345678"
SYSTEM = Actor.system("tests")


def whatsapp_case(*, wrote_hours_ago: float | None = 1, customer=None, address: str = WA):
    """A case of a customer with a WhatsApp number who wrote (or not) that many hours ago."""
    customer = customer or CustomerFactory(name="Lucía Pérez")
    IdentityFactory(customer=customer, kind="whatsapp", address=address)
    if wrote_hours_ago is None:
        return make_case(customer=customer, channel="phone", summary="Llamada por garantía")
    return make_case(
        customer=customer,
        channel="whatsapp",
        message_text="Hola, ¿mi pedido ya salió?",
        from_address=address,
        received_at=timezone.now() - timedelta(hours=wrote_hours_ago),
    )


def consent(case, *, granted: bool, purpose=ConsentPurpose.CONTACT):
    customers.record_consent(
        customer=case.customer,
        channel="whatsapp",
        purpose=purpose,
        is_granted=granted,
        method="message",
        actor=SYSTEM,
    )


def template(**kwargs) -> WhatsAppTemplate:
    kwargs.setdefault("name", "seguimiento_caso")
    kwargs.setdefault("language", "es_MX")
    kwargs.setdefault("status", "approved")
    kwargs.setdefault("body", "Hola {{1}}, le escribimos sobre su caso {{2}}.")
    return WhatsAppTemplate.objects.create(**kwargs)


# --- the window ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_closes_the_window_24_hours_after_the_customers_last_whatsapp_message():
    case = whatsapp_case(wrote_hours_ago=30)
    later = services.add_inbound_message(
        case=case,
        actor=SYSTEM,
        channel="whatsapp",
        body_text="¿Siguen ahí?",
        from_address=WA,
        received_at=timezone.now() - timedelta(hours=5),
    )
    services.add_inbound_message(  # an e-mail does not open the WhatsApp window
        case=case, actor=SYSTEM, channel="email", body_text="Por correo", from_address="l@x.test"
    )

    assert window_closes_at(case) == later.created_at + timedelta(hours=24)
    assert window_is_open(case)
    assert not window_is_open(case, now=later.created_at + timedelta(hours=24, seconds=1))


@pytest.mark.django_db
def test_it_opens_the_window_with_a_message_on_another_case_of_the_same_customer():
    old = whatsapp_case(wrote_hours_ago=2)
    other = make_case(customer=old.customer, channel="email", summary="Factura")

    assert window_is_open(other)
    assert window_closes_at(other) == window_closes_at(old)


@pytest.mark.django_db
def test_it_has_no_window_when_the_customer_never_wrote_by_whatsapp():
    case = whatsapp_case(wrote_hours_ago=None)

    assert window_closes_at(case) is None
    assert not window_is_open(case)


@pytest.mark.django_db
def test_it_answers_the_number_the_customer_last_wrote_from():
    case = whatsapp_case(wrote_hours_ago=1, address="5215500000001")
    IdentityFactory(customer=case.customer, kind="whatsapp", address="5215500000002")

    assert whatsapp_recipient(case) == "5215500000001"


# --- consent and identity ------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_needs_a_whatsapp_number():
    case = make_case(channel="email")

    assert can_message_on_whatsapp(case) == (
        False,
        "El cliente no tiene un número de WhatsApp registrado.",
    )


@pytest.mark.django_db
def test_it_allows_a_customer_who_wrote_by_whatsapp():
    assert can_message_on_whatsapp(whatsapp_case()) == (True, "")


@pytest.mark.django_db
def test_it_blocks_a_customer_who_withdrew_consent_and_the_newest_record_wins():
    case = whatsapp_case()
    consent(case, granted=True)
    consent(case, granted=False)

    allowed, reason = can_message_on_whatsapp(case)
    assert not allowed
    assert reason == "El cliente retiró su consentimiento para ser contactado por WhatsApp."

    consent(case, granted=True)
    assert can_message_on_whatsapp(case) == (True, "")


@pytest.mark.django_db
def test_it_needs_an_opt_in_before_the_first_contact():
    case = whatsapp_case(wrote_hours_ago=None)

    allowed, reason = can_message_on_whatsapp(case)
    assert not allowed
    assert "no ha autorizado que lo contactemos por WhatsApp" in reason

    consent(case, granted=True)
    assert can_message_on_whatsapp(case) == (True, "")


# --- validating a reply --------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_accepts_free_text_inside_the_window():
    validate_whatsapp_reply(whatsapp_case(wrote_hours_ago=23), body="Sí, salió hoy.")


@pytest.mark.django_db
def test_it_refuses_free_text_outside_the_window():
    case = whatsapp_case(wrote_hours_ago=25)

    with pytest.raises(WhatsAppPolicyError, match="solo puede enviar una plantilla aprobada"):
        validate_whatsapp_reply(case, body="¿Sigue interesado?")


@pytest.mark.django_db
def test_it_refuses_free_text_to_a_customer_who_never_wrote():
    case = whatsapp_case(wrote_hours_ago=None)
    consent(case, granted=True)

    with pytest.raises(WhatsAppPolicyError, match="inicie la conversación con una plantilla"):
        validate_whatsapp_reply(case, body="Hola")


@pytest.mark.django_db
def test_it_accepts_an_approved_template_outside_the_window():
    case = whatsapp_case(wrote_hours_ago=72)

    validate_whatsapp_reply(case, template=template(), params=["Lucía", case.folio])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "params", "error"),
    [
        ({"status": "pending"}, ["Lucía", "AT-1"], "no está aprobada o fue desactivada"),
        ({"is_active": False}, ["Lucía", "AT-1"], "no está aprobada o fue desactivada"),
        ({}, ["Lucía"], "lleva 2 parámetros y se dieron 1"),
        ({}, ["Lucía", "AT-1", "extra"], "lleva 2 parámetros y se dieron 3"),
        ({}, ["Lucía", "  "], "El parámetro 2 de la plantilla está vacío"),
        ({}, ["Lucía\nPérez", "AT-1"], "no puede tener saltos de línea"),
    ],
)
def test_it_refuses_a_template_that_meta_would_refuse(changes, params, error):
    case = whatsapp_case(wrote_hours_ago=72)

    with pytest.raises(WhatsAppPolicyError, match=error):
        validate_whatsapp_reply(case, template=template(**changes), params=params)


@pytest.mark.django_db
def test_it_refuses_text_and_template_together():
    case = whatsapp_case()

    with pytest.raises(WhatsAppPolicyError, match="no ambos"):
        validate_whatsapp_reply(case, body="Hola", template=template(), params=["L", "AT-1"])


@pytest.mark.django_db
def test_it_needs_marketing_consent_for_a_marketing_template():
    case = whatsapp_case(wrote_hours_ago=72)
    promo = template(name="promocion", category="marketing", body="Hola {{1}}, 15 % menos.")

    with pytest.raises(WhatsAppPolicyError, match="no ha aceptado comunicaciones comerciales"):
        validate_whatsapp_reply(case, template=promo, params=["Lucía"])

    consent(case, granted=True, purpose=ConsentPurpose.MARKETING)
    validate_whatsapp_reply(case, template=promo, params=["Lucía"])


@pytest.mark.django_db
def test_it_refuses_any_reply_once_consent_is_withdrawn():
    case = whatsapp_case()
    consent(case, granted=False)

    with pytest.raises(WhatsAppPolicyError, match="retiró su consentimiento"):
        validate_whatsapp_reply(case, body="Hola")
    with pytest.raises(WhatsAppPolicyError, match="retiró su consentimiento"):
        validate_whatsapp_reply(case, template=template(), params=["L", "AT-1"])


# --- queueing ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_queues_a_template_reply_with_its_rendered_text_for_the_timeline():
    case = whatsapp_case(wrote_hours_ago=48)

    message = queue_whatsapp_reply(
        case=case, actor=SYSTEM, template=template(), params=["Lucía", case.folio]
    )

    assert (message.channel, message.delivery_status, message.to_address) == (
        "whatsapp",
        "queued",
        WA,
    )
    assert message.body_text == f"Hola Lucía, le escribimos sobre su caso {case.folio}."
    chosen = WhatsAppTemplateMessage.objects.get(message=message)
    assert (chosen.name, chosen.language, chosen.params) == (
        "seguimiento_caso",
        "es_MX",
        ["Lucía", case.folio],
    )


@pytest.mark.django_db
def test_it_queues_nothing_when_the_policy_refuses():
    case = whatsapp_case(wrote_hours_ago=30)

    with pytest.raises(WhatsAppPolicyError):
        queue_whatsapp_reply(case=case, actor=SYSTEM, body="Hola de nuevo")

    assert not Message.objects.filter(case=case, direction="out").exists()


# --- templates -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_template_counts_its_parameters_and_renders_a_preview():
    tpl = template(body="Hola {{1}}, su caso {{2}} vence el {{ 3 }}. Gracias, {{1}}.")

    assert tpl.param_count == 3
    assert (
        tpl.render(["Ana", "AT-9", "lunes"])
        == "Hola Ana, su caso AT-9 vence el lunes. Gracias, Ana."
    )
    assert tpl.render(["Ana"]) == "Hola Ana, su caso {{2}} vence el {{ 3 }}. Gracias, Ana."


@pytest.mark.django_db
def test_a_template_must_number_its_parameters_without_gaps():
    tpl = WhatsAppTemplate(name="con_hueco", language="es", body="Hola {{1}}, caso {{3}}.")

    with pytest.raises(ValidationError) as raised:
        tpl.full_clean()
    assert "body" in raised.value.message_dict


@pytest.mark.django_db
def test_the_demo_templates_load_once_and_only_approved_ones_are_offered():
    assert load_demo_templates() == len(DEMO_TEMPLATES)
    assert load_demo_templates() == len(DEMO_TEMPLATES)

    assert WhatsAppTemplate.objects.count() == len(DEMO_TEMPLATES)
    assert "aviso_entrega" not in set(usable_templates().values_list("name", flat=True))
    assert usable_templates().filter(name="seguimiento_caso").count() == 2
