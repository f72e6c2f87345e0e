"""atiende smtpd [--host H] [--port P] [--lmtp]: the e-mail intake's SMTP (or LMTP) listener."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from atiende.channels.email.smtpd import IntakeController


class Command(BaseCommand):
    help = "Receive e-mail over SMTP or LMTP into the intake pipeline."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=settings.ATIENDE_SMTPD_HOST)
        parser.add_argument("--port", type=int, default=settings.ATIENDE_SMTPD_PORT)
        parser.add_argument("--lmtp", action="store_true", help="speak LMTP instead of SMTP")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        controller = IntakeController(
            host=options["host"], port=options["port"], lmtp=options["lmtp"]
        )
        controller.start()
        protocol = "LMTP" if options["lmtp"] else "SMTP"
        self.stdout.write(f"{protocol} listener ready on {options['host']}:{options['port']}")
        self.stdout.flush()
        stop.wait()
        controller.stop()
