"""The demo loader: a believable desk, built through the services, loaded once."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from atiende.accounts.models import Role, Team, User
from atiende.cases.models import (
    Case,
    CaseLink,
    CaseType,
    Channel,
    Event,
    Message,
    Note,
    Priority,
    Status,
)
from atiende.customers.models import Consent, Customer
from atiende.demo.loader import desk_models
from atiende.demo.people import DEMO_PASSWORD
from atiende.demo.plan import build_plan
from tests.factories.cases import make_case


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_it_loads_a_desk_covering_every_status_channel_type_and_priority(db):
    output = load("--seed", "3")

    assert 180 <= Case.objects.count() <= 220
    assert set(Case.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Case.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert set(Case.objects.values_list("case_type", flat=True)) == set(CaseType.values)
    assert set(Case.objects.values_list("priority", flat=True)) == set(Priority.values)
    assert {2, 3} <= set(Case.objects.values_list("escalation_level", flat=True))
    complaints = Case.objects.filter(case_type=CaseType.COMPLAINT)
    assert complaints.exists() and all(
        f.startswith("RECL-") for f in complaints.values_list("folio", flat=True)
    )
    # Every case went through open_case: a CREATED event, and a history behind it.
    assert not Case.objects.annotate(n=Count("events")).filter(n=0).exists()
    assert Event.objects.filter(verb="created").count() == Case.objects.count()
    assert Event.objects.count() > 10 * Case.objects.count()
    assert Message.objects.filter(direction="out").exclude(delivery_status="queued").count() > 200
    assert Note.objects.filter(mentions__isnull=False).exists()
    assert CaseLink.objects.filter(kind="duplicate").exists()
    assert 35 <= Customer.objects.count() <= 45 and Consent.objects.exists()
    # Sixty days of history, none of it in the future, some of it after hours.
    first, last = Case.objects.order_by("received_at").values_list("received_at", flat=True)[
        :: Case.objects.count() - 1
    ]
    assert 40 <= (last - first).days <= 65
    registered = sorted(Case.objects.values_list("registered_at", flat=True))
    assert (registered[-1] - registered[0]).days >= 40  # stamped on the simulated clock, not today
    local = ZoneInfo("America/Mexico_City")
    assert any(
        c.astimezone(local).hour < 9 or c.astimezone(local).hour >= 19
        for c in Case.objects.values_list("received_at", flat=True)
    )
    # One user per role, each told on the way out.
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    admin = User.objects.get(role=Role.ADMINISTRATOR)
    assert admin.is_staff and admin.is_superuser and admin.check_password(DEMO_PASSWORD)
    assert User.objects.filter(role=Role.AGENT).count() == 3
    assert set(Team.objects.values_list("name", flat=True)) >= {
        "Centro de información",
        "Fuerza de ventas",
        "Servicio técnico",
        "Reclamos",
    }
    for user in User.objects.all():
        assert user.username in output
    assert DEMO_PASSWORD in output


def test_it_does_nothing_on_a_second_run_and_reloads_on_reset(db):
    load()
    counts = (
        Case.objects.count(),
        Event.objects.count(),
        User.objects.count(),
        Customer.objects.count(),
    )

    output = load()

    assert "ya están cargados" in output
    assert (
        Case.objects.count(),
        Event.objects.count(),
        User.objects.count(),
        Customer.objects.count(),
    ) == counts

    load("--reset", "--noinput", "--seed", "2")

    assert 180 <= Case.objects.count() <= 220
    assert User.objects.count() == counts[2]
    assert Case.objects.filter(folio__endswith="-000001").exists()  # counters started again
    assert not Event.objects.exclude(case__in=Case.objects.all()).exists()


def test_it_refuses_a_database_that_holds_another_desk(db):
    make_case()

    with pytest.raises(CommandError, match="no son de la demostración"):
        load()


def test_it_plans_the_same_desk_for_the_same_seed():
    now, tz = datetime(2026, 3, 14, 18, 0, tzinfo=UTC), ZoneInfo("America/Mexico_City")

    first, again, other = build_plan(7, now, tz), build_plan(7, now, tz), build_plan(8, now, tz)

    assert first.steps() == again.steps()
    assert [c.customer.name for c in first.cases] != [c.customer.name for c in other.cases]
    assert max(s.at for s in first.steps()) < now


def test_it_erases_the_event_tables_but_not_users_teams_or_configuration():
    tables = {m._meta.db_table for m in desk_models()}

    assert {
        "cases_event",
        "customers_customerevent",
        "customers_consent",
        "cases_message",
    } <= tables
    assert not tables & {
        "accounts_user",
        "accounts_team",
        "cases_category",
        "cases_folioseries",
        "cases_statustransition",
    }
