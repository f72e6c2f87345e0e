import pytest

from atiende.cases import services
from atiende.cases.models import Status, Verb
from atiende.core.actors import Actor
from tests.factories.accounts import UserFactory
from tests.factories.cases import make_case


def test_assigning_a_new_case_opens_it(db, agent, supervisor, team):
    case = services.assign_case(
        case=make_case(team=team), assignee=agent, actor=Actor.agent(supervisor)
    )
    assert (case.assignee, case.status) == (agent, Status.OPEN)
    assert set(case.events.values_list("verb", flat=True)) >= {Verb.ASSIGNED, Verb.STATUS_CHANGED}


def test_it_refuses_an_assignee_outside_the_team(db, other_team, supervisor):
    outsider = UserFactory(teams=[other_team])
    case = make_case(team=supervisor.teams.first())
    with pytest.raises(services.CaseValidationError):
        services.assign_case(case=case, assignee=outsider, actor=Actor.agent(supervisor))


def test_changing_team_is_its_own_event(db, team, other_team, supervisor):
    case = services.assign_case(
        case=make_case(team=team), assignee=None, team=other_team, actor=Actor.agent(supervisor)
    )
    event = case.events.get(verb=Verb.TEAM_CHANGED)
    assert (event.before, event.after) == ({"team": team.pk}, {"team": other_team.pk})


def test_escalation_raises_the_level_and_keeps_the_reason(db, agent):
    case = services.escalate_case(
        case=make_case(), level=2, reason="Cliente menciona PROFECO", actor=Actor.agent(agent)
    )
    assert (case.escalation_level, case.status) == (2, Status.ESCALATED)
    assert case.events.last().after["reason"] == "Cliente menciona PROFECO"


def test_escalation_never_goes_down_or_past_three(db, agent):
    case = services.escalate_case(
        case=make_case(), level=3, reason="Disputa legal", actor=Actor.agent(agent)
    )
    for level in (2, 3, 4):
        with pytest.raises(services.CaseValidationError):
            services.escalate_case(
                case=case, level=level, reason="otra vez", actor=Actor.agent(agent)
            )
