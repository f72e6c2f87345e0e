"""Queueing a WhatsApp reply: the policy checked, the outbox row and its template in one commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from atiende.cases.models import Case, Channel, Message
from atiende.cases.services import add_outbound_message
from atiende.channels.whatsapp.models import WhatsAppTemplate, WhatsAppTemplateMessage
from atiende.channels.whatsapp.policy import validate_whatsapp_reply, whatsapp_recipient
from atiende.core.actors import Actor


@transaction.atomic
def queue_whatsapp_reply(
    *,
    case: Case,
    actor: Actor,
    body: str = "",
    template: WhatsAppTemplate | None = None,
    params: Sequence[str] = (),
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Message:
    """Queue a WhatsApp reply: free text BODY, or TEMPLATE filled with PARAMS.

    Raises ``policy.WhatsAppPolicyError`` (a ``CaseValidationError``) when the window, consent or
    template rules forbid it, and ``StaleCase`` on a stale EXPECTED_VERSION. The message's text is
    what the customer reads (the rendered template for a template), so the timeline shows it; the
    template's name, language and parameters go with it for the sender.
    """
    params = [str(p) for p in params]
    validate_whatsapp_reply(case, body=body, template=template, params=params, now=now)
    message = add_outbound_message(
        case=case,
        actor=actor,
        channel=Channel.WHATSAPP,
        body_text=template.render(params) if template else body,
        to_address=whatsapp_recipient(case),
        expected_version=expected_version,
    )
    if template is not None:
        WhatsAppTemplateMessage.objects.create(
            message=message,
            template=template,
            name=template.name,
            language=template.language,
            params=params,
        )
    return message
