"""The supervisor console (UI4): the queue board, agents and their load, reassigning, the
approvals inbox and the wallboard; only supervisors, managers and desk-wide roles get in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from atiende.accounts.models import Availability, Role
from atiende.cases import approvals
from atiende.cases.models import (
    ApprovalKind,
    ApprovalRequest,
    ApprovalStatus,
    Case,
    Event,
    Status,
    Verb,
)
from atiende.cases.services import add_outbound_message, assign_case, change_status
from atiende.core.actors import Actor
from atiende.sla import board
from atiende.sla.models import Clock, ClockState, Policy, TargetKind
from tests.factories.accounts import UserFactory
from tests.factories.cases import make_case

SUPERVISOR_PAGES = ["web:supervisor", "web:supervisor_board", "web:wallboard", "web:approvals"]


def clock(
    case: Case,
    *,
    due_in: timedelta,
    warn_in: timedelta,
    kind=TargetKind.RESOLUTION,
    state=ClockState.RUNNING,
    breached: bool = False,
) -> Clock:
    """A service-level clock as the SLA service leaves it: due and warning instants from now."""
    policy = Policy.objects.select_related("calendar").first()
    now = timezone.now()
    return Clock.objects.create(
        case=case, kind=kind, policy=policy, calendar=policy.calendar, seconds=3600,
        state=state, started_at=now - timedelta(hours=1), segment_start=now - timedelta(hours=1),
        due_at=now + due_in, warn_at=now + warn_in,
        breached_at=now + due_in if breached else None,
    )  # fmt: skip


def at_risk(case: Case) -> Clock:
    return clock(case, due_in=timedelta(minutes=20), warn_in=timedelta(minutes=-5))


def breached(case: Case) -> Clock:
    return clock(case, due_in=timedelta(minutes=-5), warn_in=timedelta(minutes=-30))


# --- who gets in ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SUPERVISOR_PAGES)
def test_an_agent_is_refused_every_supervisor_page(client, agent, name):
    client.force_login(agent)
    assert client.get(reverse(name)).status_code == 403


def test_an_agent_cannot_reassign(client, agent, team):
    case = make_case(team=team)
    client.force_login(agent)
    response = client.post(
        reverse("web:supervisor_reassign"), {"folio": case.folio, "assignee": agent.pk}
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.assignee is None


@pytest.mark.parametrize("name", SUPERVISOR_PAGES)
def test_a_visitor_is_sent_to_the_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_supervisors_and_managers_reach_the_console(client, supervisor, manager):
    for user in (supervisor, manager):
        client.force_login(user)
        assert client.get(reverse("web:supervisor")).status_code == 200


def test_a_supervisor_sees_only_their_teams_queues(client, supervisor, team, other_team):
    make_case(team=team, summary="Caso del equipo propio")
    theirs = make_case(team=other_team, summary="Caso de otro equipo")
    client.force_login(supervisor)
    page = client.get(reverse("web:supervisor")).content.decode()
    assert team.name in page and other_team.name not in page and theirs.folio not in page


def test_a_manager_sees_every_team(client, manager, team, other_team):
    client.force_login(manager)
    page = client.get(reverse("web:supervisor")).content.decode()
    assert team.name in page and other_team.name in page


# --- the queue board -----------------------------------------------------------------------------


def test_the_board_counts_waiting_at_risk_and_breached_per_team_and_channel(
    supervisor, agent, team, other_team, system
):
    waiting_mail = make_case(team=team, channel="email")
    make_case(team=team, channel="email")
    answered = make_case(team=team, channel="whatsapp")
    assign_case(case=answered, actor=system, assignee=agent)
    add_outbound_message(case=answered, actor=Actor.agent(agent), body_text="Le respondo.")
    at_risk(answered)
    breached(waiting_mail)
    on_hold = make_case(team=team, channel="whatsapp")
    change_status(case=on_hold, status=Status.WAITING_CUSTOMER, actor=system)
    done = make_case(team=team, channel="email")
    change_status(case=done, status=Status.CLOSED, actor=system, closure_reason="duplicate")
    make_case(team=other_team, channel="email")

    figures = board.queue_board(supervisor)
    (row,) = figures.teams
    by_channel = {c.channel: c.figures for c in row.channels}
    assert (by_channel["email"].open, by_channel["email"].waiting) == (2, 2)
    assert (by_channel["email"].breached, by_channel["email"].at_risk) == (1, 0)
    # Answered and owned is not waiting; waiting on the customer is not the desk's turn.
    assert (by_channel["whatsapp"].open, by_channel["whatsapp"].waiting) == (2, 0)
    assert (by_channel["whatsapp"].at_risk, by_channel["whatsapp"].breached) == (1, 0)
    assert (figures.totals.open, figures.totals.waiting, figures.totals.unassigned) == (4, 2, 3)
    assert (figures.totals.at_risk, figures.totals.breached) == (1, 1)


def test_the_oldest_wait_is_measured_from_the_real_arrival(supervisor, team):
    now = timezone.now()
    make_case(team=team, received_at=now - timedelta(hours=3, minutes=5))
    make_case(team=team, received_at=now - timedelta(minutes=10))
    figures = board.queue_board(supervisor, now)
    assert figures.totals.oldest_wait == "3 h 05 min"


def test_a_breached_case_is_not_also_counted_at_risk(supervisor, team):
    case = make_case(team=team)
    breached(case)
    clock(case, kind=TargetKind.FIRST_RESPONSE, due_in=timedelta(minutes=9),
          warn_in=timedelta(minutes=-1))  # fmt: skip
    figures = board.queue_board(supervisor)
    assert (figures.totals.breached, figures.totals.at_risk) == (1, 0)


def test_todays_service_level_is_the_share_of_clocks_met_on_time(supervisor, team):
    now = timezone.now()
    for late in (False, False, False, True):
        case = make_case(team=team)
        met = clock(case, due_in=timedelta(minutes=-1 if late else 30), warn_in=timedelta(0),
                    state=ClockState.MET, breached=late)  # fmt: skip
        Clock.objects.filter(pk=met.pk).update(met_at=now)
    figures = board.queue_board(supervisor, now)
    assert (figures.service_level.on_time, figures.service_level.total) == (3, 4)
    assert figures.service_level.percent == 75.0


def test_the_board_page_and_fragment_follow_the_live_contract(client, supervisor, team):
    make_case(team=team)
    client.force_login(supervisor)
    fragment = client.get(reverse("web:supervisor_board")).content.decode()
    assert fragment.lstrip().startswith('<section id="supervisor-board"')
    assert f'data-live-refresh="{reverse("web:supervisor_board")}"' in fragment
    assert "data-live-desk" in fragment and 'hx-trigger="every 30s"' in fragment
    page = client.get(reverse("web:supervisor")).content.decode()
    assert 'id="supervisor-board"' in page and "web/supervisor.js" in page


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.OPERATIONS_MANAGER])
def test_the_board_query_count_does_not_grow_with_cases_or_agents(client, team, other_team, role):
    watcher = UserFactory(role=role, teams=[team, other_team])

    def populate(n: int) -> None:
        for i in range(n):
            for t in (team, other_team):
                member = UserFactory(teams=[t])
                case = make_case(team=t, channel=("email", "whatsapp", "phone")[i % 3])
                assign_case(case=case, actor=Actor.agent(member), assignee=member)
                at_risk(case)

    populate(1)
    client.force_login(watcher)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("web:supervisor"))
    populate(10)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("web:supervisor")).status_code == 200
    # Session, user, teams, people (+ their teams), load, activity, cards, board, service
    # level, pending approvals, and the permission filter's team lookups: a fixed number.
    assert len(many) == len(few) <= 16


# --- agents and reassigning ----------------------------------------------------------------------


def test_agents_show_availability_open_load_and_risk(client, supervisor, agent, team, system):
    first, second = make_case(team=team), make_case(team=team)
    for case in (first, second):
        assign_case(case=case, actor=system, assignee=agent)
    at_risk(first)
    (row,) = [a for a in board.agents_on_floor(supervisor) if a.user == agent]
    assert (row.open, row.at_risk, row.breached) == (2, 1, 0)
    client.force_login(supervisor)
    page = client.get(reverse("web:supervisor")).content.decode()
    assert f'data-drop-agent="{agent.pk}"' in page and "Desconectado" in page


def test_a_supervisor_reassigns_a_case_with_the_form(client, supervisor, agent, team):
    case = make_case(team=team)
    client.force_login(supervisor)
    response = client.post(
        reverse("web:supervisor_reassign"),
        {"folio": case.folio, "assignee": agent.pk, "expected_version": case.version},
    )
    assert response.status_code == 302 and response["Location"] == reverse("web:supervisor")
    case.refresh_from_db()
    assert case.assignee == agent and case.status == Status.OPEN
    event = Event.objects.filter(case=case, verb=Verb.ASSIGNED).get()
    assert event.actor == supervisor


def test_a_drop_answers_with_the_refreshed_board(client, supervisor, agent, team):
    case = make_case(team=team)
    client.force_login(supervisor)
    response = client.post(
        reverse("web:supervisor_reassign"),
        {"folio": case.folio, "assignee": agent.pk, "expected_version": case.version},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith(
        '<section id="supervisor-board"'
    )
    assert f"El caso {case.folio} quedó asignado a {agent}." in html


def test_a_stale_page_gets_a_clear_conflict_message_not_an_overwrite(
    client, supervisor, agent, team, system
):
    case = make_case(team=team)
    seen_version = case.version
    colleague = UserFactory(username="beto", teams=[team])
    assign_case(case=case, actor=system, assignee=colleague)  # someone else, meanwhile
    client.force_login(supervisor)
    response = client.post(
        reverse("web:supervisor_reassign"),
        {"folio": case.folio, "assignee": agent.pk, "expected_version": seen_version},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "cambió mientras lo editaba" in html and 'role="alert"' in html
    case.refresh_from_db()
    assert case.assignee == colleague


def test_a_reassignment_without_the_page_version_is_refused(client, supervisor, agent, team):
    case = make_case(team=team)
    client.force_login(supervisor)
    response = client.post(
        reverse("web:supervisor_reassign"),
        {"folio": case.folio, "assignee": agent.pk},
        HTTP_HX_REQUEST="true",
    )
    assert "Falta la versión del caso" in response.content.decode()
    case.refresh_from_db()
    assert case.assignee is None


def test_only_agents_of_the_supervisors_teams_can_receive_cases(
    client, supervisor, team, other_team
):
    case = make_case(team=team)
    outsider = UserFactory(username="externo", teams=[other_team])
    client.force_login(supervisor)
    response = client.post(
        reverse("web:supervisor_reassign"),
        {"folio": case.folio, "assignee": outsider.pk},
        follow=True,
    )
    assert "Elija un agente de sus equipos" in response.content.decode()
    case.refresh_from_db()
    assert case.assignee is None


def test_another_teams_case_cannot_be_reassigned(client, supervisor, agent, other_team):
    case = make_case(team=other_team)
    client.force_login(supervisor)
    response = client.post(
        reverse("web:supervisor_reassign"), {"folio": case.folio, "assignee": agent.pk}
    )
    assert response.status_code == 404


def test_the_cards_offer_only_members_of_the_cases_team(client, manager, team, other_team):
    mine = UserFactory(username="carla", teams=[team])
    diego = UserFactory(username="diego", teams=[other_team])
    case = make_case(team=team)
    client.force_login(manager)
    page = client.get(reverse("web:supervisor")).content.decode()
    card = page.split(f'data-case-folio="{case.folio}"', 1)[1].split("</li>", 1)[0]
    assert f'value="{mine.pk}"' in card and f'value="{diego.pk}"' not in card
    assert f'name="expected_version" value="{case.version}"' in card


# --- approvals -----------------------------------------------------------------------------------


@pytest.fixture
def refund_request(agent, team):
    case = make_case(team=team)
    return approvals.request_approval(
        case=case,
        kind=ApprovalKind.PROMISE_CHANGE,
        reason="El cliente pide mover la entrega una semana.",
        actor=Actor.agent(agent),
    )


def test_an_agent_asks_for_approval_from_the_case(client, agent, team):
    case = make_case(team=team)
    client.force_login(agent)
    response = client.post(
        reverse("web:approval_request", args=[case.folio]),
        {"kind": ApprovalKind.CLOSURE, "reason": "El cliente no responde hace 10 días."},
    )
    assert response.status_code == 302
    request = ApprovalRequest.objects.get(case=case)
    assert (request.status, request.level, request.requested_by) == ("pending", 2, agent)
    assert Event.objects.filter(case=case, verb=Verb.APPROVAL_REQUESTED).exists()


def test_the_inbox_lists_pending_requests_of_the_supervisors_teams(
    client, supervisor, refund_request, other_team, agent
):
    elsewhere = approvals.request_approval(
        case=make_case(team=other_team),
        kind=ApprovalKind.OTHER,
        reason="Otro equipo",
        actor=Actor.agent(agent),
    )
    client.force_login(supervisor)
    page = client.get(reverse("web:approvals")).content.decode()
    assert refund_request.case.folio in page and elsewhere.case.folio not in page
    assert "Aprobar" in page and "Rechazar" in page


def test_a_supervisor_approves_a_request(client, supervisor, refund_request):
    client.force_login(supervisor)
    response = client.post(
        reverse("web:approval_decide", args=[refund_request.uuid]), {"decision": "approve"}
    )
    assert response.status_code == 302
    refund_request.refresh_from_db()
    assert refund_request.status == ApprovalStatus.APPROVED
    assert refund_request.decided_by == supervisor and refund_request.decided_at is not None
    event = Event.objects.get(case=refund_request.case, verb=Verb.APPROVAL_DECIDED)
    assert event.after["status"] == "approved" and event.actor == supervisor


def test_a_rejection_needs_a_reason(client, supervisor, refund_request):
    client.force_login(supervisor)
    url = reverse("web:approval_decide", args=[refund_request.uuid])
    page = client.post(url, {"decision": "reject"}, follow=True).content.decode()
    assert "Indique el motivo del rechazo." in page
    refund_request.refresh_from_db()
    assert refund_request.status == ApprovalStatus.PENDING
    client.post(url, {"decision": "reject", "note": "La entrega no se puede mover."})
    refund_request.refresh_from_db()
    assert refund_request.status == ApprovalStatus.REJECTED
    assert refund_request.decision_note == "La entrega no se puede mover."


def test_compensation_needs_an_operations_manager(client, supervisor, manager, agent, team):
    request = approvals.request_approval(
        case=make_case(team=team),
        kind=ApprovalKind.COMPENSATION,
        reason="Bonificar el cargo indebido.",
        actor=Actor.agent(agent),
    )
    assert request.level == 3
    client.force_login(supervisor)
    url = reverse("web:approval_decide", args=[request.uuid])
    client.post(url, {"decision": "approve"})
    request.refresh_from_db()
    assert request.status == ApprovalStatus.PENDING
    client.force_login(manager)
    client.post(url, {"decision": "approve"})
    request.refresh_from_db()
    assert request.status == ApprovalStatus.APPROVED and request.decided_by == manager


def test_a_request_is_decided_only_once(supervisor, manager, refund_request):
    approvals.decide_approval(approval=refund_request, approve=True, actor=Actor.agent(supervisor))
    with pytest.raises(approvals.ApprovalError, match="ya fue resuelta"):
        approvals.decide_approval(
            approval=refund_request, approve=False, note="No", actor=Actor.agent(manager)
        )


def test_one_pending_request_per_case_and_kind(agent, refund_request):
    with pytest.raises(approvals.ApprovalError, match="pendiente"):
        approvals.request_approval(
            case=refund_request.case,
            kind=refund_request.kind,
            reason="Otra vez",
            actor=Actor.agent(agent),
        )


def test_nobody_approves_their_own_request(supervisor, team):
    request = approvals.request_approval(
        case=make_case(team=team),
        kind=ApprovalKind.OTHER,
        reason="Excepción de horario",
        actor=Actor.agent(supervisor),
    )
    with pytest.raises(approvals.ApprovalError):
        approvals.decide_approval(approval=request, approve=True, actor=Actor.agent(supervisor))


# --- wallboard and availability ------------------------------------------------------------------


def test_the_wallboard_shows_the_floor_in_large_type_with_live_refresh(client, supervisor, team):
    breached(make_case(team=team))
    client.force_login(supervisor)
    page = client.get(reverse("web:wallboard")).content.decode()
    assert 'class="wallboard"' in page and "Nivel de servicio hoy" in page
    assert f'data-live-refresh="{reverse("web:wallboard_board")}"' in page
    fragment = client.get(reverse("web:wallboard_board")).content.decode()
    assert fragment.lstrip().startswith('<section id="wallboard-board"')
    assert "wall-breached" in fragment


def test_an_agent_sets_their_own_availability_from_the_header(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("web:agent_availability"),
        {"availability": Availability.AVAILABLE, "next": reverse("web:home")},
    )
    assert response.status_code == 302 and response["Location"] == reverse("web:home")
    agent.refresh_from_db()
    assert agent.availability == Availability.AVAILABLE


def test_the_availability_snippet_swaps_itself(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("web:agent_availability"),
        {"availability": Availability.PAUSED},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert 'class="availability-form"' in html
    assert f'<option value="{Availability.PAUSED}" selected>' in html


def test_an_outside_next_address_is_ignored(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("web:agent_availability"),
        {"availability": Availability.BUSY, "next": "https://malo.example/"},
    )
    assert response["Location"] == reverse("web:home")


def test_a_next_that_is_not_a_path_falls_back_to_home(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("web:agent_availability"), {"availability": Availability.BUSY, "next": "web:case"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("web:home")


def test_the_swapped_availability_form_keeps_pointing_at_the_page_it_sits_on(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("web:agent_availability"),
        {"availability": Availability.PAUSED},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/casos/?box=mine"},
    )
    html = response.content.decode()
    assert '<input type="hidden" name="next" value="/casos/?box=mine">' in html
    assert reverse("web:agent_availability") not in html.split('name="next"', 1)[1][:80]


def test_the_case_view_can_include_the_approval_request_form(rf, agent, team):
    case = make_case(team=team)
    request = rf.get("/")
    request.user = agent
    html = render_to_string(
        "web/supervisor/_approval_request_form.html", {"case": case}, request=request
    )
    assert reverse("web:approval_request", args=[case.folio]) in html
    assert f'value="{ApprovalKind.COMPENSATION}"' in html and "csrfmiddlewaretoken" in html
