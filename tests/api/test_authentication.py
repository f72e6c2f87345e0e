"""Who may call the API: bearer tokens made by the accounts service, or a browser session."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from atiende.accounts.models import ApiToken
from atiende.accounts.services import create_api_token, revoke_api_token
from tests.factories.api import api_client, make_token

pytestmark = pytest.mark.django_db


def assert_unauthorised(response, code):
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == code
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_accepts_a_valid_bearer_token(agent):
    response = api_client(agent).get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json()["username"] == "ana"


def test_it_records_when_a_token_was_last_used(agent):
    token, raw = create_api_token(user=agent, name="integración")

    api_client(token=raw).get("/api/v1/me/")

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_it_refuses_a_wrong_token(agent):
    raw = make_token(agent)

    assert_unauthorised(
        api_client(token=raw[:-3] + "xyz").get("/api/v1/me/"), "authentication_failed"
    )


def test_it_refuses_a_revoked_token(agent):
    token, raw = create_api_token(user=agent, name="vieja")
    revoke_api_token(token=token)

    assert_unauthorised(api_client(token=raw).get("/api/v1/me/"), "authentication_failed")


def test_it_refuses_an_expired_token(agent):
    token, raw = create_api_token(user=agent, name="temporal", expires_in_days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert_unauthorised(api_client(token=raw).get("/api/v1/me/"), "authentication_failed")


def test_it_refuses_the_token_of_a_deactivated_user(agent):
    raw = make_token(agent)
    agent.is_active = False
    agent.save()

    assert_unauthorised(api_client(token=raw).get("/api/v1/me/"), "authentication_failed")


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer a b", "Bearer atk_zz_", "Bearer atk_0123456789ab_\x01x"]
)
def test_it_refuses_a_malformed_authorization_header(agent, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    assert_unauthorised(client.get("/api/v1/me/"), "authentication_failed")


def test_it_asks_for_credentials_when_none_are_sent(db):
    assert_unauthorised(APIClient().get("/api/v1/cases/"), "not_authenticated")


def test_it_accepts_a_browser_session(agent):
    client = APIClient()
    client.force_login(agent)

    assert client.get("/api/v1/me/").status_code == 200


def test_it_requires_the_csrf_token_for_writes_from_a_browser_session(agent):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(agent)

    response = client.post("/api/v1/customers/", {"identities": {"email": "a@b.mx"}}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_it_serves_the_openapi_document_without_credentials(db):
    response = APIClient().get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.1")
