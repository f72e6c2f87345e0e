"""Health endpoints for load balancers and orchestrators.

``/healthz`` (liveness): the process answers; touches nothing else, so a database outage never
gets healthy web processes restarted. ``/readyz`` (readiness): database reachable, migrations
applied, broker reachable; 503 with the failing check named when any is not.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

#: Seconds a readiness probe may wait for the broker.
BROKER_TIMEOUT = 2.0

_migrations_applied = False  # once true it stays true for this process's code


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {name: _run(check) for name, check in READINESS_CHECKS.items()}
    is_ready = all(result["ok"] for result in checks.values())
    return JsonResponse(
        {"status": "ready" if is_ready else "not_ready", "checks": checks},
        status=200 if is_ready else 503,
    )


def _run(check: Callable[[], None]) -> dict:
    started = time.monotonic()
    try:
        check()
    except Exception as exc:
        result: dict = {"ok": False, "error": type(exc).__name__}
        if settings.DEBUG:
            result["detail"] = str(exc)[:500]
    else:
        result = {"ok": True}
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


class PendingMigrations(Exception):
    pass


def check_migrations() -> None:
    global _migrations_applied
    if _migrations_applied:
        return
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise PendingMigrations(f"{len(plan)} migrations not applied")
    _migrations_applied = True


class BrokerUnreachable(Exception):
    pass


def check_broker() -> None:
    from atiende.celery import app

    url = app.conf.broker_url or ""
    if url.startswith("filesystem://"):
        options = app.conf.broker_transport_options or {}
        for key in ("data_folder_in", "data_folder_out"):
            folder = Path(options.get(key, "."))
            if not (folder.is_dir() and _writable(folder)):
                raise BrokerUnreachable(f"{folder} is not a writable folder")
        return
    with app.connection_for_write(connect_timeout=BROKER_TIMEOUT) as conn:
        conn.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT
        )


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


READINESS_CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "migrations": check_migrations,
    "broker": check_broker,
}
