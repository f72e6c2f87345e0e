"""Production mode: killing the intake worker mid-processing loses nothing.

Envelopes are committed first; a worker processing them is killed with SIGKILL (its whole process
group) half-way; after a new worker starts, and the sweep has enqueued what the broker did not give
back, every envelope has been processed exactly once: one case each, no duplicates.
"""

from __future__ import annotations

import os
import signal
import uuid

import pytest
from kombu import Connection

from atiende.cases.models import Case, Message
from atiende.celery import app
from atiende.channels.email.inbound import accept_email
from atiende.intake import services
from atiende.intake.models import EnvelopeStatus, InboundEnvelope
from tests.intake.mail import email_bytes
from tests.production.conftest import atiende, processes, production_env, wait_until
from tests.production.test_workers import (
    ON_POSTGRESQL,
    purge,
    test_database_url,  # noqa: F401 (a fixture)
)

pytestmark = [
    pytest.mark.production,
    pytest.mark.skipif(not ON_POSTGRESQL, reason="needs PostgreSQL (ATIENDE_DATABASE_URL)"),
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]

ENVELOPES = 300


def publish(broker_url: str, ids: list[int]) -> None:
    with Connection(broker_url) as conn:
        for pk in ids:
            app.send_task(services.PROCESS_TASK, args=[pk], connection=conn)


def processed() -> int:
    return InboundEnvelope.objects.exclude(status=EnvelopeStatus.RECEIVED).count()


def test_killing_the_worker_mid_processing_loses_nothing(
    broker_url,
    test_database_url,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    ids = [
        accept_email(
            email_bytes(sender=f"cliente{i}@correo.test", text=f"Solicitud {i}"),
            source="pipe",
            enqueue_processing=False,
        )[0].pk
        for i in range(ENVELOPES)
    ]
    purge(broker_url)
    run = uuid.uuid4().hex[:6]
    env = production_env(
        tmp_path / "worker",
        ATIENDE_DATABASE_URL=test_database_url,
        ATIENDE_BROKER_URL=broker_url,
        ATIENDE_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
    )

    def worker_argv(name: str) -> list[str]:
        return atiende(
            "worker", "--pool", "prefork", "--concurrency", "2",
            "--queues", "inbound,default", "--name", f"{name}-{run}@%h",
        )  # fmt: skip

    with processes(tmp_path) as start:
        first = start("first", worker_argv("first"), env)
        first.wait_for_log(" ready.")
        publish(broker_url, ids)
        wait_until(lambda: processed() >= 20, timeout=60, what="some envelopes processed")
        os.killpg(first.popen.pid, signal.SIGKILL)  # the worker and its pool, mid-processing
        first.popen.wait()
        killed_at = processed()
        assert killed_at < ENVELOPES, "the worker finished before it could be killed"

        second = start("second", worker_argv("second"), env)
        second.wait_for_log(" ready.")
        # The sweep's pass: what the broker did not give back (Redis keeps unacknowledged jobs
        # for its visibility timeout) is enqueued again; duplicates of redelivered jobs are no-ops.
        monkeypatch.setattr(services, "enqueue", lambda name, pk: publish(broker_url, [pk]))
        services.sweep_envelopes(stuck_before=services.timezone.now())
        wait_until(lambda: processed() == ENVELOPES, timeout=120, what="every envelope")
        log = second.log

    envelopes = InboundEnvelope.objects.filter(pk__in=ids)
    assert set(envelopes.values_list("outcome", flat=True)) == {"new_case"}
    assert Case.objects.count() == ENVELOPES  # one case each: nothing lost, nothing twice
    assert Message.objects.filter(direction="in").count() == ENVELOPES
    assert envelopes.values("case").distinct().count() == ENVELOPES
    assert "Traceback" not in log


def test_the_mta_pipe_command_stores_processes_and_reports_one_json_line(
    test_database_url,  # noqa: F811
    tmp_path,
):
    """The real `atiende intake email` process, as Postfix runs it: twice the same message."""
    import json
    import subprocess

    raw = email_bytes(text="Llega por el pipe del MTA")
    env = production_env(tmp_path / "pipe", ATIENDE_DATABASE_URL=test_database_url)
    argv = atiende("intake", "email", "--mailbox", "soporte@atiende.test", "--json")

    results = []
    for _ in range(2):
        done = subprocess.run(argv, input=raw, env=env, capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr.decode()
        (line,) = done.stdout.decode().splitlines()
        results.append(json.loads(line))

    first, second = results
    assert first["outcome"] == "new_case" and first["folio"].startswith("AT-")
    assert second == {**first, "outcome": "duplicate"}
    assert Case.objects.get().folio == first["folio"]
