"""Case actions: each is one service call that writes its events; bad input writes nothing."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from atiende.cases import services
from atiende.cases.models import Attachment, Case, CaseLink, Message, Note
from tests.factories.accounts import UserFactory
from tests.factories.cases import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(team):
    return make_case(team=team, message_text="Hola, ¿dónde está mi pedido?")


def post(client, case, action, body, **kwargs):
    kwargs.setdefault("format", "json")
    return client.post(f"/api/v1/cases/{case.folio}/{action}/", body, **kwargs)


def verbs(case):
    return list(case.events.order_by("at", "pk").values_list("verb", flat=True))


def assert_refused(response, status, code, case, events_before):
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert verbs(case) == events_before


# --- lifecycle ---------------------------------------------------------------------------------


def test_it_moves_a_case_along_its_lifecycle(api, case):
    response = post(
        api, case, "transition", {"status": "resolved", "solution": "Se reenvió el pedido."}
    )

    assert response.status_code == 200, response.json()
    assert (
        response.json()["status"] == "resolved"
        and response.json()["solution"] == "Se reenvió el pedido."
    )
    assert verbs(case)[-1] == "status_changed"


def test_it_closes_with_a_reason_and_the_customers_satisfaction(api, case):
    body = {"status": "closed", "closure_reason": "confirmed", "satisfaction_confirmed": True}

    response = post(api, case, "transition", body)

    assert (
        response.json()["closure_reason"] == "confirmed"
        and response.json()["satisfaction_confirmed"] is True
    )


def test_it_refuses_a_move_the_lifecycle_does_not_allow_with_409(api, case):
    post(api, case, "transition", {"status": "closed", "closure_reason": "spam"})
    before = verbs(case)

    assert_refused(
        post(api, case, "transition", {"status": "open"}), 409, "invalid_transition", case, before
    )


def test_it_refuses_to_resolve_without_a_solution(api, case):
    before = verbs(case)

    assert_refused(
        post(api, case, "transition", {"status": "resolved"}), 400, "invalid_case", case, before
    )


def test_it_refuses_a_transition_on_a_stale_version(api, case):
    before = verbs(case)

    response = post(api, case, "transition", {"status": "open", "version": case.version + 1})

    assert_refused(response, 409, "stale_case", case, before)


def test_it_refuses_an_unknown_status(api, case):
    before = verbs(case)

    assert_refused(
        post(api, case, "transition", {"status": "abierto"}), 400, "invalid", case, before
    )


# --- assignment, escalation, promise -----------------------------------------------------------


def test_it_assigns_a_case_and_opens_it(api, case, supervisor):
    response = post(api, case, "assign", {"assignee": supervisor.username})

    assert response.json()["assignee"] == "sofia" and response.json()["status"] == "open"
    assert verbs(case)[-2:] == ["status_changed", "assigned"]


def test_it_unassigns_a_case(api, case, supervisor, system):
    services.assign_case(case=case, assignee=supervisor, actor=system)

    response = post(api, case, "assign", {"assignee": None})

    assert response.status_code == 200 and response.json()["assignee"] is None


def test_it_moves_a_case_to_another_team_with_its_assignee(manager_api, case, other_team):
    colleague = UserFactory(teams=[other_team])

    response = post(
        manager_api, case, "assign", {"assignee": colleague.username, "team": other_team.slug}
    )

    assert response.json()["team"] == "reclamos"
    assert "team_changed" in verbs(case)


def test_it_refuses_an_assignee_outside_the_team(api, case, other_team):
    stranger = UserFactory(teams=[other_team])
    before = verbs(case)

    assert_refused(
        post(api, case, "assign", {"assignee": stranger.username}),
        400,
        "invalid_case",
        case,
        before,
    )


@pytest.mark.parametrize(
    "body", [{"assignee": "nadie"}, {}, {"assignee": 7}, {"assignee": None, "team": "x"}]
)
def test_it_refuses_a_bad_assignment(api, case, body):
    before = verbs(case)

    assert_refused(post(api, case, "assign", body), 400, "invalid", case, before)


def test_it_escalates_a_case(api, case):
    response = post(
        api, case, "escalate", {"level": 2, "reason": "El cliente amenaza con PROFECO."}
    )

    assert response.json()["escalation_level"] == 2 and response.json()["status"] == "escalated"
    assert case.events.get(verb="escalated").after["reason"] == "El cliente amenaza con PROFECO."


@pytest.mark.parametrize(
    "body, code",
    [
        ({"level": 5, "reason": "x"}, "invalid"),
        ({"level": 2}, "invalid"),
        ({"level": 2, "reason": "  "}, "invalid"),
        ({"level": 1, "reason": "x"}, "invalid"),
    ],
)
def test_it_refuses_a_bad_escalation(api, case, body, code):
    before = verbs(case)

    assert_refused(post(api, case, "escalate", body), 400, code, case, before)


def test_it_sets_a_promise(api, case):
    promise_at = (timezone.now() + timedelta(days=2)).replace(microsecond=0)

    response = post(
        api,
        case,
        "promise",
        {"promise_at": promise_at.isoformat(), "reason": "Envío por paquetería"},
    )

    assert response.status_code == 200
    case.refresh_from_db()
    assert case.promise_at == promise_at
    assert case.events.get(verb="promise_set").after["reason"] == "Envío por paquetería"


def test_it_refuses_a_promise_before_the_case_arrived(api, case):
    before = verbs(case)
    body = {"promise_at": (case.received_at - timedelta(days=1)).isoformat(), "reason": "x"}

    assert_refused(post(api, case, "promise", body), 400, "invalid_case", case, before)


# --- messages and notes ------------------------------------------------------------------------


def test_it_records_a_message_from_the_customer(api, case):
    body = {
        "direction": "in",
        "body_text": "Sigo esperando.",
        "from_address": "juana@example.com",
        "external_id": "<abc@mail>",
    }

    response = post(api, case, "messages", body)

    assert response.status_code == 201, response.json()
    assert response.json()["direction"] == "in" and response.json()["channel"] == case.channel
    assert verbs(case)[-1] == "message_received"


def test_it_queues_a_reply_and_records_the_first_response(api, case):
    response = post(
        api,
        case,
        "messages",
        {"direction": "out", "body_html": "<p>Ya va en camino.</p><script>x</script>"},
    )

    assert response.status_code == 201
    message = Message.objects.get(uuid=response.json()["uuid"])
    assert message.delivery_status == "queued" and "<script>" not in message.body_html
    assert verbs(case)[-2:] == ["message_queued", "first_response"]


def test_it_lists_the_messages_oldest_first(api, case, system):
    services.add_outbound_message(case=case, body_text="Respuesta", actor=system)

    rows = api.get(f"/api/v1/cases/{case.folio}/messages/").json()["results"]

    assert [r["direction"] for r in rows] == ["in", "out"]


def test_it_refuses_a_duplicate_external_id_with_409(api, case):
    body = {"direction": "in", "body_text": "Hola", "external_id": "wamid.1", "channel": "whatsapp"}
    post(api, case, "messages", body)
    before = verbs(case)

    assert_refused(post(api, case, "messages", body), 409, "duplicate_external_id", case, before)


@pytest.mark.parametrize(
    "body, code",
    [
        ({"direction": "in", "body_text": "  "}, "invalid_case"),
        ({"direction": "out", "body_text": "x", "from_address": "a@b.mx"}, "invalid"),
        ({"direction": "in", "body_text": "x", "to_address": "a@b.mx"}, "invalid"),
        ({"direction": "sideways", "body_text": "x"}, "invalid"),
        ({"direction": "in", "body": "x"}, "unknown_field"),
    ],
)
def test_it_refuses_a_bad_message(api, case, body, code):
    before = verbs(case)

    assert_refused(post(api, case, "messages", body), 400, code, case, before)
    assert case.messages.count() == 1


def test_it_adds_a_note_with_mentions(api, case, supervisor):
    response = post(api, case, "notes", {"body": "@sofia ¿lo revisas?"})

    assert response.status_code == 201
    assert response.json()["mentions"] == ["sofia"] and response.json()["author"] == "ana"
    assert verbs(case)[-1] == "note_added"
    assert (
        api.get(f"/api/v1/cases/{case.folio}/notes/").json()["results"][0]["body"]
        == "@sofia ¿lo revisas?"
    )


def test_it_refuses_an_empty_note(api, case):
    before = verbs(case)

    assert_refused(post(api, case, "notes", {"body": " "}), 400, "invalid", case, before)
    assert not Note.objects.exists()


# --- attachments -------------------------------------------------------------------------------


def upload(client, case, name, content, **data):
    return client.post(
        f"/api/v1/cases/{case.folio}/attachments/",
        {"file": SimpleUploadedFile(name, content), **data},
        format="multipart",
    )


def test_it_stores_an_attachment(api, case):
    message = case.messages.get()

    response = upload(api, case, "factura.pdf", b"%PDF-1.4 ...", message=str(message.uuid))

    assert response.status_code == 201, response.json()
    assert response.json()["filename"] == "factura.pdf" and response.json()["size"] == 12
    assert response.json()["message"] == str(message.uuid)
    assert verbs(case)[-1] == "attachment_added"


def test_it_refuses_an_oversized_attachment_with_413(api, case, settings):
    settings.ATIENDE_MAX_ATTACHMENT_BYTES = 10
    before = verbs(case)

    assert_refused(
        upload(api, case, "foto.jpg", b"x" * 11), 413, "attachment_rejected", case, before
    )
    assert not Attachment.objects.exists()


def test_it_refuses_a_forbidden_file_type_with_415(api, case):
    before = verbs(case)

    assert_refused(
        upload(api, case, "programa.exe", b"MZ"), 415, "attachment_rejected", case, before
    )
    assert not Attachment.objects.exists()


def test_it_wants_attachments_as_multipart(api, case):
    response = post(api, case, "attachments", {"file": "aGVsbG8="})

    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"


def test_it_refuses_an_attachment_for_a_message_of_another_case(api, case, team):
    other = make_case(team=team, message_text="otro")
    before = verbs(case)

    response = upload(api, case, "a.txt", b"a", message=str(other.messages.get().uuid))

    assert_refused(response, 400, "no_such_object", case, before)


# --- events, links, merge, split ---------------------------------------------------------------


def test_it_lists_the_events_oldest_first_with_a_cursor(api, case, supervisor):
    post(api, case, "assign", {"assignee": supervisor.username})
    post(api, case, "notes", {"body": "nota"})

    first = api.get(f"/api/v1/cases/{case.folio}/events/?page_size=3").json()
    second = api.get(first["next"]).json()

    listed = [e["verb"] for e in first["results"] + second["results"]]
    assert (
        listed
        == verbs(case)
        == ["created", "message_received", "status_changed", "assigned", "note_added"]
    )
    assert first["results"][2]["actor"] == "ana" and first["results"][2]["actor_kind"] == "api"


def test_it_links_two_cases_and_records_it_on_both(api, case, team):
    other = make_case(team=team)

    response = post(api, case, "links", {"case": other.folio, "kind": "duplicate"})

    assert response.status_code == 201
    assert response.json() == {
        "case": other.folio,
        "kind": "duplicate",
        "direction": "out",
        "created_at": response.json()["created_at"],
    }
    assert verbs(case)[-1] == "linked" and verbs(other)[-1] == "linked"


@pytest.mark.parametrize("target", ["self", "invisible", "missing"])
def test_it_refuses_a_link_to_a_case_out_of_reach_or_to_itself(api, case, other_team, target):
    folio = {
        "self": case.folio,
        "invisible": make_case(team=other_team).folio,
        "missing": "AT-0-1",
    }[target]
    before = verbs(case)

    response = post(api, case, "links", {"case": folio})

    assert response.status_code == 400
    assert response.json()["code"] == ("invalid_case" if target == "self" else "no_such_object")
    assert verbs(case) == before and not CaseLink.objects.exists()


def test_it_merges_a_case_into_another(api, case, team):
    target = make_case(team=team)

    response = post(api, case, "merge", {"into": target.folio})

    assert response.status_code == 200 and response.json()["folio"] == target.folio
    case.refresh_from_db()
    assert case.merged_into == target and case.status == "closed"
    assert verbs(case)[-1] == "merged" and "absorbed" in verbs(target)
    assert response.json()["version"] == target.version + 1


def test_it_refuses_to_merge_a_merged_case_again(api, case, team):
    target = make_case(team=team)
    post(api, case, "merge", {"into": target.folio})
    before = verbs(case)

    assert_refused(
        post(api, case, "merge", {"into": target.folio}), 409, "invalid_transition", case, before
    )


def test_it_splits_messages_into_a_new_case(api, case, system):
    second = services.add_inbound_message(
        case=case, channel="email", body_text="Otra cosa: mi factura", actor=system
    )

    response = post(api, case, "split", {"messages": [str(second.uuid)], "summary": "Factura"})

    assert response.status_code == 201, response.json()
    new_case = Case.objects.get(folio=response.json()["folio"])
    assert new_case.split_from == case and list(new_case.messages.all()) == [second]
    assert response.json()["summary"] == "Factura"
    assert verbs(case)[-1] == "split" and "split" in verbs(new_case)


@pytest.mark.parametrize("messages", [[], ["00000000-0000-0000-0000-000000000000"], ["x"]])
def test_it_refuses_a_split_of_messages_it_does_not_have(api, case, messages):
    before = verbs(case)

    response = post(api, case, "split", {"messages": messages})

    assert response.status_code == 400
    assert verbs(case) == before and Case.objects.count() == 1
