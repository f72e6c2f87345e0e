"""Serializer fields and base classes shared by every API serializer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django import forms
from django_filters import IsoDateTimeFilter
from django_filters.fields import IsoDateTimeField
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from atiende.api.errors import text

#: Datetimes outside these years are refused: near year 1 or 9999 a time-zone shift overflows.
MIN_YEAR, MAX_YEAR = 1900, 9000

#: Keys a browser form may add that are not data.
IGNORED_KEYS = frozenset({"csrfmiddlewaretoken"})


class StrictSerializer(serializers.Serializer):
    """A serializer that refuses keys it does not know (code ``unknown_field``).

    Silently dropping an unknown key hides client typos ("assigne") as successful no-ops.
    """

    def to_internal_value(self, data: Any) -> Any:
        unknown: list[str] = []
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(
                str(key) for key in data if key not in writable and key not in IGNORED_KEYS
            )
        if not unknown:
            return super().to_internal_value(data)
        error = ErrorDetail(text("unknown_field_item"), code="unknown_field")
        errors: dict[str, Any] = {key: [error] for key in unknown}
        try:  # report the other fields' errors (nested unknown keys too) in the same answer
            super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, dict):
                errors = {**exc.detail, **errors}
        raise serializers.ValidationError(errors)

    def create(self, validated_data: Any) -> Any:  # pragma: no cover - input-only serializers
        raise NotImplementedError

    def update(self, instance: Any, validated_data: Any) -> Any:  # pragma: no cover
        raise NotImplementedError


class DateTimeField(serializers.DateTimeField):
    """ISO 8601 in and out; years outside MIN_YEAR..MAX_YEAR are invalid."""

    def to_internal_value(self, value: Any) -> datetime:
        result = super().to_internal_value(value)
        if not MIN_YEAR <= result.year <= MAX_YEAR:
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]")
        return result.astimezone(UTC) if result.tzinfo else result


class BoundedIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value: Any) -> datetime | None:
        result = super().to_python(value)
        if result is None:
            return None
        if not MIN_YEAR <= result.year <= MAX_YEAR:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        # In UTC: PostgreSQL refuses offsets beyond ±15:59, which Python accepts.
        return result.astimezone(UTC) if result.tzinfo else result


class DateTimeFilter(IsoDateTimeFilter):
    """An ISO 8601 filter that cannot overflow on the way to UTC."""

    field_class = BoundedIsoDateTimeField


def text_field(max_length: int | None = None, **kwargs: Any) -> serializers.CharField:
    """A free-text input: may be blank, not trimmed (the services trim what they need)."""
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    kwargs.setdefault("trim_whitespace", False)
    if max_length is not None:
        kwargs["max_length"] = max_length
    return serializers.CharField(**kwargs)


def tags_field(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=60), max_length=50, required=False, **kwargs
    )


def custom_fields_field(**kwargs: Any) -> serializers.DictField:
    return serializers.DictField(required=False, help_text="Free-form JSON object.", **kwargs)


def version_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The case version you read; if the case changed since: 409 stale_case.",
    )
