"""Service-level screens: the shipped policies are visible, configuration errors are shown on
the form, the simulator runs, and the case view explains its due times."""

from __future__ import annotations

import pytest
from django.urls import reverse

from atiende.accounts.models import Role
from atiende.cases.models import Case
from atiende.notifications.services import notify
from atiende.sla.models import Calendar, Policy
from tests.factories.accounts import UserFactory
from tests.factories.cases import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=Role.ADMINISTRATOR)


def test_the_default_policies_and_calendars_are_listed(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("web:sla")).content.decode()
    for name in ("WhatsApp", "Chat en vivo", "Teléfono", "Correo electrónico y formulario web"):
        assert name in page
    assert "Horario de oficina (Ciudad de México)" in page
    assert "5 min hábiles" in page and "48 h" in page


def test_an_agent_may_not_open_the_configuration(client, agent):
    client.force_login(agent)
    assert client.get(reverse("web:sla")).status_code == 403


def test_a_policy_form_shows_its_targets(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("web:policy", args=["whatsapp"])).content.decode()
    assert 'name="first_response_amount" value="5"' in page
    assert "Simulador" in page


def test_overlapping_hours_are_shown_on_the_calendar_form(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("web:calendar_new"),
        {"name": "Sucursal", "timezone": "America/Bogota", "day_0": "09:00-14:00, 13:00-18:00"},
    )
    assert response.status_code == 200
    assert "lunes: los horarios se superponen." in response.content.decode()
    assert not Calendar.objects.filter(name="Sucursal").exists()


def test_a_calendar_is_created_from_the_form(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("web:calendar_new"),
        {
            "name": "Sucursal Bogotá",
            "timezone": "America/Bogota",
            "holiday_country": "CO",
            "is_active": "on",
            "day_0": "08:00-12:00, 14:00-18:00",
            "day_5": "09:00-13:00",
            "special_days": "2026-12-24 Nochebuena 08:00-12:00\n2026-12-31 Inventario",
        },
    )
    assert response.status_code == 302
    calendar = Calendar.objects.get(name="Sucursal Bogotá")
    assert calendar.weekly_hours == {"0": ["08:00-12:00", "14:00-18:00"], "5": ["09:00-13:00"]}
    assert [(d.name, d.hours) for d in calendar.special_days.all()] == [
        ("Nochebuena", ["08:00-12:00"]),
        ("Inventario", []),
    ]


def test_a_zero_target_is_refused_on_the_policy_form(client, admin_user):
    client.force_login(admin_user)
    office = Calendar.objects.get(slug="oficina-mexico")
    response = client.post(
        reverse("web:policy_new"),
        {
            "name": "SMS",
            "position": "1",
            "is_active": "on",
            "calendar": office.pk,
            "warn_percent": "75",
            "channels": ["sms"],
            "first_response_on": "on",
            "first_response_amount": "0",
            "first_response_unit": "min",
            "first_response_escalate": "0",
            **{
                f"{k}_unit": "h" for k in ("registration", "next_response", "resolution", "handoff")
            },
            **{
                f"{k}_escalate": "0"
                for k in ("registration", "next_response", "resolution", "handoff")
            },
        },
    )
    assert response.status_code == 200
    assert "debe ser mayor que cero" in response.content.decode()
    assert not Policy.objects.filter(name="SMS").exists()


def test_the_simulator_runs_from_the_policy_page(client, admin_user):
    make_case(channel="whatsapp", message_text="Hola")
    client.force_login(admin_user)
    page = client.get(reverse("web:policy", args=["whatsapp"]), {"days": "30"}).content.decode()
    assert "1 casos de los últimos 30 días" in page


def test_the_case_view_explains_its_due_times(
    client, agent, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(team=team, channel="whatsapp", message_text="¿Hay stock?")
    client.force_login(agent)
    page = client.get(reverse("web:case", args=[case.folio]), {"tab": "historial"}).content.decode()
    assert "Plazos de servicio" in page
    assert "Política «WhatsApp»" in page
    assert "¿Por qué vence entonces?" in page


def test_the_workbox_lists_the_cases_due_soonest_first(
    client, agent, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email = make_case(team=team, channel="email", message_text="correo")  # 2 h
        chat = make_case(team=team, channel="webchat", message_text="chat")  # 60 s
        unmatched = make_case(team=team, channel="email", message_text="otro")
    Case.objects.filter(pk=unmatched.pk).update(next_due_at=None)
    client.force_login(agent)
    page = client.get(reverse("web:home"), {"box": "team"}).content.decode()
    assert page.index(chat.folio) < page.index(email.folio) < page.index(unmatched.folio)


def test_the_unread_badge_is_served_for_polling(client, agent):
    notify([agent], kind="sla_warning", title="Por vencer")
    client.force_login(agent)
    assert client.get(reverse("web:notifications_unread")).json() == {"unread": 1}
    page = client.get(reverse("web:notifications")).content.decode()
    assert "Por vencer" in page and 'id="unread"' in page
