"""Production mode: two prefork worker processes on a real broker and a real PostgreSQL.

Every outbound message's job is published twice; each message must be sent exactly once, and the
work must be shared by both worker processes.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from kombu import Connection

from atiende.cases import services
from atiende.cases.models import DeliveryStatus, Direction, Message
from atiende.celery import app
from atiende.core.actors import Actor
from tests.factories.cases import make_case
from tests.factories.customers import IdentityFactory
from tests.production.conftest import atiende, processes, production_env, wait_until

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.production,
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="needs PostgreSQL: run with ATIENDE_DATABASE_URL=postgres://user@host:5432/atiende",
    ),
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]

MESSAGES = 60
WORKERS = 2
SUCCEEDED = re.compile(r"Task outbound\.send_message\[([\w-]+)\] succeeded in [\d.]+s: '(\w+)'")


@pytest.fixture
def test_database_url(django_db_serialized_rollback, transactional_db) -> str:
    """The URL of pytest-django's test database, for the worker subprocesses.

    Committed data (transactional_db) so that other processes see it; serialized rollback so
    that the seed rows of data migrations (folio series) are back for every test.
    """
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: run with ATIENDE_DATABASE_URL=postgres://user@host:5432/atiende"
        )
    s = connection.settings_dict
    credentials = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    return f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def queued_replies(monkeypatch, count: int) -> list[Message]:
    """Outbound messages committed as queued; their jobs are published by the test itself."""
    monkeypatch.setattr(services, "enqueue_on_commit", lambda *args, **kwargs: None)
    case = make_case(message_text="¿Y mi pedido?", external_id="<pregunta@correo.test>")
    IdentityFactory(customer=case.customer, address="cliente@correo.test")
    actor = Actor.system("tests")
    return [
        services.add_outbound_message(case=case, actor=actor, body_text=f"Respuesta {i}")
        for i in range(count)
    ]


def purge(broker_url: str) -> None:
    with Connection(broker_url) as conn:
        app.control.purge(connection=conn)  # declares our queues, empties them


def publish(broker_url: str, task_name: str, ids: list[int]) -> set[str]:
    """Send one job per id; return the task ids (only those count: the broker is shared)."""
    with Connection(broker_url) as conn:
        return {app.send_task(task_name, args=[pk], connection=conn).id for pk in ids}


def test_it_sends_every_message_once_across_two_worker_processes(
    broker_url, test_database_url, tmp_path, monkeypatch
):
    messages = queued_replies(monkeypatch, MESSAGES)
    ids = [m.pk for m in messages]
    run = uuid.uuid4().hex[:6]
    purge(broker_url)

    with processes(tmp_path) as start:
        workers = []
        for n in range(WORKERS):
            env = production_env(
                tmp_path / f"worker{n}",
                ATIENDE_DATABASE_URL=test_database_url,
                ATIENDE_BROKER_URL=broker_url,
                ATIENDE_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            )
            argv = atiende(
                "worker", "--pool", "prefork", "--concurrency", "2",
                "--queues", "default,outbound", "--name", f"w{n}-{run}@%h",
            )  # fmt: skip
            workers.append(start(f"worker{n}", argv, env))
        for worker in workers:
            worker.wait_for_log(" ready.")

        task_ids = publish(broker_url, services.SEND_MESSAGE_TASK, ids + ids)  # each one twice

        def outcomes() -> list[list[str]]:
            return [
                [
                    outcome
                    for task_id, outcome in SUCCEEDED.findall(worker.log)
                    if task_id in task_ids
                ]
                for worker in workers
            ]

        wait_until(
            lambda: sum(map(len, outcomes())) >= len(task_ids),
            timeout=60,
            what="all jobs to finish",
        )
        logs = [worker.log for worker in workers]

    sent = Message.objects.filter(pk__in=ids, direction=Direction.OUTBOUND)
    assert sent.filter(delivery_status=DeliveryStatus.SENT, attempts=1).count() == MESSAGES
    per_worker = [(o.count("sent"), o.count("skipped")) for o in outcomes()]
    assert sum(s for s, _ in per_worker) == MESSAGES  # each claimed and sent once ...
    assert sum(k for _, k in per_worker) == MESSAGES  # ... and each duplicate a no-op
    assert all(s > 0 for s, _ in per_worker), f"one worker did all the work: {per_worker}"
    assert all("Traceback" not in log for log in logs)

    mail = "".join(p.read_text() for p in Path(tmp_path).glob("worker*/outbox/*.log"))
    for message_id in sent.values_list("external_id", flat=True):
        assert mail.count(f"Message-ID: {message_id}") == 1
