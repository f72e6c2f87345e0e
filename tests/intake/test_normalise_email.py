"""Parsing real-world e-mail: charsets, HTML, inline images, forwards, TNEF, S/MIME, quotes."""

from __future__ import annotations

from atiende.intake.normalise.email import normalise_email, strip_quoted
from tests.intake.mail import email_bytes, tnef_bytes


def raw_mail(headers: str, body: bytes) -> bytes:
    head = "From: Lucía <lucia@correo.test>\r\nTo: soporte@atiende.test\r\n" + headers
    return head.replace("\n", "\r\n").replace("\r\r", "\r").encode() + b"\r\n" + body


def test_it_reads_sender_subject_ids_and_references():
    message = normalise_email(
        email_bytes(
            subject="Re: Pedido", message_id="<m2@correo.test>", in_reply_to="<m1@atiende.test>",
            references="<m0@correo.test> <m1@atiende.test>",
        )
    )  # fmt: skip
    assert (message.sender_name, message.sender_address) == ("Lucía Pérez", "lucia@correo.test")
    assert (message.subject, message.message_id) == ("Re: Pedido", "<m2@correo.test>")
    assert message.references == ["<m1@atiende.test>", "<m0@correo.test>"]


def test_it_decodes_quoted_printable_and_base64_in_any_charset():
    qp = raw_mail(
        "Content-Type: text/plain; charset=iso-8859-1\n"
        "Content-Transfer-Encoding: quoted-printable\n",
        b"Ma=F1ana llamar=E9.",
    )
    b64 = raw_mail(
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n",
        b"wr9Dw7NtbyB2YT8=",
    )
    assert normalise_email(qp).text == "Mañana llamaré."
    assert normalise_email(b64).text == "¿Cómo va?"


def test_it_repairs_a_wrongly_declared_charset():
    raw = raw_mail("Content-Type: text/plain; charset=utf-8\n", "Atención, señor.".encode("cp1252"))
    assert normalise_email(raw).text == "Atención, señor."


def test_html_only_mail_is_sanitised_and_gets_a_text_version():
    raw = email_bytes(
        text=None, html="<p onclick='x()'>Hola <b>equipo</b></p><script>alert(1)</script>"
    )
    message = normalise_email(raw)
    assert "<script" not in message.html and "onclick" not in message.html
    assert "<b>equipo</b>" in message.html
    assert message.text == "Hola equipo"


def test_inline_images_and_attachments_are_kept_with_their_content_id():
    raw = email_bytes(attachments=[("plano.pdf", b"%PDF", "application/pdf")])
    message = normalise_email(raw)
    (attachment,) = message.attachments
    assert (attachment.filename, attachment.data) == ("plano.pdf", b"%PDF")

    inline = raw_mail(
        'Content-Type: multipart/related; boundary="R"\n',
        b'--R\r\nContent-Type: text/html\r\n\r\n<p>Mire: <img src="cid:foto1"></p>\r\n'
        b"--R\r\nContent-Type: image/png\r\nContent-ID: <foto1>\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--R--\r\n",
    )
    message = normalise_email(inline)
    assert message.attachments[0].content_id == "foto1"
    assert 'src="cid:foto1"' in message.html


def test_a_forwarded_message_is_kept_as_an_eml_attachment_and_its_text_used():
    inner = email_bytes(sender="proveedor@otro.test", subject="Cotización", text="Precio: 100")
    raw = raw_mail(
        'Content-Type: multipart/mixed; boundary="F"\n',
        b"--F\r\nContent-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--F--\r\n",
    )
    message = normalise_email(raw)
    assert message.attachments[0].filename == "Cotización.eml"
    assert b"Precio: 100" in message.attachments[0].data
    assert message.text == "Precio: 100"


def test_a_winmail_dat_is_unpacked_into_its_files():
    raw = email_bytes(
        attachments=[("winmail.dat", tnef_bytes({"informe.txt": b"datos"}), "application/ms-tnef")]
    )
    message = normalise_email(raw)
    assert [(a.filename, a.data) for a in message.attachments] == [("informe.txt", b"datos")]


def test_an_smime_signature_is_kept_as_an_attachment():
    raw = raw_mail(
        'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; boundary="S"\n',
        b"--S\r\nContent-Type: text/plain\r\n\r\nFirmado.\r\n"
        b"--S\r\nContent-Type: application/pkcs7-signature\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n--S--\r\n",
    )
    message = normalise_email(raw)
    assert message.text == "Firmado."
    assert [a.filename for a in message.attachments] == ["smime.p7s"]


def test_quoted_history_and_signature_are_stripped_for_display_only():
    text = (
        "Perfecto, gracias.\n\n-- \nLucía Pérez\nGerente\n\n"
        "El lun, 30 nov 2026 a las 10:00, Soporte <soporte@atiende.test> escribió:\n"
        "> Su pedido sale hoy.\n"
    )
    message = normalise_email(email_bytes(text=text))
    assert message.visible_text == "Perfecto, gracias."
    assert "Su pedido sale hoy" in message.text


def test_outlook_style_original_message_blocks_are_stripped():
    assert strip_quoted("Va.\n\n-----Mensaje original-----\nDe: x\nTexto viejo") == "Va."
    assert strip_quoted("Thanks\n\nOn Mon, Ana wrote:\n> old") == "Thanks"


def test_absurd_headers_never_raise():
    raw = raw_mail(
        "Subject: =?utf-8?B?invalid?= \xff\nDate: yesterday-ish\nMessage-ID: no brackets\n",
        b"Hola",
    )
    message = normalise_email(raw)
    assert message.sent_at is None and message.message_id == ""
    assert message.text == "Hola"
