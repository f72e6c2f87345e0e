"""One error shape for the whole API: ``{"code", "message", "details"}``.

``code`` is stable snake_case that clients may branch on; ``message`` is for people, in Spanish
unless the request asks for English (``Accept-Language: en``); ``details`` is optional (field
errors, the unknown fields, the retry delay...). Every exception that reaches a DRF view ends in
:func:`exception_handler`; URLs under /api/ that match no route end in :func:`not_found`.

Domain errors (``CaseError``, ``CustomerError`` and their subclasses) keep their own ``code``;
their HTTP status is ``DOMAIN_STATUS[code]``, or the exception's ``status_code`` attribute if it
has one, else 400. A new domain error needs no change here unless it wants another status.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response

from atiende.cases.services import CaseError
from atiende.customers.addresses import InvalidAddress
from atiende.customers.services import CustomerError

logger = logging.getLogger("django.request")

#: (Spanish, English) for every message the API layer writes itself.
MESSAGES: dict[str, tuple[str, str]] = {
    "parse_error": (
        "El cuerpo de la solicitud no se pudo leer.",
        "The request body could not be parsed.",
    ),
    "authentication_failed": (
        "El token no es válido, fue revocado o venció.",
        "The token is invalid, revoked or expired.",
    ),
    "not_authenticated": ("Se requiere autenticación.", "Authentication is required."),
    "permission_denied": (
        "No tiene permiso para esta acción.",
        "You do not have permission for this action.",
    ),
    "not_found": ("No encontrado.", "Not found."),
    "not_found_slash": (
        "No encontrado. Las rutas de la API terminan en «/»: pruebe {path}",
        "Not found. API paths end with '/': try {path}",
    ),
    "method_not_allowed": ("Método no permitido.", "Method not allowed."),
    "not_acceptable": (
        "No se puede responder en el formato pedido.",
        "Cannot answer in the requested format.",
    ),
    "unsupported_media_type": ("Tipo de contenido no soportado.", "Unsupported media type."),
    "throttled": (
        "Demasiadas solicitudes; intente más tarde.",
        "Too many requests; try again later.",
    ),
    "invalid": ("Datos no válidos.", "Invalid input."),
    "unknown_field": ("Campos desconocidos: {fields}.", "Unknown fields: {fields}."),
    "unknown_field_item": ("Campo desconocido.", "Unknown field."),
    "invalid_cursor": (
        "El cursor de paginación no es válido.",
        "The pagination cursor is invalid.",
    ),
    "request_too_large": ("La solicitud es demasiado grande.", "The request is too large."),
    "idempotency_key_reused": (
        "La clave de idempotencia ya se usó con otra solicitud.",
        "The idempotency key was already used with a different request.",
    ),
    "invalid_idempotency_key": (
        "La clave de idempotencia debe tener de 1 a 255 caracteres ASCII visibles.",
        "The idempotency key must be 1 to 255 visible ASCII characters.",
    ),
    "duplicate_external_id": (
        "Ya existe un mensaje con ese identificador externo.",
        "A message with that external id already exists.",
    ),
    "no_such_object": (
        "No existe o no es visible: {value}.",
        "Does not exist or is not visible: {value}.",
    ),
    "server_error": ("Error interno del servidor.", "Internal server error."),
    # English texts for the domain errors (their own messages are written in Spanish).
    "invalid_transition": ("", "This status change is not allowed."),
    "stale_case": ("", "The case changed since you read it; reload it and try again."),
    "invalid_case": ("", "The case data is not valid."),
    "case_error": ("", "The case operation cannot be done."),
    "attachment_rejected": ("", "The attachment was rejected."),
    "identity_taken": ("", "The identity already belongs to another customer."),
    "customer_error": ("", "The customer operation cannot be done."),
    "invalid_address": ("", "The address is not valid."),
}

#: HTTP status of each domain error code; the rest are 400.
DOMAIN_STATUS: dict[str, int] = {
    "invalid_transition": status.HTTP_409_CONFLICT,
    "stale_case": status.HTTP_409_CONFLICT,
    "identity_taken": status.HTTP_409_CONFLICT,
}

#: The codes of DRF's own exceptions, as the API publishes them.
DRF_CODES: list[tuple[type[exceptions.APIException], str]] = [
    (exceptions.ValidationError, "invalid"),
    (exceptions.ParseError, "parse_error"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
]


def is_english() -> bool:
    return (translation.get_language() or "es").lower().startswith("en")


def text(code: str, **params: Any) -> str:
    """The API's own message for CODE, in the request's language."""
    spanish, english = MESSAGES[code]
    template = english if is_english() else spanish
    return template.format(**params) if params else template


class ApiError(exceptions.APIException):
    """An error raised by the API layer itself, with its code, status and optional details."""

    def __init__(
        self, code: str, status_code: int = 400, *, details: Any = None, **params: Any
    ) -> None:
        super().__init__(detail=text(code, **params), code=code)
        self.code = code
        self.status_code = status_code
        self.details = details


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return body


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response:
    """Turn any exception raised in an API view into the one error shape.

    Unexpected exceptions are logged (and signalled, as Django does) and answered with a JSON 500,
    so that an API client never receives an HTML page.
    """
    if isinstance(exc, ApiError):
        return _response(exc.status_code, exc.code, str(exc.detail), exc.details)
    if isinstance(exc, CaseError | CustomerError):
        return _domain(exc, exc.code, getattr(exc, "status_code", None))
    if isinstance(exc, InvalidAddress):
        return _domain(exc, "invalid_address", None)
    if isinstance(exc, DjangoValidationError):
        details = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return _response(400, "invalid", text("invalid"), details)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        return _response(413, "request_too_large", text("request_too_large"))
    elif isinstance(exc, SuspiciousOperation):
        return _response(400, "invalid", text("invalid"))
    if isinstance(exc, exceptions.APIException):
        return _drf(exc)
    return _server_error(exc, context)


def _domain(exc: Exception, code: str, status_code: int | None) -> Response:
    message = "; ".join(exc.messages) if isinstance(exc, DjangoValidationError) else str(exc)
    details = None
    if is_english():
        details, message = {"reason": message}, text(code) if code in MESSAGES else message
    return _response(status_code or DOMAIN_STATUS.get(code, 400), code, message, details)


def _drf(exc: exceptions.APIException) -> Response:
    """DRF's exceptions keep DRF's own (translated) message; their code is the API's."""
    if isinstance(exc, exceptions.ValidationError):
        return _validation(exc)
    code = next((c for cls, c in DRF_CODES if isinstance(exc, cls)), "error")
    message = str(exc.detail) if isinstance(exc.detail, str) else text(code)
    response = _response(exc.status_code, code, message)
    if isinstance(exc, exceptions.Throttled):
        wait: int | None = exc.wait  # type: ignore[attr-defined]  # set by __init__; not in the stubs
        response.data["details"] = {"retry_after": wait}
        response["Retry-After"] = str(int(wait or 1))
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        response["WWW-Authenticate"] = auth_header
    return response


def _validation(exc: exceptions.ValidationError) -> Response:
    detail = exc.detail
    details = detail if isinstance(detail, dict) else {"non_field_errors": detail}
    unknown = sorted(_paths_with_code(details, "unknown_field"))
    if unknown:
        return _response(
            400, "unknown_field", text("unknown_field", fields=", ".join(unknown)), details
        )
    return _response(400, "invalid", text("invalid"), details)


def _paths_with_code(detail: Any, code: str, prefix: str = "") -> list[str]:
    """The dotted paths of the field errors in DETAIL whose code is CODE."""
    found: list[str] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            found += _paths_with_code(value, code, f"{prefix}{key}.")
    elif isinstance(detail, list):
        for item in detail:
            if getattr(item, "code", None) == code:
                found.append(prefix.rstrip("."))
            elif isinstance(item, dict | list):
                found += _paths_with_code(item, code, prefix)
    return found


def _response(
    status_code: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    return Response(error_body(code, message, details), status=status_code, headers=headers)


def _server_error(exc: Exception, context: Mapping[str, Any]) -> Response:
    request = getattr(context.get("request"), "_request", None)
    logger.error(
        "Internal Server Error: %s",
        getattr(request, "path", "?"),
        exc_info=exc,
        extra={"status_code": 500, "request": request},
    )
    # As Django's own handler does: lets the test client re-raise, and error trackers hook here.
    got_request_exception.send(sender=None, request=request)
    return _response(500, "server_error", text("server_error"))


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Answer for /api/ URLs that match no route: JSON, like every other API error."""
    message = text("not_found")
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
            if match.func is not not_found:
                message = text("not_found_slash", path=request.path + "/")
        except Resolver404:
            pass
    return JsonResponse(error_body("not_found", message), status=404)
