"""The case view (UI2): one timeline across channels, the header with its clocks, the history,
the customer panel, and the case's actions guarded by the page's version (optimistic concurrency).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from atiende.cases import services
from atiende.cases.attachments import add_attachment
from atiende.cases.models import Case, Direction, Event, Message, Status, Verb
from atiende.core.actors import Actor
from atiende.customers import services as customers
from tests.factories.accounts import UserFactory
from tests.factories.cases import make_case
from tests.factories.customers import CustomerFactory, IdentityFactory

SYSTEM = Actor.system("tests")


def page(client, case, **params) -> str:
    response = client.get(reverse("web:case", args=[case.folio]), params)
    assert response.status_code == 200
    return response.content.decode()


def post(client, case, action, data, **headers):
    return client.post(reverse("web:case_action", args=[case.folio, action]), data, **headers)


@pytest.fixture
def case(team):
    customer = CustomerFactory(name="Lucía Pérez")
    IdentityFactory(customer=customer, kind="email", address="lucia@correo.test")
    return make_case(
        team=team,
        customer=customer,
        message_text="¿Cuándo entregan mi departamento?",
        from_address="lucia@correo.test",
        received_at=timezone.now() - timedelta(hours=3),
    )


# --- reading -------------------------------------------------------------------------------------


def test_it_shows_one_timeline_of_every_channel_notes_and_events_in_order(client, agent, case):
    now = timezone.now()
    services.add_inbound_message(
        case=case,
        actor=SYSTEM,
        channel="whatsapp",
        body_text="Les escribo también por WhatsApp",
        received_at=now - timedelta(hours=2),
    )
    services.add_note(case=case, body="Revisar con obra", actor=Actor.agent(agent))
    services.add_outbound_message(
        case=case, actor=Actor.agent(agent), channel="email", body_text="Le confirmamos el martes"
    )
    client.force_login(agent)
    html = page(client, case)
    order = [
        "¿Cuándo entregan mi departamento?",
        "Les escribo también por WhatsApp",
        "Revisar con obra",
        "Le confirmamos el martes",
    ]
    positions = [html.index(text) for text in order]
    assert positions == sorted(positions)
    assert "Caso creado" in html  # events sit in the same timeline
    assert "En cola" in html  # the outbound message's delivery status
    assert "Nota interna" in html


def test_events_in_the_timeline_say_what_changed_in_words(client, agent, case):
    services.change_status(case=case, status=Status.OPEN, actor=Actor.agent(agent))
    client.force_login(agent)
    timeline = client.get(reverse("web:case_timeline", args=[case.folio])).content.decode()
    assert f"Cambio de estado · {agent} · Abierto" in timeline
    assert "customer:" not in timeline  # the creation snapshot stays in the history tab


def test_customer_text_and_html_are_shown_sanitised(client, agent, case):
    services.add_inbound_message(
        case=case,
        actor=SYSTEM,
        channel="email",
        body_html='<p>Hola</p><script>alert("x")</script><img src="x" onerror="alert(1)">',
    )
    # A row written around the service (an import, an older version) is sanitised on display too.
    Message.objects.create(
        case=case,
        direction=Direction.INBOUND,
        channel="email",
        body_html='<a href="javascript:alert(2)">clic</a><b onclick="alert(3)">negrita</b>',
        delivery_status="received",
    )
    services.add_inbound_message(
        case=case, actor=SYSTEM, channel="webform", body_text="<script>alert(4)</script>"
    )
    client.force_login(agent)
    html = page(client, case)
    assert "<script>alert" not in html
    assert "onerror" not in html and "onclick" not in html and "javascript:" not in html
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in html
    assert "<b>negrita</b>" in html  # formatting survives


def test_the_header_and_timeline_carry_the_live_refresh_contract(client, agent, case):
    client.force_login(agent)
    html = page(client, case)
    header_url = reverse("web:case_header", args=[case.folio])
    timeline_url = reverse("web:case_timeline", args=[case.folio])
    assert f'id="case-header" class="panel case-header" data-live-case="{case.folio}"' in html
    assert f'data-live-refresh="{header_url}"' in html
    assert f'data-live-refresh="{timeline_url}"' in html
    assert f'data-presence-for="{case.folio}" aria-live="polite"' in html
    header = client.get(header_url).content.decode().strip()
    timeline = client.get(timeline_url).content.decode().strip()
    assert header.startswith('<section id="case-header"') and header.endswith("</section>")
    assert timeline.startswith('<section id="case-timeline"') and "departamento" in timeline


def test_the_header_shows_status_priority_level_and_promise_with_a_countdown(client, agent, case):
    promise = timezone.now() + timedelta(days=2)
    services.set_promise(case=case, promise_at=promise, reason="Acordado", actor=SYSTEM)
    client.force_login(agent)
    html = page(client, case)
    assert 'class="status status-new"' in html and "Nuevo" in html
    assert "Nivel N1" in html and "Prioridad" in html
    assert f'data-countdown-to="{timezone.localtime(promise).isoformat()}"' in html


def test_the_history_tab_lists_every_event_with_actor_and_data(client, agent, case):
    services.change_status(case=case, status=Status.OPEN, actor=Actor.agent(agent))
    client.force_login(agent)
    html = page(client, case, tab="historial")
    assert "Cambio de estado" in html and str(agent) in html
    assert "status: new" in html and "status: open" in html
    assert "Mensaje recibido" in html  # hidden from the timeline, present in the history


def test_the_history_tab_does_not_build_the_timeline_or_the_composer(client, agent, case):
    client.force_login(agent)
    response = client.get(reverse("web:case", args=[case.folio]), {"tab": "historial"})
    assert "timeline" not in response.context and "composer" not in response.context
    html = response.content.decode()
    assert 'id="case-history"' in html and 'id="composer"' not in html


def test_the_customer_panel_shows_identities_consent_and_other_cases(client, agent, team, case):
    other = make_case(team=team, customer=case.customer, summary="Garantía de la cocina")
    customers.record_consent(
        customer=case.customer,
        channel="email",
        purpose="contact",
        is_granted=True,
        method="web_form",
        actor=SYSTEM,
    )
    client.force_login(agent)
    html = page(client, case)
    assert 'id="customer-panel"' in html
    assert "lucia@correo.test" in html and "otorgado" in html
    assert other.folio in html and "Garantía de la cocina" in html


def test_attachments_are_listed_and_downloaded_only_from_a_visible_case(
    client, agent, case, other_team
):
    upload = SimpleUploadedFile("plano.pdf", b"%PDF-1.4 plano", content_type="application/pdf")
    message = case.messages.get()
    attachment = add_attachment(case=case, file=upload, actor=SYSTEM, message=message)
    client.force_login(agent)
    url = reverse("web:case_attachment", args=[case.folio, attachment.pk])
    assert url in page(client, case)
    response = client.get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    outsider = UserFactory(teams=[other_team])
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def _add_messages(case: Case, count: int) -> None:
    start = timezone.now() - timedelta(days=1)
    for n in range(count):
        Message.objects.create(
            case=case,
            direction=Direction.INBOUND if n % 2 else Direction.OUTBOUND,
            channel="email" if n % 3 else "whatsapp",
            body_text=f"Mensaje {n}",
            delivery_status="received" if n % 2 else "sent",
            created_at=start + timedelta(minutes=n),
        )


def _queries(client, case) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("web:case", args=[case.folio])).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_conversation(
    client, agent, team, django_assert_max_num_queries
):
    small, large = make_case(team=team), make_case(team=team)
    _add_messages(small, 5)
    _add_messages(large, 50)
    client.force_login(agent)
    client.get(reverse("web:case", args=[small.folio]))  # warm the session and caches
    assert _queries(client, small) == _queries(client, large)
    with django_assert_max_num_queries(30):
        client.get(reverse("web:case", args=[large.folio]))


def test_a_long_timeline_shows_the_newest_entries_and_links_to_older_ones(client, agent, team):
    case = make_case(team=team)
    _add_messages(case, 320)
    client.force_login(agent)
    html = page(client, case)
    assert "Mensaje 319" in html and "Mensaje 5<" not in html
    assert "Ver anteriores" in html
    oldest = Message.objects.filter(case=case).order_by("created_at")[25].created_at
    older = page(client, case, before=oldest.isoformat())
    assert "Mensaje 5<" in older and "Mensaje 319" not in older


def test_an_impossible_before_date_is_ignored(client, agent, case):
    client.force_login(agent)
    html = page(client, case, before="2024-02-30T10:00")  # well-formed, but no such day
    assert "¿Cuándo entregan mi departamento?" in html


# --- acting --------------------------------------------------------------------------------------


def test_it_changes_the_status_to_an_allowed_one(client, agent, case):
    client.force_login(agent)
    html = page(client, case)
    assert 'value="open"' in html
    response = post(client, case, "status", {"status": "open", "expected_version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert Event.objects.filter(case=case, verb=Verb.STATUS_CHANGED, actor=agent).exists()


def test_a_transition_the_lifecycle_forbids_is_refused_with_its_reason(client, agent, case):
    services.change_status(case=case, status=Status.OPEN, actor=SYSTEM)
    case.refresh_from_db()
    client.force_login(agent)
    response = post(client, case, "status", {"status": "closed", "expected_version": case.version})
    assert response.status_code == 400
    assert "No se puede pasar de «Abierto» a «Cerrado»." in response.content.decode()


def test_a_stale_page_gets_a_conflict_and_nothing_is_overwritten(client, agent, supervisor, case):
    seen = case.version
    services.update_case_fields(case=case, priority="high", actor=Actor.agent(supervisor))
    client.force_login(agent)
    response = post(
        client,
        case,
        "priority",
        {"priority": "low", "expected_version": seen},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "El caso cambió mientras lo editabas" in text and "Recarga para ver los cambios" in text
    assert str(supervisor) in text  # who changed it
    case.refresh_from_db()
    assert case.priority == "high"


def test_a_stale_note_keeps_what_was_typed(client, agent, supervisor, case):
    seen = case.version
    services.assign_case(case=case, assignee=supervisor, actor=Actor.agent(supervisor))
    client.force_login(agent)
    response = post(
        client, case, "note", {"note_body": "Llamé y no contestó", "expected_version": seen}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "El caso cambió mientras lo editabas" in html
    assert ">Llamé y no contestó</textarea>" in html
    assert not case.notes.exists()


def test_it_adds_an_internal_note_with_a_mention(client, agent, supervisor, case):
    client.force_login(agent)
    response = post(
        client,
        case,
        "note",
        {"note_body": "@sofia por favor revisa", "expected_version": case.version},
    )
    assert response.status_code == 302
    note = case.notes.get()
    assert note.author == agent and list(note.mentions.all()) == [supervisor]
    assert "@sofia por favor revisa" in page(client, case)


def test_it_assigns_the_case_to_me_and_to_a_team_mate(client, agent, supervisor, case):
    client.force_login(agent)
    post(client, case, "assign", {"assignee": "me", "expected_version": case.version})
    case.refresh_from_db()
    assert case.assignee == agent and case.status == Status.OPEN
    post(client, case, "assign", {"assignee": supervisor.pk, "expected_version": case.version})
    case.refresh_from_db()
    assert case.assignee == supervisor


def test_it_sets_priority_tags_promise_and_escalates(client, agent, case):
    client.force_login(agent)
    post(client, case, "priority", {"priority": "urgent", "expected_version": case.version})
    case.refresh_from_db()
    post(client, case, "tags", {"tags": "entrega, Garantía", "expected_version": case.version})
    case.refresh_from_db()
    promise = timezone.localtime() + timedelta(days=3)
    post(
        client,
        case,
        "promise",
        {
            "promise_at": promise.strftime("%Y-%m-%dT%H:%M"),
            "reason": "Acordado con el cliente",
            "expected_version": case.version,
        },
    )
    case.refresh_from_db()
    response = post(
        client,
        case,
        "escalate",
        {"level": "2", "reason": "Cliente molesto", "expected_version": case.version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.priority == "urgent"
    assert sorted(case.tags.values_list("name", flat=True)) == ["entrega", "garantía"]
    assert case.promise_at is not None and case.promise_at.date() == promise.date()
    assert case.escalation_level == 2 and case.status == Status.ESCALATED


def test_an_impossible_promise_date_is_a_clear_validation_error(client, agent, case):
    client.force_login(agent)
    data = {"promise_at": "2024-02-30T10:00", "reason": "Acordado", "expected_version": 1}
    response = post(client, case, "promise", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "La fecha de la promesa no existe" in response.content.decode()
    case.refresh_from_db()
    assert case.promise_at is None


def test_an_unknown_priority_is_refused(client, agent, case):
    client.force_login(agent)
    data = {"priority": "altisima", "expected_version": case.version}
    response = post(client, case, "priority", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "Prioridad desconocida" in response.content.decode()
    case.refresh_from_db()
    assert case.priority == "normal"


def test_the_case_can_only_be_assigned_within_its_team(client, agent, team, other_team, case):
    outsider = UserFactory(username="externo", teams=[other_team])
    teammate = UserFactory(username="beto", teams=[team])
    client.force_login(agent)
    picker = page(client, case).split('id="assign-to"', 1)[1].split("</select>", 1)[0]
    assert f'value="{teammate.pk}"' in picker and f'value="{outsider.pk}"' not in picker
    data = {"assignee": outsider.pk, "expected_version": case.version}
    response = post(client, case, "assign", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "no pertenece al equipo del caso" in response.content.decode()
    case.refresh_from_db()
    assert case.assignee is None


def test_an_approval_can_be_requested_from_the_case_page(client, agent, case):
    client.force_login(agent)
    html = page(client, case)
    url = reverse("web:approval_request", args=[case.folio])
    assert f'action="{url}"' in html and "Pedir aprobación" in html
    response = client.post(url, {"kind": "compensation", "reason": "Cliente frecuente"})
    assert response.status_code == 302
    request = case.approval_requests.get()
    assert request.kind == "compensation" and request.reason == "Cliente frecuente"


def test_an_action_without_the_version_is_refused(client, agent, case):
    client.force_login(agent)
    response = post(client, case, "priority", {"priority": "low"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "Falta la versión del caso" in response.content.decode()


def test_actions_on_another_teams_case_are_not_found(client, agent, other_team):
    theirs = make_case(team=other_team)
    client.force_login(agent)
    response = post(client, theirs, "priority", {"priority": "low", "expected_version": 1})
    assert response.status_code == 404
