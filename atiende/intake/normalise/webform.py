"""The web form's envelope (JSON written by ``portal``) into a ``NormalisedMessage``."""

from __future__ import annotations

import base64
import binascii
import json

from django.utils.translation import gettext as _

from atiende.intake.normalise import NormalisedMessage, Part, clean_text


def normalise_webform(raw: bytes) -> NormalisedMessage:
    result = NormalisedMessage()
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        result.rejection = _("El envío del formulario no se pudo leer.")
        return result
    if not isinstance(payload, dict):
        result.rejection = _("El envío del formulario no se pudo leer.")
        return result
    result.sender_name = clean_text(str(payload.get("name", "")))[:200]
    result.sender_address = clean_text(str(payload.get("email", ""))).strip().lower()[:254]
    result.subject = clean_text(str(payload.get("subject", "")))[:255]
    result.text = result.visible_text = clean_text(str(payload.get("message", "")))[:100_000]
    result.extra = {
        "phone": clean_text(str(payload.get("phone", "")))[:40],
        "case_type": clean_text(str(payload.get("case_type", "")))[:32],
    }
    for item in payload.get("files") or []:
        try:
            data = base64.b64decode(item["data"], validate=True)
        except (KeyError, TypeError, binascii.Error):
            result.notes.append("unreadable file in the form payload")
            continue
        name = clean_text(str(item.get("name", "")))[:200] or "adjunto"
        result.attachments.append(Part(name, str(item.get("content_type", ""))[:120], data))
    if not result.sender_address:
        result.rejection = _("El formulario no trae un correo electrónico.")
    elif not result.text.strip():
        result.rejection = _("El formulario no trae un mensaje.")
    return result
