"""Failed jobs: recorded on final failure, listed and retried by command and admin action."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from atiende.cases import services
from atiende.cases.models import DeliveryStatus
from atiende.core.actors import Actor
from atiende.jobs.services import FailedJobError, record_failed_job, retry_failed_job
from tests.factories.accounts import UserFactory
from tests.factories.cases import make_case
from tests.factories.customers import IdentityFactory


@pytest.fixture
def queued_message(db):
    case = make_case()
    IdentityFactory(customer=case.customer, address="cliente@correo.test")
    return services.add_outbound_message(case=case, actor=Actor.system("tests"), body_text="Hola")


@pytest.fixture
def failed_send(queued_message):
    return record_failed_job(
        task_name="outbound.send_message",
        task_id="abc",
        args=[queued_message.pk],
        kwargs={},
        exception=ConnectionError("smtp caído"),
    )


def test_it_records_the_exception_and_arguments(failed_send, queued_message):
    assert failed_send.exception_class == "ConnectionError"
    assert failed_send.exception_message == "smtp caído"
    assert failed_send.args == [queued_message.pk]
    assert not failed_send.is_resolved


def test_it_retries_a_failed_job_by_name_after_commit(
    failed_send, queued_message, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        retry_failed_job(job=failed_send)

    failed_send.refresh_from_db()
    assert failed_send.is_resolved and failed_send.retried_at is not None
    queued_message.refresh_from_db()
    assert queued_message.delivery_status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1


def test_it_retries_a_job_only_once(failed_send, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        retry_failed_job(job=failed_send)
    with pytest.raises(FailedJobError):
        retry_failed_job(job=failed_send)


def test_it_lists_failed_jobs_as_json(failed_send):
    out = StringIO()
    call_command("jobs", "failed", "--json", stdout=out)

    rows = json.loads(out.getvalue())
    assert [row["id"] for row in rows] == [failed_send.pk]
    assert rows[0]["task_name"] == "outbound.send_message"
    assert rows[0]["exception_message"] == "smtp caído"


def test_it_lists_failed_jobs_as_text(failed_send):
    out = StringIO()
    call_command("jobs", "failed", stdout=out)
    assert "outbound.send_message" in out.getvalue()
    assert "ConnectionError: smtp caído" in out.getvalue()


def test_it_retries_from_the_command(
    failed_send, queued_message, django_capture_on_commit_callbacks
):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("jobs", "retry", str(failed_send.pk), stdout=out)

    assert "enviado de nuevo" in out.getvalue()
    queued_message.refresh_from_db()
    assert queued_message.delivery_status == DeliveryStatus.SENT
    with pytest.raises(CommandError):
        call_command("jobs", "retry", str(failed_send.pk))
    with pytest.raises(CommandError):
        call_command("jobs", "retry", "999999")


def test_it_retries_from_the_admin(
    client, failed_send, queued_message, django_capture_on_commit_callbacks
):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:jobs_failedjob_changelist")

    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "retry", "_selected_action": [failed_send.pk]})

    assert response.status_code == 302
    failed_send.refresh_from_db()
    assert failed_send.is_resolved
    queued_message.refresh_from_db()
    assert queued_message.delivery_status == DeliveryStatus.SENT


def test_it_does_not_let_admins_add_failed_jobs(client, db):
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:jobs_failedjob_add")).status_code == 403
