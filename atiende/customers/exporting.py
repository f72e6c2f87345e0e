"""The data-subject export (CU6): everything held about one customer, as JSON or a ZIP.

The document holds the profile, identities, the whole consent history, the customer's event
trail, and every case with its messages, notes, events and attachments (metadata in the JSON,
the files themselves in the ZIP). Profiles merged into the customer come along, because their
consents and events still belong to the same person.

``customers`` sits below ``cases``: the cases are read through the reverse relations that
``cases`` declares (``customer.cases``, ``case.messages``…), so this module imports nothing of
that app. Who may export is decided at the edge (the console checks that the user sees every
case of the customer); every export leaves an ``exported`` event on the customer.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from atiende.core.actors import Actor
from atiende.customers.models import Consent, Customer, CustomerEvent

FORMAT = "atiende.customer-export/1"
JSON_NAME = "cliente.json"


def _user(user: Any) -> str | None:
    return str(user) if user is not None else None


def _profile(customer: Customer) -> dict[str, Any]:
    return {
        "uuid": customer.uuid,
        "name": customer.name,
        "company": customer.company,
        "language": customer.language,
        "timezone": customer.timezone,
        "segment": customer.segment,
        "tags": customer.tags,
        "custom_fields": customer.custom_fields,
        "owner": _user(customer.owner),
        "lead_status": customer.lead_status,
        "is_anonymised": customer.is_anonymised,
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
    }


def _consent(consent: Consent) -> dict[str, Any]:
    return {
        "customer": consent.customer.uuid,
        "channel": consent.channel,
        "purpose": consent.purpose,
        "is_granted": consent.is_granted,
        "method": consent.method,
        "evidence": consent.evidence,
        "recorded_by": _user(consent.recorded_by),
        "recorded_at": consent.recorded_at,
    }


def _event(event: Any) -> dict[str, Any]:
    return {
        "verb": event.verb,
        "actor": event.actor_name,
        "actor_kind": event.actor_kind,
        "before": event.before,
        "after": event.after,
        "at": event.at,
    }


def _attachment(attachment: Any) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "created_at": attachment.created_at,
        "archive_path": _archive_path(attachment),
    }


def _archive_path(attachment: Any) -> str:
    return f"adjuntos/{attachment.case.folio}/{attachment.pk}-{attachment.filename}"


def _case(case: Any) -> dict[str, Any]:
    return {
        "folio": case.folio,
        "uuid": case.uuid,
        "case_type": case.case_type,
        "category": str(case.category) if case.category else None,
        "priority": case.priority,
        "channel": case.channel,
        "status": case.status,
        "team": str(case.team) if case.team else None,
        "assignee": _user(case.assignee),
        "summary": case.summary,
        "solution": case.solution,
        "custom_fields": case.custom_fields,
        "received_at": case.received_at,
        "registered_at": case.registered_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "closure_reason": case.closure_reason,
        "messages": [
            {
                "uuid": m.uuid,
                "direction": m.direction,
                "channel": m.channel,
                "from": m.from_address,
                "to": m.to_address,
                "subject": m.subject,
                "body_text": m.body_text,
                "body_html": m.body_html,
                "delivery_status": m.delivery_status,
                "author": _user(m.author),
                "created_at": m.created_at,
            }
            for m in case.messages.all()
        ],
        "notes": [
            {"author": _user(n.author), "body": n.body, "created_at": n.created_at}
            for n in case.notes.all()
        ],
        "events": [_event(e) for e in case.events.all()],
        "attachments": [_attachment(a) for a in _attachments(case)],
    }


def _attachments(case: Any) -> list[Any]:
    """CASE's attachments in upload order, from its prefetched ``attachments``."""
    return sorted(case.attachments.all(), key=lambda attachment: attachment.pk)


@transaction.atomic
def export_customer(*, customer: Customer, actor: Actor, archive: str = "json") -> dict[str, Any]:
    """Everything held about CUSTOMER, as plain data; records an ``exported`` event."""
    customer = Customer.objects.select_related("owner").get(pk=customer.pk)
    merged = list(customer.merged_customers.all())
    people = [customer, *merged]
    # One query per relation, not per case; messages, notes and events keep their models'
    # ordering (oldest first), and a prefetched attachment already knows its case.
    cases = list(
        customer.cases.select_related("category", "team", "assignee")
        .prefetch_related("messages__author", "notes__author", "events", "attachments")
        .order_by("registered_at", "pk")
    )
    data = {
        "format": FORMAT,
        "generated_at": timezone.now(),
        "generated_by": actor.name,
        "customer": _profile(customer),
        "merged_profiles": [_profile(c) for c in merged],
        "identities": [
            {
                "kind": i.kind,
                "address": i.address,
                "is_verified": i.is_verified,
                "is_undeliverable": i.is_undeliverable,
                "created_at": i.created_at,
            }
            for i in customer.identities.order_by("created_at", "pk")
        ],
        "consents": [
            _consent(c)
            for c in Consent.objects.filter(customer__in=people)
            .select_related("customer", "recorded_by")
            .order_by("recorded_at", "pk")
        ],
        "customer_events": [
            _event(e)
            for e in CustomerEvent.objects.filter(customer__in=people).order_by("at", "pk")
        ],
        "cases": [_case(case) for case in cases],
    }
    CustomerEvent.objects.create(
        customer=customer,
        verb=CustomerEvent.Verb.EXPORTED,
        after={"format": archive, "cases": len(cases)},
        **actor.event_fields(),
    )
    return data


def to_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def write_archive(data: dict[str, Any], customer: Customer) -> IO[bytes]:
    """A ZIP of the JSON and the attachment files (spooled to disk past 10 MB), rewound.

    A file missing from storage is replaced by a short text saying so, not silently dropped.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)
    with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_NAME, to_json(data))
        for case in customer.cases.prefetch_related("attachments").order_by("pk"):
            for attachment in _attachments(case):
                path = _archive_path(attachment)
                try:
                    with attachment.file.open("rb") as source, archive.open(path, "w") as target:
                        for chunk in iter(lambda: source.read(1024 * 1024), b""):  # noqa: B023
                            target.write(chunk)
                except OSError:
                    archive.writestr(f"{path}.no-disponible.txt", "missing from storage\n")
    spool.seek(0)
    return spool
