"""Idempotent POSTs (STYLE §9): ``Idempotency-Key: <unique string>``.

A POST carrying the header runs inside one transaction that also writes an ``IdempotencyKey``
row (unique per user and key) holding the response. A repeat of the same request gets that
response back, marked ``Idempotent-Replayed: true``; the same key with another method, path or
body gets 422 ``idempotency_key_reused``. Two concurrent requests with one key: the second
waits on the unique index until the first commits, then replays it. 5xx responses are rolled
back with the work, so the client may retry. Without the header none of this runs.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from atiende.accounts.auth import signed_in_user
from atiende.api.errors import ApiError
from atiende.api.models import IdempotencyKey
from atiende.jobs.housekeeping import delete_in_batches

HEADER = "Idempotency-Key"
META_KEY = "HTTP_IDEMPOTENCY_KEY"
KEY_SHAPE = re.compile(r"[\x21-\x7e]{1,255}")
REPLAYED_HEADER = "Idempotent-Replayed"


class Replay(Exception):
    """Raised to short-circuit a view with the stored response."""

    def __init__(self, response: Response) -> None:
        self.response = response


def request_digest(request: Request) -> str:
    """A hash of what the request asks: method, path and body (files by their content)."""
    data = request.data
    if hasattr(data, "lists"):  # form data: a QueryDict, possibly with files
        data = {key: [_plain(v) for v in values] for key, values in data.lists()}
    payload = json.dumps([request.method, request.path, data], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "size": value.size, "sha256": digest.hexdigest()}
    return value


def claim(request: Request) -> IdempotencyKey | None:
    """Record the key of this request, or raise Replay / ApiError for a repeat. None: no key."""
    key = request.META.get(META_KEY)
    if key is None:
        return None
    if not KEY_SHAPE.fullmatch(key):
        raise ApiError(
            "invalid_idempotency_key", details={HEADER: ["1-255 visible ASCII characters"]}
        )
    fields = {
        "method": request.method,
        "path": request.path[:500],
        "request_hash": request_digest(request),
    }
    user = signed_in_user(request)  # claimed after authentication and permissions
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(user=user, key=key, **fields)
    except IntegrityError:
        pass
    existing = IdempotencyKey.objects.get(user=user, key=key)
    if any(getattr(existing, name) != value for name, value in fields.items()):
        raise ApiError("idempotency_key_reused", 422)
    headers = {REPLAYED_HEADER: "true"}
    raise Replay(Response(existing.response_body, status=existing.response_status, headers=headers))


def store(record: IdempotencyKey, response: Response) -> None:
    """Keep RESPONSE for repeats; a 5xx is rolled back instead, work and key together."""
    if response.status_code >= 500:
        transaction.set_rollback(True)
        return
    record.response_status, record.response_body = response.status_code, response.data
    record.save(update_fields=["response_status", "response_body"])


def purge_idempotency_keys(*, before: datetime) -> int:
    """Delete the keys recorded before BEFORE (``jobs.housekeeping``); returns how many."""
    return delete_in_batches(IdempotencyKey.objects.filter(created_at__lt=before))


if TYPE_CHECKING:
    _ViewBase = APIView
else:
    _ViewBase = object


class IdempotentMixin(_ViewBase):
    """For API views: honour ``Idempotency-Key`` on POST; costs one dict lookup otherwise.

    Mixed into ``APIView`` subclasses; the type checker sees that base, the runtime does not.
    """

    idempotency_record: IdempotencyKey | None = None

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.method == "POST" and META_KEY in request.META:
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.idempotency_record = None
        super().initial(request, *args, **kwargs)
        if request.method == "POST":
            self.idempotency_record = claim(request)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, Replay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.idempotency_record is not None and isinstance(response, Response):
            store(self.idempotency_record, response)
        return response
