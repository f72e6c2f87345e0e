"""Normalising channel addresses so that one person's address always reads the same.

E-mail is lower-cased; phone numbers become E.164 (phonenumbers, with the desk's default region);
WhatsApp ids are the international digits without '+', as the Cloud API sends them.
"""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

PHONE_KINDS = {"phone", "sms"}


class InvalidAddress(ValidationError):
    pass


def normalise_email(value: str) -> str:
    address = value.strip().lower()
    try:
        validate_email(address)
    except ValidationError as exc:
        raise InvalidAddress(_("Correo electrónico no válido: %(v)s") % {"v": value}) from exc
    return address


def normalise_phone(value: str, region: str | None = None) -> str:
    try:
        number = phonenumbers.parse(value, region or settings.ATIENDE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise InvalidAddress(_("Teléfono no válido: %(v)s") % {"v": value}) from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidAddress(_("Teléfono no válido: %(v)s") % {"v": value})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_whatsapp_id(value: str) -> str:
    """WhatsApp ids are international digits as the Cloud API sends them. They are not always
    valid E.164 today (Mexican ids keep the old mobile '1': 521…), so only the shape is checked."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if not 8 <= len(digits) <= 15 or len(digits) < len(value.replace(" ", "").lstrip("+")):
        raise InvalidAddress(_("Identificador de WhatsApp no válido: %(v)s") % {"v": value})
    return digits


def normalise_address(kind: str, value: str) -> str:
    """Return the canonical form of VALUE for identity KIND, or raise InvalidAddress."""
    value = (value or "").strip()
    if not value:
        raise InvalidAddress(_("La dirección está vacía."))
    if kind == "email":
        return normalise_email(value)
    if kind in PHONE_KINDS:
        return normalise_phone(value)
    if kind == "whatsapp":
        return normalise_whatsapp_id(value)
    if len(value) > 255:
        raise InvalidAddress(_("La dirección es demasiado larga."))
    return value
