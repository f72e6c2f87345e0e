"""The service-level endpoints under generated input as an ADMINISTRATOR, who may write: bad
calendars and policies must end in a documented 4xx, never in a 5xx."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from atiende.accounts.models import Role
from atiende.sla.models import Calendar, Policy, Target
from tests.api.test_openapi_schemathesis import (  # noqa: F401 (same_connection is a fixture)
    CHECKS,
    MAX_EXAMPLES,
    same_connection,
    schema,
)
from tests.factories.accounts import UserFactory
from tests.factories.api import make_token
from tests.factories.cases import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_bearer(same_connection, team):  # noqa: F811
    """An administrator's token; the schema's slug parameter ("centro-informacion") names a
    calendar and a draft policy too, so generated writes reach the services."""
    make_case(team=team, channel="whatsapp", message_text="Hola")
    office = Calendar.objects.get(slug="oficina-mexico")
    calendar = Calendar.objects.create(
        slug=team.slug, name="Centro", weekly_hours=office.weekly_hours, holiday_country="MX"
    )
    policy = Policy.objects.create(
        slug=team.slug, name="Borrador", calendar=calendar, is_active=False
    )
    Target.objects.create(policy=policy, kind="first_response", seconds=600)
    return f"Bearer {make_token(UserFactory(username='admin', role=Role.ADMINISTRATOR))}"


@schema.include(path_regex="^/api/v1/sla/").parametrize()
@settings(max_examples=MAX_EXAMPLES * 2, deadline=None, suppress_health_check=list(HealthCheck))
def test_service_level_endpoints_never_fail_on_the_server(case, admin_bearer):
    case.call_and_validate(headers={"Authorization": admin_bearer}, checks=CHECKS)
