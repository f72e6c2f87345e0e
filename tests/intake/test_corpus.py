"""The hostile corpus: every message ends as a case, a rejection with a reason or a dead letter.

Never an unhandled exception, never a message lost: each is stored as an envelope first.
"""

from __future__ import annotations

import pytest

from atiende.channels.email.pipe import deliver_from_pipe
from atiende.intake.models import EnvelopeStatus, InboundEnvelope
from tests.data.mail.corpus import corpus, rfc_examples

SMALL = list(corpus(big=False)) + list(rfc_examples())
ACCOUNTED = {"new_case", "appended", "duplicate", "bounce", "auto_reply", "rejected", "dead_letter"}


@pytest.mark.parametrize(("name", "raw"), SMALL, ids=[name for name, _ in SMALL])
def test_every_message_is_accounted_for(db, name, raw, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = deliver_from_pipe(raw, mailbox="soporte@atiende.test")

    assert result["outcome"] in ACCOUNTED, result
    if result["outcome"] == "rejected":
        assert result["reason"]
    envelope = InboundEnvelope.objects.get(uuid=result["envelope"])
    assert envelope.status != EnvelopeStatus.RECEIVED
    assert envelope.read_raw() == raw
    if result["outcome"] == "new_case":
        assert envelope.case.messages.filter(direction="in").exists()


def test_the_big_and_bombed_messages_are_accounted_for(db, django_capture_on_commit_callbacks):
    """A 50 MB attachment makes a message over ATIENDE_INTAKE_MAX_MESSAGE_MB: refused at the
    door with the reason (the MTA returns it to its sender). 30 MB: over the attachment limit, the
    case notes it. Zip bombs are stored as they are: the desk never expands an archive."""
    big = [(name, raw) for name, raw in corpus(big=True) if name not in dict(SMALL)]
    names = {"attachment-30mb", "attachment-50mb", "zip-bomb", "nested-zip-bomb"}
    assert {name for name, _ in big} == names
    for name, raw in big:
        with django_capture_on_commit_callbacks(execute=True):
            result = deliver_from_pipe(raw, mailbox="soporte@atiende.test")
        if name == "attachment-50mb":
            assert result["outcome"] == "rejected" and "MB" in result["reason"]
            continue
        assert result["outcome"] == "new_case", (name, result)
        envelope = InboundEnvelope.objects.get(uuid=result["envelope"])
        assert envelope.read_raw() == raw
        case = envelope.case
        if name == "attachment-30mb":
            assert envelope.raw is None and envelope.raw_file  # big payloads live in storage
            assert not case.attachments.exists()
            assert "planos.dwg" in case.notes.get().body
        else:
            assert case.attachments.get().size < 2 * 1024 * 1024
