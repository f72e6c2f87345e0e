"""The OpenAPI 3.1 document, Swagger UI and Redoc: public, complete, and with no CDN assets."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema():
    return APIClient().get("/api/v1/openapi.json").json()


def test_it_publishes_openapi_3_1_with_bearer_auth(schema):
    assert schema["openapi"] == "3.1.0"
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["bearerAuth"]["description"],
    }


def test_it_documents_every_endpoint(schema):
    paths = set(schema["paths"])
    for action in (
        "transition",
        "assign",
        "escalate",
        "promise",
        "messages",
        "notes",
        "attachments",
        "events",
        "links",
        "merge",
        "split",
    ):
        assert f"/api/v1/cases/{{folio}}/{action}/" in paths
    for path in (
        "/api/v1/cases/",
        "/api/v1/cases/{folio}/",
        "/api/v1/customers/",
        "/api/v1/customers/{uuid}/",
        "/api/v1/customers/{uuid}/identities/",
        "/api/v1/customers/{uuid}/consents/",
        "/api/v1/customers/{uuid}/merge/",
        "/api/v1/users/",
        "/api/v1/users/{username}/",
        "/api/v1/teams/",
        "/api/v1/teams/{slug}/",
        "/api/v1/me/",
    ):
        assert path in paths


def test_it_documents_errors_with_one_component(schema):
    error_ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "403"):
                assert (
                    operation["responses"][status]["content"]["application/json"]["schema"]
                    == error_ref
                )
            if "{" in path:
                assert "404" in operation["responses"], (method, path)
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"code", "message"}


def test_it_documents_the_idempotency_key_on_every_post(schema):
    for operations in schema["paths"].values():
        if "post" in operations:
            assert any(p["name"] == "Idempotency-Key" for p in operations["post"]["parameters"])


def test_it_marks_input_bodies_as_closed(schema):
    assert schema["components"]["schemas"]["CaseCreateRequest"]["additionalProperties"] is False


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_it_serves_the_viewers_from_this_server(url):
    response = APIClient().get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()


def test_it_generates_the_document_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "api.yaml")
    )
