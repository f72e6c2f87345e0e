"""Canned responses, macros and call scripts (RT5): placeholders filled per case, macro actions
applied through the case services, and the settings screen that manages them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from atiende.cases.models import Event, Status, Verb
from atiende.cases.services import InvalidTransition, StaleCase, set_promise
from atiende.core.actors import Actor
from atiende.replies.models import CannedResponse, ReplyKind
from atiende.replies.selectors import replies_for_case
from atiende.replies.services import apply_macro, fill_placeholders, render_reply
from tests.factories.accounts import TeamFactory, UserFactory
from tests.factories.cases import make_case
from tests.factories.customers import CustomerFactory

SYSTEM = Actor.system("tests")


@pytest.fixture
def case(team):
    return make_case(team=team, customer=CustomerFactory(name="Jorge Soto"), summary="Garantía")


def test_placeholders_are_filled_from_the_case_and_the_agent(case, agent):
    set_promise(case=case, promise_at=timezone.now() + timedelta(days=1), reason="x", actor=SYSTEM)
    case.refresh_from_db()
    reply = CannedResponse(
        body="{{cliente}} · {{ folio }} · {{agente}} · {{asunto}} · {{estado}} · {{equipo}}"
    )
    text = render_reply(reply, case=case, agent=agent)
    assert text == (
        f"Jorge Soto · {case.folio} · {agent.get_full_name()} · Garantía · Nuevo · "
        "Centro de información"
    )
    assert render_reply(CannedResponse(body="{{promesa}}"), case=case, agent=agent) != "{{promesa}}"


def test_unknown_placeholders_are_left_as_written():
    assert fill_placeholders("Hola {{cliente}} {{rfc}}", {"cliente": "Ana"}) == "Hola Ana {{rfc}}"


def test_a_macro_applies_status_priority_and_tags_with_their_events(case, agent):
    macro = CannedResponse.objects.create(
        kind=ReplyKind.MACRO,
        title="Escalar a obra",
        body="…",
        set_status=Status.IN_PROGRESS,
        set_priority="urgent",
        add_tags="obra, garantía",
    )
    updated = apply_macro(macro, case=case, actor=Actor.agent(agent), expected_version=case.version)
    assert updated.status == Status.IN_PROGRESS and updated.priority == "urgent"
    assert sorted(updated.tags.values_list("name", flat=True)) == ["garantía", "obra"]
    verbs = set(Event.objects.filter(case=case, actor=agent).values_list("verb", flat=True))
    assert verbs == {Verb.FIELDS_CHANGED, Verb.STATUS_CHANGED}


def test_a_macro_on_a_stale_case_changes_nothing(case, agent):
    macro = CannedResponse.objects.create(
        kind=ReplyKind.MACRO, title="Urgente", body="…", set_priority="urgent"
    )
    with pytest.raises(StaleCase):
        apply_macro(macro, case=case, actor=SYSTEM, expected_version=case.version - 1)
    case.refresh_from_db()
    assert case.priority == "normal"


def test_a_macro_cannot_force_a_status_the_lifecycle_forbids(case):
    case.status = Status.CLOSED
    case.save(update_fields=["status"])
    macro = CannedResponse.objects.create(
        kind=ReplyKind.MACRO, title="Reabrir", body="…", set_status=Status.WAITING_CUSTOMER
    )
    with pytest.raises(InvalidTransition):
        apply_macro(macro, case=case, actor=SYSTEM)


def test_a_case_offers_shared_replies_and_its_teams_not_other_teams(case, agent, other_team):
    shared = CannedResponse.objects.create(title="Compartida", body="…")
    ours = CannedResponse.objects.create(title="Nuestra", body="…", team=case.team)
    CannedResponse.objects.create(title="De reclamos", body="…", team=other_team)
    CannedResponse.objects.create(title="Inactiva", body="…", is_active=False)
    assert set(replies_for_case(agent, case)) == {shared, ours}


# --- the settings screen -----------------------------------------------------------------------


def test_agents_cannot_manage_replies(client, agent):
    client.force_login(agent)
    assert client.get(reverse("web:replies")).status_code == 403


def test_a_supervisor_creates_a_team_macro_and_edits_it(client, supervisor, team):
    client.force_login(supervisor)
    response = client.post(
        reverse("web:reply_new"),
        {
            "kind": "macro",
            "title": "Pedir documentos",
            "body": "Hola {{cliente}}, envíenos su INE.",
            "shortcut": "docs",
            "team": team.pk,
            "set_status": "waiting_customer",
            "set_priority": "",
            "add_tags": "documentos",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    macro = CannedResponse.objects.get()
    assert (macro.team, macro.created_by, macro.tag_list) == (team, supervisor, ["documentos"])
    listing = client.get(reverse("web:replies")).content.decode()
    assert "Pedir documentos" in listing and reverse("web:reply", args=[macro.uuid]) in listing
    client.post(
        reverse("web:reply", args=[macro.uuid]),
        {"kind": "macro", "title": "Pedir INE", "body": "…", "team": team.pk, "is_active": "on"},
    )
    macro.refresh_from_db()
    assert macro.title == "Pedir INE"


def test_actions_belong_to_macros_only(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("web:reply_new"),
        {"kind": "respuesta", "title": "Saludo", "body": "Hola", "set_priority": "high"},
    )
    assert response.status_code == 200
    assert "Solo las macros cambian el caso" in response.content.decode()
    assert not CannedResponse.objects.exists()


def test_a_supervisor_cannot_edit_another_teams_reply(client, supervisor):
    theirs = CannedResponse.objects.create(
        title="Ajena", body="…", team=TeamFactory(name="Ventas", slug="ventas")
    )
    client.force_login(supervisor)
    assert client.get(reverse("web:reply", args=[theirs.uuid])).status_code == 404
    admin = UserFactory(role="administrator")
    client.force_login(admin)
    assert client.get(reverse("web:reply", args=[theirs.uuid])).status_code == 200
