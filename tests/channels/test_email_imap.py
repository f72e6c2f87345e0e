"""IMAP mailboxes against a real server (dovecot): messages are taken once, and flagged or moved
only after their envelope is committed."""

from __future__ import annotations

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from imapclient import IMAPClient

from atiende.cases.models import Case
from atiende.channels.email import imap
from atiende.intake.models import InboundEnvelope, Mailbox
from tests.channels.imap_server import dovecot
from tests.intake.mail import email_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def server():
    with dovecot() as server:
        yield server


@pytest.fixture
def mailbox(server):
    return Mailbox.objects.create(
        address="soporte@atiende.test",
        name="Soporte",
        imap_host=server.host,
        imap_port=server.port,
        imap_ssl=False,
        imap_password=server.password,
        send_acknowledgement=False,
    )


def client_for(mailbox: Mailbox) -> IMAPClient:
    client = IMAPClient(mailbox.imap_host, port=mailbox.imap_port, ssl=False)
    client.login(mailbox.address, mailbox.imap_password)
    return client


def deliver(mailbox: Mailbox, *messages: bytes, folder: str = "INBOX") -> None:
    with client_for(mailbox) as client:
        for raw in messages:
            client.append(folder, raw)


def test_a_poll_takes_new_mail_once_and_flags_it_seen(mailbox):
    deliver(mailbox, email_bytes(text="Primera"), email_bytes(text="Segunda"))

    assert imap.poll_mailbox(mailbox) == 2
    assert imap.poll_mailbox(mailbox) == 0

    assert Case.objects.count() == 2
    assert set(InboundEnvelope.objects.values_list("source", "account")) == {
        ("imap", "soporte@atiende.test")
    }
    with client_for(mailbox) as client:
        client.select_folder("INBOX")
        assert client.search(["UNSEEN"]) == [] and len(client.search(["SEEN"])) == 2


def test_taken_mail_can_be_moved_to_a_folder(mailbox):
    with client_for(mailbox) as client:
        client.create_folder("Procesados")
    mailbox.imap_processed_folder = "Procesados"
    mailbox.save()
    deliver(mailbox, email_bytes())

    assert imap.poll_mailbox(mailbox) == 1

    with client_for(mailbox) as client:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
        assert client.select_folder("Procesados")[b"EXISTS"] == 1


def test_a_message_is_not_flagged_when_storing_it_fails(mailbox, monkeypatch):
    deliver(mailbox, email_bytes())

    def down(*args, **kwargs):
        raise ConnectionError("database down")

    monkeypatch.setattr(imap, "accept_email", down)
    with pytest.raises(ConnectionError):
        imap.poll_mailbox(mailbox)

    with client_for(mailbox) as client:
        client.select_folder("INBOX")
        assert len(client.search(["UNSEEN"])) == 1  # still there for the next pass
    monkeypatch.undo()
    assert imap.poll_mailbox(mailbox) == 1


def test_the_same_message_in_the_mailbox_twice_opens_one_case(mailbox):
    raw = email_bytes()
    deliver(mailbox, raw, raw)
    assert imap.poll_mailbox(mailbox) == 2
    assert InboundEnvelope.objects.count() == 1 and Case.objects.count() == 1


def test_idle_takes_mail_as_it_arrives(mailbox, settings):
    settings.ATIENDE_IMAP_POLL_SECONDS = 1  # IDLE is renewed every second: a quick stop
    stop = threading.Event()
    watcher = threading.Thread(target=imap.watch_mailbox, args=(mailbox, stop), daemon=True)
    watcher.start()
    try:
        deliver(mailbox, email_bytes(text="Llega durante IDLE"))
        from tests.production.conftest import wait_until

        wait_until(lambda: Case.objects.exists(), timeout=30, what="the IDLE watcher")
    finally:
        stop.set()
        watcher.join(timeout=30)
    assert Case.objects.filter(messages__body_text="Llega durante IDLE").exists()


def test_the_command_polls_once(mailbox):
    deliver(mailbox, email_bytes())
    out = StringIO()
    call_command("intake", "imap", "--once", stdout=out)
    assert out.getvalue().strip() == "soporte@atiende.test: 1 new"
