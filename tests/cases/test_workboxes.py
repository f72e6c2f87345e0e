"""The workbox selectors (UI1): which open cases each box holds, in what order, and the counts."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from atiende.accounts.models import Role
from atiende.cases import services, workboxes
from atiende.cases.models import Case, Status
from atiende.cases.workboxes import InvalidWorkboxQuery, Workbox, WorkboxQuery, parse_query
from atiende.sla.models import Clock, ClockState, Policy
from tests.factories.accounts import UserFactory
from tests.factories.cases import make_case

NOW = datetime(2026, 11, 4, 17, 0, tzinfo=ZoneInfo("UTC"))  # 11:00 in Mexico City


def folios(cases) -> list[str]:
    return [c.folio for c in cases]


def box(user, name: str, *, now: datetime | None = None):
    """The cases of one box, read through the workbox's real entry point."""
    return Workbox(user, now=now).cases(name)


def set_fields(case: Case, **fields) -> Case:
    """Arrange a case's state directly (the services have their own tests)."""
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case


def running_clock(case: Case, *, warn_at: datetime, due_at: datetime) -> Clock:
    policy = Policy.objects.select_related("calendar").first()
    return Clock.objects.create(
        case=case,
        kind="resolution",
        policy=policy,
        calendar=policy.calendar,
        seconds=3600,
        state=ClockState.RUNNING,
        started_at=warn_at - timedelta(hours=1),
        segment_start=warn_at - timedelta(hours=1),
        warn_at=warn_at,
        due_at=due_at,
    )


def test_my_cases_are_mine_and_open_soonest_due_first_without_due_time_last(agent, team):
    later = set_fields(make_case(team=team), assignee=agent, next_due_at=NOW + timedelta(hours=5))
    sooner = set_fields(make_case(team=team), assignee=agent, next_due_at=NOW + timedelta(hours=1))
    no_clock = set_fields(make_case(team=team), assignee=agent)
    set_fields(make_case(team=team), assignee=agent, status=Status.CLOSED)
    make_case(team=team)  # the team's, not mine
    assert folios(box(agent, "mine")) == [sooner.folio, later.folio, no_clock.folio]


def test_the_team_queue_holds_my_teams_open_cases_assigned_or_not(agent, team, other_team):
    colleague = UserFactory(teams=[team])
    assigned = set_fields(make_case(team=team), assignee=colleague)
    waiting = make_case(team=team)
    make_case(team=other_team)
    set_fields(make_case(team=team), status=Status.RESOLVED)
    assert set(folios(box(agent, "team"))) == {assigned.folio, waiting.folio}


def test_unassigned_is_limited_to_what_the_user_may_see(agent, manager, team, other_team):
    mine = make_case(team=team)
    theirs = make_case(team=other_team)
    set_fields(make_case(team=team), assignee=agent)
    assert folios(box(agent, "unassigned")) == [mine.folio]
    assert set(folios(box(manager, "unassigned"))) == {mine.folio, theirs.folio}


def test_escalated_to_a_supervisor_are_the_level_2_cases_of_their_teams(
    supervisor, manager, agent, team, other_team, system
):
    level2 = services.escalate_case(case=make_case(team=team), level=2, reason="x", actor=system)
    level3 = services.escalate_case(case=make_case(team=team), level=3, reason="y", actor=system)
    services.escalate_case(case=make_case(team=other_team), level=2, reason="z", actor=system)
    assert folios(box(supervisor, "escalated")) == [level2.folio]
    assert folios(box(manager, "escalated")) == [level3.folio]


def test_an_agent_sees_as_escalated_to_them_the_escalated_cases_they_own(agent, team, system):
    case = services.escalate_case(case=make_case(team=team), level=2, reason="x", actor=system)
    assert folios(box(agent, "escalated")) == []
    set_fields(case, assignee=agent)
    assert folios(box(agent, "escalated")) == [case.folio]


def test_at_risk_are_cases_past_a_warning_or_past_their_due_time(agent, team):
    warned = set_fields(make_case(team=team), next_due_at=NOW + timedelta(minutes=20))
    running_clock(warned, warn_at=NOW - timedelta(minutes=10), due_at=NOW + timedelta(minutes=20))
    calm = set_fields(make_case(team=team), next_due_at=NOW + timedelta(hours=3))
    running_clock(calm, warn_at=NOW + timedelta(hours=2), due_at=NOW + timedelta(hours=3))
    overdue = set_fields(make_case(team=team), next_due_at=NOW - timedelta(minutes=5))
    assert folios(box(agent, "at_risk", now=NOW)) == [overdue.folio, warned.folio]


def test_followups_of_today_use_the_users_time_zone(team):
    santiago = UserFactory(teams=[team], timezone="America/Santiago")  # 14:00 there at NOW
    tonight = NOW.replace(hour=23, minute=30)  # 20:30 in Santiago: today
    after_midnight = NOW + timedelta(hours=10, minutes=30)  # 00:30 tomorrow in Santiago
    promised = set_fields(make_case(team=team), assignee=santiago, promise_at=tonight)
    due = set_fields(make_case(team=team), assignee=santiago, next_due_at=tonight)
    set_fields(make_case(team=team), assignee=santiago, promise_at=after_midnight)
    set_fields(make_case(team=team), promise_at=tonight)  # not theirs
    assert set(folios(box(santiago, "followups", now=NOW))) == {promised.folio, due.folio}


def test_waiting_on_customer_lists_that_status_only(agent, team):
    waiting = set_fields(make_case(team=team), status=Status.WAITING_CUSTOMER)
    set_fields(make_case(team=team), status=Status.WAITING_THIRD_PARTY)
    assert folios(box(agent, "waiting")) == [waiting.folio]


def test_counts_of_every_box_come_from_one_query(agent, team, django_assert_num_queries):
    set_fields(make_case(team=team), assignee=agent, status=Status.WAITING_CUSTOMER)
    make_case(team=team)
    set_fields(make_case(team=team), next_due_at=NOW - timedelta(minutes=1))
    workbox = Workbox(agent, now=NOW)  # reads the user's teams
    with django_assert_num_queries(1):
        counts = workbox.counts()
    assert counts == {
        "mine": 1,
        "team": 3,
        "unassigned": 2,
        "escalated": 0,
        "at_risk": 1,
        "followups": 0,
        "waiting": 1,
    }


def test_filters_combine_with_the_box(agent, team):
    phone = make_case(team=team, channel="phone", summary="Fuga de agua en baño", tags=["fuga"])
    make_case(team=team, channel="phone", summary="Consulta de precios")
    make_case(team=team, channel="email", summary="Fuga en cocina")
    query = WorkboxQuery("team", {"channel": "phone", "q": "fuga", "tag": "Fuga"})
    assert folios(Workbox(agent).filtered(query)) == [phone.folio]


def test_the_risk_of_each_row_is_computed_for_the_page_in_one_query(
    agent, team, django_assert_num_queries
):
    breached = set_fields(make_case(team=team), next_due_at=NOW - timedelta(minutes=1))
    warned = set_fields(make_case(team=team), next_due_at=NOW + timedelta(minutes=30))
    running_clock(warned, warn_at=NOW - timedelta(minutes=1), due_at=NOW + timedelta(minutes=30))
    ok = set_fields(make_case(team=team), next_due_at=NOW + timedelta(hours=8))
    none = make_case(team=team)
    with django_assert_num_queries(1):
        rows = workboxes.annotate_risk([breached, warned, ok, none], now=NOW)
    assert [r.risk for r in rows] == ["breached", "warning", "ok", ""]


def test_a_lenient_parse_ignores_what_it_does_not_know(agent):
    query = parse_query(
        {"box": "nope", "status": "closed", "channel": "email", "x": "1"}, default="mine"
    )
    assert query == WorkboxQuery("mine", {"channel": "email"})


@pytest.mark.parametrize(
    "params",
    [{"box": "nope"}, {"status": "closed"}, {"team": "abc"}, {"next": "https://evil.test"}],
)
def test_a_strict_parse_refuses_unknown_parameters_and_values(params):
    with pytest.raises(InvalidWorkboxQuery):
        parse_query(params, default="mine", strict=True)


def test_supervisors_start_on_the_team_queue_and_agents_on_their_cases(agent, supervisor):
    assert workboxes.default_box(agent) == "mine"
    assert workboxes.default_box(supervisor) == "team"
    assert workboxes.default_box(UserFactory(role=Role.OPERATIONS_MANAGER)) == "mine"


def test_nothing_is_visible_to_an_inactive_user(agent, team):
    set_fields(make_case(team=team), assignee=agent)
    agent.is_active = False
    assert list(box(agent, "mine")) == []


def test_followups_of_today_use_the_active_zone_when_the_user_has_none_or_a_stale_one(team):
    stale = UserFactory(teams=[team], timezone="Marte/Olympus")
    tonight = NOW.replace(hour=23, minute=30)  # 17:30 in Mexico City (the desk's zone): today
    promised = set_fields(make_case(team=team), assignee=stale, promise_at=tonight)
    assert folios(box(stale, "followups", now=NOW)) == [promised.folio]
