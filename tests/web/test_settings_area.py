"""The settings area (issue 6 item 9): one page listing the configuration screens each role may
open, and everyone's own preferences."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from atiende.accounts.models import Role
from atiende.web import views_settings
from tests.factories.accounts import UserFactory


def entries(client) -> set[str]:
    response = client.get(reverse("web:settings"))
    assert response.status_code == 200
    return {e["name"] for s in response.context["sections"] for e in s["entries"]}


def test_the_settings_area_needs_a_login(client, db):
    assert client.get(reverse("web:settings")).status_code == 302


def test_an_agent_sees_only_their_own_preferences_and_notices(client, agent):
    client.force_login(agent)
    assert entries(client) == {"web:preferences", "web:notifications"}


def test_a_manager_also_sees_the_desk_screens_but_not_the_admin(client, manager):
    client.force_login(manager)
    names = entries(client)
    assert {"web:preferences", "web:sla"} <= names
    assert not any(name.startswith("admin:") for name in names)


def test_staff_see_the_admin_pages_for_teams_and_users(client, db):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR, is_staff=True))
    names = entries(client)
    assert {"admin:accounts_team_changelist", "admin:accounts_user_changelist"} <= names
    html = client.get(reverse("web:settings")).content.decode()
    assert reverse("admin:accounts_team_changelist") in html and 'class="sidebar-layout' in html


def test_screens_that_do_not_exist_yet_are_left_out(client, db, monkeypatch):
    unbuilt = views_settings.Entry(
        views_settings.GROUP_CASES, "Futuro", "Aún no existe.", "web:not_built_yet", lambda u: True
    )
    monkeypatch.setattr(views_settings, "ENTRIES", [*views_settings.ENTRIES, unbuilt])
    client.force_login(UserFactory(role=Role.ADMINISTRATOR, is_staff=True))
    names = entries(client)
    assert "web:not_built_yet" not in names and "web:preferences" in names
    for name in names:
        assert reverse(name)  # every listed entry resolves


def test_preferences_store_the_language_and_time_zone(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("web:preferences"), {"language": "en", "timezone": "America/Santiago"}
    )
    agent.refresh_from_db()
    assert (agent.language, agent.timezone) == ("en", "America/Santiago")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_an_unknown_time_zone_is_refused(client, agent):
    client.force_login(agent)
    response = client.post(reverse("web:preferences"), {"language": "es", "timezone": "Marte/Base"})
    agent.refresh_from_db()
    assert response.status_code == 200 and agent.timezone == ""
    assert "Marte/Base" in response.content.decode()


def test_the_preferences_page_is_part_of_the_settings_area(client, agent):
    client.force_login(agent)
    html = client.get(reverse("web:preferences")).content.decode()
    assert 'aria-current="page"' in html and 'for="id_timezone"' in html


def test_a_staff_agent_sees_only_the_links_they_may_open(client, db):
    client.force_login(UserFactory(role=Role.AGENT, is_staff=True))
    names = entries(client)
    assert "web:replies" not in names and "web:customer_import" not in names
    assert "admin:atiende_channels_whatsapptemplate_changelist" in names
    for name in names:
        if not name.startswith("admin:"):
            assert client.get(reverse(name)).status_code == 200, name


def test_a_supervisor_opens_every_screen_listed(client, supervisor):
    client.force_login(supervisor)
    names = entries(client)
    assert {"web:replies", "web:customer_import"} <= names
    assert not any(name.startswith("admin:") for name in names)
    for name in names:
        assert client.get(reverse(name)).status_code == 200, name
