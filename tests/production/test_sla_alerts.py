"""Production mode: service-level alerts fire exactly once with two worker processes scanning at
the same time on a real broker and PostgreSQL, and again exactly once after the workers are
replaced (a restart): the claims live in the database, not in a worker's memory."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from atiende.accounts.models import Role
from atiende.cases import services
from atiende.cases.models import Event, Verb
from atiende.core.actors import Actor
from atiende.notifications.models import EmailState, Notification
from atiende.sla.alerts import SCAN_TASK
from atiende.sla.models import Alert, AlertKind, Clock, TargetKind
from tests.factories.accounts import TeamFactory, UserFactory
from tests.factories.cases import make_case
from tests.production.conftest import atiende, processes, production_env, wait_until
from tests.production.test_workers import (  # noqa: F401 (test_database_url is a fixture)
    purge,
    test_database_url,
)

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.production,
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="needs PostgreSQL: run with ATIENDE_DATABASE_URL=postgres://user@host:5432/atiende",
    ),
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]

CASES = 20
SCANS = 12


def desk() -> list:
    """CASES e-mail cases of one team, each assigned; their clocks started (eager dispatch)."""
    lead = UserFactory(username="lider", role=Role.AGENT)
    team = TeamFactory(slug="centro", name="Centro", lead=lead)
    agent = UserFactory(username="ana", role=Role.AGENT, teams=[team])
    UserFactory(username="sofia", role=Role.SUPERVISOR, teams=[team])
    lead.teams.add(team)
    cases = []
    for n in range(CASES):
        case = make_case(channel="email", team=team, message_text=f"Consulta {n}")
        services.assign_case(case=case, actor=Actor.system("tests"), assignee=agent)
        cases.append(case)
    assert Clock.objects.filter(kind=TargetKind.FIRST_RESPONSE).count() == CASES
    return cases


def make_due(cases, kind: str) -> None:
    """Move the first-response clocks of CASES so that a warning (or a breach) is due now."""
    now = timezone.now()
    clocks = Clock.objects.filter(case__in=cases, kind=TargetKind.FIRST_RESPONSE)
    if kind == AlertKind.WARNING:
        clocks.update(warn_at=now - timedelta(minutes=1), due_at=now + timedelta(hours=1))
    else:
        clocks.update(due_at=now - timedelta(minutes=1))


def start_workers(start, tmp_path, broker_url, database_url, names, run):
    workers = []
    for name in names:
        env = production_env(
            tmp_path / name,
            ATIENDE_DATABASE_URL=database_url,
            ATIENDE_BROKER_URL=broker_url,
            ATIENDE_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        )
        argv = atiende(
            "worker", "--pool", "prefork", "--concurrency", "2",
            "--queues", "sla,default,outbound", "--name", f"{name}-{run}@%h",
        )  # fmt: skip
        workers.append(start(name, argv, env))
    for worker in workers:
        worker.wait_for_log(" ready.")
    return workers


def settled(expected_alerts: int) -> bool:
    alerts = Alert.objects.all()
    return (
        alerts.count() >= expected_alerts
        and not alerts.filter(processed_at__isnull=True).exists()
        and not Notification.objects.filter(
            email_state__in=[EmailState.QUEUED, EmailState.SENDING]
        ).exists()
    )


def test_each_alert_fires_once_with_two_workers_and_after_a_restart(
    broker_url,
    test_database_url,  # noqa: F811
    tmp_path,
):
    cases = desk()
    make_due(cases[: CASES // 2], AlertKind.BREACH)
    make_due(cases[CASES // 2 :], AlertKind.WARNING)
    run = uuid.uuid4().hex[:6]
    purge(broker_url)

    with processes(tmp_path) as start:
        workers = start_workers(start, tmp_path, broker_url, test_database_url, ["w0", "w1"], run)
        for _ in range(SCANS):  # several scans at once, on both workers
            publish_scan(broker_url)
        wait_until(lambda: settled(CASES), timeout=90, what="the first alerts to be handled")
        for worker in workers:
            worker.stop()  # the restart: these workers are gone, new ones come
        logs = [w.log for w in workers]

        make_due(cases[CASES // 2 :], AlertKind.BREACH)  # the warned ones are now overdue
        workers = start_workers(start, tmp_path, broker_url, test_database_url, ["w2", "w3"], run)
        for _ in range(SCANS):
            publish_scan(broker_url)
        wait_until(lambda: settled(CASES + CASES // 2), timeout=90, what="the breaches after")
        logs += [w.log for w in workers]

    assert Alert.objects.filter(kind=AlertKind.BREACH).count() == CASES
    assert Alert.objects.filter(kind=AlertKind.WARNING).count() == CASES // 2
    assert Event.objects.filter(verb=Verb.SLA_BREACHED).count() == CASES
    assert Event.objects.filter(verb=Verb.SLA_WARNING).count() == CASES // 2
    # Breach: assignee, team lead, supervisor; warning: assignee and team lead. Each once.
    assert Notification.objects.filter(kind="sla_breach").count() == 3 * CASES
    assert Notification.objects.filter(kind="sla_warning").count() == 2 * (CASES // 2)
    assert all("Traceback" not in log for log in logs)
    scans = sum(len(re.findall(r"Task sla\.scan\[[\w-]+\] succeeded", log)) for log in logs)
    assert scans == 2 * SCANS

    mail = "".join(p.read_text() for p in Path(tmp_path).glob("w*/outbox/*.log"))
    assert mail.count("Subject: ") == Notification.objects.count()


def publish_scan(broker_url: str) -> None:
    from kombu import Connection

    from atiende.celery import app

    with Connection(broker_url) as conn:
        app.send_task(SCAN_TASK, connection=conn)
