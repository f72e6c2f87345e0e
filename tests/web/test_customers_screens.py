"""The customer screens: search, profile with the 360 log, the panel of the case page, merge,
consent, the data-subject export and the import with its progress and rejected-rows report."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from atiende.accounts.models import Role
from atiende.core.actors import Actor
from atiende.customers.models import Consent, Customer, CustomerEvent, ImportJob
from atiende.customers.services import record_consent
from tests.factories.accounts import UserFactory
from tests.factories.cases import make_case
from tests.factories.customers import CustomerFactory, IdentityFactory


@pytest.fixture
def lucia(db):
    customer = CustomerFactory(name="Lucía Torres", custom_fields={"rfc": "TOLU800101AB1"})
    IdentityFactory(customer=customer, address="lucia@correo.test")
    IdentityFactory(customer=customer, kind="phone", address="+525512345678")
    return customer


def page(client, name, *args, **params) -> str:
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- Search -----------------------------------------------------------------------------------


def test_the_customer_list_needs_a_login(client, db):
    assert client.get(reverse("web:customers")).status_code == 302


@pytest.mark.parametrize(
    "q", ["lucía", "LUCIA@correo.test", "55 1234 5678", "+52 55 1234 5678", "TOLU800101"]
)
def test_customers_are_found_by_name_email_phone_or_document(client, agent, lucia, q):
    CustomerFactory(name="Otro Cliente")
    client.force_login(agent)
    html = page(client, "web:customers", q=q)
    assert "Lucía Torres" in html and "Otro Cliente" not in html
    assert "data-row" in html


def test_merged_profiles_are_not_listed(client, agent, lucia, system):
    CustomerFactory(name="Lucía duplicada", merged_into=lucia)
    client.force_login(agent)
    assert "Lucía duplicada" not in page(client, "web:customers", q="Lucía")


def test_the_list_query_count_does_not_grow_with_customers(
    client, agent, django_assert_max_num_queries
):
    for n in range(30):
        IdentityFactory(customer=CustomerFactory(), address=f"c{n}@correo.test")
    client.force_login(agent)
    with django_assert_max_num_queries(8):
        client.get(reverse("web:customers"))


# --- Profile and 360 log ----------------------------------------------------------------------


def test_the_profile_shows_identities_consents_and_the_360_log(client, agent, team, lucia):
    record_consent(
        customer=lucia, channel="whatsapp", purpose="contact", is_granted=True,
        method="verbal", evidence="Llamada del lunes", actor=Actor.agent(agent),
    )  # fmt: skip
    record_consent(
        customer=lucia, channel="whatsapp", purpose="contact", is_granted=False,
        method="message", actor=Actor.agent(agent),
    )  # fmt: skip
    case = make_case(
        customer=lucia, team=team, channel="whatsapp", message_text="Hola, ¿y mi pedido?"
    )
    client.force_login(agent)
    html = page(client, "web:customer", lucia.pk)
    assert "lucia@correo.test" in html and "+525512345678" in html
    assert "retirado" in html and "Llamada del lunes" in html  # in force + full history
    assert case.folio in html and "Hola, ¿y mi pedido?" in html  # cases and messages
    assert "Consentimiento registrado" in html  # the customer's own events


def test_the_360_log_hides_cases_of_teams_the_agent_does_not_see(
    client, agent, team, other_team, lucia
):
    mine, theirs = make_case(customer=lucia, team=team), make_case(customer=lucia, team=other_team)
    client.force_login(agent)
    html = page(client, "web:customer", lucia.pk)
    assert mine.folio in html and theirs.folio not in html
    assert "1 caso de otros equipos no se muestra." in html


def test_the_panel_fragment_is_live_for_the_case_it_sits_on(client, agent, team, lucia):
    current, other = make_case(customer=lucia, team=team), make_case(customer=lucia, team=team)
    client.force_login(agent)
    html = page(client, "web:customer_panel", lucia.pk, case=current.folio)
    assert 'id="customer-panel"' in html and f'data-live-case="{current.folio}"' in html
    assert other.folio in html and f">{current.folio}<" not in html  # "other cases" only


def test_the_panel_template_needs_only_the_customer(agent, team, other_team, lucia):
    visible, hidden = (
        make_case(customer=lucia, team=team),
        make_case(customer=lucia, team=other_team),
    )
    request = RequestFactory().get("/")
    request.user = agent
    html = render_to_string("web/customers/_panel.html", {"customer": lucia}, request=request)
    assert "lucia@correo.test" in html and "TOLU800101AB1" in html
    assert visible.folio in html and hidden.folio not in html  # scoped to the viewer


# --- Merge ------------------------------------------------------------------------------------


def test_an_agent_may_not_merge_customers(client, agent, lucia):
    client.force_login(agent)
    response = client.get(reverse("web:customer_merge", args=[lucia.pk]))
    assert response.status_code == 403
    assert "Solo supervisores y gerentes pueden fusionar clientes." in response.content.decode()


def test_a_supervisor_finds_the_duplicate_confirms_and_merges(client, supervisor, lucia, system):
    duplicate = CustomerFactory(name="Lucia T.")
    IdentityFactory(customer=duplicate, address="lucia.t@trabajo.test")
    case = make_case(customer=duplicate)
    record_consent(
        customer=duplicate, channel="email", purpose="contact", is_granted=True,
        method="written", actor=system,
    )  # fmt: skip
    client.force_login(supervisor)
    assert "Lucia T." in page(client, "web:customer_merge", lucia.pk, q="trabajo.test")

    confirmation = page(client, "web:customer_merge", lucia.pk, duplicate=duplicate.pk)
    assert "1 caso pasa al cliente que se conserva." in confirmation
    assert "lucia.t@trabajo.test" in confirmation
    assert "1 consentimiento queda en el historial" in confirmation

    response = client.post(
        reverse("web:customer_merge", args=[lucia.pk]), {"duplicate": duplicate.pk}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    duplicate.refresh_from_db()
    assert case.customer == lucia and duplicate.merged_into == lucia
    assert lucia.identities.filter(address="lucia.t@trabajo.test").exists()


def test_a_profile_already_merged_cannot_be_picked_again(client, supervisor, lucia):
    gone = CustomerFactory(name="Ya fusionado", merged_into=CustomerFactory())
    client.force_login(supervisor)
    response = client.post(reverse("web:customer_merge", args=[lucia.pk]), {"duplicate": gone.pk})
    assert response.status_code == 404


# --- Consent ----------------------------------------------------------------------------------


def test_recording_a_consent_keeps_who_how_and_the_evidence(client, agent, lucia):
    client.force_login(agent)
    response = client.post(
        reverse("web:customer_consent", args=[lucia.pk]),
        {
            "purpose": "contact", "channel": "whatsapp", "is_granted": "granted",
            "method": "verbal", "evidence": "Aceptó por teléfono el 3 de marzo",
        },
    )  # fmt: skip
    assert response.status_code == 302
    consent = Consent.objects.get(customer=lucia)
    assert consent.is_granted and consent.recorded_by == agent and "3 de marzo" in consent.evidence
    assert CustomerEvent.objects.filter(customer=lucia, verb="consent_recorded").exists()


def test_an_incomplete_consent_form_is_refused(client, agent, lucia):
    client.force_login(agent)
    response = client.post(reverse("web:customer_consent", args=[lucia.pk]), {"purpose": "contact"})
    assert response.status_code == 400 and not Consent.objects.exists()
    assert "Elija canal, propósito" in response.content.decode()


# --- Export (CU6) -----------------------------------------------------------------------------


def test_the_export_downloads_everything_and_is_recorded(client, agent, team, lucia):
    case = make_case(customer=lucia, team=team, message_text="Mi departamento tiene humedad")
    client.force_login(agent)
    assert "Descargar JSON" in page(client, "web:customer_export", lucia.pk)
    response = client.post(reverse("web:customer_export", args=[lucia.pk]), {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["customer"]["name"] == "Lucía Torres"
    assert data["cases"][0]["folio"] == case.folio
    assert data["cases"][0]["messages"][0]["body_text"] == "Mi departamento tiene humedad"
    assert CustomerEvent.objects.get(customer=lucia, verb="exported").actor == agent


def test_the_zip_export_downloads(client, manager, lucia):
    client.force_login(manager)
    response = client.post(reverse("web:customer_export", args=[lucia.pk]), {"format": "zip"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert b"cliente.json" in b"".join(response.streaming_content)


def test_an_agent_who_cannot_see_every_case_cannot_export(client, agent, other_team, lucia):
    make_case(customer=lucia, team=other_team)
    client.force_login(agent)
    response = client.post(reverse("web:customer_export", args=[lucia.pk]), {"format": "json"})
    assert response.status_code == 403
    assert "pida la exportación a un gerente" in response.content.decode()
    assert not CustomerEvent.objects.filter(verb="exported").exists()


def test_a_manager_exports_a_customer_of_any_team(client, manager, other_team, lucia):
    make_case(customer=lucia, team=other_team)
    client.force_login(manager)
    response = client.post(reverse("web:customer_export", args=[lucia.pk]), {"format": "json"})
    assert response.status_code == 200


# --- Import (CU7) -----------------------------------------------------------------------------

CSV = "Nombre,Correo,Teléfono\nLucía,lucia@correo.test,5512345678\nMario,malo,\n"


def upload(client, name="clientes.csv", content=CSV):
    file = SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content)
    return client.post(reverse("web:customer_import"), {"file": file})


def test_agents_do_not_import(client, agent):
    client.force_login(agent)
    assert client.get(reverse("web:customer_import")).status_code == 403


def test_an_upload_asks_for_the_columns_then_imports_and_reports(
    client, supervisor, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)
    response = upload(client)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"{job.uuid}/")

    mapping_page = page(client, "web:customer_import_job", job.uuid)
    assert '<option value="email" selected>' in mapping_page
    assert "El archivo tiene 2 filas de datos." in mapping_page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("web:customer_import_job", args=[job.uuid]),
            {"column_0": "name", "column_1": "email", "column_2": "phone"},
        )
    job.refresh_from_db()
    assert (job.status, job.created, job.rejected) == ("done", 1, 1)
    assert Customer.objects.filter(name="Lucía").exists()

    progress = page(client, "web:customer_import_status", job.uuid)
    assert '<progress id="import-bar" max="2" value="2">' in progress
    assert "every 1s" not in progress  # finished: no more polling

    report = client.get(reverse("web:customer_import_rejected", args=[job.uuid]))
    assert report["Content-Type"].startswith("text/csv")
    assert "Correo electrónico no válido: malo" in report.content.decode()


def test_the_progress_fragment_polls_every_second_while_running(client, supervisor):
    client.force_login(supervisor)
    upload(client)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status="running", processed=1)
    html = page(client, "web:customer_import_status", job.uuid)
    assert 'hx-trigger="every 1s"' in html and 'value="1"' in html


def test_a_bad_mapping_is_explained_and_nothing_runs(client, supervisor):
    client.force_login(supervisor)
    upload(client)
    job = ImportJob.objects.get()
    response = client.post(
        reverse("web:customer_import_job", args=[job.uuid]),
        {"column_0": "name", "column_1": "ignore", "column_2": "ignore"},
    )
    assert response.status_code == 400
    assert "al menos una columna de correo" in response.content.decode()
    assert ImportJob.objects.get().status == "mapping"


def test_a_forbidden_type_is_refused_with_the_reason(client, supervisor):
    client.force_login(supervisor)
    response = upload(client, name="clientes.xls", content=b"\xd0\xcf\x11\xe0")
    assert response.status_code == 400
    assert "Solo se aceptan archivos CSV o Excel (.xlsx)" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_malformed_file_shows_its_error_and_is_kept(client, supervisor):
    client.force_login(supervisor)
    upload(client, name="clientes.xlsx", content=b"no soy un excel")
    job = ImportJob.objects.get()
    html = page(client, "web:customer_import_job", job.uuid)
    assert "No se pudo abrir el Excel" in html and "se conserva tal como se subió" in html
    with job.file.open("rb") as kept:
        assert kept.read() == b"no soy un excel"


def test_a_supervisor_does_not_see_another_supervisors_import(client, supervisor, team):
    client.force_login(supervisor)
    upload(client)
    job = ImportJob.objects.get()
    other = UserFactory(username="otro", role=Role.SUPERVISOR, teams=[team])
    client.force_login(other)
    assert client.get(reverse("web:customer_import_status", args=[job.uuid])).status_code == 404


def test_the_case_page_carries_the_360_panel(client, agent, team, lucia):
    current, other = make_case(customer=lucia, team=team), make_case(customer=lucia, team=team)
    client.force_login(agent)
    html = page(client, "web:case", current.folio)
    assert 'id="customer-panel"' in html and f'data-live-case="{current.folio}"' in html
    assert other.folio in html and "lucia@correo.test" in html


def test_the_profile_query_count_does_not_grow_with_cases(
    client, agent, team, lucia, django_assert_max_num_queries
):
    for _ in range(20):
        make_case(customer=lucia, team=team, message_text="Hola")
    client.force_login(agent)
    with django_assert_max_num_queries(16):
        client.get(reverse("web:customer", args=[lucia.pk]))


def test_a_merged_profile_takes_no_consent_and_sends_to_the_profile_in_force(client, agent, lucia):
    gone = CustomerFactory(name="Lucía duplicada", merged_into=lucia)
    client.force_login(agent)
    assert 'name="is_granted"' not in page(client, "web:customer", gone.pk)
    assert 'name="is_granted"' in page(client, "web:customer", lucia.pk)
    response = client.post(
        reverse("web:customer_consent", args=[gone.pk]),
        {"purpose": "contact", "channel": "email", "is_granted": "granted", "method": "verbal"},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("web:customer", args=[lucia.pk]), 302)]
    assert not Consent.objects.exists()
    assert "registre el consentimiento en el perfil vigente" in response.content.decode()


def test_the_customer_pager_keeps_the_search(client, agent):
    for n in range(26):
        CustomerFactory(name=f"Cliente Sol {n:02}")
    client.force_login(agent)
    html = page(client, "web:customers", q="sol")
    assert 'aria-label="Páginas"' in html and 'href="?q=sol&amp;page=2"' in html
    assert 'rel="prev"' not in html
