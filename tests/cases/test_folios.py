"""Folios are gap-free per series: a rolled-back case returns its number."""

import threading

import pytest
from django.db import connection, transaction

from atiende.cases.folios import next_folio
from atiende.cases.models import Case
from tests.factories.cases import make_case


def test_it_returns_the_number_of_a_rolled_back_case(db):
    first = make_case()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_case()
        raise RuntimeError("the request failed after the case was written")
    second = make_case()
    assert int(second.folio[-6:]) == int(first.folio[-6:]) + 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_refuses_to_number_outside_a_transaction():
    with pytest.raises(RuntimeError):
        next_folio("information", Case().registered_at)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_creations_never_share_or_skip_a_number():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the row lock matters on PostgreSQL")
    make_case()  # creates the year's counter row
    errors = []

    def create_many():
        try:
            for _ in range(10):
                make_case()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    numbers = sorted(int(f[-6:]) for f in Case.objects.values_list("folio", flat=True))
    assert numbers == list(range(1, 42))
