"""Service levels through the API: read the shipped configuration, change it as an
administrator (bad input is a 400 with the reason), simulate, and explain a case's clocks."""

from __future__ import annotations

import pytest

from atiende.accounts.models import Role
from atiende.sla.models import Calendar, Policy
from tests.factories.accounts import UserFactory
from tests.factories.api import api_client
from tests.factories.cases import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(db):
    return api_client(UserFactory(username="admin", role=Role.ADMINISTRATOR))


def test_the_shipped_policies_are_listed_in_order(manager_api):
    body = manager_api.get("/api/v1/sla/policies/").json()
    assert {p["slug"] for p in body["results"]} >= {"chat", "whatsapp", "correo", "general"}
    whatsapp = manager_api.get("/api/v1/sla/policies/whatsapp/").json()
    assert whatsapp["channels"] == ["whatsapp"] and whatsapp["calendar"] == "oficina-mexico"
    assert {"kind": "first_response", "seconds": 300, "business_time": True}.items() <= next(
        t for t in whatsapp["targets"] if t["kind"] == "first_response"
    ).items()


def test_agents_cannot_read_and_managers_cannot_change_the_configuration(api, manager_api):
    assert api.get("/api/v1/sla/calendars/").status_code == 403
    response = manager_api.post(
        "/api/v1/sla/calendars/",
        {"name": "X", "timezone": "UTC", "weekly_hours": {"0": ["09:00-10:00"]}},
        format="json",
    )
    assert response.status_code == 403


def test_an_administrator_creates_a_calendar_and_bad_hours_are_explained(admin_api):
    good = {
        "name": "Oficina Lima",
        "timezone": "America/Lima",
        "weekly_hours": {"0": ["09:00-13:00", "14:00-18:00"]},
        "holiday_country": "PE",
        "special_days": [{"date": "2026-12-24", "name": "Nochebuena", "hours": ["09:00-13:00"]}],
    }
    created = admin_api.post("/api/v1/sla/calendars/", good, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["slug"] == "oficina-lima"

    bad = admin_api.post(
        "/api/v1/sla/calendars/",
        {**good, "name": "Mala", "weekly_hours": {"0": ["09:00-13:00", "12:00-18:00"]}},
        format="json",
    )
    assert bad.status_code == 400
    assert "lunes: los horarios se superponen." in str(bad.json()["details"])
    zone = admin_api.put(
        "/api/v1/sla/calendars/oficina-lima/", {**good, "timezone": "America"}, format="json"
    )
    assert zone.status_code == 400 and "«America» no existe" in str(zone.json()["details"])
    assert Calendar.objects.get(slug="oficina-lima").timezone == "America/Lima"


def test_an_administrator_creates_a_policy_and_an_unreachable_one_is_refused(admin_api):
    body = {
        "name": "VIP",
        "position": 1,
        "calendar": "oficina-mexico",
        "segments": ["vip"],
        "targets": [
            {"kind": "first_response", "seconds": 900},
            {"kind": "resolution", "seconds": 4 * 3600, "escalate_to": 3},
        ],
    }
    created = admin_api.post("/api/v1/sla/policies/", body, format="json")
    assert created.status_code == 201, created.json()
    assert Policy.objects.get(slug="vip").targets.get(kind="resolution").escalate_to == 3

    shadowed = admin_api.post(
        "/api/v1/sla/policies/", {**body, "name": "VIP 2", "position": 2}, format="json"
    )
    assert shadowed.status_code == 400 and "nunca se aplicaría" in str(shadowed.json())
    zero = admin_api.post(
        "/api/v1/sla/policies/",
        {**body, "name": "Cero", "position": 0, "targets": [{"kind": "resolution", "seconds": 0}]},
        format="json",
    )
    assert zero.status_code == 400 and "mayor que cero" in str(zero.json())


def test_a_policy_is_simulated(manager_api):
    make_case(channel="whatsapp", message_text="Hola")
    response = manager_api.post(
        "/api/v1/sla/policies/whatsapp/simulate/", {"days": 7}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["cases"] == 1


def test_a_case_explains_its_clocks(api, team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(team=team, channel="email", message_text="Hola")
    body = api.get(f"/api/v1/sla/cases/{case.folio}/").json()
    assert body["policy"]["slug"] == "correo"
    kinds = {c["kind"]: c for c in body["clocks"]}
    assert kinds["first_response"]["target"] == "2 h hábiles"
    assert kinds["first_response"]["explanation"]


def test_another_teams_case_is_not_found(api, other_team):
    case = make_case(team=other_team)
    assert api.get(f"/api/v1/sla/cases/{case.folio}/").status_code == 404
