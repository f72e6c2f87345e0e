"""Request parsing that refuses what the database could not store anyway.

PostgreSQL refuses NUL characters in text and JSON, and no database takes lone UTF-16
surrogates; a body holding either is refused here (400 ``parse_error``) instead of failing
deep inside a transaction. Absurdly deep JSON is refused too, and so is a body longer than
Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413 ``request_too_large``) before it is read: DRF
reads JSON and uploads from the stream, where Django's own limit does not apply.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from atiende.api.errors import ApiError


def _bad_text(value: str) -> bool:
    return "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value)


def check_storable(data: Any) -> None:
    """Raise ParseError if any key or string inside DATA holds NUL or a lone surrogate."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _bad_text(item):
                raise ParseError("NUL characters and lone surrogates are not accepted.")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def check_length(parser_context: Any) -> None:
    request = (parser_context or {}).get("request")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
    except ValueError:
        length = 0
    if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        raise ApiError("request_too_large", 413)


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        check_length(parser_context)
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON nested too deeply.") from exc
        check_storable(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        check_length(parser_context)
        return super().parse(stream, media_type, parser_context)
