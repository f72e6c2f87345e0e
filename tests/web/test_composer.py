"""The composer (UI2, CU5, CH4): it answers where the customer wrote, switches channel only with
consent, respects WhatsApp's 24-hour window and templates, inserts canned responses and macros,
attaches files within the limits, previews, and queues the reply in the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from atiende.cases.models import Direction, Message, Status
from atiende.channels.whatsapp.models import WhatsAppTemplate, WhatsAppTemplateMessage
from atiende.core.actors import Actor
from atiende.customers import services as customers
from atiende.replies.models import CannedResponse, ReplyKind
from tests.factories.cases import make_case
from tests.factories.customers import CustomerFactory, IdentityFactory

SYSTEM = Actor.system("tests")
WA = "5215512345678"


def a_case(team, *, channel="email", wrote_hours_ago=1.0):
    """A case of Lucía, who has an e-mail and a WhatsApp number and wrote by CHANNEL."""
    customer = CustomerFactory(name="Lucía Pérez")
    IdentityFactory(customer=customer, kind="email", address="lucia@correo.test")
    IdentityFactory(customer=customer, kind="whatsapp", address=WA)
    return make_case(
        team=team,
        customer=customer,
        channel=channel,
        summary="Entrega del departamento",
        message_text="¿Cuándo entregan mi departamento?",
        from_address=WA if channel == "whatsapp" else "lucia@correo.test",
        received_at=timezone.now() - timedelta(hours=wrote_hours_ago),
    )


def withdraw(case, channel):
    customers.record_consent(
        customer=case.customer,
        channel=channel,
        purpose="contact",
        is_granted=False,
        method="message",
        actor=SYSTEM,
    )


def reply(client, case, **data):
    data.setdefault("expected_version", case.version)
    return client.post(reverse("web:case_reply", args=[case.folio]), data)


def outbound(case):
    return Message.objects.filter(case=case, direction=Direction.OUTBOUND)


def composer(client, case, **data) -> str:
    """The composer re-rendered by htmx (another channel or template): a POST, like the page's."""
    url = reverse("web:case_composer", args=[case.folio])
    return client.post(url, data, headers={"HX-Request": "true"}).content.decode()


@pytest.fixture
def template(db):
    return WhatsAppTemplate.objects.create(
        name="seguimiento_caso",
        language="es_MX",
        status="approved",
        body="Hola {{1}}, le escribimos sobre su caso {{2}}.",
    )


# --- channel ---------------------------------------------------------------------------------


def test_it_defaults_to_the_channel_where_the_customer_last_wrote(client, agent, team):
    case = a_case(team, channel="whatsapp")
    client.force_login(agent)
    html = client.get(reverse("web:case", args=[case.folio])).content.decode()
    assert f'<option value="whatsapp" selected>WhatsApp · {WA} (donde escribió el cliente)' in html
    assert 'data-shortcut="reply"' in html and 'data-shortcut="note"' in html
    assert f'data-typing-for="{case.folio}" data-typing-mode="reply"' in html
    assert f'data-typing-for="{case.folio}" data-typing-mode="note"' in html


def test_an_email_reply_is_queued_to_the_customers_address(client, agent, team):
    case = a_case(team)
    client.force_login(agent)
    response = reply(client, case, channel="email", body="Le entregamos el martes.")
    assert response.status_code == 302
    message = outbound(case).get()
    assert message.channel == "email" and message.to_address == "lucia@correo.test"
    assert message.delivery_status == "queued" and message.author == agent
    page = client.get(reverse("web:case", args=[case.folio])).content.decode()
    assert "Le entregamos el martes." in page and "En cola" in page


def test_switching_channel_is_blocked_when_consent_was_withdrawn(client, agent, team):
    case = a_case(team, channel="whatsapp")
    withdraw(case, "email")
    client.force_login(agent)
    html = composer(client, case, channel="email")
    assert "retirado" in html
    assert "El cliente retiró su consentimiento para ser contactado por Correo electrónico" in html
    assert 'id="reply-body"' not in html
    response = reply(client, case, channel="email", body="Le escribo por correo")
    assert response.status_code == 400
    assert "retiró su consentimiento" in response.content.decode()
    assert not outbound(case).exists()


def test_a_withdrawal_recorded_on_a_merged_profile_still_blocks_the_channel(client, agent, team):
    case = a_case(team, channel="whatsapp")
    duplicate = CustomerFactory(name="Lucía P.")
    customers.record_consent(
        customer=duplicate,
        channel="email",
        purpose="contact",
        is_granted=False,
        method="message",
        actor=SYSTEM,
    )
    customers.merge_customer_records(source=duplicate, target=case.customer, actor=SYSTEM)
    client.force_login(agent)
    html = composer(client, case, channel="email")
    assert "El cliente retiró su consentimiento para ser contactado por Correo electrónico" in html
    response = reply(client, case, channel="email", body="Le escribo por correo")
    assert response.status_code == 400
    assert not outbound(case).exists()


def test_the_composer_is_rerendered_by_post_never_with_the_draft_in_the_url(client, agent, team):
    case = a_case(team)
    client.force_login(agent)
    url = reverse("web:case_composer", args=[case.folio])
    assert client.get(url, {"channel": "whatsapp", "body": "borrador"}).status_code == 405
    page = client.get(reverse("web:case", args=[case.folio])).content.decode()
    assert "hx-get" not in page and 'formmethod="get"' not in page
    assert f'hx-post="{url}"' in page and f'formaction="{url}"' in page


def test_without_javascript_changing_channel_keeps_the_typed_text(client, agent, team):
    case = a_case(team, channel="whatsapp")
    client.force_login(agent)
    url = reverse("web:case_composer", args=[case.folio])
    data = {"channel": "email", "body": "Le confirmo la cita", "expected_version": case.version}
    response = client.post(url, data)  # the "Cambiar canal" button: the whole page again
    html = response.content.decode()
    assert response.status_code == 200 and 'id="case-header"' in html
    assert 'value="email" selected' in html
    assert ">Le confirmo la cita</textarea>" in html
    assert not outbound(case).exists()


def test_the_composer_refuses_a_post_without_the_csrf_token(agent, team):
    from django.test import Client

    case = a_case(team)
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    response = client.post(reverse("web:case_composer", args=[case.folio]), {"channel": "email"})
    assert response.status_code == 403


def test_replying_where_the_customer_wrote_is_allowed_and_switching_with_consent_too(
    client, agent, team
):
    case = a_case(team)
    customers.record_consent(
        customer=case.customer,
        channel="whatsapp",
        purpose="contact",
        is_granted=True,
        method="verbal",
        actor=SYSTEM,
    )
    client.force_login(agent)
    html = composer(client, case, channel="whatsapp")
    assert "otorgado" in html and "Sin conversación de WhatsApp" in html


# --- WhatsApp ------------------------------------------------------------------------------------


def test_a_whatsapp_reply_inside_the_window_is_free_text(client, agent, team):
    case = a_case(team, channel="whatsapp", wrote_hours_ago=2)
    client.force_login(agent)
    html = composer(client, case, channel="whatsapp")
    assert "Ventana de 24 h abierta" in html and 'id="reply-body"' in html
    response = reply(client, case, channel="whatsapp", body="Sí, sale hoy.")
    assert response.status_code == 302
    message = outbound(case).get()
    assert message.channel == "whatsapp" and message.to_address == WA
    assert message.body_text == "Sí, sale hoy."


def test_outside_the_window_free_text_is_disabled_and_refused(client, agent, team, template):
    case = a_case(team, channel="whatsapp", wrote_hours_ago=30)
    client.force_login(agent)
    html = composer(client, case, channel="whatsapp")
    assert "Ventana de 24 h cerrada" in html
    assert 'id="reply-body"' not in html and 'name="template"' in html
    assert "seguimiento_caso (es_MX)" in html
    response = reply(client, case, channel="whatsapp", body="¿Sigue ahí?")
    assert response.status_code == 400
    assert "solo puede enviar una plantilla aprobada" in response.content.decode()
    assert not outbound(case).exists()


def test_outside_the_window_an_approved_template_is_sent_with_its_parameters(
    client, agent, team, template
):
    case = a_case(team, channel="whatsapp", wrote_hours_ago=30)
    client.force_login(agent)
    html = composer(client, case, channel="whatsapp", template=template.pk)
    assert html.count('name="params"') == 2 and "Parámetro 2" in html
    preview = client.post(
        reverse("web:case_reply_preview", args=[case.folio]),
        {"channel": "whatsapp", "template": template.pk, "params": ["Lucía", case.folio]},
    ).content.decode()
    assert f"Hola Lucía, le escribimos sobre su caso {case.folio}." in preview
    response = reply(
        client, case, channel="whatsapp", template=template.pk, params=["Lucía", case.folio]
    )
    assert response.status_code == 302
    message = outbound(case).get()
    assert message.body_text == f"Hola Lucía, le escribimos sobre su caso {case.folio}."
    sent = WhatsAppTemplateMessage.objects.get(message=message)
    assert (sent.name, sent.language, sent.params) == (
        "seguimiento_caso",
        "es_MX",
        ["Lucía", case.folio],
    )


def test_whatsapp_is_blocked_after_an_opt_out(client, agent, team):
    case = a_case(team, channel="whatsapp")
    withdraw(case, "whatsapp")
    client.force_login(agent)
    response = reply(client, case, channel="whatsapp", body="Hola")
    assert response.status_code == 400
    assert "retiró su consentimiento para ser contactado por WhatsApp" in response.content.decode()


# --- attachments ---------------------------------------------------------------------------------


@override_settings(ATIENDE_MAX_ATTACHMENT_BYTES=1024 * 1024)
def test_an_attachment_over_the_limit_is_refused_with_the_sizes(client, agent, team):
    case = a_case(team)
    client.force_login(agent)
    big = SimpleUploadedFile("planos.pdf", b"x" * (1024 * 1024 + 600_000))
    response = reply(client, case, channel="email", body="Adjunto planos", attachments=[big])
    assert response.status_code == 400
    assert "El archivo planos.pdf pesa 1.6 MB; el máximo es 1 MB." in response.content.decode()
    assert not outbound(case).exists()


def test_a_forbidden_file_type_is_refused(client, agent, team):
    case = a_case(team)
    client.force_login(agent)
    virus = SimpleUploadedFile("factura.exe", b"MZ...")
    response = reply(client, case, channel="email", body="Adjunto", attachments=[virus])
    assert response.status_code == 400
    assert "No se aceptan archivos .exe." in response.content.decode()
    assert not outbound(case).exists()


def test_attachments_within_the_limits_go_with_the_email(client, agent, team):
    case = a_case(team)
    client.force_login(agent)
    plan = SimpleUploadedFile("plano.pdf", b"%PDF-1.4", content_type="application/pdf")
    reply(client, case, channel="email", body="Le envío el plano", attachments=[plan])
    message = outbound(case).get()
    assert [a.filename for a in message.attachments.all()] == ["plano.pdf"]


# --- canned responses, macros, preview, concurrency -----------------------------------------


def test_a_canned_response_is_inserted_with_the_cases_placeholders(client, agent, team):
    case = a_case(team)
    canned = CannedResponse.objects.create(
        title="Saludo", body="Hola {{cliente}}, soy {{agente}}. Su folio es {{folio}}."
    )
    client.force_login(agent)
    html = client.post(
        reverse("web:case_reply_insert", args=[case.folio]),
        {"canned": str(canned.uuid), "body": "Buen día."},
    ).content.decode()
    expected = (
        f"Buen día.\n\nHola Lucía Pérez, soy {agent.get_full_name()}. Su folio es {case.folio}."
    )
    assert f">{expected}</textarea>" in html


def test_a_macro_applies_its_actions_when_the_reply_is_sent(client, agent, team):
    case = a_case(team)
    macro = CannedResponse.objects.create(
        kind=ReplyKind.MACRO,
        title="Esperar documentos",
        body="Quedamos atentos a sus documentos, {{cliente}}.",
        set_status=Status.WAITING_CUSTOMER,
        set_priority="high",
        add_tags="documentos",
    )
    client.force_login(agent)
    inserted = client.post(
        reverse("web:case_reply_insert", args=[case.folio]), {"canned": str(macro.uuid)}
    ).content.decode()
    assert f'name="macro" value="{macro.uuid}"' in inserted
    assert "Estado: En espera del cliente" in inserted
    response = reply(
        client,
        case,
        channel="email",
        body="Quedamos atentos a sus documentos, Lucía Pérez.",
        macro=str(macro.uuid),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.WAITING_CUSTOMER and case.priority == "high"
    assert list(case.tags.values_list("name", flat=True)) == ["documentos"]
    assert outbound(case).count() == 1


def test_a_macro_of_another_team_is_not_applied(client, agent, team, other_team):
    case = a_case(team)
    theirs = CannedResponse.objects.create(
        kind=ReplyKind.MACRO,
        team=other_team,
        title="Cerrar por inactividad",
        body="Cerramos su caso.",
        set_priority="low",
        add_tags="inactivo",
    )
    client.force_login(agent)
    response = reply(client, case, channel="email", body="Hola", macro=str(theirs.uuid))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.priority == "normal" and not case.tags.exists()
    assert outbound(case).count() == 1


def test_the_preview_shows_the_email_as_the_customer_will_see_it(client, agent, team):
    case = a_case(team)
    client.force_login(agent)
    html = client.post(
        reverse("web:case_reply_preview", args=[case.folio]),
        {"channel": "email", "body": "Hola <b>Lucía</b>\nSaludos"},
    ).content.decode()
    assert f"Entrega del departamento [{case.folio}]" in html
    assert "Hola &lt;b&gt;Lucía&lt;/b&gt;<br>Saludos" in html
    assert not outbound(case).exists()


def test_a_stale_reply_is_refused_and_the_text_is_kept(client, agent, supervisor, team):
    case = a_case(team)
    seen = case.version
    customers_reply = "Otra pregunta: ¿incluye estacionamiento?"
    from atiende.cases import services

    services.add_inbound_message(
        case=case, actor=SYSTEM, channel="email", body_text=customers_reply
    )
    client.force_login(agent)
    response = reply(client, case, channel="email", body="Mi borrador", expected_version=seen)
    assert response.status_code == 409
    html = response.content.decode()
    assert "El caso cambió mientras lo editabas" in html and ">Mi borrador</textarea>" in html
    assert customers_reply in html  # the page shows what changed
    assert not outbound(case).exists()
