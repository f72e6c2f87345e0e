"""Dates and times show in the signed-in user's own time zone."""

from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from atiende.accounts.middleware import UserTimezoneMiddleware


def _zone_seen_by_view(user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return HttpResponse()

    try:
        UserTimezoneMiddleware(view)(request)
    finally:
        timezone.deactivate()  # the zone a request activated must not leak into later tests
    return seen["zone"]


def test_a_user_with_a_time_zone_sees_their_own(agent):
    agent.timezone = "America/Santiago"
    assert _zone_seen_by_view(agent) == "America/Santiago"


def test_a_user_without_one_or_with_an_unknown_one_sees_the_desks(agent, settings):
    assert _zone_seen_by_view(agent) == settings.TIME_ZONE
    agent.timezone = "Marte/Olympus"
    assert _zone_seen_by_view(agent) == settings.TIME_ZONE


def test_the_users_zone_is_none_when_unset_or_unknown(agent):
    assert agent.zone is None
    agent.timezone = "Marte/Olympus"
    assert agent.zone is None
    agent.timezone = "America/Santiago"
    assert str(agent.zone) == "America/Santiago"


def test_supervising_is_one_predicate_and_staff_alone_does_not_supervise(db):
    from atiende.accounts.models import Role
    from tests.factories.accounts import UserFactory

    assert UserFactory(role=Role.SUPERVISOR).supervises
    assert UserFactory(role=Role.OPERATIONS_MANAGER).supervises
    assert UserFactory(role=Role.ADMINISTRATOR).supervises
    assert not UserFactory(role=Role.AGENT).supervises
    assert not UserFactory(role=Role.AGENT, is_staff=True).supervises
    assert not UserFactory(role=Role.SUPERVISOR, is_active=False).supervises
