"""The e-mail sender: addresses, folio tag, our Message-ID, threading headers, SMTP errors."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from atiende.cases import services
from atiende.cases.models import Channel
from atiende.channels.email.sender import send_email
from atiende.core.actors import Actor
from atiende.jobs.errors import PermanentError, TransientError
from tests.factories.cases import make_case
from tests.factories.customers import IdentityFactory

CUSTOMER = Actor.customer("Cliente")
AGENT_REPLY = "Hola, su pedido AT sale hoy.\n\nSaludos"


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@correo.test": (550, b"no such user")})


class BusyBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@correo.test": (451, b"try later")})


class DownBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


class RejectingDataBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPDataError(554, b"spam detected")


@pytest.fixture
def case(db):
    case = make_case(
        summary="Estado de mi pedido",
        message_text="¿Dónde está mi pedido?",
        external_id="<pregunta-1@correo.test>",
    )
    IdentityFactory(customer=case.customer, address="cliente@correo.test")
    return case


def queued(case, **kwargs):
    kwargs.setdefault("body_text", AGENT_REPLY)
    message = services.add_outbound_message(case=case, actor=Actor.system("tests"), **kwargs)
    return services.claim_outbound_message(message.pk)


def test_it_sends_to_the_customer_from_the_desk_with_the_folio_in_the_subject(case, settings):
    message_id = send_email(queued(case))

    sent = mail.outbox[0]
    assert sent.to == ["cliente@correo.test"]
    assert sent.from_email == settings.DEFAULT_FROM_EMAIL
    assert sent.subject == f"Estado de mi pedido [{case.folio}]"
    assert sent.extra_headers["Message-ID"] == message_id
    assert message_id.startswith("<atiende.") and message_id.endswith("@atiende.local>")


def test_it_prefers_the_address_given_on_the_message(case):
    send_email(queued(case, to_address="otra@correo.test"))
    assert mail.outbox[0].to == ["otra@correo.test"]


def test_it_does_not_repeat_the_folio_tag(case):
    send_email(queued(case, subject=f"Re: pedido [{case.folio}]"))
    assert mail.outbox[0].subject == f"Re: pedido [{case.folio}]"


def test_it_threads_the_reply_under_the_customers_latest_message(case):
    services.add_inbound_message(
        case=case, actor=CUSTOMER, channel=Channel.EMAIL, body_text="¿Alguna novedad?",
        external_id="pregunta-2@correo.test",
    )  # fmt: skip
    first = queued(case)
    services.record_delivery_status(
        message=first, status="sent", actor=Actor.system("tests"), external_id=send_email(first)
    )
    mail.outbox.clear()

    send_email(queued(case))

    headers = mail.outbox[0].extra_headers
    assert headers["In-Reply-To"] == "<pregunta-2@correo.test>"
    assert headers["References"] == "<pregunta-1@correo.test> <pregunta-2@correo.test>"


def test_it_sends_no_threading_headers_without_an_inbound_email(db):
    case = make_case(channel="webform", message_text="Hola")
    IdentityFactory(customer=case.customer, address="web@correo.test")
    send_email(queued(case))
    assert "In-Reply-To" not in mail.outbox[0].extra_headers


def test_it_sends_text_and_html_parts(case):
    send_email(queued(case))

    sent = mail.outbox[0]
    assert sent.body == AGENT_REPLY
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html"
    assert html == "<p>Hola, su pedido AT sale hoy.</p>\n\n<p>Saludos</p>"


def test_it_keeps_the_same_message_id_on_a_retry(case):
    message = queued(case)
    assert send_email(message) == send_email(message)


def test_it_fails_permanently_without_an_address(db):
    case = make_case(message_text="Hola")
    with pytest.raises(PermanentError, match="no tiene una dirección de correo"):
        send_email(queued(case))


@pytest.mark.parametrize(
    ("backend", "error"),
    [
        ("RefusingBackend", PermanentError),
        ("RejectingDataBackend", PermanentError),
        ("BusyBackend", TransientError),
        ("DownBackend", TransientError),
    ],
)
def test_it_sorts_smtp_errors_into_permanent_and_transient(case, settings, backend, error):
    settings.EMAIL_BACKEND = f"tests.channels.test_email_sender.{backend}"
    with pytest.raises(error):
        send_email(queued(case))
