"""The one dispatcher: consumers in order, once per event, retried without re-running the others."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db import connection

from atiende import dispatch
from atiende.cases import services
from atiende.cases.models import Verb
from atiende.core.actors import Actor
from atiende.dispatch import Consumer
from atiende.jobs.errors import TransientError
from atiende.jobs.models import ConsumerReceipt, FailedJob
from atiende.jobs.tasks import dispatch_events
from tests.factories.cases import make_case

CALLS: list[tuple[str, str]] = []
FAILURES = {"left": 0}

HERE = "tests.jobs.test_dispatch"
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def consume_first(event) -> None:
    CALLS.append(("first", event.verb))


def consume_notes(event) -> None:
    CALLS.append(("notes", event.verb))


def consume_flaky(event) -> None:
    if FAILURES["left"]:
        FAILURES["left"] -= 1
        raise TransientError("servicio ocupado")
    CALLS.append(("flaky", event.verb))


def consume_broken(event) -> None:
    raise ValueError("consumidor roto")


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()
    FAILURES["left"] = 0


def use_consumers(monkeypatch, *consumers: Consumer) -> None:
    monkeypatch.setattr(dispatch, "CONSUMERS", list(consumers))


def case_with_note(system, capture):
    """One committed transaction with two events (created + note_added): one dispatch job."""
    with capture(execute=True) as callbacks:
        case = make_case()
        services.add_note(case=case, body="Llamar mañana", actor=system)
    assert len(callbacks) == 1
    return case


def test_it_calls_consumers_in_order_once_per_wanted_event(
    db, monkeypatch, system, django_capture_on_commit_callbacks
):
    use_consumers(
        monkeypatch,
        Consumer("first", f"{HERE}:consume_first"),
        Consumer("notes", f"{HERE}:consume_notes", frozenset({Verb.NOTE_ADDED})),
    )
    case_with_note(system, django_capture_on_commit_callbacks)

    assert CALLS == [("first", "created"), ("first", "note_added"), ("notes", "note_added")]
    assert ConsumerReceipt.objects.count() == 3


def test_it_calls_each_consumer_once_when_the_job_is_delivered_twice(
    db, monkeypatch, system, django_capture_on_commit_callbacks
):
    use_consumers(
        monkeypatch,
        Consumer("first", f"{HERE}:consume_first"),
        Consumer("notes", f"{HERE}:consume_notes", frozenset({Verb.NOTE_ADDED})),
    )
    case = case_with_note(system, django_capture_on_commit_callbacks)
    event_ids = list(case.events.values_list("pk", flat=True))
    CALLS.clear()

    assert dispatch_events.apply(args=[event_ids]).get() == 0
    assert dispatch_events.apply(args=[event_ids]).get() == 0
    assert CALLS == []


def test_it_orders_a_batch_by_consumer_then_event(db, monkeypatch, system):
    use_consumers(
        monkeypatch,
        Consumer("notes", f"{HERE}:consume_notes", frozenset({Verb.NOTE_ADDED, Verb.CREATED})),
        Consumer("first", f"{HERE}:consume_first"),
    )
    case = make_case()
    services.add_note(case=case, body="Nota", actor=system)
    event_ids = list(case.events.order_by("-pk").values_list("pk", flat=True))  # any order in

    assert dispatch_events.apply(args=[event_ids]).get() == 4
    assert CALLS == [
        ("notes", "created"),
        ("notes", "note_added"),
        ("first", "created"),
        ("first", "note_added"),
    ]


def test_it_retries_a_failing_consumer_without_re_running_those_that_succeeded(
    db, monkeypatch, system, celery_retries
):
    use_consumers(
        monkeypatch,
        Consumer("first", f"{HERE}:consume_first"),
        Consumer("flaky", f"{HERE}:consume_flaky"),
        Consumer("notes", f"{HERE}:consume_notes", frozenset({Verb.NOTE_ADDED})),
    )
    FAILURES["left"] = 2  # the first two attempts of "flaky" fail
    case = make_case()
    services.add_note(case=case, body="Llamar mañana", actor=system)

    dispatch_events.apply(args=[list(case.events.values_list("pk", flat=True))]).get()

    assert CALLS == [
        ("first", "created"),
        ("first", "note_added"),
        ("flaky", "created"),
        ("flaky", "note_added"),
        ("notes", "note_added"),
    ]
    assert not FailedJob.objects.exists()


def test_it_records_a_failed_job_when_a_consumer_fails_for_good(db, monkeypatch, celery_retries):
    use_consumers(
        monkeypatch,
        Consumer("first", f"{HERE}:consume_first"),
        Consumer("broken", f"{HERE}:consume_broken"),
    )
    case = make_case()
    event_ids = list(case.events.values_list("pk", flat=True))

    with pytest.raises(ValueError):
        dispatch_events.apply(args=[event_ids]).get()

    job = FailedJob.objects.get()
    assert job.task_name == "default.dispatch_events"
    assert job.args == [event_ids]
    assert job.exception_class == "ValueError"
    assert job.exception_message == "consumidor roto"
    assert "consume_broken" in job.traceback
    assert CALLS == [("first", "created")]
    # The consumer that succeeded kept its receipt; the broken one left none.
    assert list(ConsumerReceipt.objects.values_list("consumer", flat=True)) == ["first"]


def test_it_records_a_failed_job_when_retries_run_out(db, monkeypatch, celery_retries):
    use_consumers(monkeypatch, Consumer("flaky", f"{HERE}:consume_flaky"))
    FAILURES["left"] = 100
    case = make_case()

    with pytest.raises(TransientError):
        dispatch_events.apply(args=[[case.events.get().pk]]).get()

    assert FAILURES["left"] == 100 - 9  # the first run and 8 retries
    assert FailedJob.objects.get().exception_class == "atiende.jobs.errors.TransientError"


def test_it_skips_events_that_do_not_exist(db, monkeypatch):
    use_consumers(monkeypatch, Consumer("first", f"{HERE}:consume_first"))

    assert dispatch_events.apply(args=[[987654]]).get() == 0
    assert CALLS == []


def test_it_sends_no_job_when_no_consumer_wants_the_verbs(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    use_consumers(monkeypatch, Consumer("notes", f"{HERE}:consume_notes", frozenset({"none"})))
    with django_capture_on_commit_callbacks() as callbacks:
        make_case()
    assert callbacks == []


def consume_slowly(event) -> None:
    time.sleep(0.3)  # hold the receipt's transaction open while the other run arrives
    CALLS.append(("slow", event.verb))


@pytest.mark.skipif(
    not ON_POSTGRESQL, reason="SQLite serialises writers; row locks matter on PostgreSQL"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_runs_a_consumer_once_when_two_workers_run_the_job_at_the_same_time(monkeypatch):
    case = make_case()
    services.add_note(case=case, body="Nota", actor=Actor.system("tests"))
    # Only these two: the real consumers (service-level clocks) add events of their own.
    mine = case.events.filter(verb__in=["created", "note_added"])
    event_ids = list(mine.values_list("pk", flat=True))
    use_consumers(monkeypatch, Consumer("slow", f"{HERE}:consume_slowly"))
    results: list[int] = []

    def run() -> None:
        try:
            results.append(dispatch.dispatch_events(event_ids))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(CALLS) == [("slow", "created"), ("slow", "note_added")]
    assert sum(results) == 2
