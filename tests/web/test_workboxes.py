"""The workbox page (UI1): tabs with counts, rows, filters, the live fragment and saved filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from atiende.cases.models import Case, Status
from atiende.web.models import SavedFilter
from tests.factories.accounts import TeamFactory, UserFactory
from tests.factories.cases import make_case


def page(client, **params) -> str:
    response = client.get(reverse("web:home"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_an_agent_lands_on_their_own_cases(client, agent, team):
    mine = make_case(team=team, summary="Mi caso")
    Case.objects.filter(pk=mine.pk).update(assignee=agent)
    queued = make_case(team=team, summary="De la cola")
    client.force_login(agent)
    html = page(client)
    assert mine.folio in html and queued.folio not in html
    assert queued.folio in page(client, box="team")


def test_every_tab_shows_its_count(client, agent, team):
    make_case(team=team)
    make_case(team=team)
    client.force_login(agent)
    response = client.get(reverse("web:home"), {"box": "unassigned"})
    tabs = {box: count for box, _label, count, _q in response.context["tabs"]}
    assert tabs["unassigned"] == 2 and tabs["mine"] == 0 and tabs["team"] == 2
    assert 'aria-current="page"' in response.content.decode()


def test_each_row_has_the_folio_link_and_the_due_time_coloured_by_risk(client, agent, team):
    case = make_case(team=team, summary="Entrega atrasada")
    Case.objects.filter(pk=case.pk).update(
        assignee=agent, next_due_at=timezone.now() - timedelta(minutes=3)
    )
    client.force_login(agent)
    html = page(client)
    assert reverse("web:case", args=[case.folio]) in html
    assert "data-row" in html and "Entrega atrasada" in html
    assert "risk-breached" in html and "vencido" in html


def test_filters_combine_with_the_box_and_the_tabs_keep_them(client, agent, team):
    match = make_case(team=team, channel="whatsapp", summary="Llave de paso rota")
    make_case(team=team, channel="email", summary="Llave extra")
    client.force_login(agent)
    response = client.get(reverse("web:home"), {"box": "team", "channel": "whatsapp", "q": "llave"})
    html = response.content.decode()
    assert match.folio in html and "Llave extra" not in html
    assert "box=mine&amp;channel=whatsapp&amp;q=llave" in html


def test_the_first_page_has_25_rows_and_a_pager(client, agent, team):
    for _ in range(27):
        make_case(team=team)
    client.force_login(agent)
    response = client.get(reverse("web:home"), {"box": "team"})
    assert len(response.context["page"].object_list) == 25
    assert "box=team&amp;page=2" in response.content.decode()


def test_the_list_carries_the_live_refresh_contract(client, agent, team):
    client.force_login(agent)
    html = page(client, box="team")
    fragment = reverse("web:workbox_list") + "?box=team"
    assert 'id="workbox-list"' in html
    assert f'data-live-refresh="{fragment}"' in html
    assert f'data-live-user="{agent.id}"' in html
    assert f'data-live-team="{team.id}"' in html


def test_the_live_fragment_is_only_the_list_for_the_same_query(client, agent, team):
    case = make_case(team=team)
    client.force_login(agent)
    response = client.get(reverse("web:workbox_list"), {"box": "team", "wrap": ""})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="workbox-list"')
    assert case.folio in html and "<html" not in html


def test_a_team_wrapper_refreshes_itself_and_the_list(client, team):
    second = TeamFactory()
    agent = UserFactory(teams=[team, second])
    client.force_login(agent)
    html = client.get(
        reverse("web:workbox_list"), {"box": "team", "wrap": f"t{second.id}"}
    ).content.decode()
    assert f'data-live-team="{second.id}"' in html and f'data-live-team="{team.id}"' not in html


def test_a_desk_wide_manager_sees_every_unassigned_case_refreshed_by_desk_events(
    client, manager, team, other_team
):
    ours, theirs = make_case(team=team), make_case(team=other_team)
    client.force_login(manager)
    html = page(client, box="unassigned")
    assert ours.folio in html and theirs.folio in html and "data-live-desk" in html


def test_another_teams_cases_never_appear_in_any_box(client, agent, other_team):
    theirs = make_case(team=other_team)
    client.force_login(agent)
    for box in ("mine", "team", "unassigned", "escalated", "at_risk", "followups", "waiting"):
        assert theirs.folio not in page(client, box=box)


def test_the_waiting_box_lists_cases_waiting_on_the_customer(client, agent, team):
    waiting = make_case(team=team)
    Case.objects.filter(pk=waiting.pk).update(status=Status.WAITING_CUSTOMER)
    client.force_login(agent)
    assert waiting.folio in page(client, box="waiting")


def test_the_workbox_query_count_does_not_grow_with_rows(
    client, agent, team, django_assert_max_num_queries
):
    for _ in range(30):
        case = make_case(team=team, tags=["vip"])
        Case.objects.filter(pk=case.pk).update(
            assignee=agent, next_due_at=timezone.now() + timedelta(hours=1)
        )
    SavedFilter.objects.create(owner=agent, name="Urgentes", query_string="box=mine")
    client.force_login(agent)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("web:home"))
    assert len(response.context["page"].object_list) == 25


# --- saved filters -------------------------------------------------------------------------------


def test_the_current_view_can_be_saved_under_a_name(client, agent, team):
    client.force_login(agent)
    response = client.post(
        reverse("web:saved_filter_save"),
        {"name": "WhatsApp urgentes", "query": "box=team&priority=urgent&channel=whatsapp"},
    )
    saved = SavedFilter.objects.get(owner=agent)
    assert saved.query_string == "box=team&channel=whatsapp&priority=urgent"
    assert response["Location"] == reverse("web:home") + "?" + saved.query_string
    assert "WhatsApp urgentes" in page(client)


@pytest.mark.parametrize("query", ["box=team&next=https://evil.test", "status=closed"])
def test_a_filter_with_other_parameters_is_refused(client, agent, query):
    client.force_login(agent)
    response = client.post(reverse("web:saved_filter_save"), {"name": "Raro", "query": query})
    assert response.status_code == 302 and not SavedFilter.objects.exists()


def test_names_are_unique_per_owner(client, agent, supervisor):
    SavedFilter.objects.create(owner=supervisor, name="Mías", query_string="box=mine")
    client.force_login(agent)
    client.post(reverse("web:saved_filter_save"), {"name": "Mías", "query": "box=mine"})
    response = client.post(
        reverse("web:saved_filter_save"), {"name": "Mías", "query": "box=team"}, follow=True
    )
    assert SavedFilter.objects.filter(owner=agent).count() == 1
    assert "Ya tiene un filtro llamado «Mías»." in response.content.decode()


def test_a_filter_shared_with_the_team_shows_to_its_members_who_cannot_delete_it(
    client, agent, supervisor, team
):
    client.force_login(supervisor)
    client.post(
        reverse("web:saved_filter_save"),
        {
            "name": "Cola urgente",
            "query": "box=team&priority=urgent",
            "share": "1",
            "team": team.pk,
        },
    )
    shared = SavedFilter.objects.get(name="Cola urgente")
    assert shared.is_shared_with_team and shared.team == team
    client.force_login(agent)
    assert "Cola urgente" in page(client)
    client.post(reverse("web:saved_filter_delete"), {"filter": shared.pk})
    assert SavedFilter.objects.filter(pk=shared.pk).exists()


def test_the_owner_deletes_their_filter(client, agent):
    saved = SavedFilter.objects.create(owner=agent, name="Viejo", query_string="box=team")
    client.force_login(agent)
    response = client.post(
        reverse("web:saved_filter_delete"), {"filter": saved.pk, "next": "box=team"}
    )
    assert response["Location"] == reverse("web:home") + "?box=team"
    assert not SavedFilter.objects.exists()


def test_a_filter_too_long_to_store_is_refused_with_the_reason(client, agent):
    client.force_login(agent)
    query = "box=mine&q=" + "ñ" * 100 + "&tag=" + "á" * 100  # ~1,200 characters once encoded
    response = client.post(
        reverse("web:saved_filter_save"), {"name": "Larguísimo", "query": query}, follow=True
    )
    assert response.status_code == 200 and not SavedFilter.objects.exists()
    assert "El filtro es demasiado largo para guardarlo" in response.content.decode()


def test_the_pager_is_an_accessible_nav_that_keeps_the_filters(client, agent, team):
    for _ in range(26):
        make_case(team=team, channel="phone")
    client.force_login(agent)
    response = client.get(reverse("web:home"), {"box": "team", "channel": "phone"})
    html = response.content.decode()
    assert 'aria-label="Páginas"' in html
    assert f'href="{reverse("web:home")}?box=team&amp;channel=phone&amp;page=2"' in html
