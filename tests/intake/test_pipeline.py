"""The intake pipeline on e-mail: envelope first, then identify, classify, thread, case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from atiende.cases import services as cases
from atiende.cases.models import Case, DeliveryStatus, Direction, Message, Status
from atiende.channels.email.pipe import deliver_from_pipe
from atiende.core.actors import Actor
from atiende.customers.models import Identity
from atiende.intake.models import EnvelopeStatus, InboundEnvelope
from tests.factories.customers import IdentityFactory
from tests.intake.mail import dsn_bytes, email_bytes, qmail_bounce_bytes

AGENT = Actor.system("tests")


@pytest.fixture
def pipe(django_capture_on_commit_callbacks):
    """The MTA pipe, with the jobs it enqueues after commit run at once (eager)."""

    def deliver(raw: bytes, **kwargs) -> dict:
        with django_capture_on_commit_callbacks(execute=True):
            return deliver_from_pipe(raw, **kwargs)

    return deliver


@pytest.fixture
def agent_reply(django_capture_on_commit_callbacks):
    """An agent's answer, sent through the outbound job (eager here): it gets our Message-ID."""

    def reply(case: Case, text: str = "Su pedido sale hoy.") -> Message:
        with django_capture_on_commit_callbacks(execute=True):
            message = cases.add_outbound_message(case=case, actor=AGENT, body_text=text)
        message.refresh_from_db()
        return message

    return reply


def test_it_opens_a_case_with_the_customers_first_message(db, pipe, mailbox):
    result = pipe(email_bytes(text="Hola, ¿dónde está mi pedido 123?"))

    assert result["outcome"] == "new_case"
    case = Case.objects.get(folio=result["folio"])
    assert case.team == mailbox.team
    assert case.summary == "Consulta sobre mi pedido"
    first = case.messages.get(direction=Direction.INBOUND)
    assert (first.direction, first.from_address) == (Direction.INBOUND, "lucia@correo.test")
    assert first.body_text == "Hola, ¿dónde está mi pedido 123?"
    assert Identity.objects.get(address="lucia@correo.test").customer == case.customer
    envelope = InboundEnvelope.objects.get(uuid=result["envelope"])
    assert (envelope.status, envelope.case) == (EnvelopeStatus.PROCESSED, case)


def test_it_acknowledges_a_new_case_with_its_folio(db, pipe, mailbox):
    result = pipe(email_bytes())

    acknowledgement = mail.outbox[-1]
    assert acknowledgement.to == ["lucia@correo.test"]
    assert result["folio"] in acknowledgement.subject
    assert result["folio"] in acknowledgement.body
    assert acknowledgement.from_email == "Soporte Atiende <soporte@atiende.test>"
    assert acknowledgement.extra_headers["Auto-Submitted"] == "auto-replied"


def test_a_reply_to_an_agents_answer_lands_on_the_same_case(db, pipe, agent_reply, mailbox):
    case = Case.objects.get(folio=pipe(email_bytes())["folio"])
    answer = agent_reply(case)
    assert answer.delivery_status == DeliveryStatus.SENT

    reply = email_bytes(
        subject="Re: Consulta sobre mi pedido",
        text="Gracias, ya llegó.\n\nEl lun, 1 dic 2026, Soporte escribió:\n> Su pedido sale hoy.",
        in_reply_to=answer.external_id,
        references=answer.external_id,
    )
    result = pipe(reply)

    assert (result["outcome"], result["folio"]) == ("appended", case.folio)
    latest = case.messages.filter(direction=Direction.INBOUND).last()
    assert latest.body_text == "Gracias, ya llegó."  # the quoted history is for display only


def test_the_folio_tag_threads_a_reply_from_the_same_customer_only(db, pipe, mailbox):
    case = Case.objects.get(folio=pipe(email_bytes())["folio"])

    same = pipe(email_bytes(subject=f"Otra duda [{case.folio}]", text="Y otra cosa"))
    stranger = pipe(
        email_bytes(sender="otro@correo.test", subject=f"[{case.folio}]", text="Me cuelo")
    )

    assert (same["outcome"], same["folio"]) == ("appended", case.folio)
    assert stranger["outcome"] == "new_case" and stranger["folio"] != case.folio


def test_a_reply_within_the_window_reopens_a_resolved_case(db, pipe, agent_reply, mailbox):
    case = Case.objects.get(folio=pipe(email_bytes())["folio"])
    answer = agent_reply(case)
    cases.change_status(case=case, status=Status.OPEN, actor=AGENT)
    cases.change_status(case=case, status=Status.RESOLVED, actor=AGENT, solution="Enviado")

    result = pipe(email_bytes(text="Sigue sin llegar", in_reply_to=answer.external_id))

    case.refresh_from_db()
    assert (result["outcome"], case.status) == ("appended", Status.OPEN)


def test_a_reply_to_a_closed_case_opens_a_new_one_linked_to_it(db, pipe, agent_reply, mailbox):
    case = Case.objects.get(folio=pipe(email_bytes())["folio"])
    answer = agent_reply(case)
    cases.change_status(case=case, status=Status.OPEN, actor=AGENT)
    cases.change_status(case=case, status=Status.RESOLVED, actor=AGENT, solution="Enviado")
    cases.change_status(case=case, status=Status.CLOSED, actor=AGENT, closure_reason="confirmed")

    result = pipe(email_bytes(text="Tengo otro problema", in_reply_to=answer.external_id))

    assert result["outcome"] == "new_case"
    new_case = Case.objects.get(folio=result["folio"])
    assert new_case.links_out.get().to_case == case


def test_a_status_only_request_is_flagged(db, pipe, mailbox):
    case = Case.objects.get(folio=pipe(email_bytes())["folio"])

    result = pipe(email_bytes(subject=f"Re: [{case.folio}]", text="Hola, ¿cómo va mi caso?"))

    envelope = InboundEnvelope.objects.get(uuid=result["envelope"])
    assert envelope.is_status_request
    assert "consulta-de-estado" in case.tags.values_list("name", flat=True)
    assert not InboundEnvelope.objects.filter(is_status_request=True).exclude(pk=envelope.pk)


def test_the_same_message_delivered_twice_changes_nothing_the_second_time(db, pipe, mailbox):
    raw = email_bytes()
    first = pipe(raw)
    before = (Case.objects.count(), Message.objects.count(), len(mail.outbox))

    second = pipe(raw)

    assert second["outcome"] == "duplicate"
    assert (second["folio"], second["envelope"]) == (first["folio"], first["envelope"])
    assert (Case.objects.count(), Message.objects.count(), len(mail.outbox)) == before


def test_the_same_message_through_another_mailbox_is_a_duplicate(db, pipe, mailbox):
    raw = email_bytes()
    first = pipe(raw)

    again = pipe(raw, mailbox="ventas@atiende.test")

    assert again["outcome"] == "duplicate" and again["folio"] == first["folio"]
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"X-Auto-Response-Suppress": "All"},
        {"Precedence": "bulk"},
        {"List-Id": "<boletin.correo.test>"},
    ],
)
def test_an_auto_reply_is_stored_never_answered_and_opens_no_case(
    db, pipe, agent_reply, mailbox, headers
):
    case = Case.objects.get(folio=pipe(email_bytes())["folio"])
    answer = agent_reply(case)
    mail.outbox.clear()

    result = pipe(
        email_bytes(subject="Fuera de la oficina", in_reply_to=answer.external_id, headers=headers)
    )

    assert result["outcome"] == "auto_reply"
    assert result["folio"] == case.folio  # stored with the case it answers ...
    assert mail.outbox == []  # ... and never answered
    assert Case.objects.count() == 1
    assert case.messages.filter(direction=Direction.INBOUND).count() == 1


def test_an_auto_reply_from_a_stranger_opens_no_case(db, pipe, mailbox):
    result = pipe(email_bytes(subject="Respuesta automática: vacaciones"))
    assert (result["outcome"], result["folio"]) == ("auto_reply", None)
    assert not Case.objects.exists() and mail.outbox == []


def test_a_bounce_marks_the_address_and_the_outbound_message_and_opens_no_case(
    db, pipe, agent_reply, mailbox
):
    case = Case.objects.get(folio=pipe(email_bytes())["folio"])
    answer = agent_reply(case)
    mail.outbox.clear()

    result = pipe(dsn_bytes(failed="lucia@correo.test", original_message_id=answer.external_id))

    assert (result["outcome"], result["folio"]) == ("bounce", case.folio)
    answer.refresh_from_db()
    assert answer.delivery_status == DeliveryStatus.FAILED
    assert "5.1.1" in answer.status_detail
    assert Identity.objects.get(address="lucia@correo.test").is_undeliverable
    assert Case.objects.count() == 1 and mail.outbox == []


def test_a_non_standard_bounce_marks_the_address(db, pipe, mailbox):
    IdentityFactory(address="viejo@mail.viejo.test")

    result = pipe(qmail_bounce_bytes(failed="viejo@mail.viejo.test"))

    assert result["outcome"] == "bounce"
    assert Identity.objects.get(address="viejo@mail.viejo.test").is_undeliverable
    assert not Case.objects.exists()


def test_a_temporary_delivery_delay_marks_nothing(db, pipe, mailbox):
    IdentityFactory(address="lento@correo.test")
    result = pipe(
        dsn_bytes(failed="lento@correo.test", original_message_id="<x@y>", status="4.4.1")
    )
    assert result["outcome"] == "bounce"
    assert not Identity.objects.get(address="lento@correo.test").is_undeliverable


def test_mail_from_our_own_mailbox_is_rejected_to_avoid_a_loop(db, pipe, mailbox):
    result = pipe(email_bytes(sender="soporte@atiende.test"))
    assert result["outcome"] == "rejected" and "bucle" in result["reason"]


def test_a_sender_over_the_hourly_limit_is_rejected(db, pipe, mailbox, settings):
    settings.ATIENDE_INTAKE_SENDER_LIMIT_PER_HOUR = 3
    outcomes = [pipe(email_bytes(text=f"Mensaje {i}"))["outcome"] for i in range(5)]
    assert outcomes[:1] == ["new_case"] and outcomes[-1] == "rejected"
    assert outcomes.count("rejected") == 2


def test_a_message_without_a_sender_is_rejected_with_a_reason(db, pipe, mailbox):
    raw = email_bytes().replace(b"From: ", b"X-Old-From: ")
    result = pipe(raw)
    assert result["outcome"] == "rejected" and "remitente" in result["reason"]


def test_attachments_over_the_limits_are_left_out_with_a_note(db, pipe, mailbox):
    raw = email_bytes(
        attachments=[
            ("factura.pdf", b"%PDF-1.4 factura", "application/pdf"),
            ("virus.exe", b"MZ", "application/octet-stream"),
        ]
    )
    case = Case.objects.get(folio=pipe(raw)["folio"])

    assert list(case.attachments.values_list("filename", flat=True)) == ["factura.pdf"]
    assert case.attachments.get().message == case.messages.first()
    assert ".exe" in case.notes.get().body


def test_after_hours_the_case_is_registered_at_the_next_business_moment(db, mailbox, settings):
    settings.TIME_ZONE = "America/Mexico_City"
    saturday_night = datetime(2026, 11, 28, 23, 30, tzinfo=UTC)  # Sat 17:30 in Mexico City

    from atiende.channels.email.inbound import accept_email
    from atiende.intake.services import process_now

    envelope, _ = accept_email(
        email_bytes(), source="pipe", received_at=saturday_night, enqueue_processing=False
    )
    case = process_now(envelope).case

    assert case.received_at == saturday_night
    assert case.registered_at == datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # Mon 09:00 local


def test_within_business_hours_registration_is_the_arrival(db, mailbox):
    from atiende.sla.calendars import registration_moment

    tuesday_noon = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # 12:00 in Mexico City
    assert registration_moment(tuesday_noon) == tuesday_noon
    assert registration_moment(tuesday_noon + timedelta(hours=8)) > tuesday_noon
