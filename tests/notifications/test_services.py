"""Notifications: a row per person, their e-mail sent once by a job, lost jobs swept up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from atiende.notifications import services
from atiende.notifications.models import EmailState, Notification
from tests.factories.accounts import UserFactory
from tests.factories.cases import make_case

pytestmark = pytest.mark.django_db


def test_each_person_is_told_once_and_mailed_after_commit(
    agent, supervisor, django_capture_on_commit_callbacks
):
    silent = UserFactory(username="sin-correo", email="")
    case = make_case(message_text="Hola")
    with django_capture_on_commit_callbacks(execute=True):
        rows = services.notify(
            [agent, supervisor, agent, silent], kind="sla_breach", title="Vencido", case=case
        )
    assert len(rows) == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@atiende.test", "sofia@atiende.test"]
    assert case.folio in mail.outbox[0].body
    states = dict(Notification.objects.values_list("user__username", "email_state"))
    assert states == {"ana": EmailState.SENT, "sofia": EmailState.SENT, "sin-correo": "none"}


def test_a_redelivered_e_mail_job_sends_nothing_twice(agent, monkeypatch):
    monkeypatch.setattr(services, "enqueue_on_commit", lambda *args, **kwargs: None)
    [row] = services.notify([agent], kind="sla_warning", title="Por vencer")
    assert services.send_notification_emails([row.pk]) == 1
    assert services.send_notification_emails([row.pk]) == 0
    assert len(mail.outbox) == 1


def test_the_sweep_sends_what_a_lost_job_left_queued(
    agent, monkeypatch, django_capture_on_commit_callbacks
):
    with monkeypatch.context() as patched:
        patched.setattr(services, "enqueue_on_commit", lambda *args, **kwargs: None)
        [row] = services.notify([agent], kind="sla_warning", title="Por vencer")
    later = timezone.now() + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_notification_emails(stuck_before=later) == 1
    row.refresh_from_db()
    assert row.email_state == EmailState.SENT and len(mail.outbox) == 1


def test_reading_clears_the_unread_count(agent):
    services.notify([agent], kind="sla_warning", title="Uno")
    services.notify([agent], kind="sla_warning", title="Dos")
    assert services.unread_count(agent) == 2
    services.mark_read(agent)
    assert services.unread_count(agent) == 0
