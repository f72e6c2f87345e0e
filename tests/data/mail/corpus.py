"""The hostile e-mail corpus: malformed and abusive messages, generated (deterministic).

``python -m tests.data.mail.corpus DIR`` writes them as .eml files; the tests use ``corpus()``
directly. The RFCs' own examples live beside this file in ``rfc/``. Each entry names what it
attacks; the expectation for all of them is the same: a case, a rejection with a reason or a dead
letter, never an unhandled exception and never a message lost.
"""

from __future__ import annotations

import io
import sys
import zipfile
from base64 import b64encode
from collections.abc import Iterator
from pathlib import Path

RFC_DIR = Path(__file__).parent / "rfc"


def _headers(n: int, **extra: str) -> bytes:
    fields = {
        "From": f"Cliente {n} <hostil{n}@correo.test>",
        "To": "soporte@atiende.test",
        "Subject": f"Mensaje hostil {n}",
        "Message-ID": f"<hostil-{n}@correo.test>",
        "Date": "Tue, 01 Dec 2026 10:00:00 -0600",
        "MIME-Version": "1.0",
    }
    fields.update(extra)
    return "".join(f"{k}: {v}\r\n" for k, v in fields.items() if v is not None).encode()


def _attachment_mail(n: int, filename: str, data: bytes, ctype: str) -> bytes:
    encoded = b64encode(data)
    lines = b"\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
    return (
        _headers(n, **{"Content-Type": 'multipart/mixed; boundary="B"'})
        + b"\r\n--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nVer adjunto.\r\n"
        + f"--B\r\nContent-Type: {ctype}\r\n".encode()
        + f'Content-Disposition: attachment; filename="{filename}"'.encode()
        + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + lines
        + b"\r\n--B--\r\n"
    )


def zip_bomb(size: int = 200 * 1024 * 1024) -> bytes:
    """A small zip that would expand to SIZE bytes of zeros (never expanded by the desk)."""
    buffer = io.BytesIO()
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("ceros.bin", "w", force_zip64=True) as member:
            for _ in range(size // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def corpus(*, big: bool = True) -> Iterator[tuple[str, bytes]]:
    """(name, raw bytes) for every hostile message; BIG adds the 50 MB and zip-bomb ones."""
    yield "empty", b""
    yield "garbage-binary", bytes(range(256)) * 64
    yield "headers-only-no-body", _headers(1)
    yield "missing-from", _headers(2, From=None) + b"\r\nSin remitente.\r\n"
    yield "from-not-an-address", _headers(3, From="no es un correo") + b"\r\nHola.\r\n"
    yield (
        "truncated-mime",
        _headers(4, **{"Content-Type": 'multipart/mixed; boundary="X"'})
        + b"\r\n--X\r\nContent-Type: text/plain\r\n\r\nEmpieza pero nunca termina\r\n--X\r\n"
        b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLj",
    )
    yield "nul-bytes", _headers(5) + b"\r\nHola\x00 con\x00 NUL\x00\r\n"
    yield (
        "nul-in-headers",
        _headers(6, Subject="Asunto\x00con NUL") + b"\r\nCuerpo.\r\n",
    )
    yield (
        "invalid-utf8-headers",
        _headers(7).replace(b"Mensaje hostil 7", b"Se\xf1or \xff\xfe \xc3(")
        + b"Content-Type: text/plain; charset=utf-8\r\n\r\nTexto \xe9 mal declarado\r\n",
    )
    yield (
        "wrong-charset-label",
        _headers(8, **{"Content-Type": "text/plain; charset=utf-8"})
        + "\r\nAtención: el envío llegó dañado, señor.\r\n".encode("latin-1"),
    )
    yield (
        "unknown-charset",
        _headers(9, **{"Content-Type": "text/plain; charset=x-klingon-9"})
        + "\r\nMañana\r\n".encode("cp1252"),
    )
    yield (
        "bad-base64",
        _headers(10, **{"Content-Type": "text/plain", "Content-Transfer-Encoding": "base64"})
        + b"\r\n!!!not base64 at all***\r\n",
    )
    recipients = ", ".join(f"r{i}@destino.test" for i in range(10_000))
    yield "ten-thousand-recipients", _headers(11, To=recipients) + b"\r\nA todos.\r\n"
    yield "huge-subject", _headers(12, Subject="A" * 1_000_000) + b"\r\nAsunto enorme.\r\n"
    yield (
        "thousands-of-headers",
        _headers(13)
        + b"".join(b"X-Basura-%d: %d\r\n" % (i, i) for i in range(20_000))
        + b"\r\n.\r\n",
    )
    yield "no-newline-1mb-line", _headers(14) + b"\r\n" + b"x" * 1_000_000
    nested = b"Contenido profundo\r\n"
    for level in range(200):
        boundary = f"N{level}".encode()
        nested = (
            b"Content-Type: multipart/mixed; boundary=" + boundary + b"\r\n\r\n--" + boundary
            + b"\r\n" + nested + b"\r\n--" + boundary + b"--\r\n"
        )  # fmt: skip
    yield (
        "mime-nesting-200",
        _headers(15).replace(b"MIME-Version: 1.0\r\n", b"MIME-Version: 1.0\r\n") + nested,
    )
    parts = b"".join(
        b"--P\r\nContent-Type: text/plain\r\n\r\nparte %d\r\n" % i for i in range(5_000)
    )
    yield (
        "five-thousand-parts",
        _headers(16, **{"Content-Type": 'multipart/mixed; boundary="P"'})
        + b"\r\n"
        + parts
        + b"--P--\r\n",
    )
    forward = _headers(17)
    for level in range(60):
        forward = _headers(1000 + level, **{"Content-Type": "message/rfc822"}) + b"\r\n" + forward
    yield "rfc822-nesting-60", forward + b"\r\nFondo.\r\n"
    yield (
        "executable-attachment",
        _attachment_mail(18, "factura.exe", b"MZ" + b"\0" * 1000, "application/octet-stream"),
    )
    yield (
        "path-traversal-filename",
        _attachment_mail(19, "../../../etc/passwd", b"root:x:0:0", "text/plain"),
    )
    yield (
        "html-with-script",
        _headers(20, **{"Content-Type": "text/html; charset=utf-8"})
        + b"\r\n<p onclick='x()'>Hola</p><script>alert(1)</script><a href='javascript:x'>x</a>\r\n",
    )
    yield "header-without-colon", _headers(21) + b"Esto no es un encabezado\r\n\r\nCuerpo\r\n"
    yield "crlf-chaos", _headers(22).replace(b"\r\n", b"\r") + b"\rCuerpo con CR solos\r"
    yield (
        "encoded-word-bomb",
        _headers(23, Subject=" ".join(["=?utf-8?B?w7E=?="] * 20_000)) + b"\r\nx\r\n",
    )
    yield (
        "date-absurd",
        _headers(24, Date="Mon, 99 Foo 99999 99:99:99 +9999") + b"\r\nFecha imposible\r\n",
    )
    if big:
        yield (
            "attachment-30mb",
            _attachment_mail(28, "planos.dwg", b"\x07" * (30 * 1024 * 1024), "image/vnd.dwg"),
        )
        yield (
            "attachment-50mb",
            _attachment_mail(25, "video.mp4", b"\x00\x01" * (25 * 1024 * 1024), "video/mp4"),
        )
        yield "zip-bomb", _attachment_mail(26, "bomba.zip", zip_bomb(), "application/zip")
        bomb = zip_bomb(20 * 1024 * 1024)
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, "w") as archive:
            for i in range(10):
                archive.writestr(f"capa{i}.zip", bomb)
        yield "nested-zip-bomb", _attachment_mail(27, "42.zip", inner.getvalue(), "application/zip")


def rfc_examples() -> Iterator[tuple[str, bytes]]:
    for path in sorted(RFC_DIR.glob("*.eml")):
        yield path.stem, path.read_bytes()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    target.mkdir(parents=True, exist_ok=True)
    for name, raw in corpus():
        (target / f"{name}.eml").write_bytes(raw)
    print(f"corpus written to {target}")
