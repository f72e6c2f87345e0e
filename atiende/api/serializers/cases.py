"""Cases and what hangs from them: messages, notes, attachments, events, links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from atiende.accounts.models import Team, User
from atiende.api.fields import (
    DateTimeField,
    StrictSerializer,
    custom_fields_field,
    tags_field,
    text_field,
    version_field,
)
from atiende.api.serializers.customers import ADDRESS_KINDS, AddressesInput
from atiende.cases.models import Attachment as AttachmentModel
from atiende.cases.models import (
    Case,
    CaseLink,
    CaseType,
    Category,
    Channel,
    ClosureReason,
    Direction,
    Event,
    LinkKind,
    Message,
    Note,
    Priority,
    Status,
)
from atiende.customers.models import Customer, Segment

FOLIO_HELP = "A case folio, e.g. AT-2026-000123."
LINK_DIRECTIONS = [("out", "out"), ("in", "in")]


def active_teams():  # noqa: ANN201 - a queryset for SlugRelatedField
    return Team.objects.filter(is_active=True)


def team_field(**kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="slug", queryset=active_teams(), required=False, allow_null=True, **kwargs
    )


def category_field() -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=Category.objects.all(),
        required=False,
        allow_null=True,
        help_text="A category code of the typology, e.g. `pedido-entrega`.",
    )


# --- output ------------------------------------------------------------------------------------


# The case serializers of the hot paths (a list page, a created case) render by hand: DRF would
# build some forty field objects per call, which costs more than the queries. Their declared
# fields are the documented schema; tests/api/test_serializers.py keeps both renderings equal.


def iso(value: datetime | None) -> str | None:
    """A datetime as DRF's DateTimeField renders it: ISO 8601, current time zone, Z for UTC."""
    if value is None:
        return None
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class CaseCustomerRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)

    def to_representation(self, customer: Customer) -> dict[str, Any]:
        return {"uuid": str(customer.uuid), "name": customer.name}


class CaseCustomerSerializer(CaseCustomerRefSerializer):
    company = serializers.CharField(read_only=True)
    segment = serializers.ChoiceField(Segment.choices, read_only=True)
    segment_display = serializers.CharField(source="get_segment_display", read_only=True)
    language = serializers.CharField(read_only=True)

    def to_representation(self, customer: Customer) -> dict[str, Any]:
        return {
            "uuid": str(customer.uuid),
            "name": customer.name,
            "company": customer.company,
            "segment": customer.segment,
            "segment_display": customer.get_segment_display(),
            "language": customer.language,
        }


class CaseSummaryFields(serializers.Serializer):
    """The fields shared by the list row and the whole case."""

    folio = serializers.CharField(read_only=True, help_text=FOLIO_HELP)
    uuid = serializers.UUIDField(read_only=True)
    version = serializers.IntegerField(read_only=True, help_text="Bumped by every change.")
    status = serializers.ChoiceField(Status.choices, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    case_type = serializers.ChoiceField(CaseType.choices, read_only=True)
    priority = serializers.ChoiceField(Priority.choices, read_only=True)
    channel = serializers.ChoiceField(Channel.choices, read_only=True)
    summary = serializers.CharField(read_only=True)
    team = serializers.CharField(
        source="team.slug", read_only=True, allow_null=True, help_text="Team slug."
    )
    assignee = serializers.CharField(
        source="assignee.username", read_only=True, allow_null=True, help_text="Username."
    )
    escalation_level = serializers.IntegerField(read_only=True)
    promise_at = DateTimeField(read_only=True, allow_null=True)
    received_at = DateTimeField(read_only=True)
    registered_at = DateTimeField(read_only=True)
    updated_at = DateTimeField(read_only=True)

    def to_representation(self, case: Case) -> dict[str, Any]:
        return {
            "folio": case.folio,
            "uuid": str(case.uuid),
            "version": case.version,
            "status": case.status,
            "status_display": case.get_status_display(),
            "case_type": case.case_type,
            "priority": case.priority,
            "channel": case.channel,
            "summary": case.summary,
            "team": case.team.slug if case.team is not None else None,
            "assignee": case.assignee.username if case.assignee is not None else None,
            "escalation_level": case.escalation_level,
            "promise_at": iso(case.promise_at),
            "received_at": iso(case.received_at),
            "registered_at": iso(case.registered_at),
            "updated_at": iso(case.updated_at),
        }


class CaseListSerializer(CaseSummaryFields):
    """Flat: columns of the case, its team, assignee and customer (one joined query)."""

    customer = CaseCustomerRefSerializer(read_only=True)

    def to_representation(self, case: Case) -> dict[str, Any]:
        row = super().to_representation(case)
        row["customer"] = {"uuid": str(case.customer.uuid), "name": case.customer.name}
        return row

    #: The columns the list reads; the view loads only these.
    COLUMNS = (
        *("folio", "uuid", "status", "case_type", "priority", "channel", "summary"),
        *(
            "escalation_level",
            "promise_at",
            "received_at",
            "registered_at",
            "updated_at",
            "version",
        ),
        *("team__slug", "assignee__username", "customer__uuid", "customer__name"),
    )


class CaseLinkSerializer(serializers.Serializer):
    case = serializers.CharField(help_text=FOLIO_HELP)
    kind = serializers.ChoiceField(LinkKind.choices)
    direction = serializers.ChoiceField(
        LINK_DIRECTIONS,
        help_text="`out`: this case → the other one; `in`: the other one → this case.",
    )
    created_at = DateTimeField()

    @staticmethod
    def rows(case: Case) -> list[dict[str, Any]]:
        links = CaseLink.objects.filter(Q(from_case=case) | Q(to_case=case)).select_related(
            "from_case", "to_case"
        )
        return [
            {
                "case": (link.to_case if link.from_case_id == case.pk else link.from_case).folio,
                "kind": link.kind,
                "direction": "out" if link.from_case_id == case.pk else "in",
                "created_at": link.created_at,
            }
            for link in links.order_by("created_at", "pk")
        ]


class CaseDetailSerializer(CaseSummaryFields):
    """The whole case. Reads: the case with its customer, team, assignee and category (one
    joined query), its tags (one query) and its links (one query). A case just opened
    (``context["new"]``) has no links, and tags only if ``context["with_tags"]``."""

    case_type_display = serializers.CharField(source="get_case_type_display", read_only=True)
    priority_display = serializers.CharField(source="get_priority_display", read_only=True)
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    category = serializers.CharField(
        source="category.code", read_only=True, allow_null=True, help_text="Category code."
    )
    solution = serializers.CharField(read_only=True)
    customer = CaseCustomerSerializer(read_only=True)
    tags = serializers.SerializerMethodField()
    custom_fields = serializers.DictField(read_only=True)
    first_response_at = DateTimeField(read_only=True, allow_null=True)
    resolved_at = DateTimeField(read_only=True, allow_null=True)
    closed_at = DateTimeField(read_only=True, allow_null=True)
    closure_reason = serializers.ChoiceField(
        ClosureReason.choices, allow_blank=True, read_only=True
    )
    closure_reason_display = serializers.CharField(
        source="get_closure_reason_display", read_only=True
    )
    satisfaction_confirmed = serializers.BooleanField(read_only=True, allow_null=True)
    merged_into = serializers.SerializerMethodField(help_text=FOLIO_HELP)
    split_from = serializers.SerializerMethodField(help_text=FOLIO_HELP)
    links = serializers.SerializerMethodField()

    def get_tags(self, case: Case) -> list[str]:
        if self.context.get("new") and not self.context.get("with_tags"):
            return []
        return sorted(tag.name for tag in case.tags.all())

    def get_merged_into(self, case: Case) -> str | None:
        return _folio_of(case.merged_into_id)

    def get_split_from(self, case: Case) -> str | None:
        return _folio_of(case.split_from_id)

    @extend_schema_field(CaseLinkSerializer(many=True))
    def get_links(self, case: Case) -> list[dict[str, Any]]:
        if self.context.get("new"):
            return []
        return [
            {**row, "created_at": iso(row["created_at"])} for row in CaseLinkSerializer.rows(case)
        ]

    def to_representation(self, case: Case) -> dict[str, Any]:
        data = super().to_representation(case)
        data.update(
            {
                "case_type_display": case.get_case_type_display(),
                "priority_display": case.get_priority_display(),
                "channel_display": case.get_channel_display(),
                "category": case.category.code if case.category is not None else None,
                "solution": case.solution,
                "customer": CaseCustomerSerializer().to_representation(case.customer),
                "tags": self.get_tags(case),
                "custom_fields": case.custom_fields,
                "first_response_at": iso(case.first_response_at),
                "resolved_at": iso(case.resolved_at),
                "closed_at": iso(case.closed_at),
                "closure_reason": case.closure_reason,
                "closure_reason_display": case.get_closure_reason_display(),
                "satisfaction_confirmed": case.satisfaction_confirmed,
                "merged_into": self.get_merged_into(case),
                "split_from": self.get_split_from(case),
                "links": self.get_links(case),
            }
        )
        return data


def _folio_of(case_id: int | None) -> str | None:
    if case_id is None:
        return None
    return Case.objects.filter(pk=case_id).values_list("folio", flat=True).first()


class MessageSerializer(serializers.ModelSerializer):
    author: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    direction_display = serializers.CharField(source="get_direction_display", read_only=True)
    delivery_status_display = serializers.CharField(
        source="get_delivery_status_display", read_only=True
    )
    created_at = DateTimeField(read_only=True)
    status_changed_at = DateTimeField(read_only=True)

    class Meta:
        model = Message
        fields = (
            "uuid",
            "direction",
            "direction_display",
            "channel",
            "author",
            "from_address",
            "to_address",
            "subject",
            "body_text",
            "body_html",
            "external_id",
            "delivery_status",
            "delivery_status_display",
            "status_detail",
            "attempts",
            "created_at",
            "status_changed_at",
        )
        read_only_fields = fields


class NoteSerializer(serializers.ModelSerializer):
    author: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    mentions = serializers.ManyRelatedField(  # what SlugRelatedField(many=True) builds
        child_relation=serializers.SlugRelatedField(slug_field="username", read_only=True),
        read_only=True,
    )
    created_at = DateTimeField(read_only=True)

    class Meta:
        model = Note
        fields = ("author", "body", "mentions", "created_at")
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    message: serializers.SlugRelatedField[Message] = serializers.SlugRelatedField(
        slug_field="uuid", read_only=True, allow_null=True
    )
    created_at = DateTimeField(read_only=True)

    class Meta:
        model = AttachmentModel
        fields = ("filename", "content_type", "size", "sha256", "message", "created_at")
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    verb_display = serializers.CharField(source="get_verb_display", read_only=True)
    actor: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    actor_kind_display = serializers.CharField(source="get_actor_kind_display", read_only=True)
    before = serializers.JSONField(
        read_only=True, help_text="The state before (any JSON, or null)."
    )
    after = serializers.JSONField(read_only=True, help_text="The state after (any JSON, or null).")
    at = DateTimeField(read_only=True)

    class Meta:
        model = Event
        fields = (
            "verb",
            "verb_display",
            "actor",
            "actor_name",
            "actor_kind",
            "actor_kind_display",
            "before",
            "after",
            "at",
        )
        read_only_fields = fields


# --- input -------------------------------------------------------------------------------------


class CaseCustomerInput(AddressesInput):
    """Either {"uuid": ...} of a known customer, or addresses (found or created) and a name."""

    uuid = serializers.UUIDField(required=False)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        addresses = {kind: attrs[kind] for kind in ADDRESS_KINDS if attrs.get(kind)}
        if "uuid" in attrs and (addresses or attrs.get("name")):
            raise serializers.ValidationError(
                "Give either uuid, or addresses and a name; not both."
            )
        if "uuid" not in attrs and not addresses:
            raise serializers.ValidationError("Give the customer's uuid or at least one address.")
        return super().validate(attrs)


class CaseCreateInput(StrictSerializer):
    customer = CaseCustomerInput()
    channel = serializers.ChoiceField(Channel.choices)
    summary = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        help_text="Defaults to the first line of the message.",
    )
    case_type = serializers.ChoiceField(
        CaseType.choices, required=False, default=CaseType.INFORMATION
    )
    priority = serializers.ChoiceField(Priority.choices, required=False, default=Priority.NORMAL)
    category = category_field()
    team = team_field()
    message = text_field(100_000, help_text="The customer's words: the case's first message.")
    message_html = text_field(500_000, help_text="HTML version of the message; sanitised.")
    received_at = DateTimeField(
        required=False, help_text="When the request really arrived; default now."
    )
    tags = tags_field()
    custom_fields = custom_fields_field()


class CasePatchInput(StrictSerializer):
    case_type = serializers.ChoiceField(CaseType.choices, required=False)
    category = category_field()
    priority = serializers.ChoiceField(Priority.choices, required=False)
    summary = serializers.CharField(max_length=255, required=False)
    solution = text_field(100_000)
    custom_fields = custom_fields_field()
    tags = tags_field(help_text="Replaces the case's tags.")
    version = version_field()


class TransitionInput(StrictSerializer):
    status = serializers.ChoiceField(Status.choices)
    solution = text_field(100_000, help_text="Required to resolve, unless the case has one.")
    closure_reason = serializers.ChoiceField(
        ClosureReason.choices, required=False, allow_blank=True, help_text="Required to close."
    )
    satisfaction_confirmed = serializers.BooleanField(required=False, allow_null=True, default=None)
    version = version_field()


class AssignInput(StrictSerializer):
    assignee = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.all(),
        allow_null=True,
        help_text="Username, or null to leave the case unassigned.",
    )
    team = team_field(help_text="Team slug; default: the case's team.")
    version = version_field()


class EscalateInput(StrictSerializer):
    level = serializers.IntegerField(min_value=2, max_value=3)
    reason = serializers.CharField(max_length=10_000)
    team = team_field()
    version = version_field()


class PromiseInput(StrictSerializer):
    promise_at = DateTimeField()
    reason = serializers.CharField(max_length=10_000)


class MessageInput(StrictSerializer):
    """``in``: what the customer sent (from_address, external_id, received_at); ``out``: a reply
    to queue (to_address, version)."""

    INBOUND_ONLY = ("from_address", "external_id", "received_at")
    OUTBOUND_ONLY = ("to_address", "version")

    direction = serializers.ChoiceField(Direction.choices)
    channel = serializers.ChoiceField(
        Channel.choices, required=False, help_text="Default: the case's channel."
    )
    body_text = text_field(100_000)
    body_html = text_field(500_000)
    subject = text_field(255)
    from_address = text_field(255)
    to_address = text_field(255)
    external_id = text_field(255)
    received_at = DateTimeField(required=False)
    version = version_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        wrong = self.OUTBOUND_ONLY if attrs["direction"] == Direction.INBOUND else self.INBOUND_ONLY
        errors = {
            name: [f"Not allowed when direction is {attrs['direction']!r}."]
            for name in wrong
            if name in attrs
        }
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class NoteInput(StrictSerializer):
    body = serializers.CharField(max_length=100_000, help_text="@username mentions are recorded.")


class AttachmentInput(StrictSerializer):
    file = serializers.FileField(allow_empty_file=True)
    message = serializers.UUIDField(required=False, help_text="The uuid of a message of this case.")


class LinkInput(StrictSerializer):
    case = serializers.CharField(max_length=32, help_text=FOLIO_HELP)
    kind = serializers.ChoiceField(LinkKind.choices, required=False, default=LinkKind.RELATED)


class CaseMergeInput(StrictSerializer):
    into = serializers.CharField(
        max_length=32, help_text="Folio of the case that absorbs this one."
    )


class SplitInput(StrictSerializer):
    messages = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=1000)
    summary = serializers.CharField(max_length=255, required=False, allow_blank=True)
