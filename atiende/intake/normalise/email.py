"""Any real-world e-mail (RFC 5322/MIME bytes) into a ``NormalisedMessage``.

stdlib ``email`` with ``policy.default`` does the MIME; this module adds what it lacks: wrongly
declared charsets (charset-normalizer), HTML-only mail (sanitised with nh3, text derived),
TNEF ``winmail.dat`` (tnefparse), forwarded ``message/rfc822`` kept as ``.eml``, S/MIME kept as an
attachment, RFC 3834 auto-replies, RFC 3464 delivery reports plus the common non-standard bounces
(flufl.bounce), reply-quote stripping for display (quotequail), and limits against hostile mail
(depth, part count, text size). Nothing here raises on bad input except on a bug: the pipeline
turns that into a retry and then a dead letter.
"""

from __future__ import annotations

import email
import hashlib
import re
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

import quotequail
from django.utils.translation import gettext as _

from atiende.core.html import html_to_text, sanitise_html
from atiende.intake.normalise import Bounce, NormalisedMessage, Part, clean_text, decode_bytes

MAX_DEPTH = 12
MAX_PARTS = 500
MAX_TEXT_CHARS = 1_000_000
MAX_REFERENCES = 50
MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")
SMIME_TYPES = {
    "application/pkcs7-mime",
    "application/x-pkcs7-mime",
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
}
TNEF_TYPES = {"application/ms-tnef", "application/vnd.ms-tnef"}
AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response)|respuesta autom[aá]tica|out of (the )?office|"
    r"fuera de (la )?oficina|ausencia|auto:|abwesenheit|r[ée]ponse automatique)",
    re.IGNORECASE,
)
BOUNCE_SENDER = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.I)
BOUNCE_SUBJECT = re.compile(
    r"(undeliver|delivery (status notification|failure|has failed)|mail delivery failed|"
    r"returned mail|failure notice|no se pudo entregar|no entregado|error de entrega)",
    re.IGNORECASE,
)
ATTRIBUTION = re.compile(
    r"^\s*(el .{0,200}escribi[oó]|on .{0,200}wrote|le .{0,200}a [ée]crit|am .{0,200}schrieb|"
    r"em .{0,200}escreveu)\s*:?\s*$",
    re.IGNORECASE,
)
ORIGINAL_MARK = re.compile(
    r"^\s*-{2,}\s*(original message|mensaje original|forwarded message|mensaje reenviado)",
    re.IGNORECASE | re.MULTILINE,
)


#: Header fields are cut to this length before parsing: a field of thousands of encoded words
#: takes the stdlib parser seconds (quadratic), and no useful header is that long. Raw is kept.
MAX_FIELD_BYTES = 16_384
HEADER_END = re.compile(rb"\r?\n\r?\n")


def normalise_email(raw: bytes) -> NormalisedMessage:
    message = email.message_from_bytes(_bounded_headers(raw), policy=policy.default)
    result = NormalisedMessage()
    result.subject = header(message, "Subject")[:998]
    result.message_id = first_message_id(header(message, "Message-ID"))
    result.references = references(message)
    result.sent_at = _date(header(message, "Date"))
    result.sender_name, result.sender_address = _sender(message)
    if message.defects:
        result.notes.append("defects: " + ", ".join(type(d).__name__ for d in message.defects[:10]))
    walker = _Walker(result)
    walker.walk(message, 0)
    result.text = clean_text(walker.text())[:MAX_TEXT_CHARS]
    result.html = sanitise_html(clean_text(walker.html()))[:MAX_TEXT_CHARS]
    if not result.text and result.html:
        result.text = html_to_text(result.html)
    if not result.text and walker.forwarded_text:
        result.text = walker.forwarded_text
    result.visible_text = strip_quoted(result.text) or result.text
    result.html = strip_quoted_html(result.html)
    result.auto_reply = auto_reply_reason(message, result.subject)
    result.bounce = detect_bounce(message, raw, result)
    if not result.sender_address and result.bounce is None:
        result.rejection = _("El mensaje no tiene un remitente válido (From).")
    return result


# --- headers -------------------------------------------------------------------------------------


def _bounded_headers(raw: bytes) -> bytes:
    end = HEADER_END.search(raw, 0, 4_000_000)
    head_end = end.start() if end else min(len(raw), 4_000_000)
    if head_end <= MAX_FIELD_BYTES:
        return raw
    fields: list[bytes] = []
    for line in raw[:head_end].splitlines(keepends=True):
        if fields and line[:1] in (b" ", b"\t"):
            if len(fields[-1]) < MAX_FIELD_BYTES:
                fields[-1] += line
        else:
            fields.append(line)
    bounded = [
        f if len(f) <= MAX_FIELD_BYTES else f[:MAX_FIELD_BYTES].rstrip() + b"\r\n" for f in fields
    ]
    return b"".join(bounded) + raw[head_end:]


def header(message: Message, name: str) -> str:
    """A header's text, whatever it holds: policy.default can raise on absurd values, so the raw
    value is decoded by hand then; undecodable bytes are repaired, NULs dropped. Plain ASCII
    values skip the header registry (most headers, and most of the parsing time)."""
    raw = _first_raw(message, name)
    if raw is None:
        return ""
    if "=?" not in raw and raw.isascii():
        return " ".join(clean_text(raw).split())
    try:
        value = message.get(name)
        text = "" if value is None else str(value)
    except Exception:
        text = _raw_header(message, name)
    return " ".join(clean_text(text).split())


def _first_raw(message: Message, name: str) -> str | None:
    lowered = name.lower()
    for key, value in message.raw_items():
        if key.lower() == lowered:
            return str(value)
    return None


def _raw_header(message: Message, name: str) -> str:
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            try:
                return str(make_header(decode_header(str(value))))
            except Exception:
                return str(value)
    return ""


def first_message_id(value: str) -> str:
    found = MESSAGE_ID.search(value or "")
    return found.group(0) if found else ""


def references(message: Message) -> list[str]:
    ids = MESSAGE_ID.findall(header(message, "In-Reply-To"))
    ids += reversed(MESSAGE_ID.findall(header(message, "References")))
    return list(dict.fromkeys(ids))[:MAX_REFERENCES]


def _date(value: str):
    try:
        parsed = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def _sender(message: Message) -> tuple[str, str]:
    """(display name, address) of From; then Reply-To, Sender: a message with no From at all still
    names who sent it more often than not."""
    for name in ("From", "Reply-To", "Sender"):
        value = header(message, name)
        if not value:
            continue
        display, address = parseaddr(value)
        if not address:
            pairs = getaddresses([value])
            display, address = pairs[0] if pairs else ("", "")
        address = address.strip().lower()
        if _looks_like_address(address):
            return display.strip()[:200], address[:254]
    return "", ""


def _looks_like_address(address: str) -> bool:
    local, _at, domain = address.rpartition("@")
    return bool(local) and "." in domain and " " not in address and len(address) <= 254


# --- body and attachments ------------------------------------------------------------------------


class _Walker:
    def __init__(self, result: NormalisedMessage) -> None:
        self.result = result
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.forwarded_text = ""
        self.parts = 0

    def text(self) -> str:
        return "\n\n".join(t.strip() for t in self.texts if t.strip())

    def html(self) -> str:
        return "\n".join(self.htmls)

    def walk(self, part: Message, depth: int) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            if self.parts == MAX_PARTS + 1:
                self.result.notes.append(f"more than {MAX_PARTS} MIME parts: the rest skipped")
            return
        if depth > MAX_DEPTH:
            self.result.notes.append(f"MIME nesting deeper than {MAX_DEPTH}: part skipped")
            return
        ctype = _content_type(part)
        if ctype == "message/rfc822":
            self._forward(part, depth)
        elif part.is_multipart():
            if ctype == "multipart/alternative":
                self._alternative(part, depth)
            else:
                for child in _children(part):
                    self.walk(child, depth + 1)
        elif ctype in ("message/delivery-status", "text/rfc822-headers"):
            return  # read by detect_bounce
        elif _is_attachment(part) or ctype not in ("text/plain", "text/html"):
            self._attachment(part, ctype)
        elif ctype == "text/html":
            self.htmls.append(_decoded_text(part, self.result))
        else:
            self.texts.append(_decoded_text(part, self.result))

    def _alternative(self, part: Message, depth: int) -> None:
        """Keep the richest HTML and the plain text of one alternative, not both twice."""
        children = _children(part)
        plain = [c for c in children if _content_type(c) == "text/plain" and not _is_attachment(c)]
        rich = [c for c in children if _content_type(c) == "text/html" and not _is_attachment(c)]
        nested = [c for c in children if c.is_multipart()]
        if plain:
            self.texts.append(_decoded_text(plain[0], self.result))
        if rich:
            self.htmls.append(_decoded_text(rich[-1], self.result))
        elif nested:
            self.walk(nested[-1], depth + 1)
        if not plain and not rich and not nested and children:
            self.walk(children[0], depth + 1)

    def _forward(self, part: Message, depth: int) -> None:
        inner = part.get_payload()
        inner_message = inner[0] if isinstance(inner, list) and inner else None
        if not isinstance(inner_message, Message):
            self._attachment(part, "message/rfc822")
            return
        try:
            data = inner_message.as_bytes(policy=policy.SMTP)
        except Exception:
            data = str(inner_message).encode("utf-8", "replace")
        subject = header(inner_message, "Subject") or _("mensaje reenviado")
        name = re.sub(r"[^\w\- ]+", "", subject)[:80].strip() or "reenviado"
        self.result.attachments.append(Part(f"{name}.eml", "message/rfc822", data))
        if not self.forwarded_text:
            sub = _Walker(NormalisedMessage())
            sub.parts = self.parts
            sub.walk(inner_message, depth + 1)
            self.parts = sub.parts
            self.forwarded_text = clean_text(sub.text() or html_to_text(sub.html()))

    def _attachment(self, part: Message, ctype: str) -> None:
        data = _payload_bytes(part)
        filename = _filename(part) or _default_name(ctype)
        if ctype in TNEF_TYPES or filename.lower() == "winmail.dat":
            if self._tnef(data):
                return
        content_id = header(part, "Content-ID").strip("<>")
        self.result.attachments.append(Part(filename, ctype, data, content_id))

    def _tnef(self, data: bytes) -> bool:
        """Unpack a TNEF blob into its files (and body when the mail had none)."""
        from tnefparse import TNEF

        try:
            tnef = TNEF(data)
            files = [
                Part(clean_text(a.long_filename() or a.name or "adjunto"), "", bytes(a.data))
                for a in tnef.attachments
            ]
        except Exception as exc:
            self.result.notes.append(f"winmail.dat kept as is: {type(exc).__name__}")
            return False
        self.result.attachments.extend(files)
        body = getattr(tnef, "body", None)
        if body and not self.texts:
            self.texts.append(decode_bytes(body, None) if isinstance(body, bytes) else str(body))
        return True


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


def _is_attachment(part: Message) -> bool:
    try:
        disposition = part.get_content_disposition()
    except Exception:
        disposition = None
    return disposition == "attachment" or (disposition is None and bool(_filename(part)))


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    return clean_text(str(name)).replace("/", "_").replace("\\", "_").strip()[:200]


def _default_name(ctype: str) -> str:
    if ctype in ("application/pkcs7-signature", "application/x-pkcs7-signature"):
        return "smime.p7s"
    if ctype in SMIME_TYPES:
        return "smime.p7m"
    if ctype == "message/rfc822":
        return "mensaje.eml"
    extension = {"text/calendar": "ics", "text/html": "html", "text/plain": "txt"}.get(ctype)
    if extension is None:
        extension = ctype.partition("/")[2].split("+")[0][:10] or "bin"
    return f"adjunto.{extension}"


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    return payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""


def _decoded_text(part: Message, result: NormalisedMessage) -> str:
    data = _payload_bytes(part)[: MAX_TEXT_CHARS * 4]
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    text = decode_bytes(data, charset)
    return text


# --- replies: what the customer wrote this time --------------------------------------------------


def strip_quoted(text: str) -> str:
    """The reply without the quoted history, its attribution line and the signature."""
    if not text:
        return ""
    cut = ORIGINAL_MARK.search(text)
    if cut:
        text = text[: cut.start()]
    try:
        chunks = quotequail.quote(text[:200_000])
    except Exception:
        chunks = [(True, text)]
    visible: list[str] = []
    for is_visible, chunk in chunks:
        if not is_visible:
            break
        visible.append(chunk)
    lines = "\n".join(visible).rstrip().splitlines()
    while lines and (lines[-1].lstrip().startswith(">") or not lines[-1].strip()):
        lines.pop()  # a trailing quote with no attribution line above it
    if lines and ATTRIBUTION.match(lines[-1]):
        lines.pop()
    body = "\n".join(lines)
    signature = body.find("\n-- \n")
    if signature > 0:
        body = body[:signature]
    return body.strip()


def strip_quoted_html(html: str) -> str:
    if not html:
        return ""
    try:
        chunks = quotequail.quote_html(html[:500_000])
    except Exception:
        return html
    visible = [chunk for is_visible, chunk in chunks[:1] if is_visible]
    return sanitise_html(visible[0]) if visible and visible[0].strip() else html


# --- automatic mail and bounces ------------------------------------------------------------------


def auto_reply_reason(message: Message, subject: str) -> str:
    """Why this message was sent by a program (RFC 3834 and the common conventions), or ''."""
    auto_submitted = header(message, "Auto-Submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return f"Auto-Submitted: {auto_submitted[:60]}"
    for name in ("X-Auto-Response-Suppress", "X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if header(message, name):
            return f"{name}: {header(message, name)[:60]}"
    precedence = header(message, "Precedence").lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    for name in ("List-Id", "List-Unsubscribe", "List-Post"):
        if header(message, name):
            return f"{name}"
    if AUTO_SUBJECT.search(subject):
        return f"Subject: {subject[:60]}"
    return ""


def detect_bounce(message: Message, raw: bytes, result: NormalisedMessage) -> Bounce | None:
    """An RFC 3464 delivery report, or a non-standard bounce from a mailer daemon."""
    report = _delivery_report(message)
    if report is not None:
        return report
    sender = result.sender_address or ""
    null_sender = header(message, "Return-Path").strip() == "<>" or not sender
    looks_like_bounce = BOUNCE_SENDER.match(sender) or (
        null_sender and BOUNCE_SUBJECT.search(result.subject)
    )
    if not looks_like_bounce:
        return None
    recipients, permanent = _flufl_recipients(raw)
    original = [m for m in MESSAGE_ID.findall(result.text) if m != result.message_id]
    for attachment in result.attachments:
        if attachment.content_type == "message/rfc822":
            original += MESSAGE_ID.findall(
                first_message_id(header_block_value(attachment.data, "Message-ID"))
            )
    return Bounce(
        recipients=recipients,
        is_permanent=permanent,
        original_message_ids=list(dict.fromkeys(result.references + original))[:10],
        detail=(result.subject or _("Rebote sin asunto"))[:300],
    )


def _delivery_report(message: Message) -> Bounce | None:
    if _content_type(message) != "multipart/report":
        return None
    if str(message.get_param("report-type", "") or "").lower() != "delivery-status":
        return None
    recipients: list[str] = []
    statuses: list[str] = []
    diagnostics: list[str] = []
    original: list[str] = []
    for part in message.walk():
        ctype = _content_type(part)
        if ctype == "message/delivery-status":
            for block in _status_blocks(part):
                action = block.get("action", "").lower()
                status = block.get("status", "")
                address = block.get("final-recipient") or block.get("original-recipient", "")
                address = address.partition(";")[2].strip().strip("<>").lower() or address
                if action in ("failed", "delayed") or status[:1] in ("4", "5"):
                    recipients.append(address)
                    statuses.append(status or ("5.0.0" if action == "failed" else "4.0.0"))
                    if block.get("diagnostic-code"):
                        diagnostics.append(block["diagnostic-code"])
        elif ctype in ("message/rfc822", "text/rfc822-headers"):
            original += MESSAGE_ID.findall(
                header_block_value(_payload_or_inner_bytes(part), "Message-ID")
            )
    recipients = [r for r in dict.fromkeys(recipients) if r]
    permanent = bool(statuses) and all(s.startswith("5") for s in statuses)
    detail = "; ".join(dict.fromkeys(statuses + diagnostics))[:500]
    return Bounce(recipients, permanent, original[:10] + references(message), detail)


def _status_blocks(part: Message) -> list[dict[str, str]]:
    """The per-message and per-recipient field groups of a message/delivery-status part."""
    payload = part.get_payload()
    blocks = []
    if isinstance(payload, list):
        for block in payload:
            if isinstance(block, Message):
                blocks.append({k.lower(): clean_text(str(v)) for k, v in block.items()})
        return blocks
    text = payload if isinstance(payload, str) else ""
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        fields: dict[str, str] = {}
        for line in chunk.splitlines():
            key, sep, value = line.partition(":")
            if sep:
                fields[key.strip().lower()] = value.strip()
        if fields:
            blocks.append(fields)
    return blocks


def _payload_or_inner_bytes(part: Message) -> bytes:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        try:
            return payload[0].as_bytes()
        except Exception:
            return b""
    return _payload_bytes(part)


def header_block_value(data: bytes, name: str) -> str:
    head = data[:64_000].split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    found = re.search(rb"(?im)^" + name.encode() + rb":[ \t]*(.*(?:\r?\n[ \t].*)*)", head)
    return found.group(1).decode("ascii", "replace") if found else ""


def _flufl_recipients(raw: bytes) -> tuple[list[str], bool]:
    """Non-standard bounces (qmail, Exchange, Yahoo, ...) through Mailman's detectors."""
    from flufl.bounce import all_failures

    try:
        compat = email.message_from_bytes(raw[:2_000_000])
        temporary, permanent = all_failures(compat)
    except Exception:
        return [], False
    addresses = [_decode_address(a) for a in permanent] or [_decode_address(a) for a in temporary]
    return [a for a in addresses if a], bool(permanent)


def _decode_address(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return text.strip().strip("<>").lower()[:254]


def content_hash(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()
