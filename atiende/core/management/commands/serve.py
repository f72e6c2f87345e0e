"""`atiende serve`: HTTP (gunicorn), WebSockets (uvicorn) and, embedded, a worker with beat."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from atiende.core import runtime


class Command(BaseCommand):
    help = "Run Atiende: web server, WebSocket server and (embedded default) a worker with beat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000).")
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to bind (default 127.0.0.1)."
        )
        parser.add_argument(
            "--with-worker",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="Also run a Celery worker with beat (default: only on the filesystem:// broker).",
        )
        parser.add_argument(
            "--with-mail",
            action="store_true",
            help="Also receive e-mail: `atiende smtpd` and `atiende intake imap` (docs/channels).",
        )

    def handle(
        self, *args: Any, port: int, host: str, with_worker: bool | None, **options: Any
    ) -> None:
        embedded = runtime.broker_is_embedded()
        with_worker = embedded if with_worker is None else with_worker
        asgi_port = settings.ATIENDE_ASGI_PORT or port + 1
        env = runtime.child_env()
        children = [
            runtime.Child(
                "web",
                runtime.gunicorn_argv(
                    host=host,
                    port=port,
                    workers=settings.ATIENDE_WEB_WORKERS,
                    threads=settings.ATIENDE_WEB_THREADS,
                ),
                env,
            ),
            runtime.Child("websockets", runtime.uvicorn_argv(host=host, port=asgi_port), env),
        ]
        if with_worker:
            children.append(runtime.Child("worker", runtime.worker_argv(with_beat=True), env))
        if options.get("with_mail"):
            cli = [sys.executable, "-m", "atiende.cli"]
            children.append(runtime.Child("smtpd", [*cli, "smtpd"], env))
            children.append(runtime.Child("imap", [*cli, "intake", "imap"], env))
        self._warn_pending_migrations()
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        self.stdout.write(
            f"Atiende: http://{shown}:{port}/  (WebSockets en ws://{shown}:{asgi_port}/)"
        )
        if with_worker:
            self.stdout.write(
                f"Trabajos: un worker con beat en {settings.CELERY_BROKER_URL.split('@')[-1]}"
            )
        self.stdout.flush()
        code = runtime.Supervisor(children, log=lambda text: self.stderr.write(text)).run()
        if code:
            raise CommandError(
                "Un proceso terminó inesperadamente; se detuvieron todos.", returncode=code
            )

    def _warn_pending_migrations(self) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        finally:
            connections.close_all()  # the children open their own
        if pending:
            self.stderr.write(
                f"Aviso: hay {len(pending)} migraciones sin aplicar; ejecute `atiende migrate`."
            )
