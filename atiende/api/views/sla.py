"""Service levels: calendars and policies (read: desk-wide roles; write: administrators), the
simulator, and each case's clocks with the "why is it due then" explanation.

Writes are one call to ``sla.services``, which validates everything (a bad calendar or policy is
a 400 with the reason per field) and writes nothing on error.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from atiende.api.errors import text
from atiende.api.pagination import SlugPagination
from atiende.api.serializers.sla import (
    CalendarInput,
    CalendarSerializer,
    CaseServiceLevelSerializer,
    PolicyInput,
    PolicySerializer,
    SimulateInput,
    SimulationSerializer,
)
from atiende.api.views.base import FOLIO_PATTERN, SLUG_PATTERN, ApiViewSet
from atiende.cases.models import Case
from atiende.cases.selectors import cases_visible_to
from atiende.sla import services
from atiende.sla.explain import explain_case
from atiende.sla.models import Calendar, Policy
from atiende.sla.permissions import can_configure, can_view_configuration
from atiende.sla.simulator import simulate


class ConfigurationViewSet(ApiViewSet):
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    pagination_class = SlugPagination

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        writing = request.method not in ("GET", "HEAD", "OPTIONS") and self.action != "simulate"
        allowed = can_configure(request.user) if writing else can_view_configuration(request.user)
        if not allowed:
            raise PermissionDenied(text("permission_denied"))


@extend_schema(tags=["service levels"])
class CalendarViewSet(ConfigurationViewSet):
    """Business calendars: weekly hours, time zone, holidays of a country, special days."""

    serializer_class = CalendarSerializer

    def get_queryset(self) -> QuerySet[Calendar]:
        return Calendar.objects.prefetch_related("special_days")

    @extend_schema(summary="List calendars")
    def list(self, request: Request) -> Response:
        return self.render_page(CalendarSerializer, self.get_queryset())

    @extend_schema(summary="Get a calendar")
    def retrieve(self, request: Request, slug: str) -> Response:
        return self.render(CalendarSerializer, self.get_object())

    @extend_schema(
        summary="Create a calendar", request=CalendarInput, responses={201: CalendarSerializer}
    )
    def create(self, request: Request) -> Response:
        calendar = services.save_calendar(**self._calendar_arguments())
        return self.render(CalendarSerializer, calendar, status=201)

    @extend_schema(
        summary="Replace a calendar", request=CalendarInput, responses=CalendarSerializer
    )
    def update(self, request: Request, slug: str) -> Response:
        calendar = services.save_calendar(calendar=self.get_object(), **self._calendar_arguments())
        return self.render(CalendarSerializer, calendar)

    def _calendar_arguments(self) -> dict:
        data = self.parse(CalendarInput)
        data["special_days"] = [(d["date"], d["name"], d["hours"]) for d in data["special_days"]]
        return data


@extend_schema(tags=["service levels"])
class PolicyViewSet(ConfigurationViewSet):
    """Policies, tried by position: the first active one whose conditions a case meets applies."""

    serializer_class = PolicySerializer

    def get_queryset(self) -> QuerySet[Policy]:
        return Policy.objects.select_related("calendar").prefetch_related(
            "teams", "targets__handoff_team", "targets__reassign_team"
        )

    @extend_schema(summary="List policies")
    def list(self, request: Request) -> Response:
        return self.render_page(PolicySerializer, self.get_queryset())

    @extend_schema(summary="Get a policy")
    def retrieve(self, request: Request, slug: str) -> Response:
        return self.render(PolicySerializer, self.get_object())

    @extend_schema(
        summary="Create a policy", request=PolicyInput, responses={201: PolicySerializer}
    )
    def create(self, request: Request) -> Response:
        policy = services.save_policy(**self._policy_arguments())
        return self.render(PolicySerializer, self.get_queryset().get(pk=policy.pk), status=201)

    @extend_schema(summary="Replace a policy", request=PolicyInput, responses=PolicySerializer)
    def update(self, request: Request, slug: str) -> Response:
        policy = services.save_policy(policy=self.get_object(), **self._policy_arguments())
        return self.render(PolicySerializer, self.get_queryset().get(pk=policy.pk))

    @extend_schema(
        summary="Replay the last days of cases under this (draft) policy",
        request=SimulateInput,
        responses=SimulationSerializer,
    )
    @action(detail=True, methods=["post"])
    def simulate(self, request: Request, slug: str) -> Response:
        data = self.parse(SimulateInput)
        result = simulate(
            policy=self.get_object(), days=data["days"], calendar=data.get("calendar")
        )
        return Response(SimulationSerializer(result).data)

    def _policy_arguments(self) -> dict:
        data = self.parse(PolicyInput)
        conditions = {k: data.pop(k) for k in ("channels", "case_types", "priorities", "segments")}
        targets = [services.TargetSpec(**t) for t in data.pop("targets")]
        return {**data, "conditions": conditions, "targets": targets}


@extend_schema(tags=["service levels"])
class CaseServiceLevelViewSet(ApiViewSet):
    """A case's clocks, due times and why they are what they are."""

    lookup_field = "folio"
    lookup_value_regex = FOLIO_PATTERN
    serializer_class = CaseServiceLevelSerializer

    def get_queryset(self) -> QuerySet[Case]:
        return cases_visible_to(self.request.user).select_related("customer")

    @extend_schema(summary="A case's service-level clocks, explained")
    def retrieve(self, request: Request, folio: str) -> Response:
        return Response(CaseServiceLevelSerializer(explain_case(self.get_object())).data)
