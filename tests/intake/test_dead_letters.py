"""Failures retry with back-off, then dead-letter; reprocessing after a fix; the sweep."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from atiende.channels.email.inbound import accept_email
from atiende.intake import pipeline, services
from atiende.intake.models import EnvelopeStatus, InboundEnvelope, Outcome
from atiende.intake.services import EnvelopeRetry
from tests.intake.mail import email_bytes


@pytest.fixture
def broken_threading(monkeypatch):
    """A bug in the pipeline: every envelope fails until the fixture's ``fix()`` is called."""

    original = pipeline.find_case

    def broken(*args, **kwargs):
        raise RuntimeError("threading bug")

    monkeypatch.setattr(pipeline, "find_case", broken)
    return lambda: monkeypatch.setattr(pipeline, "find_case", original)


def stored(raw: bytes | None = None) -> InboundEnvelope:
    envelope, created = accept_email(raw or email_bytes(), source="pipe", enqueue_processing=False)
    assert created
    return envelope


def test_a_failure_keeps_the_envelope_for_a_retry(db, broken_threading):
    envelope = stored()

    with pytest.raises(EnvelopeRetry):
        services.process_envelope(envelope.pk)

    envelope.refresh_from_db()
    assert (envelope.status, envelope.attempts) == (EnvelopeStatus.RECEIVED, 1)
    assert "threading bug" in envelope.error


def test_after_the_last_attempt_it_is_a_dead_letter(db, broken_threading, settings):
    settings.ATIENDE_INTAKE_MAX_ATTEMPTS = 3
    envelope = stored()
    for _ in range(2):
        with pytest.raises(EnvelopeRetry):
            services.process_envelope(envelope.pk)

    services.process_envelope(envelope.pk)

    envelope.refresh_from_db()
    assert (envelope.status, envelope.outcome) == (EnvelopeStatus.DEAD_LETTER, Outcome.DEAD_LETTER)
    assert "3" in envelope.reason and "threading bug" in envelope.reason
    assert list(services.dead_letters()) == [envelope]


def test_the_job_retries_then_dead_letters(db, broken_threading, settings, celery_retries):
    from atiende.intake.tasks import process_envelope_task

    settings.ATIENDE_INTAKE_MAX_ATTEMPTS = 2
    envelope = stored()

    process_envelope_task.apply(args=[envelope.pk])

    envelope.refresh_from_db()
    assert (envelope.status, envelope.attempts) == (EnvelopeStatus.DEAD_LETTER, 2)


def test_an_envelope_that_keeps_killing_its_worker_ends_as_a_dead_letter(db, settings):
    settings.ATIENDE_INTAKE_MAX_ATTEMPTS = 2
    envelope = stored()
    InboundEnvelope.objects.filter(pk=envelope.pk).update(attempts=2)  # two workers died on it

    services.process_envelope(envelope.pk)

    envelope.refresh_from_db()
    assert envelope.status == EnvelopeStatus.DEAD_LETTER


def test_reprocessing_after_a_fix_opens_the_case(
    db, broken_threading, settings, django_capture_on_commit_callbacks
):
    settings.ATIENDE_INTAKE_MAX_ATTEMPTS = 1
    envelope = stored()
    services.process_envelope(envelope.pk)
    broken_threading()  # the fix is deployed

    with django_capture_on_commit_callbacks(execute=True):
        assert services.reprocess_envelope(envelope=envelope)

    envelope.refresh_from_db()
    assert (envelope.status, envelope.outcome) == (EnvelopeStatus.PROCESSED, Outcome.NEW_CASE)
    assert envelope.case is not None
    assert not services.reprocess_envelope(envelope=envelope)  # processed: nothing to do


def test_the_commands_list_and_reprocess_dead_letters(
    db, broken_threading, settings, django_capture_on_commit_callbacks
):
    settings.ATIENDE_INTAKE_MAX_ATTEMPTS = 1
    envelope = stored()
    services.process_envelope(envelope.pk)

    out = StringIO()
    call_command("intake", "dead-letters", "--json", stdout=out)
    (row,) = json.loads(out.getvalue())
    assert (row["envelope"], row["sender"]) == (str(envelope.uuid), "lucia@correo.test")
    assert "threading bug" in row["error"]

    broken_threading()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("intake", "reprocess", str(envelope.uuid), stdout=StringIO())
    envelope.refresh_from_db()
    assert envelope.outcome == Outcome.NEW_CASE


def test_the_sweep_enqueues_envelopes_whose_job_was_lost(db):
    envelope = stored()
    InboundEnvelope.objects.filter(pk=envelope.pk).update(
        status_changed_at=timezone.now() - timedelta(minutes=30)
    )

    enqueued = services.sweep_envelopes(stuck_before=timezone.now() - timedelta(minutes=10))

    envelope.refresh_from_db()
    assert enqueued == 1
    assert (envelope.status, envelope.outcome) == (EnvelopeStatus.PROCESSED, Outcome.NEW_CASE)


def test_the_sweep_leaves_recent_envelopes_alone(db):
    stored()
    assert services.sweep_envelopes(stuck_before=timezone.now() - timedelta(minutes=10)) == 0


def test_processing_twice_processes_once(db):
    envelope = stored()
    first = services.process_envelope(envelope.pk)
    assert first is not None and first.outcome == Outcome.NEW_CASE
    assert services.process_envelope(envelope.pk) is None


def test_the_envelope_is_committed_before_anything_else(db):
    from django.db import transaction

    with transaction.atomic(), pytest.raises(RuntimeError, match="outside atomic"):
        stored()
