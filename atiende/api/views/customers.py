"""Customers: any active desk user sees them all (``customers_visible_to``)."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from atiende.api.errors import ApiError
from atiende.api.filters import CustomerFilter
from atiende.api.pagination import NewestCreatedPagination
from atiende.api.serializers.customers import (
    ConsentInput,
    ConsentSerializer,
    CustomerCreateInput,
    CustomerMergeInput,
    CustomerSerializer,
    CustomerUpdateInput,
    IdentityInput,
    IdentitySerializer,
)
from atiende.api.views.base import UUID_PATTERN, ApiViewSet
from atiende.cases.services import merge_customers
from atiende.customers import services
from atiende.customers.models import Customer
from atiende.customers.selectors import customers_visible_to


@extend_schema(tags=["customers"])
class CustomerViewSet(ApiViewSet):
    """Customer profiles; every active desk user sees them all (``customers_visible_to``)."""

    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN
    pagination_class = NewestCreatedPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = CustomerFilter
    serializer_class = CustomerSerializer

    def get_queryset(self) -> QuerySet[Customer]:
        customers = customers_visible_to(self.request.user).select_related("owner", "merged_into")
        return customers.prefetch_related("identities")

    @extend_schema(summary="List customers (not merged ones)")
    def list(self, request: Request) -> Response:
        customers = self.filter_queryset(self.get_queryset().filter(merged_into__isnull=True))
        return self.render_page(CustomerSerializer, customers)

    @extend_schema(
        summary="Create a customer, or find the one that owns an address",
        description="201 with a new customer; 200 with the existing one when one of the addresses "
        "is already known (the other addresses are added to it).",
        request=CustomerCreateInput,
        responses={201: CustomerSerializer, 200: CustomerSerializer},
    )
    def create(self, request: Request) -> Response:
        data = self.parse(CustomerCreateInput)
        customer, created = services.find_or_create_customer(
            actor=self.actor, addresses=data.pop("identities"), **data
        )
        return self.render(
            CustomerSerializer, self.get_queryset().get(pk=customer.pk), 201 if created else 200
        )

    @extend_schema(summary="Get a customer")
    def retrieve(self, request: Request, uuid: str) -> Response:
        return self.render(CustomerSerializer, self.get_object())

    @extend_schema(
        summary="Change a customer", request=CustomerUpdateInput, responses=CustomerSerializer
    )
    def partial_update(self, request: Request, uuid: str) -> Response:
        customer = self.get_object()
        services.update_customer(
            customer=customer, actor=self.actor, **self.parse(CustomerUpdateInput)
        )
        return self.render(CustomerSerializer, self.get_object())

    @extend_schema(
        methods=["GET"],
        summary="List the customer's identities",
        responses=IdentitySerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Add an identity",
        request=IdentityInput,
        responses={201: IdentitySerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def identities(self, request: Request, uuid: str) -> Response:
        customer = self.get_object()
        if request.method == "GET":
            return Response(
                IdentitySerializer(customer.identities.order_by("created_at", "pk"), many=True).data
            )
        identity = services.add_identity(
            customer=customer, actor=self.actor, **self.parse(IdentityInput)
        )
        return self.render(IdentitySerializer, identity, 201)

    @extend_schema(
        methods=["GET"],
        summary="List consent records, newest first",
        responses=ConsentSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a consent",
        request=ConsentInput,
        responses={201: ConsentSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def consents(self, request: Request, uuid: str) -> Response:
        customer = self.get_object()
        if request.method == "GET":
            consents = customer.consents.select_related("recorded_by").order_by(
                "-recorded_at", "-pk"
            )
            return Response(ConsentSerializer(consents, many=True).data)
        consent = services.record_consent(
            customer=customer, actor=self.actor, **self.parse(ConsentInput)
        )
        return self.render(ConsentSerializer, consent, 201)

    @extend_schema(
        summary="Merge this customer into another one",
        description="Identities, cases and blank fields move to `into`; this customer is kept, "
        "marked as merged. Returns the customer that absorbed it.",
        request=CustomerMergeInput,
        responses={200: CustomerSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def merge(self, request: Request, uuid: str) -> Response:
        source = self.get_object()
        into = self.parse(CustomerMergeInput)["into"]
        target = customers_visible_to(request.user).filter(uuid=into).first()
        if target is None:
            raise ApiError("no_such_object", details={"into": [str(into)]}, value=into)
        merge_customers(source=source, target=target, actor=self.actor)
        return self.render(CustomerSerializer, self.get_queryset().get(pk=target.pk))
