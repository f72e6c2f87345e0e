"""Events are append-only: the ORM refuses, and so does the database itself."""

import pytest
from django.db import DatabaseError, connection, transaction

from atiende.cases.models import Event
from atiende.core.append_only import AppendOnlyError
from tests.factories.cases import make_case


@pytest.fixture
def event(db):
    return make_case().events.get()


def test_the_orm_refuses_to_update_an_event(event):
    event.verb = "closed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(verb="closed")


def test_the_orm_refuses_to_delete_an_event(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).delete()


def test_the_database_refuses_a_raw_update(event):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE cases_event SET verb = 'x' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.verb == "created"


def test_the_database_refuses_a_raw_delete(event):
    if connection.vendor != "postgresql":
        pytest.skip("on SQLite deletes are refused by the ORM guard (test flushes use DELETE)")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM cases_event WHERE id = %s", [event.pk])
    assert Event.objects.filter(pk=event.pk).exists()
