"""The console in a real browser: an agent works the top case of their workbox while a supervisor
watches it live from a second browser, then reassigns it from the supervisor console.

Debian's chromium, the real ASGI app (pages, static files, WebSockets) and the test database;
only WhatsApp's cloud is a fake (tests/fakes). Screenshots of the main screens go to
docs/screenshots/ and axe-core checks each of them.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from atiende.accounts.models import Role
from atiende.cases import services as cases
from atiende.cases.models import Case
from atiende.core.actors import Actor
from atiende.customers import services as customers
from atiende.customers.models import ConsentMethod, ConsentPurpose, IdentityKind
from atiende.sla.models import Clock, TargetKind
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories.accounts import UserFactory
from tests.factories.cases import make_case
from tests.factories.customers import CustomerFactory
from tests.fakes.whatsapp_cloud import start_fake_whatsapp, stop_fake_whatsapp

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SYSTEM = Actor.system("tests")
WA_ID = "5215512345678"


@pytest.fixture
def fake_whatsapp(settings):
    url, fake = start_fake_whatsapp()
    settings.ATIENDE_WHATSAPP_API_URL = url
    settings.ATIENDE_WHATSAPP_PHONE_NUMBER_ID = fake.phone_number_id
    settings.ATIENDE_WHATSAPP_TOKEN = fake.token
    fake.customer_wrote(WA_ID)
    yield fake
    stop_fake_whatsapp(fake)


@pytest.fixture
def desk(team, agent, supervisor):
    """María wrote by WhatsApp an hour ago; her case is late, the most urgent of Ana's cases."""
    agent.first_name, agent.last_name = "Ana", "Ruiz"
    agent.save()
    supervisor.first_name, supervisor.last_name = "Sofía", "Campos"
    supervisor.save()
    bruno = UserFactory(
        username="bruno", first_name="Bruno", last_name="Díaz", role=Role.AGENT, teams=[team]
    )
    maria = CustomerFactory(name="María González")
    customers.add_identity(
        customer=maria, kind=IdentityKind.EMAIL, address="maria@correo.test", actor=SYSTEM
    )
    customers.add_identity(
        customer=maria, kind=IdentityKind.WHATSAPP, address=f"+{WA_ID}", actor=SYSTEM
    )
    customers.record_consent(
        customer=maria,
        channel=IdentityKind.EMAIL,
        purpose=ConsentPurpose.CONTACT,
        is_granted=True,
        method=ConsentMethod.WEB_FORM,
        actor=SYSTEM,
    )
    urgent = make_case(
        team=team,
        customer=maria,
        channel="whatsapp",
        summary="No llega mi estado de cuenta",
        message_text="Hola, no me ha llegado el estado de cuenta de noviembre.",
        from_address=f"+{WA_ID}",
        received_at=timezone.now() - timedelta(hours=1),
    )
    later = make_case(team=team, summary="Cambio de domicilio", message_text="Me mudé.")
    for case in (urgent, later):
        cases.assign_case(case=case, assignee=agent, actor=SYSTEM)
    # The promised resolution time passed five minutes ago (the clocks are the truth; the case
    # keeps a copy of its next due time for the workbox order).
    late = timezone.now() - timedelta(minutes=5)
    Clock.objects.filter(case=urgent, kind=TargetKind.RESOLUTION).update(
        due_at=late, warn_at=late - timedelta(minutes=30), breached_at=late
    )
    Case.objects.filter(pk=urgent.pk).update(next_due_at=late)
    Case.objects.filter(pk=later.pk).update(next_due_at=timezone.now() + timedelta(days=2))
    return {"urgent": urgent, "bruno": bruno, "maria": maria}


def _live(page):
    expect(page.locator("body")).to_have_attribute("data-live-state", "open")


def test_an_agent_works_a_case_while_a_supervisor_watches_it_live(
    new_page, live_app, desk, agent, supervisor, fake_whatsapp
):
    folio = desk["urgent"].folio

    # The agent lands on "Mis casos", most urgent first, and opens it with the keyboard.
    ana = new_page(agent)
    expect(ana.locator("[data-row]").first).to_contain_text(folio)
    screenshot(ana, "workbox")
    assert_accessible(ana, live_app)
    ana.keyboard.press("j")
    ana.keyboard.press("Enter")
    ana.wait_for_url(re.compile(rf"/casos/{folio}/"))
    _live(ana)

    # The supervisor opens the same case in a second browser.
    sofia = new_page(supervisor)
    sofia.goto(f"{live_app.url}/casos/{folio}/")
    _live(sofia)

    # While Sofía types a reply, Ana is warned that someone else is replying.
    sofia.locator("#reply-body").click()
    sofia.locator("#reply-body").press_sequentially("Reviso", delay=50)
    expect(ana.locator(f"[data-presence-for='{folio}']")).to_contain_text("Sofía")
    sofia.locator("#reply-body").fill("")
    sofia.locator("#note-summary, summary").first.focus()

    # Ana replies by e-mail: switching the channel re-renders the composer.
    ana.select_option("#reply-channel", "email")
    expect(ana.locator("#reply-files")).to_be_visible()  # only e-mail takes attachments
    ana.locator("#reply-body").fill("Le reenviamos su estado de cuenta por correo.")
    ana.locator("#reply-form").get_by_role("button", name="Enviar", exact=True).click()
    timeline = "#case-timeline"
    expect(ana.locator(timeline)).to_contain_text("Le reenviamos su estado de cuenta por correo.")
    expect(sofia.locator(timeline)).to_contain_text("Le reenviamos su estado de cuenta por correo.")
    assert any("Le reenviamos su estado de cuenta" in m.body for m in mail.outbox)

    # ... and by WhatsApp, where she wrote (the composer's default), inside the 24-hour window.
    expect(ana.locator("#reply-channel")).to_have_value("whatsapp")
    expect(ana.locator("#composer")).to_contain_text("Ventana de 24 h abierta")
    ana.locator("#reply-body").fill("También se lo enviamos por aquí en unos minutos.")
    ana.locator("#reply-form").get_by_role("button", name="Enviar", exact=True).click()
    expect(ana.locator(timeline)).to_contain_text("También se lo enviamos por aquí")
    expect(sofia.locator(timeline)).to_contain_text("También se lo enviamos por aquí")
    assert [p["text"]["body"] for p in fake_whatsapp.sent if p.get("type") == "text"] == [
        "También se lo enviamos por aquí en unos minutos."
    ]

    # A note, opened with the "n" shortcut.
    ana.locator("body").click(position={"x": 5, "y": 300})
    ana.keyboard.press("n")
    expect(ana.locator("#note-body")).to_be_focused()
    ana.locator("#note-body").fill("Cliente confirma correo vigente; verificar envío masivo.")
    ana.get_by_role("button", name="Agregar nota").click()
    expect(sofia.locator(timeline)).to_contain_text("verificar envío masivo")

    # Ana puts the case on hold waiting for the customer; Sofía's header follows.
    ana.locator("#case-header summary", has_text="Cambiar estado").click()
    ana.select_option("#status-new", label="En espera del cliente")
    ana.get_by_role("button", name="Cambiar estado").click()
    expect(ana.locator("#case-header")).to_contain_text("En espera del cliente")
    expect(sofia.locator("#case-header")).to_contain_text("En espera del cliente")
    screenshot(ana, "case", full_page=True)
    assert_accessible(ana, live_app)

    # The supervisor reassigns the case to Bruno from the console; Ana's page shows it live.
    sofia.goto(f"{live_app.url}/supervision/")
    _live(sofia)
    screenshot(sofia, "supervisor")
    assert_accessible(sofia, live_app)
    card = sofia.locator(f"[data-case-folio='{folio}']")
    card.locator("select[name=assignee]").select_option(str(desk["bruno"].pk))
    card.get_by_role("button", name="Reasignar").click()
    expect(sofia.locator("#supervisor-board")).to_contain_text(f"El caso {folio} quedó asignado a")
    expect(ana.locator("#case-assignee")).to_have_text("Bruno Díaz")
    assert Case.objects.get(pk=desk["urgent"].pk).assignee == desk["bruno"]


def test_the_other_main_screens_are_accessible(new_page, live_app, desk, supervisor):
    sofia = new_page(supervisor)
    maria = desk["maria"]
    screens = {
        "wallboard": "/supervision/pantalla/",
        "customers": "/clientes/",
        "customer": f"/clientes/{maria.pk}/",
        "search": "/buscar/?q=estado+de+cuenta",
        "settings": "/configuracion/",
        "approvals": "/supervision/aprobaciones/",
    }
    for name, path in screens.items():
        response = sofia.goto(f"{live_app.url}{path}")
        assert response is not None and response.ok, path
        screenshot(sofia, name)
        assert_accessible(sofia, live_app)


def test_the_console_speaks_english(new_page, live_app, desk, agent):
    ana = new_page(agent)
    ana.select_option("#language", "en")
    expect(ana.locator("nav.main-nav")).to_contain_text("Workbox")
    ana.goto(f"{live_app.url}/casos/{desk['urgent'].folio}/")
    expect(ana.locator("#composer")).to_contain_text("Reply to the customer")
