"""Customers: every active desk user sees them; changes go through the customer services."""

import pytest

from atiende.cases.models import Case
from atiende.customers.models import Consent, Customer, CustomerEvent, Identity
from tests.factories.accounts import UserFactory
from tests.factories.api import api_client
from tests.factories.cases import make_case
from tests.factories.customers import CustomerFactory, IdentityFactory

pytestmark = pytest.mark.django_db


def uuids(response):
    assert response.status_code == 200, response.json()
    return [row["uuid"] for row in response.json()["results"]]


def test_it_shows_every_customer_to_any_active_user(api, manager_api, other_team):
    customer = CustomerFactory()
    outsider = api_client(UserFactory(teams=[other_team]))

    for client in (api, manager_api, outsider):
        assert uuids(client.get("/api/v1/customers/")) == [str(customer.uuid)]


def test_it_leaves_merged_customers_out_of_the_list(api, system):
    from atiende.cases.services import merge_customers

    source, target = CustomerFactory(), CustomerFactory()
    merge_customers(source=source, target=target, actor=system)

    assert uuids(api.get("/api/v1/customers/")) == [str(target.uuid)]


def test_it_searches_by_name_company_or_address(api):
    juana = CustomerFactory(name="Juana Pérez")
    acme = CustomerFactory(company="ACME Industrial")
    pedro = CustomerFactory(name="Pedro")
    IdentityFactory(customer=pedro, address="pedro@correo.test")

    assert uuids(api.get("/api/v1/customers/?q=juana")) == [str(juana.uuid)]
    assert uuids(api.get("/api/v1/customers/?q=acme")) == [str(acme.uuid)]
    assert uuids(api.get("/api/v1/customers/?q=pedro@correo")) == [str(pedro.uuid)]


def test_it_filters_by_segment_and_tag(api):
    vip = CustomerFactory(segment="vip", tags=["mayoreo", "norte"])
    CustomerFactory(tags=["norte"])

    assert uuids(api.get("/api/v1/customers/?segment=vip")) == [str(vip.uuid)]
    assert uuids(api.get("/api/v1/customers/?tag=mayoreo")) == [str(vip.uuid)]
    assert api.get("/api/v1/customers/?segment=oro").json()["code"] == "invalid"


def test_it_creates_a_customer_with_identities(api, agent):
    body = {
        "name": "Juana Pérez",
        "company": "ACME",
        "segment": "corporate",
        "language": "es",
        "timezone": "America/Monterrey",
        "tags": ["norte"],
        "custom_fields": {"rfc": "XAXX010101000"},
        "identities": {"email": "Juana@Example.com", "phone": "55 1234 5678"},
    }

    response = api.post("/api/v1/customers/", body, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["segment"] == "corporate" and data["custom_fields"] == {"rfc": "XAXX010101000"}
    assert sorted(i["address"] for i in data["identities"]) == [
        "+525512345678",
        "juana@example.com",
    ]
    assert CustomerEvent.objects.get().actor == agent


def test_it_returns_the_existing_customer_when_an_address_is_known(api):
    known = IdentityFactory(address="juana@example.com").customer

    response = api.post(
        "/api/v1/customers/", {"identities": {"email": "juana@example.com"}}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["uuid"] == str(known.uuid)
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "Sin identidades"}, "identities"),
        ({"identities": {}}, None),
        ({"identities": {"email": "no-es-correo"}}, "identities"),
        ({"identities": {"email": "a@b.mx"}, "timezone": "Marte/Olimpo"}, "timezone"),
        ({"identities": {"email": "a@b.mx"}, "segment": "oro"}, "segment"),
        ({"identities": {"email": "a@b.mx"}, "language": "español"}, "language"),
    ],
)
def test_it_refuses_a_bad_customer_and_writes_nothing(api, body, field):
    response = api.post("/api/v1/customers/", body, format="json")

    assert response.status_code == 400
    if field:
        assert field in response.json()["details"]
    assert not Customer.objects.exists()


def test_it_shows_a_customer(api):
    identity = IdentityFactory()

    data = api.get(f"/api/v1/customers/{identity.customer.uuid}/").json()

    assert data["identities"][0]["address"] == identity.address
    assert data["identities"][0]["kind_display"] == "Correo electrónico"


def test_it_answers_404_for_an_unknown_customer(api):
    assert api.get("/api/v1/customers/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert api.get("/api/v1/customers/not-a-uuid/").json()["code"] == "not_found"


def test_it_changes_a_customer_with_an_event(api, supervisor):
    customer = CustomerFactory(name="Juana")

    response = api.patch(
        f"/api/v1/customers/{customer.uuid}/",
        {"segment": "vip", "owner": "sofia", "tags": ["vip"]},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["owner"] == "sofia" and response.json()["segment"] == "vip"
    event = CustomerEvent.objects.get(customer=customer, verb="updated")
    assert event.after == {"segment": "vip", "owner": supervisor.pk, "tags": ["vip"]}


@pytest.mark.parametrize(
    "body, code",
    [
        ({"uuid": "x"}, "unknown_field"),
        ({"owner": "nadie"}, "invalid"),
        ({"lead_status": "caliente"}, "invalid"),
        ({"tags": [{}]}, "invalid"),
    ],
)
def test_it_refuses_a_bad_change(api, body, code):
    customer = CustomerFactory()

    response = api.patch(f"/api/v1/customers/{customer.uuid}/", body, format="json")

    assert response.status_code == 400 and response.json()["code"] == code
    assert not CustomerEvent.objects.exists()


def test_it_adds_and_lists_identities(api):
    customer = CustomerFactory()

    response = api.post(
        f"/api/v1/customers/{customer.uuid}/identities/",
        {"kind": "whatsapp", "address": "+52 1 55 1234 5678"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["address"] == "5215512345678"
    listed = api.get(f"/api/v1/customers/{customer.uuid}/identities/").json()
    assert [i["kind"] for i in listed] == ["whatsapp"]
    assert CustomerEvent.objects.filter(customer=customer, verb="identity_added").count() == 1


def test_it_refuses_an_identity_that_belongs_to_someone_else_with_409(api):
    IdentityFactory(address="juana@example.com")
    customer = CustomerFactory()

    response = api.post(
        f"/api/v1/customers/{customer.uuid}/identities/",
        {"kind": "email", "address": "JUANA@example.com"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "identity_taken"
    assert not customer.identities.exists()
    assert not CustomerEvent.objects.filter(customer=customer).exists()


def test_it_refuses_an_invalid_address(api):
    customer = CustomerFactory()

    response = api.post(
        f"/api/v1/customers/{customer.uuid}/identities/",
        {"kind": "phone", "address": "123"},
        format="json",
    )

    assert response.status_code == 400 and "address" in response.json()["details"]
    assert not Identity.objects.exists()


def test_it_records_and_lists_consents(api, agent):
    customer = CustomerFactory()
    url = f"/api/v1/customers/{customer.uuid}/consents/"

    api.post(
        url,
        {"channel": "whatsapp", "purpose": "contact", "is_granted": True, "method": "message"},
        format="json",
    )
    response = api.post(
        url,
        {
            "channel": "whatsapp",
            "purpose": "contact",
            "is_granted": False,
            "method": "verbal",
            "evidence": "Llamada 12:30",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["recorded_by"] == "ana"
    listed = api.get(url).json()
    assert [c["is_granted"] for c in listed] == [False, True]
    assert Consent.objects.count() == 2
    assert CustomerEvent.objects.filter(verb="consent_recorded").count() == 2


def test_it_refuses_an_incomplete_consent(api):
    customer = CustomerFactory()

    response = api.post(
        f"/api/v1/customers/{customer.uuid}/consents/", {"channel": "email"}, format="json"
    )

    assert response.status_code == 400 and set(response.json()["details"]) == {
        "purpose",
        "is_granted",
        "method",
    }
    assert not Consent.objects.exists()


def test_it_merges_a_customer_into_another_and_moves_its_cases(api, team):
    source, target = CustomerFactory(name="Juana"), CustomerFactory(name="")
    case = make_case(customer=source, team=team)

    response = api.post(
        f"/api/v1/customers/{source.uuid}/merge/", {"into": str(target.uuid)}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["uuid"] == str(target.uuid) and response.json()["name"] == "Juana"
    source.refresh_from_db()
    assert source.merged_into == target
    assert Case.objects.get(pk=case.pk).customer == target
    assert case.events.filter(verb="customer_changed").exists()


@pytest.mark.parametrize("into", ["self", "missing", "not-a-uuid"])
def test_it_refuses_a_bad_merge(api, into):
    customer = CustomerFactory()
    target = {"self": str(customer.uuid), "missing": "00000000-0000-0000-0000-000000000000"}.get(
        into, into
    )

    response = api.post(
        f"/api/v1/customers/{customer.uuid}/merge/", {"into": target}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == {"self": "customer_error", "missing": "no_such_object"}.get(
        into, "invalid"
    )
    customer.refresh_from_db()
    assert customer.merged_into is None and not CustomerEvent.objects.exists()
