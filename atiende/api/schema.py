"""OpenAPI: every operation documents its error responses with the shared ``Error`` component,
and every POST its optional ``Idempotency-Key`` header: clients and schemathesis rely on them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import Direction, OpenApiParameter
from rest_framework import serializers

from atiende.api.fields import StrictSerializer
from atiende.api.idempotency import HEADER


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable snake_case code, e.g. `not_found`, `stale_case`."
    )
    message = serializers.CharField(
        help_text="For people: Spanish, or English with `Accept-Language: en`."
    )
    details = serializers.DictField(
        required=False,
        help_text="Optional: field errors (`{field: [message, ...]}`), `retry_after`, `reason`...",
    )

    class Meta:
        ref_name = "Error"


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (1-255 visible ASCII characters). A POST repeated with the same key "
        "gets the first response back; the same key with another body is refused (422)."
    ),
)


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the API's error responses and idempotency header.

    A view may list extra error statuses per action in ``extra_error_statuses``.
    """

    def get_serializer_name(self, serializer: serializers.Serializer, direction: Direction) -> str:
        name = super().get_serializer_name(serializer, direction)
        return name.removesuffix("Input")

    def _map_basic_serializer(
        self, serializer: serializers.Serializer, direction: str
    ) -> dict[str, Any]:
        schema = super()._map_basic_serializer(serializer, direction)
        if isinstance(serializer, StrictSerializer) and direction == "request":
            schema["additionalProperties"] = False  # unknown keys are refused (400 unknown_field)
        return schema

    def get_override_parameters(self) -> list[Any]:
        parameters = super().get_override_parameters()
        if self.method == "POST":
            parameters = [*parameters, IDEMPOTENCY_PARAMETER]
        return parameters

    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for status_code in sorted(self._error_statuses()):
            code = str(status_code)
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ErrorSerializer, code, direction=direction
                )
        return responses

    def _error_statuses(self) -> set[int]:
        statuses = {400, 401, 403, 429}
        if "{" in self.path:
            statuses.add(404)
        if self.method in ("POST", "PUT", "PATCH"):
            statuses |= {409, 415}
        if self.method == "POST":
            statuses.add(422)
        extra = getattr(self.view, "extra_error_statuses", {})
        statuses |= set(extra.get(getattr(self.view, "action", None), ()))
        return statuses
