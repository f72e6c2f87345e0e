"""Cases: open (with the customer found or created), list, read and change; scoped by team."""

import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from atiende.cases import services
from atiende.cases.models import Case, Event, Message
from atiende.core.actors import Actor
from atiende.customers.models import Customer, Identity
from tests.factories.accounts import UserFactory
from tests.factories.cases import make_case
from tests.factories.customers import CustomerFactory

pytestmark = pytest.mark.django_db

#: Measured (SQLite and PostgreSQL): 20 for a known customer, 26 for a new one with two
#: addresses, counting the SAVEPOINT/RELEASE statements of the services' nested transactions.
CREATE_QUERY_BUDGET = 28
#: Token, the caller's teams, the team slug, the page.
LIST_QUERY_BUDGET = 5


def open_case(client, **overrides):
    body = {
        "customer": {"email": "juana@example.com", "name": "Juana Pérez"},
        "channel": "email",
        "message": "Mi pedido no ha llegado.\nEs el 4411.",
    }
    return client.post("/api/v1/cases/", {**body, **overrides}, format="json")


def nothing_written():
    return not (Case.objects.exists() or Customer.objects.exists() or Event.objects.exists())


# --- opening cases -----------------------------------------------------------------------------


def test_it_opens_a_case_and_creates_its_customer_from_the_email(api, team):
    response = open_case(
        api, team=team.slug, tags=["Entrega"], category="pedido-entrega", case_type="order"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    case = Case.objects.get(folio=body["folio"])
    assert body["summary"] == "Mi pedido no ha llegado."
    assert (
        body["team"] == team.slug
        and body["category"] == "pedido-entrega"
        and body["tags"] == ["entrega"]
    )
    assert body["customer"]["name"] == "Juana Pérez"
    assert case.customer.identities.get().address == "juana@example.com"
    assert list(case.events.values_list("verb", flat=True)) == ["created", "message_received"]
    assert case.events.first().actor_kind == "api"


def test_it_files_the_first_message_from_the_customers_address(api):
    body = open_case(api, customer={"email": "Juana@Example.com"}).json()

    message = Message.objects.get(case__folio=body["folio"])
    assert message.from_address == "juana@example.com"
    assert message.body_text.startswith("Mi pedido")


def test_it_reuses_the_customer_found_by_phone(api):
    first = open_case(
        api, customer={"phone": "55 1234 5678", "name": "Juana"}, channel="phone"
    ).json()
    second = open_case(api, customer={"phone": "+52 55 1234 5678"}, channel="phone").json()

    assert first["customer"]["uuid"] == second["customer"]["uuid"]
    assert Customer.objects.count() == 1
    assert Identity.objects.get().address == "+525512345678"


def test_it_adds_new_addresses_to_the_customer_it_finds(api):
    open_case(api, customer={"email": "juana@example.com"})
    open_case(
        api,
        customer={"email": "juana@example.com", "whatsapp": "5215512345678"},
        channel="whatsapp",
    )

    customer = Customer.objects.get()
    assert sorted(customer.identities.values_list("kind", flat=True)) == ["email", "whatsapp"]


def test_it_opens_a_case_for_a_known_customer_by_uuid(api):
    customer = CustomerFactory()

    response = open_case(api, customer={"uuid": str(customer.uuid)})

    assert response.status_code == 201
    assert response.json()["customer"]["uuid"] == str(customer.uuid)


def test_it_opens_the_case_for_the_surviving_profile_of_a_merged_customer(api, system):
    source, target = CustomerFactory(), CustomerFactory()
    services.merge_customers(source=source, target=target, actor=system)

    response = open_case(api, customer={"uuid": str(source.uuid)})

    assert response.json()["customer"]["uuid"] == str(target.uuid)


def test_it_refuses_an_unknown_customer_uuid(api):
    response = open_case(api, customer={"uuid": "6f1c1c1e-5d5e-4a44-9f55-000000000000"})

    assert response.status_code == 400
    assert response.json()["code"] == "no_such_object"
    assert nothing_written()


def test_it_keeps_the_received_time_given(api):
    received = (timezone.now() - timedelta(days=2)).replace(microsecond=0)

    body = open_case(api, received_at=received.isoformat()).json()

    assert Case.objects.get(folio=body["folio"]).received_at == received


def test_it_refuses_to_open_a_case_for_another_team(api, other_team):
    response = open_case(api, team=other_team.slug)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert nothing_written()


def test_it_lets_a_desk_wide_role_open_cases_for_any_team(manager_api, other_team):
    assert open_case(manager_api, team=other_team.slug).status_code == 201


def test_it_lets_an_agent_open_a_case_without_team(api):
    assert open_case(api).status_code == 201


def test_it_refuses_unknown_fields_and_writes_nothing(api):
    response = open_case(api, customer={"email": "a@b.mx", "fax": "1"}, asignee="ana")

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_field"
    assert set(response.json()["details"]) == {"customer", "asignee"}
    assert nothing_written()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"channel": 5}, "channel"),
        ({"channel": "fax"}, "channel"),
        ({"priority": "max"}, "priority"),
        ({"tags": "entrega"}, "tags"),
        ({"custom_fields": [1, 2]}, "custom_fields"),
        ({"received_at": "ayer"}, "received_at"),
        ({"received_at": "9999-12-31T23:59:59-12:00"}, "received_at"),
        ({"category": "no-existe"}, "category"),
        ({"team": "no-existe"}, "team"),
        ({"summary": "x" * 256}, "summary"),
        ({"customer": "juana@example.com"}, "customer"),
        ({"customer": {}}, "customer"),
        ({"customer": {"email": "no es correo"}}, "customer"),
        ({"customer": {"phone": "12"}}, "customer"),
        ({"customer": {"uuid": "no-uuid"}}, "customer"),
    ],
)
def test_it_refuses_wrong_input_and_writes_nothing(api, team, overrides, field):
    response = open_case(api, **overrides)

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid"
    assert field in response.json()["details"]
    assert nothing_written()


def test_it_refuses_a_case_with_neither_summary_nor_message(api):
    response = open_case(api, message="", summary="")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_case"
    assert nothing_written()


def test_it_refuses_a_category_of_another_case_type(api):
    response = open_case(api, case_type="complaint", category="pedido-entrega")

    assert response.json()["code"] == "invalid_case"
    assert nothing_written()


def test_it_opens_a_case_within_a_query_budget(api, team, django_assert_max_num_queries):
    open_case(api, customer={"email": "otra@example.com"})  # the folio counter row exists now
    body = {
        "customer": {"email": "juana@example.com", "phone": "5512345678"},
        "team": team.slug,
        "tags": ["entrega"],
        "category": "pedido-entrega",
        "case_type": "order",
    }

    with django_assert_max_num_queries(CREATE_QUERY_BUDGET):
        assert open_case(api, **body).status_code == 201  # a new customer
    with django_assert_max_num_queries(CREATE_QUERY_BUDGET):
        assert open_case(api, **body).status_code == 201  # the same customer, found


# --- listing -----------------------------------------------------------------------------------


def folios(response):
    assert response.status_code == 200, response.json()
    return [row["folio"] for row in response.json()["results"]]


def test_it_lists_only_the_cases_of_the_agents_teams(api, agent, team, other_team):
    mine = make_case(team=team)
    theirs = make_case(team=other_team)
    assigned_to_me = make_case(team=other_team)
    Case.objects.filter(pk=assigned_to_me.pk).update(assignee=agent)  # e.g. before a team move

    listed = folios(api.get("/api/v1/cases/"))

    assert mine.folio in listed and assigned_to_me.folio in listed
    assert theirs.folio not in listed


def test_it_lists_every_case_to_a_desk_wide_role(manager_api, team, other_team):
    cases = [make_case(team=team), make_case(team=other_team), make_case()]

    assert sorted(folios(manager_api.get("/api/v1/cases/"))) == sorted(c.folio for c in cases)


def test_it_lists_newest_first_with_a_flat_row(api, team):
    older, newer = make_case(team=team), make_case(team=team)
    Case.objects.filter(pk=older.pk).update(registered_at=timezone.now() - timedelta(hours=1))

    rows = api.get("/api/v1/cases/").json()["results"]

    assert [r["folio"] for r in rows] == [newer.folio, older.folio]
    assert rows[0]["team"] == team.slug
    assert set(rows[0]["customer"]) == {"uuid", "name"}
    assert "count" not in api.get("/api/v1/cases/").json()


def test_it_filters_the_list(manager_api, agent, team, other_team, system):
    customer = CustomerFactory()
    a = make_case(team=team, channel="whatsapp", priority="high", tags=["vip"], customer=customer)
    b = make_case(team=other_team, case_type="complaint")
    c = make_case(team=team)
    services.assign_case(case=c, assignee=agent, actor=system)
    services.escalate_case(case=b, level=2, reason="Cliente molesto", actor=system)
    past = (timezone.now() - timedelta(minutes=1)).isoformat().replace("+00:00", "Z")

    def listed(query):
        return sorted(folios(manager_api.get("/api/v1/cases/?" + query)))

    assert listed(f"team={team.slug}") == sorted([a.folio, c.folio])
    assert listed("team=no-existe") == []
    assert listed("status=new") == [a.folio]
    assert listed("status=new&status=open") == sorted([a.folio, c.folio])
    assert listed("assignee=ana") == [c.folio]
    assert listed("assignee=none") == sorted([a.folio, b.folio])
    assert listed("channel=whatsapp") == [a.folio]
    assert listed("priority=high") == [a.folio]
    assert listed("case_type=complaint") == [b.folio]
    assert listed(f"customer={customer.uuid}") == [a.folio]
    assert listed("escalation_level=2") == [b.folio]
    assert listed("tag=VIP") == [a.folio]
    assert len(listed(f"registered_after={past}")) == 3
    assert listed(f"registered_before={past}") == []


@pytest.mark.parametrize(
    "query",
    ["status=abierto", "channel=fax", "escalation_level=9", "registered_after=ayer", "customer=x"],
)
def test_it_refuses_bad_filters(manager_api, query):
    response = manager_api.get("/api/v1/cases/?" + query)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_it_pages_with_a_cursor(manager_api, team):
    made = [make_case(team=team) for _ in range(5)]
    seen, url = [], "/api/v1/cases/?page_size=2"
    while url:
        page = manager_api.get(url).json()
        seen += [row["folio"] for row in page["results"]]
        url = page["next"]

    assert seen == [c.folio for c in reversed(made)]


def test_it_pages_the_same_with_a_status_filter(manager_api, team, system):
    made = [make_case(team=team) for _ in range(5)]
    services.assign_case(case=made[2], assignee=UserFactory(teams=[team]), actor=system)
    seen, url = [], "/api/v1/cases/?page_size=2&status=new&status=open"
    while url:
        page = manager_api.get(url).json()
        seen += [row["folio"] for row in page["results"]]
        url = page["next"]

    assert seen == [c.folio for c in reversed(made)]


@pytest.mark.parametrize(
    "cursor",
    [
        "a",
        *(
            base64.b64encode(raw).decode()
            for raw in (b"p=ayer", b"o=x", b"p=2026-01-01T00:00:00+17:15")
        ),
    ],
)
def test_it_refuses_a_forged_cursor(manager_api, cursor):
    response = manager_api.get("/api/v1/cases/", {"cursor": cursor})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


def test_it_lists_within_a_query_budget_whatever_the_page_holds(
    api, agent, team, django_assert_max_num_queries
):
    for _ in range(30):
        case = make_case(team=team, tags=["a"])
        services.assign_case(case=case, assignee=agent, actor=Actor.system())

    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        assert len(api.get(f"/api/v1/cases/?team={team.slug}&status=open").json()["results"]) == 30
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        api.get("/api/v1/cases/")


# --- one case ----------------------------------------------------------------------------------


def test_it_shows_a_case_with_version_tags_customer_and_links(api, team, system):
    case = make_case(team=team, tags=["vip", "entrega"])
    other = make_case(team=team)
    services.link_cases(case=case, other=other, kind="related", actor=system)

    body = api.get(f"/api/v1/cases/{case.folio}/").json()

    assert body["version"] == case.version
    assert body["tags"] == ["entrega", "vip"]
    assert body["customer"]["uuid"] == str(case.customer.uuid)
    assert body["links"] == [
        {
            "case": other.folio,
            "kind": "related",
            "direction": "out",
            "created_at": body["links"][0]["created_at"],
        }
    ]
    assert body["status_display"] == "Nuevo"


def test_it_hides_another_teams_case_behind_a_404(api, other_team):
    case = make_case(team=other_team)

    for response in (
        api.get(f"/api/v1/cases/{case.folio}/"),
        api.patch(f"/api/v1/cases/{case.folio}/", {"priority": "high"}, format="json"),
        api.post(f"/api/v1/cases/{case.folio}/notes/", {"body": "hola"}, format="json"),
        api.get(f"/api/v1/cases/{case.folio}/events/"),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert case.events.count() == 1


def test_it_changes_fields_with_one_event(api, team):
    case = make_case(team=team)

    response = api.patch(
        f"/api/v1/cases/{case.folio}/",
        {
            "priority": "urgent",
            "tags": ["Urgente"],
            "category": "informacion-precios",
            "version": case.version,
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["priority"] == "urgent" and response.json()["tags"] == ["urgente"]
    assert response.json()["version"] == case.version + 1
    event = case.events.get(verb="fields_changed")
    assert event.after["priority"] == "urgent"


def test_it_refuses_a_stale_version_and_changes_nothing(api, team):
    case = make_case(team=team)

    response = api.patch(
        f"/api/v1/cases/{case.folio}/", {"priority": "high", "version": 99}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "stale_case"
    case.refresh_from_db()
    assert case.priority == "normal" and not case.events.filter(verb="fields_changed").exists()


@pytest.mark.parametrize(
    "body, code",
    [
        ({"folio": "X"}, "unknown_field"),
        ({"summary": ""}, "invalid"),
        ({"version": "uno"}, "invalid"),
        ({"case_type": "complaint"}, "invalid_case"),
    ],
)
def test_it_refuses_a_bad_patch(api, team, body, code):
    case = make_case(team=team, category=services.Category.objects.get(code="informacion-precios"))

    response = api.patch(f"/api/v1/cases/{case.folio}/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert case.events.count() == 1


def test_it_still_answers_when_the_change_moves_the_case_out_of_the_callers_reach(
    api, team, other_team, agent
):
    case = make_case(team=team)
    colleague = UserFactory(teams=[other_team])

    response = api.post(
        f"/api/v1/cases/{case.folio}/assign/",
        {"assignee": colleague.username, "team": other_team.slug},
        format="json",
    )

    assert response.status_code == 200
    assert api.get(f"/api/v1/cases/{case.folio}/").status_code == 404


def test_it_accepts_any_utc_offset_in_a_date_filter(manager_api, team):
    make_case(team=team)

    response = manager_api.get(
        "/api/v1/cases/", {"registered_before": "2964-03-21T14:14:45.61+17:15"}
    )

    assert len(folios(response)) == 1
