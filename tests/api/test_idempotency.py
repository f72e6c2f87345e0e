"""POSTs with an Idempotency-Key run once per user and key; repeats get the first answer."""

import pytest

from atiende.api.models import IdempotencyKey
from atiende.cases import services
from atiende.cases.models import Case, Note
from tests.factories.api import api_client
from tests.factories.cases import make_case

pytestmark = pytest.mark.django_db

BODY = {"customer": {"email": "juana@example.com"}, "channel": "email", "message": "Hola"}


def post_case(client, key, body=BODY):
    return client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_it_answers_a_repeat_with_the_first_response(api):
    first = post_case(api, "alta-4411")
    second = post_case(api, "alta-4411")

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1


def test_it_refuses_the_same_key_with_another_body(api):
    post_case(api, "alta-4411")

    response = post_case(api, "alta-4411", {**BODY, "message": "Otra cosa"})

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


def test_it_refuses_the_same_key_on_another_endpoint(api, team):
    case = make_case(team=team)
    api.post(
        f"/api/v1/cases/{case.folio}/notes/",
        {"body": "hola"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )

    response = post_case(api, "k1")

    assert response.status_code == 422
    assert not Case.objects.exclude(pk=case.pk).exists()


def test_it_keeps_keys_apart_per_user(api, manager):
    post_case(api, "alta-4411")

    response = post_case(api_client(manager), "alta-4411")

    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert Case.objects.count() == 2


def test_it_replays_a_refusal_too(api, team):
    case = make_case(team=team)
    url = f"/api/v1/cases/{case.folio}/transition/"

    first = api.post(url, {"status": "closed"}, format="json", HTTP_IDEMPOTENCY_KEY="cierre")
    second = api.post(url, {"status": "closed"}, format="json", HTTP_IDEMPOTENCY_KEY="cierre")

    assert first.status_code == second.status_code == 400
    assert second.json() == first.json() and second["Idempotent-Replayed"] == "true"


def test_it_forgets_a_request_that_failed_on_the_server(agent, team, monkeypatch):
    case = make_case(team=team)
    url = f"/api/v1/cases/{case.folio}/notes/"
    client = api_client(agent)
    client.raise_request_exception = False
    real_add_note = services.add_note

    def broken(**kwargs):
        real_add_note(**kwargs)
        raise RuntimeError("boom after writing")

    monkeypatch.setattr(services, "add_note", broken)
    assert (
        client.post(url, {"body": "hola"}, format="json", HTTP_IDEMPOTENCY_KEY="nota-1").status_code
        == 500
    )
    assert not IdempotencyKey.objects.exists() and not Note.objects.exists()

    monkeypatch.setattr(services, "add_note", real_add_note)
    assert (
        client.post(url, {"body": "hola"}, format="json", HTTP_IDEMPOTENCY_KEY="nota-1").status_code
        == 201
    )
    assert Note.objects.count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "con espacio", "ñ"])
def test_it_refuses_a_malformed_key(api, key):
    response = post_case(api, key.encode().decode("latin-1"))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert not Case.objects.exists()


def test_it_writes_no_key_when_the_header_is_absent(api):
    api.post("/api/v1/cases/", BODY, format="json")

    assert not IdempotencyKey.objects.exists()


def test_it_hashes_uploads_by_their_content(api, team):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = make_case(team=team)
    url = f"/api/v1/cases/{case.folio}/attachments/"

    def upload(content):
        return api.post(
            url,
            {"file": SimpleUploadedFile("a.txt", content)},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="adjunto-1",
        )

    assert upload(b"uno").status_code == 201
    assert upload(b"uno")["Idempotent-Replayed"] == "true"
    assert upload(b"dos").status_code == 422
    assert case.attachments.count() == 1
