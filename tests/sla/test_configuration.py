"""Configuring calendars and policies: bad input is refused at once, with a clear message."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from atiende.sla import services
from atiende.sla.calendars import clock_for
from atiende.sla.models import Calendar, Policy, TargetKind
from atiende.sla.services import TargetSpec
from tests.sla.conftest import mx

pytestmark = pytest.mark.django_db

WEEK = {str(d): ["09:00-18:00"] for d in range(5)}


def calendar(**overrides) -> Calendar:
    data = {"name": "Oficina Santiago", "timezone": "America/Santiago", "weekly_hours": WEEK}
    return services.save_calendar(**(data | overrides))


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return " ".join(caught.value.messages)


def test_a_calendar_with_several_ranges_holidays_and_an_overnight_shift_is_stored(db):
    stored = calendar(
        weekly_hours={"0": ["09:00-14:00", "15:00-18:00"], "4": ["22:00-06:00+1"]},
        holiday_country="cl",
        special_days=[(date(2026, 12, 24), "Nochebuena", ["09:00-13:00"])],
    )
    assert stored.weekly_hours == {"0": ["09:00-14:00", "15:00-18:00"], "4": ["22:00-06:00+1"]}
    assert stored.holiday_country == "CL"
    assert stored.special_days.get().hours == ["09:00-13:00"]
    # Friday 22:00 → Saturday 06:00 in Santiago: 8 business hours.
    business = clock_for(stored)
    friday = mx(2026, 11, 6, 12, 0)
    assert business.next_business_moment(friday).astimezone(business.zone).hour == 22


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({"0": ["09:00-14:00", "13:00-18:00"]}, "lunes: los horarios se superponen."),
        ({"1": ["18:00-09:00"]}, "martes: «18:00-09:00» termina antes de empezar"),
        ({"2": ["09:00-09:00"]}, "termina antes de empezar"),
        ({"3": ["9 a 18"]}, "jueves: «9 a 18» no es un horario válido"),
        ({"4": ["09:00-25:00"]}, "no es un horario válido"),
        ({"0": ["09:00-12:00+1"]}, "no cruza la medianoche"),
        ({}, "El calendario no tiene horas."),
        ({"7": ["09:00-18:00"]}, "Día de la semana desconocido"),
    ],
)
def test_bad_hours_are_refused_with_a_clear_message(db, hours, message):
    assert message in refused(calendar, weekly_hours=hours)
    assert not Calendar.objects.filter(name="Oficina Santiago").exists()


def test_an_unknown_time_zone_or_country_is_refused(db):
    assert "«Mars/Olympus» no existe" in refused(calendar, timezone="Mars/Olympus")
    assert "No hay feriados para el país «ZZ»" in refused(calendar, holiday_country="ZZ")


def test_a_calendar_without_working_time_is_refused_at_once(db):
    # Days listed with no ranges: nothing to work with; the arithmetic must never be asked to
    # search for a working minute that does not exist.
    message = refused(calendar, weekly_hours={"0": [], "5": [], "6": []})
    assert message == "El calendario no tiene horas."


def test_targets_must_be_positive_and_unique(db, policies):
    office = policies["correo"].calendar
    assert "mayor que cero" in refused(
        services.save_policy,
        name="Sin plazo",
        calendar=office,
        position=200,
        targets=[TargetSpec(TargetKind.RESOLUTION, 0)],
    )
    assert "mayor que cero" in refused(
        services.save_policy,
        name="Negativo",
        calendar=office,
        position=200,
        targets=[TargetSpec(TargetKind.FIRST_RESPONSE, -60)],
    )
    assert "una sola vez" in refused(
        services.save_policy,
        name="Doble",
        calendar=office,
        position=200,
        conditions={"channels": ["sms"]},
        targets=[
            TargetSpec(TargetKind.FIRST_RESPONSE, 60),
            TargetSpec(TargetKind.FIRST_RESPONSE, 120),
        ],
    )


def test_a_policy_that_could_never_match_is_refused(db, policies):
    office = policies["correo"].calendar
    # "General" (position 100) takes every case: a later catch-all would never apply.
    message = refused(
        services.save_policy,
        name="Tarde",
        calendar=office,
        position=150,
        targets=[TargetSpec(TargetKind.FIRST_RESPONSE, 600)],
    )
    assert "nunca se aplicaría" in message and "«General»" in message
    # Nor one whose cases all go to "WhatsApp" (position 30) first.
    message = refused(
        services.save_policy,
        name="WhatsApp VIP",
        calendar=office,
        position=35,
        conditions={"channels": ["whatsapp"], "segments": ["vip"]},
        targets=[TargetSpec(TargetKind.FIRST_RESPONSE, 60)],
    )
    assert "«WhatsApp»" in message
    # Placed before it, it is reachable.
    vip = services.save_policy(
        name="WhatsApp VIP",
        calendar=office,
        position=25,
        conditions={"channels": ["whatsapp"], "segments": ["vip"]},
        targets=[TargetSpec(TargetKind.FIRST_RESPONSE, 60)],
    )
    assert vip.pk and vip.segments == ["vip"]


def test_unknown_condition_values_are_refused(db, policies):
    message = refused(
        services.save_policy,
        name="Palomas",
        calendar=policies["correo"].calendar,
        position=1,
        conditions={"channels": ["paloma"]},
        targets=[TargetSpec(TargetKind.FIRST_RESPONSE, 60)],
    )
    assert "Valores desconocidos para canal: paloma." in message


def test_the_defaults_of_the_source_documents_ship_as_data(policies):
    def targets(slug):
        return {(t.kind, t.seconds, t.business_time) for t in policies[slug].targets.all()}

    assert targets("chat") == {("first_response", 60, True), ("resolution", 600, True)}
    assert targets("telefono") == {("first_response", 30, True)}
    assert ("next_response", 48 * 3600, False) in targets("whatsapp")
    assert ("first_response", 5 * 60, True) in targets("whatsapp")
    assert {("first_response", 7200, True), ("resolution", 86400, True)} <= targets("correo")
    assert ("first_response", 4 * 3600, True) in targets("general")
    assert ("registration", None, True) in targets("general")
    assert ("handoff", 24 * 3600, False) in targets("tecnico")
    assert list(Policy.objects.values_list("slug", flat=True)) == [
        "tecnico", "chat", "telefono", "whatsapp", "correo", "general",
    ]  # fmt: skip
