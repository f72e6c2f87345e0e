"""Replies go out from the mailbox the customer wrote to; automatic ones say so (RFC 3834)."""

from __future__ import annotations

from atiende.cases import services
from atiende.channels.email.inbound import accept_email
from atiende.channels.email.sender import automatic, from_address
from atiende.core.actors import Actor
from atiende.intake.models import Mailbox
from atiende.intake.services import process_now
from tests.factories.cases import make_case
from tests.intake.mail import email_bytes


def reply(case, actor=None):
    actor = actor or Actor.system("tests")
    return services.add_outbound_message(case=case, actor=actor, body_text="Respuesta")


def test_the_reply_comes_from_the_mailbox_the_customer_wrote_to(db, team):
    Mailbox.objects.create(address="ventas@atiende.test", name="Ventas", send_acknowledgement=False)
    envelope, _ = accept_email(
        email_bytes(), source="pipe", mailbox="ventas@atiende.test", enqueue_processing=False
    )
    case = process_now(envelope).case
    assert from_address(reply(case)) == "Ventas <ventas@atiende.test>"


def test_without_an_email_history_the_teams_mailbox_answers(db, team, settings):
    Mailbox.objects.create(address="reclamos@atiende.test", name="Reclamos", team=team)
    assert from_address(reply(make_case(team=team))) == "Reclamos <reclamos@atiende.test>"
    assert from_address(reply(make_case())) == settings.DEFAULT_FROM_EMAIL


def test_only_messages_no_person_wrote_are_marked_automatic(db, agent, team):
    case = make_case(team=team)
    assert automatic(reply(case)) == {
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
    }
    assert automatic(reply(case, Actor.agent(agent))) == {}


def test_an_inactive_mailbox_is_not_used(db, team, settings):
    Mailbox.objects.create(address="viejo@atiende.test", team=team, is_active=False)
    assert from_address(reply(make_case(team=team))) == settings.DEFAULT_FROM_EMAIL
