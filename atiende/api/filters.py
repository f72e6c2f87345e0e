"""Query-string filters of the list endpoints.

References by slug, username or uuid are resolved to a primary key first (one indexed lookup),
so that the case query itself is ``team_id = N AND status IN (...) ORDER BY registered_at DESC``
and runs on the composite indexes even at millions of cases.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import django_filters
from django.db import connection
from django.db.models import Exists, Manager, OuterRef, Q, QuerySet

from atiende.accounts.models import Team, User
from atiende.api.fields import DateTimeFilter
from atiende.cases.models import Case, CaseType, Channel, Priority, Status
from atiende.customers.models import Customer, Identity, Segment


def _pk_or_none(queryset: QuerySet[Any] | Manager[Any], **lookup: Any) -> int | None:
    return next(iter(queryset.filter(**lookup).order_by().values_list("pk", flat=True)[:1]), None)


class CaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices,
        distinct=False,
        help_text="Repeat to ask for several: ?status=new&status=open",
    )
    team = django_filters.CharFilter(method="filter_team", help_text="Team slug.")
    assignee = django_filters.CharFilter(method="filter_assignee", help_text="Username, or `none`.")
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    case_type = django_filters.ChoiceFilter(choices=CaseType.choices)
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    customer = django_filters.UUIDFilter(method="filter_customer", help_text="Customer uuid.")
    escalation_level = django_filters.ChoiceFilter(choices=[(1, "1"), (2, "2"), (3, "3")])
    tag = django_filters.CharFilter(method="filter_tag")
    registered_after = DateTimeFilter(field_name="registered_at", lookup_expr="gte")
    registered_before = DateTimeFilter(field_name="registered_at", lookup_expr="lt")

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_team(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        team_id = _pk_or_none(Team.objects, slug=value)
        return queryset.filter(team_id=team_id) if team_id else queryset.none()

    def filter_assignee(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        user_id = _pk_or_none(User.objects, username=value)
        return queryset.filter(assignee_id=user_id) if user_id else queryset.none()

    def filter_customer(
        self, queryset: QuerySet[Case], name: str, value: uuid.UUID
    ) -> QuerySet[Case]:
        customer_id = _pk_or_none(Customer.objects, uuid=value)
        return queryset.filter(customer_id=customer_id) if customer_id else queryset.none()

    def filter_tag(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(tags__name=value.strip().lower())


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", help_text="Part of the name, company or an address."
    )
    segment = django_filters.ChoiceFilter(choices=Segment.choices)
    tag = django_filters.CharFilter(method="filter_tag")

    class Meta:
        model = Customer
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        value = value.strip()
        if not value:
            return queryset
        address = Identity.objects.filter(customer=OuterRef("pk"), address__icontains=value)
        return queryset.filter(
            Q(name__icontains=value) | Q(company__icontains=value) | Q(Exists(address))
        )

    def filter_tag(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        if connection.vendor == "postgresql":
            return queryset.filter(tags__contains=[value])
        # SQLite has no JSON containment: match the JSON-encoded string inside the stored list.
        return queryset.filter(tags__icontains=json.dumps(value))
