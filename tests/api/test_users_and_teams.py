"""Users and teams, read-only and scoped by the accounts selectors; and /me/."""

import pytest

from tests.factories.accounts import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_tells_the_caller_who_they_are(api, team):
    data = api.get("/api/v1/me/").json()

    assert data["username"] == "ana" and data["role"] == "agent"
    assert data["teams"] == [team.slug]
    assert data["sees_whole_desk"] is False and data["escalation_level"] == 1


def test_it_lists_the_agents_teammates_only(api, supervisor, other_team):
    UserFactory(username="ajeno", teams=[other_team])

    usernames = [u["username"] for u in api.get("/api/v1/users/").json()["results"]]

    assert usernames == ["ana", "sofia"]


def test_it_lists_every_active_user_to_a_desk_wide_role(manager_api, agent, other_team):
    UserFactory(username="ajeno", teams=[other_team])
    UserFactory(username="inactivo", is_active=False)

    usernames = [u["username"] for u in manager_api.get("/api/v1/users/").json()["results"]]

    assert usernames == ["ajeno", "ana", "gerente"]


def test_it_shows_a_user_by_username(api, supervisor):
    data = api.get("/api/v1/users/sofia/").json()

    assert data["role_display"] == "Supervisor (N2)" and data["full_name"].startswith("Ana")


def test_it_hides_users_outside_the_callers_teams(api, other_team):
    UserFactory(username="ajeno", teams=[other_team])

    assert api.get("/api/v1/users/ajeno/").status_code == 404


def test_it_lists_the_agents_own_teams(api, team, other_team):
    assert [t["slug"] for t in api.get("/api/v1/teams/").json()["results"]] == [team.slug]
    assert api.get(f"/api/v1/teams/{other_team.slug}/").status_code == 404


def test_it_lists_every_team_to_a_desk_wide_role(manager_api, team, other_team):
    lead = UserFactory(username="lider", teams=[other_team])
    TeamFactory(slug="ventas", name="Ventas", lead=lead)

    teams = manager_api.get("/api/v1/teams/").json()["results"]

    assert [t["slug"] for t in teams] == ["centro-informacion", "reclamos", "ventas"]
    assert teams[2]["lead"] == "lider"


def test_it_pages_users_with_a_cursor(manager_api):
    for n in range(5):
        UserFactory(username=f"usuario{n}")

    first = manager_api.get("/api/v1/users/?page_size=4").json()
    second = manager_api.get(first["next"]).json()

    assert len(first["results"]) == 4 and len(second["results"]) == 2
