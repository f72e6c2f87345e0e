"""Send one outbound ``Message`` through the WhatsApp Business Cloud API (Graph API).

``POST {ATIENDE_WHATSAPP_API_URL}/{phone-number-id}/messages`` with a bearer token. A message
with a ``WhatsAppTemplateMessage`` row goes as ``type: template`` (name, language, body
parameters); any other as ``type: text``. The returned ``wamid`` is the message's external id;
delivery statuses arrive later by webhook and are matched on it. ``biz_opaque_callback_data``
carries our message UUID, so status webhooks can be matched even before the wamid is stored.

The window and template rules are checked when the reply is queued (``policy``); here only the
consent is checked again (an opt-out between queueing and sending is honoured), and Meta's
answer decides the rest. Errors follow Meta's ``code``: rate limits and server trouble are
transient (retried with backoff), everything the same request would meet again is permanent.
The Cloud API has no idempotency key: a retry after a lost response may deliver twice.
"""

from __future__ import annotations

from typing import Any

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from atiende.cases.models import Message
from atiende.channels.whatsapp.models import WhatsAppTemplateMessage
from atiende.channels.whatsapp.policy import consent_is_withdrawn, whatsapp_recipient
from atiende.customers.addresses import InvalidAddress, normalise_whatsapp_id
from atiende.jobs.errors import PermanentError, TransientError

TIMEOUT = httpx.Timeout(15.0, connect=5.0)

#: Meta's codes for throughput and spam limits: the same request may pass later.
RATE_LIMIT_CODES = frozenset({4, 80007, 130429, 131048, 131056})
#: "Something went wrong", unknown and service errors: try again.
TRANSIENT_CODES = frozenset({1, 2, 131000})
TOKEN_CODES = frozenset({0, 190})


def send_whatsapp(message: Message) -> str:
    """Deliver MESSAGE by WhatsApp; return its wamid. Network I/O: call outside transactions."""
    url, token = _endpoint()
    to = _recipient(message)
    if consent_is_withdrawn(message.case):
        raise PermanentError(
            _("El cliente retiró su consentimiento para ser contactado por WhatsApp.")
        )
    template = WhatsAppTemplateMessage.objects.filter(message=message).first()
    payload = build_payload(message, to, template)
    try:
        response = httpx.post(
            url,
            json=payload,
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT,
        )
    except httpx.TransportError as exc:
        raise TransientError(
            _("No se pudo conectar con WhatsApp: %(e)s") % {"e": str(exc) or type(exc).__name__}
        ) from exc
    body = _json(response)
    if response.is_success:
        try:
            return str(body["messages"][0]["id"])
        except (KeyError, IndexError, TypeError) as exc:
            # Accepted but unnamed: retrying could deliver it twice, so a person decides.
            raise PermanentError(
                _(
                    "WhatsApp aceptó la solicitud (HTTP %(s)s) sin devolver el identificador del "
                    "mensaje; confirme con el cliente si le llegó antes de reenviarlo."
                )
                % {"s": response.status_code}
            ) from exc
    raise error_for(response.status_code, body, to=to, template=template)


def _endpoint() -> tuple[str, str]:
    phone_number_id = settings.ATIENDE_WHATSAPP_PHONE_NUMBER_ID
    token = settings.ATIENDE_WHATSAPP_TOKEN
    if not (phone_number_id and token):
        raise PermanentError(
            _(
                "WhatsApp no está configurado: faltan ATIENDE_WHATSAPP_PHONE_NUMBER_ID o "
                "ATIENDE_WHATSAPP_TOKEN."
            )
        )
    return f"{settings.ATIENDE_WHATSAPP_API_URL}/{phone_number_id}/messages", token


def _recipient(message: Message) -> str:
    address = message.to_address or whatsapp_recipient(message.case)
    if not address:
        raise PermanentError(_("El cliente no tiene un número de WhatsApp registrado."))
    try:
        return normalise_whatsapp_id(address)
    except InvalidAddress as exc:
        raise PermanentError(
            _("El número de WhatsApp «%(to)s» no es válido.") % {"to": address}
        ) from exc


def build_payload(
    message: Message, to: str, template: WhatsAppTemplateMessage | None
) -> dict[str, Any]:
    """The Cloud API's message object for MESSAGE: a template, or plain text."""
    payload: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "biz_opaque_callback_data": str(message.uuid),
    }
    if template is None:
        payload["type"] = "text"
        payload["text"] = {"body": message.body_text, "preview_url": False}
        return payload
    components = []
    if template.params:
        components.append(
            {
                "type": "body",
                "parameters": [{"type": "text", "text": str(p)} for p in template.params],
            }
        )
    payload["type"] = "template"
    payload["template"] = {
        "name": template.name,
        "language": {"code": template.language},
        "components": components,
    }
    return payload


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def error_for(
    status: int, body: dict[str, Any], *, to: str, template: WhatsAppTemplateMessage | None
) -> TransientError | PermanentError:
    """The job error for Meta's error answer: transient or permanent, with a Spanish detail."""
    error = body.get("error")
    error = error if isinstance(error, dict) else {}
    code = error.get("code")
    data = error.get("error_data")
    details = (data.get("details") if isinstance(data, dict) else "") or error.get("message", "")
    context = {
        "code": code,
        "status": status,
        "detail": details,
        "to": to,
        "name": template.name if template else "",
        "lang": template.language if template else "",
    }
    if code in RATE_LIMIT_CODES or status == 429:
        return TransientError(
            _("WhatsApp limitó los envíos (código %(code)s); se reintentará más tarde.") % context
        )
    if status >= 500 or code in TRANSIENT_CODES:
        return TransientError(
            _("Error temporal de WhatsApp (HTTP %(status)s, código %(code)s): %(detail)s") % context
        )
    if code in TOKEN_CODES:
        return PermanentError(
            _(
                "WhatsApp rechazó el token de acceso (expiró o no es válido); un administrador "
                "debe renovar ATIENDE_WHATSAPP_TOKEN."
            )
        )
    message = PERMANENT_DETAILS.get(code) if isinstance(code, int) else None
    if message is not None:
        return PermanentError(message() % context)
    return PermanentError(
        _("WhatsApp rechazó el mensaje (HTTP %(status)s, código %(code)s): %(detail)s") % context
    )


def _window_closed() -> str:
    return _(
        "WhatsApp no lo entregó: pasaron más de 24 horas desde el último mensaje del cliente, y "
        "fuera de esa ventana solo se pueden enviar plantillas aprobadas (código %(code)s)."
    )


def _undeliverable() -> str:
    return _(
        "WhatsApp no puede entregar mensajes al número %(to)s (no usa WhatsApp, bloqueó al "
        "negocio o no ha aceptado los términos actuales; código %(code)s)."
    )


def _unsupported() -> str:
    return _("WhatsApp no admite este tipo de mensaje (código %(code)s): %(detail)s")


def _param_mismatch() -> str:
    return _(
        "La cantidad de parámetros no coincide con la plantilla «%(name)s» aprobada en WhatsApp "
        "(código %(code)s)."
    )


def _template_missing() -> str:
    return _(
        "La plantilla «%(name)s» (%(lang)s) no existe o no está aprobada en WhatsApp "
        "(código %(code)s)."
    )


def _invalid_parameter() -> str:
    return _("WhatsApp rechazó un parámetro de la solicitud (código %(code)s): %(detail)s")


#: Meta's codes that retrying cannot fix, with what the case shows (built when the error happens,
#: so in the language active then).
PERMANENT_DETAILS = {
    131047: _window_closed,
    131026: _undeliverable,
    131051: _unsupported,
    132000: _param_mismatch,
    132001: _template_missing,
    100: _invalid_parameter,
}
