"""Cases. Visibility is ``cases_visible_to`` and nothing else: a case out of scope is a 404.

Every write is one call to a case service (which locks the case, writes the state and its
events in one transaction); the view parses the body, resolves folios, usernames and slugs,
and renders the case again.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from atiende.accounts.models import User
from atiende.api.errors import ApiError
from atiende.api.filters import CaseFilter
from atiende.api.pagination import CasePagination, CreatedPagination, OldestFirstPagination
from atiende.api.parsers import MultiPartParser
from atiende.api.permissions import ensure_can_file_case_for
from atiende.api.serializers.cases import (
    AssignInput,
    AttachmentInput,
    AttachmentSerializer,
    CaseCreateInput,
    CaseDetailSerializer,
    CaseLinkSerializer,
    CaseListSerializer,
    CaseMergeInput,
    CasePatchInput,
    EscalateInput,
    EventSerializer,
    LinkInput,
    MessageInput,
    MessageSerializer,
    NoteInput,
    NoteSerializer,
    PromiseInput,
    SplitInput,
    TransitionInput,
)
from atiende.api.serializers.customers import ADDRESS_KINDS
from atiende.api.views.base import FOLIO_PATTERN, ApiViewSet
from atiende.cases import services
from atiende.cases.attachments import AttachmentRejected, add_attachment
from atiende.cases.models import Case, Direction, Status
from atiende.cases.selectors import case_events, cases_visible_to
from atiende.core.actors import Actor
from atiende.customers.addresses import normalise_address
from atiende.customers.models import Customer
from atiende.customers.selectors import customers_visible_to
from atiende.customers.services import find_or_create_customer

#: The identity kind whose address is the sender of a case's first message, per channel.
SENDER_KIND = {
    "email": "email",
    "whatsapp": "whatsapp",
    "phone": "phone",
    "sms": "phone",
    "messenger": "messenger",
    "instagram": "instagram",
    "webchat": "webchat",
}


@transaction.atomic
def open_case_for_contact(
    *,
    actor: Actor,
    user: User,
    customer: dict[str, Any],
    summary: str = "",
    message: str = "",
    **fields: Any,
) -> Case:
    """Find or create the customer, then open the case: one transaction, so nothing half-made."""
    if "uuid" in customer:
        found = _visible_customer(user, customer["uuid"])
    else:
        addresses = {kind: customer[kind] for kind in ADDRESS_KINDS if customer.get(kind)}
        found, _created = find_or_create_customer(
            actor=actor, name=customer.get("name", ""), addresses=addresses
        )
    sender_kind = SENDER_KIND.get(fields["channel"])
    sender = (
        normalise_address(sender_kind, customer[sender_kind])
        if sender_kind and customer.get(sender_kind)
        else ""
    )
    return services.open_case(
        actor=actor,
        customer=found,
        summary=summary,
        message_text=message,
        from_address=sender,
        **fields,
    )


def _visible_customer(user: User, uuid: Any) -> Customer:
    """The customer with UUID, or the one it was merged into (the surviving profile)."""
    customer = customers_visible_to(user).filter(uuid=uuid).first()
    for _hop in range(10):
        if customer is None or customer.merged_into_id is None:
            break
        customer = Customer.objects.get(pk=customer.merged_into_id)
    if customer is None:
        raise ApiError("no_such_object", details={"customer": {"uuid": [str(uuid)]}}, value=uuid)
    return customer


@extend_schema(tags=["cases"])
class CaseViewSet(ApiViewSet):
    """Cases visible to the caller (``cases_visible_to``): their teams' and their own; all of them
    for desk-wide roles. A case out of scope answers 404."""

    lookup_field = "folio"
    lookup_value_regex = FOLIO_PATTERN
    pagination_class = CasePagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = CaseFilter
    serializer_class = CaseListSerializer
    extra_error_statuses = {"attachments": (413,)}

    def get_queryset(self) -> QuerySet[Case]:
        return cases_visible_to(self.request.user)

    def get_object(self) -> Case:
        case = self.get_queryset().filter(folio=self.kwargs["folio"]).first()
        if case is None:
            raise NotFound()
        return case

    def visible_case(self, folio: str, field: str) -> Case:
        """A case named in the body: out of scope is a field error, not a 404 of this URL."""
        case = self.get_queryset().filter(folio=folio).first()
        if case is None:
            raise ApiError("no_such_object", details={field: [folio]}, value=folio)
        return case

    def render_case(self, case: Case, status: int = 200) -> Response:
        """The case as it is now (the caller may have just moved it out of their own scope)."""
        fresh = Case.objects.select_related("customer", "team", "assignee", "category").get(
            pk=case.pk
        )
        return self.render(CaseDetailSerializer, fresh, status)

    # --- collection -----------------------------------------------------------------------------

    @extend_schema(summary="List cases, newest first (cursor pagination)")
    def list(self, request: Request) -> Response:
        cases = self.filter_queryset(self.get_queryset()).select_related(
            "team", "assignee", "customer"
        )
        cases = cases.only("team", "assignee", "customer", *CaseListSerializer.COLUMNS)
        self.split_statuses = sorted(set(request.query_params.getlist("status")) or Status.values)
        return self.render_page(CaseListSerializer, cases)

    @extend_schema(
        summary="Open a case, finding or creating its customer by e-mail, phone or other address",
        request=CaseCreateInput,
        responses={201: CaseDetailSerializer},
    )
    def create(self, request: Request) -> Response:
        data = self.parse(CaseCreateInput)
        ensure_can_file_case_for(self.user, data.get("team"))
        case = open_case_for_contact(actor=self.actor, user=self.user, **data)
        with_tags = bool(data.get("tags"))
        return self.render(CaseDetailSerializer, case, 201, new=True, with_tags=with_tags)

    # --- one case -------------------------------------------------------------------------------

    @extend_schema(summary="Get a case", responses=CaseDetailSerializer)
    def retrieve(self, request: Request, folio: str) -> Response:
        case = (
            self.get_queryset()
            .select_related("customer", "team", "assignee", "category")
            .filter(folio=folio)
            .first()
        )
        if case is None:
            raise NotFound()
        return self.render(CaseDetailSerializer, case)

    @extend_schema(
        summary="Change classification and descriptive fields",
        request=CasePatchInput,
        responses=CaseDetailSerializer,
    )
    def partial_update(self, request: Request, folio: str) -> Response:
        data = self.parse(CasePatchInput)
        version = data.pop("version", None)
        case = services.update_case_fields(
            case=self.get_object(), actor=self.actor, expected_version=version, **data
        )
        return self.render_case(case)

    @extend_schema(
        summary="Move the case along its lifecycle",
        request=TransitionInput,
        responses=CaseDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, folio: str) -> Response:
        data = self.parse(TransitionInput)
        case = services.change_status(
            case=self.get_object(),
            actor=self.actor,
            status=data["status"],
            solution=data.get("solution", ""),
            closure_reason=data.get("closure_reason", ""),
            satisfaction_confirmed=data["satisfaction_confirmed"],
            expected_version=data.get("version"),
        )
        return self.render_case(case)

    @extend_schema(
        summary="Assign the case (and optionally move it to a team)",
        request=AssignInput,
        responses=CaseDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, folio: str) -> Response:
        data = self.parse(AssignInput)
        case = services.assign_case(
            case=self.get_object(),
            actor=self.actor,
            assignee=data["assignee"],
            team=data.get("team"),
            expected_version=data.get("version"),
        )
        return self.render_case(case)

    @extend_schema(
        summary="Escalate to level 2 (supervisor) or 3 (operations manager)",
        request=EscalateInput,
        responses=CaseDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, folio: str) -> Response:
        data = self.parse(EscalateInput)
        case = services.escalate_case(
            case=self.get_object(),
            actor=self.actor,
            level=data["level"],
            reason=data["reason"],
            team=data.get("team"),
            expected_version=data.get("version"),
        )
        return self.render_case(case)

    @extend_schema(
        summary="Promise a resolution time", request=PromiseInput, responses=CaseDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def promise(self, request: Request, folio: str) -> Response:
        data = self.parse(PromiseInput)
        case = services.set_promise(case=self.get_object(), actor=self.actor, **data)
        return self.render_case(case)

    # --- what hangs from a case -----------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="List the case's messages, oldest first",
        responses=MessageSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a message: `in` from the customer, `out` a reply to queue",
        request=MessageInput,
        responses={201: MessageSerializer},
    )
    @action(
        detail=True, methods=["get", "post"], pagination_class=CreatedPagination, filter_backends=[]
    )
    def messages(self, request: Request, folio: str) -> Response:
        case = self.get_object()
        if request.method == "GET":
            return self.render_page(MessageSerializer, case.messages.select_related("author"))
        data = self.parse(MessageInput)
        direction, version = data.pop("direction"), data.pop("version", None)
        try:
            if direction == Direction.INBOUND:
                data.setdefault("channel", case.channel)
                message = services.add_inbound_message(case=case, actor=self.actor, **data)
            else:
                message = services.add_outbound_message(
                    case=case, actor=self.actor, expected_version=version, **data
                )
        except IntegrityError as exc:  # the (channel, direction, external_id) unique constraint
            raise ApiError(
                "duplicate_external_id", 409, details={"external_id": [data.get("external_id", "")]}
            ) from exc
        return self.render(MessageSerializer, message, 201)

    @extend_schema(
        methods=["GET"],
        summary="List internal notes, oldest first",
        responses=NoteSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Add an internal note",
        request=NoteInput,
        responses={201: NoteSerializer},
    )
    @action(
        detail=True, methods=["get", "post"], pagination_class=CreatedPagination, filter_backends=[]
    )
    def notes(self, request: Request, folio: str) -> Response:
        case = self.get_object()
        if request.method == "GET":
            return self.render_page(
                NoteSerializer, case.notes.select_related("author").prefetch_related("mentions")
            )
        note = services.add_note(case=case, actor=self.actor, body=self.parse(NoteInput)["body"])
        return self.render(NoteSerializer, note, 201)

    @extend_schema(
        summary="Upload an attachment (multipart/form-data)",
        request={"multipart/form-data": AttachmentInput},
        responses={201: AttachmentSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request: Request, folio: str) -> Response:
        data = self.parse(AttachmentInput)
        case = self.get_object()
        message = None
        if "message" in data:
            message = case.messages.filter(uuid=data["message"]).first()
            if message is None:
                raise ApiError(
                    "no_such_object",
                    details={"message": [str(data["message"])]},
                    value=data["message"],
                )
        upload = data["file"]
        try:
            attachment = add_attachment(
                case=case,
                file=upload,
                actor=self.actor,
                filename=upload.name or "",
                content_type=upload.content_type or "",
                message=message,
            )
        except AttachmentRejected as exc:
            exc.status_code = 413 if upload.size > settings.ATIENDE_MAX_ATTACHMENT_BYTES else 415
            raise
        return self.render(AttachmentSerializer, attachment, 201)

    @extend_schema(
        summary="The case's history (append-only events), oldest first",
        responses=EventSerializer(many=True),
    )
    @action(
        detail=True, methods=["get"], pagination_class=OldestFirstPagination, filter_backends=[]
    )
    def events(self, request: Request, folio: str) -> Response:
        return self.render_page(EventSerializer, case_events(self.get_object()))

    @extend_schema(
        summary="Link this case to another one",
        request=LinkInput,
        responses={201: CaseLinkSerializer},
    )
    @action(detail=True, methods=["post"])
    def links(self, request: Request, folio: str) -> Response:
        data = self.parse(LinkInput)
        case, other = self.get_object(), self.visible_case(data["case"], "case")
        link = services.link_cases(case=case, other=other, kind=data["kind"], actor=self.actor)
        row = {
            "case": other.folio,
            "kind": link.kind,
            "direction": "out",
            "created_at": link.created_at,
        }
        return self.render(CaseLinkSerializer, row, 201)

    @extend_schema(
        summary="Merge this case into another one; returns the case that absorbed it",
        request=CaseMergeInput,
        responses=CaseDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, folio: str) -> Response:
        data = self.parse(CaseMergeInput)
        case, target = self.get_object(), self.visible_case(data["into"], "into")
        return self.render_case(services.merge_cases(source=case, target=target, actor=self.actor))

    @extend_schema(
        summary="Move some messages to a new case; returns the new case",
        request=SplitInput,
        responses={201: CaseDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def split(self, request: Request, folio: str) -> Response:
        data = self.parse(SplitInput)
        case = self.get_object()
        wanted = set(data["messages"])
        found = dict(case.messages.filter(uuid__in=wanted).values_list("uuid", "pk"))
        if missing := sorted(str(u) for u in wanted - set(found)):
            raise ApiError(
                "no_such_object", details={"messages": missing}, value=", ".join(missing)
            )
        new_case = services.split_case(
            case=case,
            message_ids=list(found.values()),
            summary=data.get("summary", ""),
            actor=self.actor,
        )
        return self.render_case(new_case, 201)
