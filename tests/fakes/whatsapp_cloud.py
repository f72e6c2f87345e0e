"""A fake WhatsApp Business Cloud API: a real HTTP server on 127.0.0.1, in a thread.

It answers ``POST /<version>/<phone-number-id>/messages`` as Meta's Graph API does, for the two
message types Atiende sends (text, template), and is strict where Meta is:

- ``Authorization: Bearer <token>``: missing or wrong → 401, code 190 (invalid OAuth token);
  ``expire_token()`` → 401, code 190 (session has expired).
- the phone-number id in the path must be ours → 400, code 100 (object does not exist).
- the body: ``messaging_product: "whatsapp"``, ``to`` (digits), ``recipient_type`` "individual",
  ``type`` and exactly its object; unknown or malformed fields → 400, code 100 (invalid
  parameter). Other message types → 400, code 131051 (unsupported message type).
- the 24-hour window: free text to a number whose last message (``customer_wrote``) is older than
  24 h, or that never wrote → 400, code 131047 (re-engagement message).
- templates must be registered (``approve_template``) in that language → 132001; with the right
  number of body parameters → 132000.
- ``undeliverable(number)`` → 131026; ``fail_next(code)`` answers the next request with any of
  Meta's documented errors (rate limits 4/80007/130429/131048/131056 → HTTP 429, 131000 → 500...).

Success: ``{"messaging_product": "whatsapp", "contacts": [{"input", "wa_id"}], "messages":
[{"id": "wamid..."}]}``. Every request is kept in ``requests`` for assertions.

Use ``start_fake_whatsapp()`` from any code (the browser tests) or the ``whatsapp_cloud`` pytest
fixture (import ``whatsapp_cloud_fixture``), which also points the settings at it.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

API_VERSION = "v21.0"
PHONE_NUMBER_ID = "106540352242922"
TOKEN = "EAAtest-token-atiende"
WINDOW = timedelta(hours=24)

#: Meta's documented errors: code → (HTTP status, message/title, details).
ERRORS: dict[int, tuple[int, str, str]] = {
    1: (500, "An unknown error occurred", "Invalid request or possible server error."),
    2: (503, "Service temporarily unavailable", "Temporary due to downtime or overload."),
    4: (429, "Application request limit reached", "The app has reached its API call limit."),
    100: (400, "Invalid parameter", "The request included an invalid parameter."),
    190: (401, "Error validating access token: Session has expired", "Access token expired."),
    80007: (429, "Rate limit issues", "The WhatsApp Business Account has reached its limit."),
    130429: (
        429,
        "Rate limit hit",
        "Message failed to send because there were too many messages sent from this phone "
        "number in a short period of time",
    ),
    131000: (500, "Something went wrong", "Message failed to send due to an unknown error."),
    131026: (
        400,
        "Message undeliverable",
        "Unable to deliver message. Reasons can include: the recipient phone number is not a "
        "WhatsApp phone number; the recipient has not accepted the new Terms of Service.",
    ),
    131047: (
        400,
        "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer last "
        "replied to this number.",
    ),
    131048: (429, "Spam rate limit hit", "Too many previous messages were blocked or flagged."),
    131051: (400, "Unsupported message type", "Message type is not currently supported."),
    131056: (
        429,
        "(Business Account, Consumer Account) pair rate limit hit",
        "Too many messages sent from this phone number to the same recipient in a short time.",
    ),
    132000: (
        400,
        "Number of parameters does not match the expected number of params",
        "The number of variable parameter values does not match the template.",
    ),
    132001: (
        404,
        "Template name does not exist in the translation",
        "The template does not exist in the specified language or has not been approved.",
    ),
}

TEXT_KEYS = {"body", "preview_url"}
TOP_KEYS = {
    "messaging_product",
    "recipient_type",
    "to",
    "type",
    "text",
    "template",
    "context",
    "biz_opaque_callback_data",
}


class MetaError(Exception):
    def __init__(self, code: int, details: str = "") -> None:
        super().__init__(code)
        self.code, self.details = code, details


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    json: Any
    status: int = 0
    response: dict[str, Any] = field(default_factory=dict)


class FakeWhatsAppCloud:
    """The fake's state; the HTTP handler calls ``handle``. Thread-safe through one lock."""

    def __init__(self, *, phone_number_id: str = PHONE_NUMBER_ID, token: str = TOKEN) -> None:
        self.phone_number_id, self.token = phone_number_id, token
        self.requests: list[RecordedRequest] = []
        self.last_inbound: dict[str, datetime] = {}
        self.templates: dict[tuple[str, str], int] = {}
        self.unreachable: set[str] = set()
        self.token_expired = False
        #: False: free text goes to any number (a browser test that does not script inbounds).
        self.enforce_window = True
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self._failures: list[int] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.url = ""

    # --- scripting ------------------------------------------------------------------------------

    def customer_wrote(self, wa_id: str, at: datetime | None = None) -> None:
        """The customer WA_ID last wrote at AT (now): free text may go for 24 h after it."""
        with self._lock:
            self.last_inbound[wa_id] = at or self.clock()

    def approve_template(self, name: str, language: str, param_count: int) -> None:
        with self._lock:
            self.templates[(name, language)] = param_count

    def undeliverable(self, wa_id: str) -> None:
        with self._lock:
            self.unreachable.add(wa_id)

    def fail_next(self, *codes: int) -> None:
        """Answer the next requests, one each, with these Meta error codes."""
        with self._lock:
            self._failures.extend(codes)

    def expire_token(self) -> None:
        self.token_expired = True

    @property
    def sent(self) -> list[dict[str, Any]]:
        """The payloads Meta accepted, in order."""
        return [r.json for r in self.requests if 200 <= r.status < 300]

    # --- the API --------------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict]:
        try:
            data: Any = json.loads(raw) if raw else None
        except ValueError:
            data = None
        record = RecordedRequest(method, path, headers, data)
        with self._lock:
            self.requests.append(record)
            try:
                status, body = 200, self._answer(method, path, headers, raw, data)
            except MetaError as exc:
                status, body = error_body(exc.code, exc.details)
            record.status, record.response = status, body
        return status, body

    def _answer(
        self, method: str, path: str, headers: dict[str, str], raw: bytes, data: Any
    ) -> dict:
        auth = headers.get("authorization", "")
        if auth != f"Bearer {self.token}":
            raise MetaError(190, "Invalid OAuth access token - Cannot parse access token")
        if self.token_expired:
            raise MetaError(190)
        match = re.fullmatch(rf"/{re.escape(API_VERSION)}/([^/]+)/messages", path)
        if method != "POST" or not match:
            raise MetaError(100, f"Unsupported {method.lower()} request.")
        if match.group(1) != self.phone_number_id:
            raise MetaError(
                100,
                f"Unsupported post request. Object with ID '{match.group(1)}' does not exist.",
            )
        if not headers.get("content-type", "").startswith("application/json"):
            raise MetaError(100, "Content-Type must be application/json.")
        if not isinstance(data, dict):
            raise MetaError(100, "The request body is not a JSON object.")
        if self._failures:
            raise MetaError(self._failures.pop(0))
        to = self._check_envelope(data)
        if data["type"] == "text":
            self._check_text(data)
            last = self.last_inbound.get(to)
            if self.enforce_window and (last is None or self.clock() - last > WINDOW):
                raise MetaError(131047)
        else:
            self._check_template(data)
        if to in self.unreachable:
            raise MetaError(131026)
        wamid = (
            "wamid." + base64.b64encode(b"\x15\x02\x00\x11\x18" + secrets.token_bytes(24)).decode()
        )
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": data["to"], "wa_id": to}],
            "messages": [{"id": wamid}],
        }

    def _check_envelope(self, data: dict) -> str:
        unknown = set(data) - TOP_KEYS
        if unknown:
            raise MetaError(100, f"Unexpected key(s): {', '.join(sorted(unknown))}.")
        if data.get("messaging_product") != "whatsapp":
            raise MetaError(100, "messaging_product must be 'whatsapp'.")
        if data.get("recipient_type", "individual") != "individual":
            raise MetaError(100, "recipient_type must be 'individual'.")
        to = str(data.get("to", "")).lstrip("+")
        if not re.fullmatch(r"\d{8,15}", to):
            raise MetaError(100, "Parameter 'to' is not a valid phone number.")
        kind = data.get("type", "text")
        if kind not in ("text", "template"):
            raise MetaError(131051, f"Message type '{kind}' is not supported by this fake.")
        data.setdefault("type", kind)
        other = "template" if kind == "text" else "text"
        if other in data:
            raise MetaError(100, f"Parameter '{other}' is not valid for type '{kind}'.")
        callback = data.get("biz_opaque_callback_data", "")
        if not isinstance(callback, str) or len(callback) > 512:
            raise MetaError(100, "biz_opaque_callback_data must be a string of 512 or fewer.")
        return to

    def _check_text(self, data: dict) -> None:
        text = data.get("text")
        if not isinstance(text, dict) or set(text) - TEXT_KEYS:
            raise MetaError(100, "Parameter 'text' must be an object with 'body'.")
        body = text.get("body")
        if not isinstance(body, str) or not body.strip() or len(body) > 4096:
            raise MetaError(100, "text.body must be a non-empty string of up to 4096 characters.")
        if not isinstance(text.get("preview_url", False), bool):
            raise MetaError(100, "text.preview_url must be a boolean.")

    def _check_template(self, data: dict) -> None:
        template = data.get("template")
        if not isinstance(template, dict) or set(template) - {"name", "language", "components"}:
            raise MetaError(100, "Parameter 'template' must have name, language, components.")
        name, language = template.get("name"), template.get("language")
        if not isinstance(name, str) or not name:
            raise MetaError(100, "template.name is required.")
        if not isinstance(language, dict) or not isinstance(language.get("code"), str):
            raise MetaError(100, "template.language.code is required.")
        if set(language) - {"code", "policy"}:
            raise MetaError(100, "template.language has unexpected keys.")
        params = _body_parameters(template.get("components", []))
        expected = self.templates.get((name, language["code"]))
        if expected is None:
            raise MetaError(132001, f"template name ({name}) does not exist in {language['code']}")
        if len(params) != expected:
            raise MetaError(
                132000,
                f"body: number of localizable_params ({len(params)}) does not match "
                f"the expected number of params ({expected})",
            )


def _body_parameters(components: Any) -> list[str]:
    if not isinstance(components, list):
        raise MetaError(100, "template.components must be a list.")
    params: list[str] = []
    for component in components:
        if not isinstance(component, dict) or component.get("type") not in (
            "header",
            "body",
            "button",
        ):
            raise MetaError(100, "Each component needs a type: header, body or button.")
        if component["type"] != "body":
            continue
        for parameter in component.get("parameters", []):
            if not isinstance(parameter, dict) or parameter.get("type") != "text":
                raise MetaError(100, "Body parameters must be of type 'text'.")
            text = parameter.get("text")
            if not isinstance(text, str) or not text:
                raise MetaError(100, "A text parameter needs a non-empty 'text'.")
            if re.search(r"[\n\t]| {5,}", text):
                raise MetaError(
                    100,
                    "Param text cannot have new-line/tab characters or more than 4 consecutive "
                    "spaces",
                )
            params.append(text)
    return params


def error_body(code: int, details: str = "") -> tuple[int, dict]:
    """Meta's error answer for CODE: (HTTP status, ``{"error": {...}}``)."""
    status, title, default_details = ERRORS.get(code, (400, "Error", ""))
    return status, {
        "error": {
            "message": f"(#{code}) {title}",
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details or default_details},
            "fbtrace_id": "A" + secrets.token_urlsafe(16),
        }
    }


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve("POST")

    def do_GET(self) -> None:  # noqa: N802
        self._serve("GET")

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, body = self.server.fake.handle(method, self.path, headers, raw)
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: tests read ``fake.requests`` instead."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeWhatsAppCloud


def start_fake_whatsapp(**kwargs: str) -> tuple[str, FakeWhatsAppCloud]:
    """Start a fake on a free local port; return (API base URL with version, the fake).

    Point ``ATIENDE_WHATSAPP_API_URL`` at the URL, ``ATIENDE_WHATSAPP_PHONE_NUMBER_ID`` at
    ``fake.phone_number_id`` and ``ATIENDE_WHATSAPP_TOKEN`` at ``fake.token``. Stop it with
    ``stop_fake_whatsapp(fake)``.
    """
    fake = FakeWhatsAppCloud(**kwargs)
    server = _Server(("127.0.0.1", 0), _Handler)
    server.fake = fake
    thread = threading.Thread(
        target=server.serve_forever, args=(0.02,), name="fake-whatsapp", daemon=True
    )
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/{API_VERSION}"
    fake._server = server
    return fake.url, fake


def stop_fake_whatsapp(fake: FakeWhatsAppCloud) -> None:
    server = fake._server
    if server is None:
        return
    fake._server = None
    server.shutdown()
    server.server_close()


@pytest.fixture(name="whatsapp_cloud")
def whatsapp_cloud_fixture(settings) -> Iterator[FakeWhatsAppCloud]:
    """Fixture ``whatsapp_cloud``: a running fake Cloud API, with the settings pointing at it.

    Import ``whatsapp_cloud_fixture`` into a test module (or conftest) to make it available.
    """
    url, fake = start_fake_whatsapp()
    settings.ATIENDE_WHATSAPP_API_URL = url
    settings.ATIENDE_WHATSAPP_PHONE_NUMBER_ID = fake.phone_number_id
    settings.ATIENDE_WHATSAPP_TOKEN = fake.token
    yield fake
    stop_fake_whatsapp(fake)
