"""Normalisers turn one channel's raw payload into one ``NormalisedMessage``.

They are pure functions of the bytes (no database): the same envelope always normalises the same
way, so a reprocessed envelope gets the same answer. ``NORMALISERS`` names one per channel.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from charset_normalizer import from_bytes

#: Unicode "other, control" characters except tab and newlines: NUL bytes cannot be stored by
#: PostgreSQL and the rest only break rendering.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Part:
    filename: str
    content_type: str
    data: bytes
    content_id: str = ""


@dataclass
class Bounce:
    """A delivery failure report about mail we sent."""

    recipients: list[str]
    is_permanent: bool
    original_message_ids: list[str]
    detail: str


@dataclass
class NormalisedMessage:
    sender_address: str = ""
    sender_name: str = ""
    subject: str = ""
    text: str = ""
    html: str = ""
    #: What the customer wrote this time: quoted history and signature removed (display only).
    visible_text: str = ""
    message_id: str = ""
    #: In-Reply-To first, then References newest first: the most specific key first.
    references: list[str] = field(default_factory=list)
    sent_at: datetime | None = None
    attachments: list[Part] = field(default_factory=list)
    #: Why this is an automatic message (RFC 3834 and common forms); empty for a person's.
    auto_reply: str = ""
    bounce: Bounce | None = None
    #: A reason to refuse the payload (e.g. no usable sender); empty when acceptable.
    rejection: str = ""
    #: Channel-specific fields (the web form's phone, name and case type).
    extra: dict = field(default_factory=dict)
    #: Parsing notes kept on the envelope (skipped parts, wrongly declared charsets).
    notes: list[str] = field(default_factory=list)


NORMALISERS: dict[str, str] = {
    "email": "atiende.intake.normalise.email:normalise_email",
    "webform": "atiende.intake.normalise.webform:normalise_webform",
}


def clean_text(value: str) -> str:
    """Text safe to store anywhere: undecodable bytes repaired, NUL and control chars dropped."""
    if not value:
        return ""
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        value = decode_bytes(value.encode("utf-8", "surrogateescape"), "utf-8")
    return _CONTROL.sub("", unicodedata.normalize("NFC", value))


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode DATA with its declared charset; when that is wrong or unknown, detect it."""
    if charset:
        try:
            return data.decode(_charset_alias(charset))
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    western = _western(data)
    if western is not None:
        return western
    best = from_bytes(data[:200_000]).best()
    if best is not None:
        try:
            return data.decode(best.encoding, errors="replace")
        except LookupError:
            pass
    return data.decode("latin-1")


#: Non-ASCII characters that Western European text is made of.
_WESTERN_EXTRA = set("¿¡ºª°«»€–—“”‘’…·©®±×÷")


def _western(data: bytes) -> str | None:
    """Windows-1252, when the bytes read as Western text. Mail labelled UTF-8 but written in
    Latin-1/Windows-1252 is the commonest wrong label on Spanish-speaking desks, and statistical
    detection misreads short texts (a four-letter word has no statistics)."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    extra = [ch for ch in text if ord(ch) > 127]
    plausible = sum(ch.isalpha() or ch in _WESTERN_EXTRA for ch in extra)
    return text if plausible >= 0.9 * len(extra) else None


def _charset_alias(charset: str) -> str:
    """Labels that mail programs write but Python's codecs do not know."""
    charset = charset.strip().strip('"').lower()
    return {
        "unicode-1-1-utf-7": "utf-7",
        "utf8": "utf-8",
        "cp-850": "cp850",
        "ks_c_5601-1987": "cp949",
    }.get(charset, charset)
