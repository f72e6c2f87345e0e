"""What the desk may send a customer on WhatsApp, and when (CH4): read-only rules over the DB.

- **Customer-service window.** Free text may be sent only within 24 hours of the customer's last
  WhatsApp message to us (any of their cases: the window belongs to the person and our number,
  not to a case). Outside it, or before the customer ever wrote, only an approved template may
  open the conversation; Meta refuses anything else with error 131047.
- **Consent.** The newest ``contact``/``whatsapp`` consent record decides: withdrawn blocks every
  message (an opt-out such as "BAJA" records one). With no record, a customer who wrote to us by
  WhatsApp has opted in to the conversation; one who never did needs a recorded consent first.
  Marketing templates also need a granted ``marketing``/``whatsapp`` consent.
- **Templates.** Only approved, active templates, with exactly their number of parameters; Meta
  refuses parameters with line breaks, tabs or more than four spaces in a row.

The console calls these before queueing a reply (``services.queue_whatsapp_reply`` does it for
it); the sender re-checks consent when the job runs, so an opt-out is honoured at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from atiende.cases.models import Case, Channel, Direction, Message
from atiende.cases.services import CaseValidationError
from atiende.channels.whatsapp.models import TemplateCategory, TemplateStatus, WhatsAppTemplate
from atiende.customers.models import Consent, ConsentPurpose, Identity, IdentityKind
from atiende.customers.selectors import person_ids

#: How long after the customer's last message free text may be sent.
WINDOW = timedelta(hours=24)
#: Meta's limit on a text message's body.
MAX_TEXT_LENGTH = 4096
#: What Meta refuses inside a template parameter.
BAD_PARAM = re.compile(r"[\n\t]| {5,}")


class WhatsAppPolicyError(CaseValidationError):
    """A WhatsApp reply the rules do not allow; the message (Spanish) says why and what to do."""

    code = "whatsapp_policy"


# --- reads ---------------------------------------------------------------------------------------


def _inbound_whatsapp(case: Case) -> QuerySet[Message]:
    return Message.objects.filter(
        case__customer_id__in=person_ids(case.customer),
        direction=Direction.INBOUND,
        channel=Channel.WHATSAPP,
    )


def _identities(case: Case) -> QuerySet[Identity]:
    return Identity.objects.filter(
        customer_id__in=person_ids(case.customer),
        kind=IdentityKind.WHATSAPP,
        is_undeliverable=False,
    ).order_by("-is_verified", "-created_at", "-pk")


def last_inbound_at(case: Case) -> datetime | None:
    """When the customer last wrote to us by WhatsApp, on any of their cases."""
    return (
        _inbound_whatsapp(case).order_by("-created_at").values_list("created_at", flat=True).first()
    )


def window_closes_at(case: Case) -> datetime | None:
    """When free text stops being allowed: 24 h after the customer's last WhatsApp message.

    None when the customer never wrote to us by WhatsApp (only a template may start).
    """
    last = last_inbound_at(case)
    return last + WINDOW if last else None


def window_is_open(case: Case, now: datetime | None = None) -> bool:
    return _open_until(window_closes_at(case), now)


def _open_until(closes_at: datetime | None, now: datetime | None) -> bool:
    return closes_at is not None and (now or timezone.now()) < closes_at


def whatsapp_recipient(case: Case) -> str:
    """The WhatsApp id to answer: the one the customer last wrote from if it is still theirs and
    deliverable, else their best WhatsApp identity (verified first, newest first); "" if none."""
    addresses = list(_identities(case).values_list("address", flat=True))
    last_from = (
        _inbound_whatsapp(case)
        .exclude(from_address="")
        .order_by("-created_at")
        .values_list("from_address", flat=True)
        .first()
    )
    if last_from and last_from in addresses:
        return last_from
    return addresses[0] if addresses else ""


def _latest_consent(case: Case, purpose: str) -> Consent | None:
    return (
        Consent.objects.filter(
            customer_id__in=person_ids(case.customer),
            channel=IdentityKind.WHATSAPP,
            purpose=purpose,
        )
        .order_by("-recorded_at", "-pk")
        .first()
    )


def consent_is_withdrawn(case: Case) -> bool:
    """The newest WhatsApp contact consent record says no."""
    latest = _latest_consent(case, ConsentPurpose.CONTACT)
    return latest is not None and not latest.is_granted


def can_message_on_whatsapp(case: Case) -> tuple[bool, str]:
    """Whether the desk may write to this case's customer by WhatsApp at all; else why not.

    (True, "") or (False, a Spanish reason for the console). Says nothing about the window:
    with the channel allowed, a closed window still permits approved templates.
    """
    if not whatsapp_recipient(case):
        return False, _("El cliente no tiene un número de WhatsApp registrado.")
    latest = _latest_consent(case, ConsentPurpose.CONTACT)
    if latest is not None and not latest.is_granted:
        return False, _("El cliente retiró su consentimiento para ser contactado por WhatsApp.")
    if latest is None and not _inbound_whatsapp(case).exists():
        return False, _(
            "El cliente no ha autorizado que lo contactemos por WhatsApp: registre su "
            "consentimiento o espere a que escriba por ese canal."
        )
    return True, ""


# --- validation ----------------------------------------------------------------------------------


def validate_whatsapp_reply(
    case: Case,
    *,
    body: str = "",
    template: WhatsAppTemplate | None = None,
    params: Sequence[str] = (),
    now: datetime | None = None,
) -> None:
    """Raise WhatsAppPolicyError unless this reply may be sent now.

    Free text (no TEMPLATE): BODY inside the window. Template: approved and active, PARAMS
    matching its placeholders, marketing ones with marketing consent; BODY must then be empty
    (the customer reads the template's text, not what was typed).
    """
    allowed, reason = can_message_on_whatsapp(case)
    if not allowed:
        raise WhatsAppPolicyError(reason)
    if template is None:
        _validate_text(case, body, now)
    else:
        if body.strip():
            raise WhatsAppPolicyError(
                _("Elija un texto libre o una plantilla de WhatsApp, no ambos.")
            )
        validate_template_params(template, params)
        if template.category == TemplateCategory.MARKETING:
            latest = _latest_consent(case, ConsentPurpose.MARKETING)
            if latest is None or not latest.is_granted:
                raise WhatsAppPolicyError(
                    _(
                        "La plantilla «%(name)s» es de marketing y el cliente no ha aceptado "
                        "comunicaciones comerciales por WhatsApp."
                    )
                    % {"name": template.name}
                )


def _validate_text(case: Case, body: str, now: datetime | None) -> None:
    if not body.strip():
        raise WhatsAppPolicyError(_("La respuesta está vacía."))
    if len(body) > MAX_TEXT_LENGTH:
        raise WhatsAppPolicyError(
            _("WhatsApp admite hasta %(max)s caracteres por mensaje; este tiene %(n)s.")
            % {"max": MAX_TEXT_LENGTH, "n": len(body)}
        )
    closes_at = window_closes_at(case)  # one read serves both the check and the message
    if _open_until(closes_at, now):
        return
    if closes_at is None:
        raise WhatsAppPolicyError(
            _(
                "El cliente aún no ha escrito por WhatsApp: inicie la conversación con una "
                "plantilla aprobada."
            )
        )
    raise WhatsAppPolicyError(
        _(
            "Pasaron más de 24 horas desde el último mensaje del cliente por WhatsApp (la "
            "ventana cerró el %(at)s): solo puede enviar una plantilla aprobada."
        )
        % {"at": date_format(timezone.localtime(closes_at), "SHORT_DATETIME_FORMAT")}
    )


def validate_template_params(template: WhatsAppTemplate, params: Sequence[str]) -> None:
    """Raise WhatsAppPolicyError unless TEMPLATE may be sent with exactly these PARAMS."""
    if not template.is_usable:
        raise WhatsAppPolicyError(
            _("La plantilla «%(name)s» no está aprobada o fue desactivada.")
            % {"name": template.name}
        )
    if len(params) != template.param_count:
        raise WhatsAppPolicyError(
            ngettext(
                "La plantilla «%(name)s» lleva %(n)s parámetro y se dieron %(given)s.",
                "La plantilla «%(name)s» lleva %(n)s parámetros y se dieron %(given)s.",
                template.param_count,
            )
            % {"name": template.name, "n": template.param_count, "given": len(params)}
        )
    for position, value in enumerate(params, start=1):
        if not str(value).strip():
            raise WhatsAppPolicyError(
                _("El parámetro %(n)s de la plantilla está vacío.") % {"n": position}
            )
        if BAD_PARAM.search(str(value)):
            raise WhatsAppPolicyError(
                _(
                    "El parámetro %(n)s no puede tener saltos de línea, tabuladores ni más de "
                    "cuatro espacios seguidos."
                )
                % {"n": position}
            )


def usable_templates() -> QuerySet[WhatsAppTemplate]:
    """The templates the console may offer: approved and active."""
    return WhatsAppTemplate.objects.filter(is_active=True, status=TemplateStatus.APPROVED)
