"""Rendering canned responses for a case, and applying a macro's actions to it."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.cases import services as case_services
from atiende.cases.models import Case
from atiende.core.actors import Actor
from atiende.replies.models import CannedResponse

PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def placeholders_for(case: Case, agent: User | None) -> dict[str, str]:
    """The values a reply body may use for CASE, answered by AGENT."""
    promise = ""
    if case.promise_at:
        promise = formats.date_format(timezone.localtime(case.promise_at), "DATETIME_FORMAT")
    return {
        "cliente": str(case.customer),
        "folio": case.folio,
        "agente": (agent.get_full_name() or agent.username) if agent else "",
        "asunto": case.summary,
        "estado": str(case.get_status_display()),
        "promesa": promise,
        "equipo": str(case.team) if case.team else "",
    }


def fill_placeholders(body: str, values: dict[str, str]) -> str:
    """Replace ``{{name}}`` with its value; unknown names are left as written."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1).lower(), m.group(0)), body)


def render_reply(reply: CannedResponse, *, case: Case, agent: User | None) -> str:
    return fill_placeholders(reply.body, placeholders_for(case, agent))


def describe_actions(reply: CannedResponse) -> list[str]:
    """The macro's actions in words, shown before the agent sends."""
    lines = []
    if reply.set_status:
        lines.append(_("Estado: %(s)s") % {"s": reply.get_set_status_display()})
    if reply.set_priority:
        lines.append(_("Prioridad: %(p)s") % {"p": reply.get_set_priority_display()})
    if reply.tag_list:
        lines.append(_("Etiquetas: %(t)s") % {"t": ", ".join(reply.tag_list)})
    return lines


@transaction.atomic
def apply_macro(
    reply: CannedResponse, *, case: Case, actor: Actor, expected_version: int | None = None
) -> Case:
    """Apply REPLY's actions to CASE through the case services (each writes its own event).

    EXPECTED_VERSION guards the first change; the following ones chain on the version it left.
    A status the lifecycle does not allow from the current one raises ``InvalidTransition``.
    """
    version = expected_version
    changes: dict[str, Any] = {}
    if reply.set_priority and reply.set_priority != case.priority:
        changes["priority"] = reply.set_priority
    if reply.tag_list:
        current = list(case.tags.values_list("name", flat=True))
        changes["tags"] = current + reply.tag_list
    if changes:
        case = case_services.update_case_fields(
            case=case, actor=actor, expected_version=version, **changes
        )
        version = case.version
    if reply.set_status and reply.set_status != case.status:
        case = case_services.change_status(
            case=case, status=reply.set_status, actor=actor, expected_version=version
        )
    return case
