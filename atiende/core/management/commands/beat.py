"""`atiende beat`: the one scheduler of a production install (schedules live in the database)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from atiende.core import runtime
from atiende.core.management.commands.worker import _exec


class Command(BaseCommand):
    help = "Run celery beat with the database scheduler. Run exactly one per installation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args: Any, loglevel: str, **options: Any) -> None:
        _exec(runtime.beat_argv(loglevel=loglevel))
