"""Property-based check of the whole API against its own OpenAPI document (schemathesis).

Every operation is called with generated input, valid and invalid, as a desk-wide user with a
real bearer token. Whatever the input, the API must never answer 5xx, and every answer must
match the documented status codes, content type and schema (errors included).

Path parameters point at real rows (a case, a customer, a user, a team) made for each test, so
the generated bodies reach the services instead of stopping at a 404.
"""

from __future__ import annotations

import os
import uuid

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from atiende.cases.services import add_outbound_message
from atiende.wsgi import application
from tests.factories.api import make_token
from tests.factories.cases import make_case
from tests.factories.customers import CustomerFactory, IdentityFactory

pytestmark = pytest.mark.django_db

CUSTOMER_UUID = uuid.UUID("6f1c1c1e-5d5e-4a44-9f55-2a1b3c4d5e6f")
MAX_EXAMPLES = int(os.environ.get("ATIENDE_SCHEMATHESIS_EXAMPLES", "12"))
COVERAGE_PHASE = os.environ.get("ATIENDE_SCHEMATHESIS_COVERAGE", "") == "1"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def first_folio() -> str:
    """The folio of the first case of the year: each test starts from an empty database."""
    return f"AT-{timezone.now().year}-000001"


def load_schema() -> schemathesis.BaseSchema:
    """Loaded at collection (the document is public and needs no database)."""
    config = schemathesis.Config.from_dict(
        {
            "generation": {"mode": "all", "max-examples": MAX_EXAMPLES},
            "phases": {"coverage": {"enabled": COVERAGE_PHASE}},
            "parameters": {
                "path.folio": first_folio(),
                "path.uuid": str(CUSTOMER_UUID),
                "path.username": "gerente",
                "path.slug": "centro-informacion",
            },
        }
    )
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=config)


schema = load_schema()


@pytest.fixture
def same_connection():
    """Keep the test's database connection across requests, as Django's test client does.

    The real WSGI handler closes connections at the end of each request; inside the test's
    transaction that would drop the transaction itself (on PostgreSQL).
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(same_connection, manager, team, system):
    """A desk with one case (with a reply), one customer and a team; the manager's token."""
    case = make_case(team=team, message_text="Hola, mi pedido no llega.")
    assert case.folio == first_folio()
    add_outbound_message(case=case, body_text="Ya lo revisamos.", actor=system)
    IdentityFactory(customer=CustomerFactory(uuid=CUSTOMER_UUID), address="juana@example.com")
    manager.teams.add(team)
    return f"Bearer {make_token(manager)}"


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_it_never_fails_on_the_server_and_answers_as_documented(case, bearer):
    case.call_and_validate(headers={"Authorization": bearer}, checks=CHECKS)
