import pytest

from tests.factories.api import api_client


@pytest.fixture
def api(agent):
    """The agent of the `team` fixture, through the API."""
    return api_client(agent)


@pytest.fixture
def manager_api(manager):
    """A desk-wide operations manager, through the API."""
    return api_client(manager)
