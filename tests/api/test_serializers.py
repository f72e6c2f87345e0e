"""The hand-written renderings of the hot paths equal what their declared fields give."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from rest_framework import serializers

from atiende.api.serializers.cases import (
    CaseCustomerRefSerializer,
    CaseCustomerSerializer,
    CaseDetailSerializer,
    CaseListSerializer,
)
from atiende.cases import services
from atiende.cases.models import Case, Category
from tests.factories.cases import make_case
from tests.factories.customers import CustomerFactory

pytestmark = pytest.mark.django_db


def declared(serializer_class, instance, **context):
    """The rendering DRF derives from the declared fields."""
    return serializers.Serializer.to_representation(serializer_class(context=context), instance)


@pytest.fixture
def busy_case(team, supervisor, system):
    customer = CustomerFactory(name="Juana", company="ACME", segment="vip")
    case = make_case(
        team=team,
        customer=customer,
        tags=["vip", "entrega"],
        case_type="order",
        category=Category.objects.get(code="pedido-entrega"),
        custom_fields={"pedido": 4411},
    )
    services.assign_case(case=case, assignee=supervisor, actor=system)
    services.set_promise(
        case=case, promise_at=timezone.now() + timedelta(days=1), reason="x", actor=system
    )
    services.link_cases(case=case, other=make_case(team=team), kind="related", actor=system)
    services.change_status(case=case, status="resolved", solution="Listo", actor=system)
    services.change_status(case=case, status="closed", closure_reason="confirmed", actor=system)
    return Case.objects.select_related("customer", "team", "assignee", "category").get(pk=case.pk)


@pytest.mark.parametrize("language", ["es", "en"])
def test_it_renders_a_case_as_its_declared_fields_do(busy_case, language):
    with translation.override(language):
        assert CaseDetailSerializer(busy_case).data == declared(CaseDetailSerializer, busy_case)
        assert CaseListSerializer(busy_case).data == declared(CaseListSerializer, busy_case)


def test_it_renders_a_new_case_as_its_declared_fields_do(team):
    case = make_case()

    assert CaseDetailSerializer(case, context={"new": True}).data == declared(
        CaseDetailSerializer, case, new=True
    )


def test_it_renders_a_customer_as_its_declared_fields_do(busy_case):
    for serializer_class in (CaseCustomerSerializer, CaseCustomerRefSerializer):
        assert serializer_class(busy_case.customer).data == declared(
            serializer_class, busy_case.customer
        )
