"""Building e-mails for the tests: plain, HTML, replies, auto-replies, bounces, TNEF."""

from __future__ import annotations

import struct
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

_counter = iter(range(1, 10**9))


def email_bytes(
    *,
    sender: str = "Lucía Pérez <lucia@correo.test>",
    to: str = "soporte@atiende.test",
    subject: str = "Consulta sobre mi pedido",
    text: str | None = "Hola, ¿dónde está mi pedido 123?",
    html: str | None = None,
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id or make_msgid(f"t{next(_counter)}", "correo.test")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    if text is not None:
        message.set_content(text)
    if html is not None:
        if text is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    for filename, data, ctype in attachments:
        maintype, subtype = ctype.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def dsn_bytes(*, failed: str, original_message_id: str, status: str = "5.1.1") -> bytes:
    """An RFC 3464 delivery status notification about a message we sent."""
    boundary = "DSN-BOUNDARY"
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.correo.test>\r\n"
        "To: soporte@atiende.test\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <dsn-{next(_counter)}@mx.correo.test>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        "\r\n"
        f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.correo.test\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: {status}\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
        f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: soporte@atiende.test\r\nTo: {failed}\r\nMessage-ID: {original_message_id}\r\n"
        "Subject: Respuesta\r\n\r\n"
        f"--{boundary}--\r\n"
    ).encode()


def qmail_bounce_bytes(*, failed: str) -> bytes:
    """A non-standard (qmail) bounce: plain text, no delivery-status part."""
    return (
        "From: MAILER-DAEMON@mail.viejo.test\r\n"
        "To: soporte@atiende.test\r\n"
        "Subject: failure notice\r\n"
        f"Message-ID: <qmail-{next(_counter)}@mail.viejo.test>\r\n"
        "\r\n"
        "Hi. This is the qmail-send program at mail.viejo.test.\r\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n"
        f"<{failed}>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n\r\n"
        "--- Below this line is a copy of the message.\r\n\r\n"
        "From: soporte@atiende.test\r\n"
    ).encode()


def tnef_bytes(files: dict[str, bytes]) -> bytes:
    """A minimal TNEF stream (winmail.dat) holding FILES, as Outlook writes them."""

    def attribute(level: int, attr_id: int, attr_type: int, data: bytes) -> bytes:
        checksum = sum(data) & 0xFFFF
        return (
            struct.pack("<BI", level, (attr_type << 16) | attr_id)
            + struct.pack("<I", len(data))
            + data
            + struct.pack("<H", checksum)
        )

    stream = struct.pack("<IH", 0x223E9F78, 0x0001)
    stream += attribute(1, 0x9006, 0x0008, struct.pack("<I", 0x00010000))  # attTnefVersion
    for name, data in files.items():
        stream += attribute(
            2, 0x9002, 0x0006, b"\x01\x00\x00\x00" + b"\0" * 10
        )  # attAttachRendData
        stream += attribute(2, 0x8010, 0x0001, name.encode() + b"\0")  # attAttachTitle
        stream += attribute(2, 0x800F, 0x0006, data)  # attAttachData
    return stream
