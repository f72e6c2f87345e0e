"""cases_visible_to is the one permission filter for cases (console, API, exports)."""

from atiende.cases import services
from atiende.cases.selectors import cases_visible_to
from atiende.core.actors import Actor
from tests.factories.accounts import UserFactory
from tests.factories.cases import make_case


def test_an_agent_sees_their_teams_cases_only(agent, team, other_team):
    mine, theirs = make_case(team=team), make_case(team=other_team)
    visible = set(cases_visible_to(agent))
    assert mine in visible and theirs not in visible


def test_an_agent_sees_a_case_assigned_to_them_in_another_team(agent, other_team, manager):
    agent.teams.add(other_team)
    case = services.assign_case(
        case=make_case(team=other_team), assignee=agent, actor=Actor.agent(manager)
    )
    agent.teams.remove(other_team)
    assert case in cases_visible_to(agent)


def test_desk_wide_roles_see_everything(manager, team, other_team):
    assert cases_visible_to(manager).count() == 0
    make_case(team=team), make_case(team=other_team), make_case()
    assert cases_visible_to(manager).count() == 3


def test_inactive_users_see_nothing(team):
    user = UserFactory(teams=[team], is_active=False)
    make_case(team=team)
    assert not cases_visible_to(user).exists()
