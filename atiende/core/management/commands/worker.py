"""`atiende worker`: a Celery worker (prefork in production, threads on the embedded broker)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from atiende.celery import QUEUES
from atiende.core import runtime


class Command(BaseCommand):
    help = "Run a Celery worker. Dedicate workers to queues with --queues (e.g. inbound,outbound)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--concurrency", type=int, default=None, help="Processes (prefork) or threads."
        )
        parser.add_argument(
            "--queues",
            default=",".join(QUEUES),
            help=f"Comma-separated queues (default: all: {','.join(QUEUES)}).",
        )
        parser.add_argument("--pool", choices=["prefork", "threads", "solo"], default=None)
        parser.add_argument(
            "--name", default=None, help="Node name, e.g. outbound1@%%h (unique per host)."
        )
        parser.add_argument(
            "--with-beat", action="store_true", help="Embed beat (only if no `atiende beat` runs)."
        )
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args: Any, **options: Any) -> None:
        queues = [q.strip() for q in options["queues"].split(",") if q.strip()]
        unknown = set(queues) - set(QUEUES)
        if unknown:
            raise CommandError(
                f"Colas desconocidas: {', '.join(sorted(unknown))}. Existen: {', '.join(QUEUES)}."
            )
        argv = runtime.worker_argv(
            concurrency=options["concurrency"],
            queues=queues,
            pool=options["pool"],
            with_beat=options["with_beat"],
            name=options["name"],
            loglevel=options["loglevel"],
        )
        _exec(argv)


def _exec(argv: list[str]) -> None:
    """Become the process (no wrapper left between the service manager and Celery's signals)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(argv[0], argv, runtime.child_env())
