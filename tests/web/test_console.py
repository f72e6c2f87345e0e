"""The first console screens use the same permission filter as the API."""

from django.urls import reverse

from tests.factories.cases import make_case


def test_the_workbox_needs_a_login(client, db):
    response = client.get(reverse("web:home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_login_page_speaks_spanish(client, db):
    assert "Entrar a Atiende" in client.get(reverse("login")).content.decode()


def test_an_agent_sees_only_their_teams_cases(client, agent, team, other_team):
    mine, theirs = make_case(team=team), make_case(team=other_team)
    client.force_login(agent)
    page = client.get(reverse("web:home"), {"box": "team"}).content.decode()
    assert mine.folio in page and theirs.folio not in page


def test_another_teams_case_is_not_found(client, agent, other_team):
    client.force_login(agent)
    assert (
        client.get(reverse("web:case", args=[make_case(team=other_team).folio])).status_code == 404
    )


def test_the_case_view_shows_the_conversation_and_history(client, agent, team):
    case = make_case(team=team, message_text="¿Cuándo entregan mi departamento?")
    client.force_login(agent)
    page = client.get(reverse("web:case", args=[case.folio])).content.decode()
    assert "¿Cuándo entregan mi departamento?" in page and "Caso creado" in page


def test_the_workbox_query_count_does_not_grow_with_cases(
    client, agent, team, django_assert_max_num_queries
):
    for _ in range(30):
        make_case(team=team)
    client.force_login(agent)
    with django_assert_max_num_queries(12):  # counts, rows, risk, saved filters, choices...
        client.get(reverse("web:home"), {"box": "team"})
