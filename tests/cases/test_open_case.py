"""open_case: a folio, the customer's words as the first message, and a 'created' event."""

from datetime import timedelta

import pytest
from django.utils import timezone

from atiende.cases.models import CaseType, Category, Direction, Verb
from atiende.cases.services import CaseValidationError
from tests.factories.cases import make_case


def test_it_gives_the_case_a_folio_of_the_default_series(db):
    case = make_case()
    assert case.folio == f"AT-{timezone.now().year}-000001"


def test_it_numbers_complaints_in_their_own_series(db):
    make_case()
    complaint = make_case(case_type=CaseType.COMPLAINT)
    assert complaint.folio == f"RECL-{timezone.now().year}-000001"


def test_it_keeps_the_real_received_time_apart_from_the_registration(db):
    received = timezone.now() - timedelta(hours=10)
    case = make_case(received_at=received)
    assert case.received_at == received
    assert case.registered_at > received


def test_it_stores_the_first_message_sanitised(db):
    case = make_case(
        message_html='<p>Hola</p><script>alert(1)</script><a href="javascript:x()">x</a>'
    )
    message = case.messages.get()
    assert message.direction == Direction.INBOUND
    assert "<script>" not in message.body_html and "javascript:" not in message.body_html
    assert message.body_text.startswith("Hola")


def test_it_records_created_and_message_events(db):
    case = make_case(message_text="Quiero información del proyecto")
    assert list(case.events.values_list("verb", flat=True)) == [Verb.CREATED, Verb.MESSAGE_RECEIVED]
    created = case.events.first()
    assert created.after["folio"] == case.folio
    assert created.actor_kind == "system"


def test_it_uses_the_first_line_of_the_message_as_summary(db):
    case = make_case(summary="", message_text="Precio del depto 301\nGracias")
    assert case.summary == "Precio del depto 301"


def test_it_refuses_a_case_with_nothing_to_say(db):
    with pytest.raises(CaseValidationError):
        make_case(summary="  ", message_text="")


def test_it_refuses_a_category_of_another_type(db):
    complaint_category = Category.objects.get(code="reclamo-cobro")
    with pytest.raises(CaseValidationError):
        make_case(case_type=CaseType.ORDER, category=complaint_category)


def test_it_normalises_tags(db):
    case = make_case(tags=["VIP", " vip ", "Preventa"])
    assert sorted(case.tags.values_list("name", flat=True)) == ["preventa", "vip"]
