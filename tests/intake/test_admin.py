"""The dead-letter view in the admin: listed with their error, reprocessed by an action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from atiende.channels.email.inbound import accept_email
from atiende.intake import pipeline, services
from atiende.intake.models import EnvelopeStatus, Outcome
from tests.factories.accounts import UserFactory
from tests.intake.mail import email_bytes


@pytest.fixture
def dead_letter(db, settings, monkeypatch):
    settings.ATIENDE_INTAKE_MAX_ATTEMPTS = 1

    def broken(*args, **kwargs):
        raise RuntimeError("threading bug")

    monkeypatch.setattr(pipeline, "find_case", broken)
    envelope, _ = accept_email(email_bytes(), source="pipe", enqueue_processing=False)
    services.process_envelope(envelope.pk)
    monkeypatch.undo()
    envelope.refresh_from_db()
    assert envelope.status == EnvelopeStatus.DEAD_LETTER
    return envelope


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_dead_letters_are_listed_with_their_error(admin_client, dead_letter):
    url = reverse("admin:intake_inboundenvelope_changelist") + "?status__exact=dead_letter"
    page = admin_client.get(url).content.decode()
    assert "lucia@correo.test" in page and "threading bug" in page


def test_the_reprocess_action_puts_them_back_in_the_pipeline(
    admin_client, dead_letter, django_capture_on_commit_callbacks
):
    url = reverse("admin:intake_inboundenvelope_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"action": "reprocess", "_selected_action": [dead_letter.pk]})
    dead_letter.refresh_from_db()
    assert dead_letter.outcome == Outcome.NEW_CASE


def test_the_minute_sweep_includes_the_envelopes(db):
    from atiende.jobs.sweeps import SWEEPS

    assert "atiende.intake.services:sweep_envelopes" in {sweep.path for sweep in SWEEPS}
