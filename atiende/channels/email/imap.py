"""IMAP mailboxes: poll and IDLE (imapclient). A message is flagged \\Seen, or moved, only after
its envelope is committed; until then it stays where it was and the next pass takes it again
(the envelope's unique Message-ID makes that harmless)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from imapclient import SEEN, IMAPClient

from atiende.channels.email.inbound import accept_email
from atiende.intake.models import Mailbox

logger = logging.getLogger(__name__)

BATCH = 50


@contextmanager
def connect(mailbox: Mailbox, timeout: float = 60) -> Iterator[IMAPClient]:
    client = IMAPClient(
        mailbox.imap_host, port=mailbox.imap_port, ssl=mailbox.imap_ssl, timeout=timeout
    )
    client.normalise_times = False  # keep the server's offset: received_at is real time
    try:
        client.login(mailbox.imap_username or mailbox.address, mailbox.imap_password)
        client.select_folder(mailbox.imap_folder)
        yield client
    finally:
        try:
            client.logout()
        except Exception:
            client.shutdown()


def fetch_new(client: IMAPClient, mailbox: Mailbox) -> int:
    """Store every message not yet taken from the selected folder; return how many."""
    criteria = ["NOT", "DELETED"] if mailbox.imap_processed_folder else ["UNSEEN", "NOT", "DELETED"]
    uids = sorted(client.search(criteria))
    taken = 0
    for start in range(0, len(uids), BATCH):
        batch = uids[start : start + BATCH]
        done = []
        for uid, data in client.fetch(batch, ["BODY.PEEK[]", "INTERNALDATE"]).items():
            raw = data.get(b"BODY[]")
            if raw is None:
                continue
            accept_email(
                bytes(raw),
                source="imap",
                mailbox=mailbox.address,
                received_at=data.get(b"INTERNALDATE"),
                enforce_size=False,
            )
            done.append(uid)
        _mark_taken(client, mailbox, done)
        taken += len(done)
    return taken


def _mark_taken(client: IMAPClient, mailbox: Mailbox, uids: list[int]) -> None:
    if not uids:
        return
    if mailbox.imap_processed_folder:
        if client.has_capability("MOVE"):
            client.move(uids, mailbox.imap_processed_folder)
            return
        client.copy(uids, mailbox.imap_processed_folder)
        client.delete_messages(uids)
        client.expunge(uids) if client.has_capability("UIDPLUS") else client.expunge()
    else:
        client.add_flags(uids, [SEEN])


def poll_mailbox(mailbox: Mailbox) -> int:
    """One pass: connect, take what is new, disconnect."""
    with connect(mailbox) as client:
        return fetch_new(client, mailbox)


def watch_mailbox(mailbox: Mailbox, stop: threading.Event) -> None:
    """Take new mail as it arrives (IDLE where the server has it, else polling) until STOP.

    A lost connection is retried with a growing pause; nothing is lost meanwhile, the messages
    wait on the server.
    """
    pause = 5.0
    wait = settings.ATIENDE_IMAP_POLL_SECONDS
    while not stop.is_set():
        try:
            with connect(mailbox, timeout=wait + 30) as client:
                pause = 5.0
                idle = client.has_capability("IDLE")
                while not stop.is_set():
                    fetch_new(client, mailbox)
                    if idle:
                        client.idle()
                        client.idle_check(timeout=min(wait, 29 * 60))  # RFC 2177: < 29 min
                        client.idle_done()
                    else:
                        stop.wait(wait)
        except Exception:
            logger.exception("IMAP mailbox %s: connection lost; retrying", mailbox.address)
            stop.wait(pause)
            pause = min(pause * 2, 300)
