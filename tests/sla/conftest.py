"""Service-level tests run under a settable clock: the services stamp rows with
``timezone.now()``, and clocks are about exactly when things happened."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from atiende.demo.clock import Clock, simulated_now
from atiende.sla.models import Policy

MX = ZoneInfo("America/Mexico_City")


def mx(*args: int) -> datetime:
    """A Mexico City wall time."""
    return datetime(*args, tzinfo=MX)


def settle() -> None:
    """Run what the services left for after commit (dispatch to the clocks, jobs), as a real
    commit would, inside the test's transaction; callbacks they add run too."""
    while connection.run_on_commit:
        pending, connection.run_on_commit = connection.run_on_commit, []
        for _savepoints, callback, _robust in pending:
            callback()


@pytest.fixture
def at() -> Iterator[Callable[[datetime], datetime]]:
    """at(instant): from now on, timezone.now() is INSTANT."""
    clock = Clock(mx(2026, 11, 2, 8, 0))

    def set_now(instant: datetime) -> datetime:
        settle()  # what happened so far happened at the previous instant
        clock.set(instant)
        return instant

    with simulated_now(clock):
        yield set_now
        settle()


@pytest.fixture
def policies(db) -> dict[str, Policy]:
    """The default policies shipped by the data migration."""
    return {p.slug: p for p in Policy.objects.prefetch_related("targets")}
