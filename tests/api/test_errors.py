"""Every error is JSON of one shape: {"code", "message", "details"?}, never an HTML page."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from atiende.cases import services
from atiende.cases.models import Case, Note
from atiende.customers.models import Customer
from tests.factories.api import api_client
from tests.factories.cases import make_case

pytestmark = pytest.mark.django_db


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    return body


def test_it_answers_unknown_api_paths_with_json_404(api):
    assert_error(api.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_error(api.post("/api/v1/cases/AT-1/nope/", {}, format="json"), 404, "not_found")


def test_it_points_at_the_missing_trailing_slash(api):
    body = assert_error(api.get("/api/v1/cases"), 404, "not_found")

    assert "/api/v1/cases/" in body["message"]


def test_it_answers_a_case_out_of_reach_with_404(api):
    assert_error(api.get("/api/v1/cases/AT-2026-999999/"), 404, "not_found")


def test_it_answers_a_wrong_method_with_405(api, team):
    case = make_case(team=team)

    assert_error(
        api.put(f"/api/v1/cases/{case.folio}/", {}, format="json"), 405, "method_not_allowed"
    )
    assert_error(api.delete(f"/api/v1/cases/{case.folio}/"), 405, "method_not_allowed")


def test_it_refuses_a_body_in_another_format_with_415(api):
    response = api.post("/api/v1/customers/", "email=a@b.mx", content_type="text/plain")

    assert_error(response, 415, "unsupported_media_type")


def test_it_refuses_broken_json_with_400(api):
    response = api.post("/api/v1/customers/", '{"identities": ', content_type="application/json")

    assert_error(response, 400, "parse_error")


def test_it_refuses_nul_characters_before_they_reach_the_database(api):
    body = {"name": "Ana\x00", "identities": {"email": "ana@example.com"}}

    assert_error(api.post("/api/v1/customers/", body, format="json"), 400, "parse_error")


def test_it_refuses_deeply_nested_json(api):
    body = '{"custom_fields": ' + "[" * 100_000 + "]" * 100_000 + "}"

    assert_error(
        api.post("/api/v1/customers/", body, content_type="application/json"), 400, "parse_error"
    )


def test_it_names_unknown_fields(api):
    body = {"identities": {"email": "a@b.mx", "fax": "1"}, "nombre": "Ana"}

    error = assert_error(api.post("/api/v1/customers/", body, format="json"), 400, "unknown_field")

    assert "identities.fax" in error["message"] and "nombre" in error["message"]
    assert error["details"]["nombre"] == ["Campo desconocido."]


def test_it_lists_field_errors_in_details(api):
    error = assert_error(
        api.post("/api/v1/customers/", {"identities": "x"}, format="json"), 400, "invalid"
    )

    assert "identities" in error["details"]


def test_it_speaks_spanish_by_default_and_english_when_asked(agent):
    spanish = api_client(agent).get("/api/v1/nowhere/").json()
    english = api_client(agent, language="en").get("/api/v1/nowhere/").json()

    assert spanish["message"] == "No encontrado."
    assert english["message"] == "Not found."


def test_it_explains_domain_errors_in_english_when_asked(agent, team):
    case = make_case(team=team)
    body = {"status": "closed"}

    error = assert_error(
        api_client(agent, language="en").post(
            f"/api/v1/cases/{case.folio}/transition/", body, format="json"
        ),
        400,
        "invalid_case",
    )

    assert error["message"] == "The case data is not valid."
    assert error["details"]["reason"]  # the service's own words


def test_it_answers_an_unexpected_failure_with_json_500(agent, team, monkeypatch):
    case = make_case(team=team)

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "add_note", broken)
    client = api_client(agent)
    client.raise_request_exception = False

    response = client.post(f"/api/v1/cases/{case.folio}/notes/", {"body": "hola"}, format="json")

    assert_error(response, 500, "server_error")
    assert "boom" not in response.content.decode()
    assert not Note.objects.exists()


def test_it_tells_a_throttled_client_when_to_come_back(agent, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "2/min", "anon": "2/min"})
    cache.clear()
    client = api_client(agent)
    client.get("/api/v1/me/")
    client.get("/api/v1/me/")

    response = client.get("/api/v1/me/")

    error = assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    assert error["details"]["retry_after"] > 0
    cache.clear()


def test_it_leaves_nothing_half_written_when_a_case_cannot_be_opened(api):
    body = {"customer": {"email": "nuevo@example.com"}, "channel": "email", "summary": " "}

    assert_error(api.post("/api/v1/cases/", body, format="json"), 400, "invalid_case")

    assert not Case.objects.exists()
    assert not Customer.objects.exists()


def test_it_answers_anonymous_requests_to_unknown_paths_with_json_too(db):
    assert_error(APIClient().post("/api/v1/whatever", {}), 404, "not_found")


def test_it_refuses_a_body_over_the_size_limit_before_reading_it(api, team, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    case = make_case(team=team)
    upload = SimpleUploadedFile("foto.jpg", b"x" * 200)

    assert_error(
        api.post("/api/v1/customers/", {"name": "x" * 200}, format="json"), 413, "request_too_large"
    )
    assert_error(
        api.post(f"/api/v1/cases/{case.folio}/attachments/", {"file": upload}, format="multipart"),
        413,
        "request_too_large",
    )
