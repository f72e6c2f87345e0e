import pytest

from atiende.accounts.models import Role
from atiende.core.actors import Actor
from tests.factories.accounts import TeamFactory, UserFactory


@pytest.fixture
def team(db):
    return TeamFactory(name="Centro de información", slug="centro-informacion")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Reclamos", slug="reclamos")


@pytest.fixture
def agent(team):
    return UserFactory(username="ana", role=Role.AGENT, teams=[team])


@pytest.fixture
def supervisor(team):
    return UserFactory(username="sofia", role=Role.SUPERVISOR, teams=[team])


@pytest.fixture
def manager(db):
    return UserFactory(username="gerente", role=Role.OPERATIONS_MANAGER)


@pytest.fixture
def system():
    return Actor.system("tests")
