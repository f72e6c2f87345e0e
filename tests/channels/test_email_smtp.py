"""E-mail both ways over real SMTP: our listener (aiosmtpd) in, Django's SMTP backend out.

The whole conversation: a customer writes, gets the acknowledgement with the folio, an agent
answers, the customer replies to that answer, and the reply lands on the same case.
"""

from __future__ import annotations

import smtplib
import socket

import pytest

from atiende.cases import services as cases
from atiende.cases.models import Case, DeliveryStatus, Direction
from atiende.channels.email.smtpd import IntakeController
from atiende.core.actors import Actor
from atiende.intake.models import InboundEnvelope, Mailbox
from tests.channels.smtp import capture_server, free_port
from tests.intake.mail import email_bytes

# Committed data (another thread serves SMTP); serialized rollback brings back the folio series.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def customers_server(settings):
    """Where our replies go: Django's real SMTP backend, delivering to a capturing server."""
    with capture_server() as (capture, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = False
        yield capture


@pytest.fixture
def listener(settings):
    port = free_port()
    controller = IntakeController(host="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


@pytest.fixture
def mailbox(db):
    return Mailbox.objects.create(address="soporte@atiende.test", name="Soporte Atiende")


def send(port: int, raw: bytes, to: str = "soporte@atiende.test") -> None:
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.sendmail("lucia@correo.test", [to], raw)


def test_a_conversation_by_email_stays_on_one_case(listener, customers_server, mailbox):
    send(listener, email_bytes(subject="Mi pedido no llega", text="Pedido 123, ¿dónde está?"))

    case = Case.objects.get()
    (acknowledgement,) = customers_server.parsed()
    assert case.folio in acknowledgement["Subject"]
    assert acknowledgement["From"] == "Soporte Atiende <soporte@atiende.test>"
    assert acknowledgement["Auto-Submitted"] == "auto-replied"

    agent = Actor.system("ana")
    answer = cases.add_outbound_message(case=case, actor=agent, body_text="Sale hoy.")
    answer.refresh_from_db()
    assert answer.delivery_status == DeliveryStatus.SENT
    sent = customers_server.parsed()[-1]
    assert sent["Message-ID"] == answer.external_id
    assert sent.get_body(("plain",)).get_content().strip() == "Sale hoy."
    assert sent.get_body(("html",)) is not None
    assert (
        sent["In-Reply-To"] == case.messages.filter(direction=Direction.INBOUND).get().external_id
    )

    reply = email_bytes(
        subject=f"Re: {sent['Subject']}",
        text="¡Llegó! Gracias.\n\n> Sale hoy.",
        in_reply_to=sent["Message-ID"],
        references=f"{sent['References']} {sent['Message-ID']}",
    )
    send(listener, reply)

    assert Case.objects.count() == 1
    latest = case.messages.filter(direction=Direction.INBOUND).last()
    assert latest.body_text == "¡Llegó! Gracias."


def test_the_same_message_sent_twice_is_stored_once(listener, customers_server, mailbox):
    raw = email_bytes()
    send(listener, raw)
    send(listener, raw)
    assert InboundEnvelope.objects.count() == 1
    assert Case.objects.count() == 1
    assert len(customers_server.messages) == 1  # one acknowledgement


def test_unknown_recipients_are_refused(listener, mailbox):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(listener, email_bytes(), to="nadie@atiende.test")
    assert refused.value.recipients["nadie@atiende.test"][0] == 550
    assert not InboundEnvelope.objects.exists()


def test_a_message_over_the_size_limit_gets_552(listener, mailbox, settings):
    settings.ATIENDE_INTAKE_MAX_MESSAGE_BYTES = 2000
    with pytest.raises(smtplib.SMTPException) as refused:
        send(listener, email_bytes(text="x" * 10_000))
    assert "552" in str(refused.value) or getattr(refused.value, "smtp_code", 0) == 552
    assert not InboundEnvelope.objects.exists()


def test_lmtp_answers_once_per_recipient(mailbox):
    Mailbox.objects.create(address="ventas@atiende.test")
    port = free_port()
    controller = IntakeController(host="127.0.0.1", port=port, lmtp=True)
    controller.start()
    try:
        # smtplib's LMTP client reads a single reply to DATA, so speak RFC 2033 by hand.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            reader = sock.makefile("rb")
            reader.readline()  # greeting
            commands = [
                b"LHLO prueba",
                b"MAIL FROM:<lucia@correo.test>",
                b"RCPT TO:<soporte@atiende.test>",
                b"RCPT TO:<ventas@atiende.test>",
                b"DATA",
            ]
            for command in commands:
                sock.sendall(command + b"\r\n")
                while reader.readline()[3:4] == b"-":  # multi-line replies
                    continue
            sock.sendall(email_bytes() + b"\r\n.\r\n")
            replies = [reader.readline()[:3] for _ in range(2)]
    finally:
        controller.stop()
    assert replies == [b"250", b"250"]
    assert set(InboundEnvelope.objects.values_list("account", flat=True)) == {
        "soporte@atiende.test",
        "ventas@atiende.test",
    }
    assert Case.objects.count() == 1  # the second mailbox's copy is a duplicate
