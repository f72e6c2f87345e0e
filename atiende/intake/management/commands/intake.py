"""atiende intake …: the intake pipeline from the command line.

atiende intake email [--mailbox ADDR] [--json] < message.eml   the MTA pipe (one JSON line)
atiende intake imap [--mailbox ADDR] [--once]                  IMAP poll + IDLE
atiende intake dead-letters [--json]                            list dead letters
atiende intake reprocess UUID… | --all-dead-letters             back into the pipeline
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from atiende.intake import services
from atiende.intake.models import InboundEnvelope, Mailbox

#: sysexits.h: the MTA keeps the message and tries again later.
EX_TEMPFAIL = 75
#: sysexits.h: the MTA returns the message to its sender with our reason (too large).
EX_DATAERR = 65


class Command(BaseCommand):
    help = "Inbound pipeline: MTA pipe, IMAP polling, dead letters and reprocessing."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        email = sub.add_parser("email", help="read one message from standard input (MTA pipe)")
        email.add_argument("--mailbox", default="", help="the mailbox it was delivered to")
        email.add_argument("--json", action="store_true", help="(default) one JSON line")
        imap = sub.add_parser("imap", help="take mail from the IMAP mailboxes")
        imap.add_argument("--mailbox", default="", help="only this mailbox")
        imap.add_argument("--once", action="store_true", help="one pass, then exit")
        dead = sub.add_parser("dead-letters", help="list envelopes that could not be processed")
        dead.add_argument("--json", action="store_true")
        again = sub.add_parser("reprocess", help="process envelopes again after a fix")
        again.add_argument("envelopes", nargs="*", help="envelope UUIDs")
        again.add_argument("--all-dead-letters", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "handle_" + options["action"].replace("-", "_"))(options)

    def handle_email(self, options: dict[str, Any]) -> None:
        from atiende.channels.email.pipe import deliver_from_pipe

        raw = sys.stdin.buffer.read()
        try:
            result = deliver_from_pipe(raw, mailbox=options["mailbox"])
        except Exception as exc:
            # Not stored: the MTA must keep the message and retry (sysexits EX_TEMPFAIL).
            self.stderr.write(f"temporary failure, not stored: {type(exc).__name__}: {exc}")
            sys.exit(EX_TEMPFAIL)
        self.stdout.write(json.dumps(result, ensure_ascii=False))
        if result["envelope"] is None:  # refused before storing: the sender must be told
            self.stderr.write(result["reason"])
            sys.exit(EX_DATAERR)

    def handle_imap(self, options: dict[str, Any]) -> None:
        from atiende.channels.email.imap import poll_mailbox

        if options["once"]:
            mailboxes = self._imap_mailboxes(options["mailbox"])
            if not mailboxes:
                raise CommandError("No active mailbox with an IMAP server is configured.")
            for mailbox in mailboxes:
                self.stdout.write(f"{mailbox.address}: {poll_mailbox(mailbox)} new")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write("watching the IMAP mailboxes")
        self.stdout.flush()
        self._watch(options["mailbox"], stop)

    def _imap_mailboxes(self, address: str) -> list[Mailbox]:
        mailboxes = Mailbox.objects.filter(is_active=True).exclude(imap_host="")
        if address:
            mailboxes = mailboxes.filter(address__iexact=address)
        return list(mailboxes)

    def _watch(self, address: str, stop: threading.Event) -> None:
        """One thread per mailbox; mailboxes added in the admin are picked up at the next check
        (``ATIENDE_IMAP_POLL_SECONDS``), so `atiende serve --with-mail` can start this at once."""
        from django.conf import settings

        from atiende.channels.email.imap import watch_mailbox

        threads: dict[str, threading.Thread] = {}
        while not stop.is_set():
            for mailbox in self._imap_mailboxes(address):
                if mailbox.address not in threads or not threads[mailbox.address].is_alive():
                    thread = threading.Thread(
                        target=watch_mailbox,
                        args=(mailbox, stop),
                        name=mailbox.address,
                        daemon=True,
                    )
                    thread.start()
                    threads[mailbox.address] = thread
                    self.stdout.write(f"watching {mailbox.address}")
                    self.stdout.flush()
            stop.wait(settings.ATIENDE_IMAP_POLL_SECONDS)
        for thread in threads.values():
            thread.join(timeout=10)

    def handle_dead_letters(self, options: dict[str, Any]) -> None:
        rows = [
            {
                "envelope": str(e.uuid),
                "channel": e.channel,
                "account": e.account,
                "sender": e.sender,
                "received_at": e.received_at.isoformat(),
                "attempts": e.attempts,
                "reason": e.reason,
                "error": e.error.partition("\n")[0],
            }
            for e in services.dead_letters()
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for row in rows:
            self.stdout.write(
                f"{row['envelope']}  {row['received_at']}  {row['channel']:<8} "
                f"{row['sender'] or '-'}  {row['error'] or row['reason']}"
            )
        self.stdout.write(f"{len(rows)} dead letter(s)")

    def handle_reprocess(self, options: dict[str, Any]) -> None:
        if options["all_dead_letters"]:
            envelopes = list(services.dead_letters())
        elif options["envelopes"]:
            envelopes = list(InboundEnvelope.objects.filter(uuid__in=options["envelopes"]))
            if len(envelopes) != len(set(options["envelopes"])):
                raise CommandError("Some of those envelopes do not exist.")
        else:
            raise CommandError("Name envelope UUIDs or pass --all-dead-letters.")
        count = sum(services.reprocess_envelope(envelope=e) for e in envelopes)
        self.stdout.write(f"{count} envelope(s) sent back to the pipeline")
