"""Customers, their identities and consents."""

from __future__ import annotations

import re
import zoneinfo
from functools import cache
from typing import Any

from rest_framework import serializers

from atiende.accounts.models import User
from atiende.api.fields import DateTimeField, StrictSerializer, custom_fields_field, tags_field
from atiende.customers.addresses import InvalidAddress, normalise_address
from atiende.customers.models import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    Customer,
    Identity,
    IdentityKind,
    LeadStatus,
    Segment,
)

#: Identity kinds a client may give by name, e.g. {"email": ..., "phone": ...}.
ADDRESS_KINDS = tuple(kind for kind in IdentityKind.values if kind != IdentityKind.OTHER)
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def check_address(kind: str, value: str) -> str:
    """Parse-level check with the domain's own normaliser, so a bad address is a field error."""
    try:
        return normalise_address(kind, value)
    except InvalidAddress as exc:
        raise serializers.ValidationError(exc.messages) from exc


def validate_language(value: str) -> None:
    if value and not LANGUAGE_CODE.fullmatch(value):
        raise serializers.ValidationError("Use a language code such as 'es' or 'en-US'.")


def validate_timezone(value: str) -> None:
    if value and value not in _time_zones():
        raise serializers.ValidationError("Use an IANA time zone such as 'America/Mexico_City'.")


# --- output ------------------------------------------------------------------------------------


class IdentitySerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    created_at = DateTimeField(read_only=True)

    class Meta:
        model = Identity
        fields = (
            "kind",
            "kind_display",
            "address",
            "is_verified",
            "is_undeliverable",
            "created_at",
        )
        read_only_fields = fields


class ConsentSerializer(serializers.ModelSerializer):
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    purpose_display = serializers.CharField(source="get_purpose_display", read_only=True)
    method_display = serializers.CharField(source="get_method_display", read_only=True)
    recorded_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    recorded_at = DateTimeField(read_only=True)

    class Meta:
        model = Consent
        fields = (
            "channel",
            "channel_display",
            "purpose",
            "purpose_display",
            "is_granted",
            "method",
            "method_display",
            "evidence",
            "recorded_by",
            "recorded_at",
        )
        read_only_fields = fields


class CustomerSerializer(serializers.ModelSerializer):
    segment_display = serializers.CharField(source="get_segment_display", read_only=True)
    lead_status_display = serializers.CharField(source="get_lead_status_display", read_only=True)
    owner: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    merged_into: serializers.SlugRelatedField[Customer] = serializers.SlugRelatedField(
        slug_field="uuid", read_only=True, allow_null=True
    )
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    custom_fields = serializers.DictField(read_only=True)
    identities = IdentitySerializer(many=True, read_only=True)
    created_at = DateTimeField(read_only=True)
    updated_at = DateTimeField(read_only=True)

    class Meta:
        model = Customer
        fields = (
            "uuid",
            "name",
            "company",
            "language",
            "timezone",
            "segment",
            "segment_display",
            "tags",
            "custom_fields",
            "owner",
            "lead_status",
            "lead_status_display",
            "merged_into",
            "is_anonymised",
            "identities",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


# --- input -------------------------------------------------------------------------------------


def _address_field() -> serializers.CharField:
    return serializers.CharField(max_length=255, required=False)


class AddressesInput(StrictSerializer):
    """{kind: address}; each address is checked with the desk's normaliser (ADDRESS_KINDS)."""

    email = _address_field()
    phone = _address_field()
    whatsapp = _address_field()
    messenger = _address_field()
    instagram = _address_field()
    twitter = _address_field()
    facebook = _address_field()
    webchat = _address_field()

    def validate(self, attrs: dict[str, str]) -> dict[str, str]:
        errors = {}
        for kind, value in attrs.items():
            if kind not in ADDRESS_KINDS:
                continue
            try:
                check_address(kind, value)
            except serializers.ValidationError as exc:
                errors[kind] = exc.detail
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class CustomerCreateInput(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    segment = serializers.ChoiceField(Segment.choices, required=False)
    language = serializers.CharField(max_length=8, required=False, validators=[validate_language])
    timezone = serializers.CharField(
        max_length=64, required=False, allow_blank=True, validators=[validate_timezone]
    )
    tags = tags_field()
    custom_fields = custom_fields_field()
    identities = AddressesInput(
        help_text='At least one address, e.g. {"email": ..., "phone": ...}.'
    )


class CustomerUpdateInput(StrictSerializer):
    """Every key is optional; only the keys sent change."""

    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    segment = serializers.ChoiceField(Segment.choices, required=False)
    language = serializers.CharField(max_length=8, required=False, validators=[validate_language])
    timezone = serializers.CharField(
        max_length=64, required=False, allow_blank=True, validators=[validate_timezone]
    )
    tags = tags_field()
    custom_fields = custom_fields_field()
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    lead_status = serializers.ChoiceField(LeadStatus.choices, required=False, allow_blank=True)


class IdentityInput(StrictSerializer):
    kind = serializers.ChoiceField(IdentityKind.choices)
    address = serializers.CharField(max_length=255)
    is_verified = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            check_address(attrs["kind"], attrs["address"])
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"address": exc.detail}) from exc
        return attrs


class ConsentInput(StrictSerializer):
    channel = serializers.ChoiceField(IdentityKind.choices)
    purpose = serializers.ChoiceField(ConsentPurpose.choices)
    is_granted = serializers.BooleanField()
    method = serializers.ChoiceField(ConsentMethod.choices)
    evidence = serializers.CharField(required=False, allow_blank=True, max_length=10_000)


class CustomerMergeInput(StrictSerializer):
    into = serializers.UUIDField(help_text="The customer that absorbs this one.")
