"""Bulk actions of the workbox: one action, many cases, each changed or reported on its own."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.urls import reverse

from atiende.cases.models import Case, Status, Verb
from tests.factories.accounts import UserFactory
from tests.factories.cases import make_case

BULK = "web:workbox_bulk"


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def post(client, action: str, cases: list[Case], **data):
    payload = {"action": action, "case": [c.folio for c in cases], "next": "box=team", **data}
    return client.post(reverse(BULK), payload)


def test_selected_cases_are_assigned_to_a_colleague_and_the_page_comes_back(client, agent, team):
    colleague = UserFactory(username="beto", teams=[team])
    cases = [make_case(team=team), make_case(team=team)]
    client.force_login(agent)
    response = post(client, "assign", cases, assignee=colleague.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home") + "?box=team"
    assert {c.assignee for c in Case.objects.all()} == {colleague}
    assert flash(response) == ["2 casos actualizados"]


def test_someone_outside_my_teams_cannot_be_chosen(client, agent, team, other_team):
    outsider = UserFactory(username="lejano", teams=[other_team])
    case = make_case(team=team)
    client.force_login(agent)
    response = post(client, "assign", [case], assignee=outsider.pk)
    case.refresh_from_db()
    assert case.assignee is None and flash(response) == ["Elija a quién asignar los casos."]


def test_a_status_change_reports_the_cases_it_could_not_move(client, agent, team):
    new_cases = [make_case(team=team) for _ in range(3)]
    stuck = make_case(team=team)
    Case.objects.filter(pk=stuck.pk).update(status=Status.CLOSED)
    client.force_login(agent)
    response = post(client, "status", [*new_cases, stuck], status=Status.IN_PROGRESS)
    assert Case.objects.filter(status=Status.IN_PROGRESS).count() == 3
    (message,) = flash(response)
    assert message.startswith("3 casos actualizados; 1 no se pudo: " + stuck.folio + ": ")
    assert "No se puede pasar de «Cerrado» a «En proceso»." in message


def test_closing_in_bulk_needs_a_reason(client, agent, team):
    case = make_case(team=team)
    client.force_login(agent)
    response = post(client, "status", [case], status="closed")
    assert flash(response) == ["Indique un motivo de cierre válido."]
    response = post(client, "status", [case], status="closed", closure_reason="spam")
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.closure_reason == "spam"
    assert flash(response)[-1] == "1 caso actualizado"


def test_a_tag_is_added_and_the_existing_tags_are_kept(client, agent, team):
    case = make_case(team=team, tags=["vip"])
    client.force_login(agent)
    post(client, "tag", [case], tag="Reembolso")
    assert sorted(case.tags.values_list("name", flat=True)) == ["reembolso", "vip"]
    assert case.events.filter(verb=Verb.FIELDS_CHANGED).count() == 1


def test_cases_the_user_cannot_see_are_never_touched(client, agent, team, other_team):
    mine, theirs = make_case(team=team), make_case(team=other_team)
    client.force_login(agent)
    response = post(client, "tag", [mine, theirs], tag="revisar")
    assert not theirs.tags.exists() and mine.tags.exists()
    assert flash(response) == [f"1 caso actualizado; 1 no se pudo: {theirs.folio}: no encontrado"]


def test_nothing_selected_is_an_error(client, agent):
    client.force_login(agent)
    response = post(client, "tag", [], tag="x")
    assert flash(response) == ["Seleccione al menos un caso."]


def test_a_merge_first_asks_which_case_to_keep(client, agent, team):
    cases = [make_case(team=team), make_case(team=team)]
    client.force_login(agent)
    response = post(client, "merge", cases)
    html = response.content.decode()
    assert response.status_code == 200 and 'name="target"' in html
    assert 'value="merge_confirm"' in html and all(c.folio in html for c in cases)
    assert not Case.objects.filter(merged_into__isnull=False).exists()


def test_the_confirmed_merge_folds_the_others_into_the_chosen_case(client, agent, team):
    keep, fold1, fold2 = (make_case(team=team, message_text=f"Hola {i}") for i in range(3))
    client.force_login(agent)
    response = post(client, "merge_confirm", [keep, fold1, fold2], target=keep.folio)
    assert flash(response) == [f"2 casos fusionados en {keep.folio}"]
    assert set(Case.objects.filter(merged_into=keep)) == {fold1, fold2}
    assert keep.messages.count() == 3


def test_a_merge_target_outside_the_selection_is_refused(client, agent, team):
    a, b, outsider = make_case(team=team), make_case(team=team), make_case(team=team)
    client.force_login(agent)
    response = post(client, "merge_confirm", [a, b], target=outsider.folio)
    assert not Case.objects.filter(merged_into__isnull=False).exists()
    assert flash(response) == ["Elija el caso que recibe la fusión entre los seleccionados."]


def test_bulk_actions_need_a_post_with_csrf(agent, team):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    case = make_case(team=team)
    assert client.get(reverse(BULK)).status_code == 405
    assert post(client, "tag", [case], tag="x").status_code == 403
