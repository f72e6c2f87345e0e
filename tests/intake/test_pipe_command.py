"""`atiende intake email < message.eml`: one JSON line per message."""

from __future__ import annotations

import io
import json
import sys
from io import StringIO

import pytest
from django.core.management import call_command

from atiende.intake.models import InboundEnvelope
from tests.intake.mail import email_bytes


def run_pipe(monkeypatch, raw: bytes, *args: str, exit_status: int = 0) -> dict:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = StringIO()
    try:
        call_command("intake", "email", "--json", *args, stdout=out, stderr=StringIO())
    except SystemExit as exc:
        assert exc.code == exit_status
    else:
        assert exit_status == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def test_it_prints_one_json_line_with_the_outcome_and_folio(db, monkeypatch, mailbox):
    result = run_pipe(monkeypatch, email_bytes(), "--mailbox", "soporte@atiende.test")

    assert result["outcome"] == "new_case"
    assert result["folio"].startswith("AT-")
    envelope = InboundEnvelope.objects.get(uuid=result["envelope"])
    assert (envelope.account, envelope.source) == ("soporte@atiende.test", "pipe")


def test_a_second_delivery_reports_a_duplicate(db, monkeypatch, mailbox):
    raw = email_bytes()
    first = run_pipe(monkeypatch, raw)
    again = run_pipe(monkeypatch, raw)
    assert again == {**first, "outcome": "duplicate"}


def test_a_message_over_the_size_limit_is_returned_to_the_mta(db, monkeypatch, settings):
    settings.ATIENDE_INTAKE_MAX_MESSAGE_BYTES = 1000
    result = run_pipe(monkeypatch, email_bytes(text="x" * 5000), exit_status=65)
    assert result["outcome"] == "rejected" and "MB" in result["reason"]
    assert not InboundEnvelope.objects.exists()


def test_the_mailbox_is_found_from_the_delivery_headers(db, monkeypatch, mailbox):
    raw = b"Delivered-To: soporte@atiende.test\r\n" + email_bytes(to="alias@otro.test")
    result = run_pipe(monkeypatch, raw)
    assert InboundEnvelope.objects.get(uuid=result["envelope"]).account == "soporte@atiende.test"


@pytest.mark.parametrize("missing", [b"", b"\x00\x01garbage"])
def test_junk_on_stdin_is_rejected_not_lost(db, monkeypatch, missing):
    result = run_pipe(monkeypatch, missing)
    assert result["outcome"] == "rejected"
    assert InboundEnvelope.objects.get(uuid=result["envelope"]).read_raw() == missing
