"""The data-subject export (CU6) holds everything kept about a customer and leaves a trace."""

from __future__ import annotations

import io
import json
import zipfile

from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from atiende.cases import services as case_services
from atiende.cases.attachments import add_attachment
from atiende.cases.services import merge_customers
from atiende.core.actors import Actor
from atiende.customers import exporting
from atiende.customers.models import CustomerEvent
from atiende.customers.services import record_consent
from tests.factories.cases import make_case
from tests.factories.customers import CustomerFactory, IdentityFactory


def test_it_holds_profile_identities_consents_cases_messages_notes_and_events(agent, team, system):
    customer = CustomerFactory(name="Lucía Torres", custom_fields={"rfc": "TOLU800101AB1"})
    IdentityFactory(customer=customer, address="lucia@correo.test")
    record_consent(
        customer=customer, channel="whatsapp", purpose="contact", is_granted=True,
        method="verbal", evidence="Llamada del 3 de marzo", actor=Actor.agent(agent),
    )  # fmt: skip
    case = make_case(customer=customer, team=team, message_text="¿Cuándo entregan?")
    case_services.add_note(case=case, body="Cliente pide llamada por la tarde", actor=system)

    data = json.loads(
        exporting.to_json(exporting.export_customer(customer=customer, actor=Actor.agent(agent)))
    )

    assert data["format"] == "atiende.customer-export/1"
    assert data["customer"]["name"] == "Lucía Torres"
    assert data["customer"]["custom_fields"] == {"rfc": "TOLU800101AB1"}
    assert data["identities"][0]["address"] == "lucia@correo.test"
    assert data["consents"][0]["evidence"] == "Llamada del 3 de marzo"
    [exported_case] = data["cases"]
    assert exported_case["folio"] == case.folio
    assert exported_case["messages"][0]["body_text"] == "¿Cuándo entregan?"
    assert exported_case["notes"][0]["body"] == "Cliente pide llamada por la tarde"
    assert {e["verb"] for e in exported_case["events"]} >= {"created", "note_added"}
    assert "consent_recorded" in {e["verb"] for e in data["customer_events"]}


def test_every_export_is_recorded_on_the_customer(agent):
    customer = CustomerFactory()
    exporting.export_customer(customer=customer, actor=Actor.agent(agent), archive="zip")
    event = CustomerEvent.objects.get(customer=customer, verb="exported")
    assert event.actor == agent and event.after == {"format": "zip", "cases": 0}


def test_profiles_merged_into_the_customer_come_along(agent, system):
    kept, duplicate = CustomerFactory(name="Ana"), CustomerFactory(name="Ana López")
    record_consent(
        customer=duplicate, channel="email", purpose="marketing", is_granted=False,
        method="written", actor=system,
    )  # fmt: skip
    make_case(customer=duplicate)
    merge_customers(source=duplicate, target=kept, actor=system)
    data = exporting.export_customer(customer=kept, actor=Actor.agent(agent))
    assert [p["name"] for p in data["merged_profiles"]] == ["Ana López"]
    assert data["consents"][0]["purpose"] == "marketing"
    assert len(data["cases"]) == 1


def test_the_zip_holds_the_json_and_the_attachment_files(agent, system):
    customer = CustomerFactory()
    case = make_case(customer=customer)
    add_attachment(
        case=case, file=ContentFile(b"%PDF-1.4 contrato", name="contrato.pdf"), actor=system
    )
    data = exporting.export_customer(customer=customer, actor=Actor.agent(agent), archive="zip")
    with zipfile.ZipFile(io.BytesIO(exporting.write_archive(data, customer).read())) as archive:
        [listed] = json.loads(archive.read("cliente.json"))["cases"][0]["attachments"]
        assert listed["filename"] == "contrato.pdf"
        assert archive.read(listed["archive_path"]) == b"%PDF-1.4 contrato"


def test_the_number_of_queries_does_not_grow_with_the_cases(agent, system):
    def queries_for(cases: int) -> int:
        customer = CustomerFactory()
        for _ in range(cases):
            case = make_case(customer=customer, message_text="Hola")
            case_services.add_note(case=case, body="Nota", actor=system)
            add_attachment(case=case, file=ContentFile(b"x", name="a.txt"), actor=system)
        with CaptureQueriesContext(connection) as context:
            data = exporting.export_customer(customer=customer, actor=Actor.agent(agent))
            exporting.write_archive(data, customer)
        assert len(data["cases"]) == cases
        return len(context.captured_queries)

    assert queries_for(1) == queries_for(4)
