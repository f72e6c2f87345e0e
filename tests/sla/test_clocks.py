"""The clocks on a case (SL3, SL5, CH10): started, paused, recomputed, met, moved — with the
default policies of the data migration and the Mexico City office calendar (Mon-Fri 9-18)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils.dateparse import parse_datetime

from atiende.cases import services
from atiende.cases.models import Priority, Status, Verb
from atiende.core.actors import Actor
from atiende.sla import services as sla_services
from atiende.sla.explain import explain_case
from atiende.sla.models import CaseServiceLevel, Clock, ClockState, TargetKind
from tests.factories.cases import make_case
from tests.sla.conftest import mx, settle

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("tests")


def clock(case, kind) -> Clock:
    settle()
    return Clock.objects.filter(case=case, kind=kind).latest("created_at", "pk")


def reload(case):
    settle()
    case.refresh_from_db()
    return case


def test_a_whatsapp_case_on_friday_night_before_a_holiday_monday_is_due_on_tuesday(at, agent):
    # Monday 16 November 2026 is Revolution Day in Mexico.
    at(mx(2026, 11, 13, 21, 0))
    case = reload(make_case(channel="whatsapp", message_text="¿Tienen stock del modelo X?"))

    assert case.first_response_due_at == mx(2026, 11, 17, 9, 5)  # 5 business minutes
    assert case.resolution_due_at == mx(2026, 11, 17, 9, 30)  # 30 business minutes
    assert case.next_due_at == mx(2026, 11, 17, 9, 5)
    assert case.promise_at == mx(2026, 11, 17, 9, 30)  # SL5: the policy's resolution time
    assert case.version == 1  # computed clocks never make an agent's page stale
    registration = clock(case, TargetKind.REGISTRATION)
    assert registration.state == ClockState.MET and registration.breached_at is None

    why = explain_case(case)
    assert why["policy"]["name"] == "WhatsApp"
    assert "canal: whatsapp" in why["policy"]["matched_because"]
    first = next(c for c in why["clocks"] if c["kind"] == TargetKind.FIRST_RESPONSE)
    text = " ".join(first["explanation"])
    assert "5 min hábiles" in text
    assert "fuera de horario" in text
    assert "16/11/2026" in text  # the holiday skipped, by name and date
    assert "Horario de oficina (Ciudad de México)" in text
    started = case.events.filter(verb=Verb.SLA_CHANGED).first()
    assert started.after["change"] == "started" and started.after["after_hours"] is True


def test_the_first_reply_meets_the_first_response_target(at, agent):
    at(mx(2026, 11, 2, 10, 0))
    case = make_case(channel="email", message_text="Hola")
    at(mx(2026, 11, 2, 11, 0))
    services.add_outbound_message(case=case, actor=Actor.agent(agent), body_text="Con gusto.")

    first = clock(case, TargetKind.FIRST_RESPONSE)
    assert (first.state, first.met_at, first.breached_at) == (
        ClockState.MET,
        mx(2026, 11, 2, 11, 0),
        None,
    )
    case = reload(case)
    assert case.first_response_due_at is None
    assert case.next_due_at == case.resolution_due_at


def test_waiting_on_the_customer_pauses_and_resuming_keeps_the_remaining_time(at, agent):
    at(mx(2026, 11, 2, 10, 0))  # Monday
    case = make_case(channel="email", message_text="Mi factura está mal")
    # 24 business hours of 9 a day: Monday 8 h, Tuesday 9 h, Wednesday 7 h.
    assert reload(case).resolution_due_at == mx(2026, 11, 4, 16, 0)

    at(mx(2026, 11, 2, 14, 0))  # 4 business hours used
    services.change_status(case=case, status=Status.WAITING_CUSTOMER, actor=SYSTEM)
    resolution = clock(case, TargetKind.RESOLUTION)
    assert resolution.state == ClockState.PAUSED and resolution.consumed_s == 4 * 3600
    assert reload(case).resolution_due_at is None and reload(case).next_due_at is None

    at(mx(2026, 11, 4, 10, 0))  # Wednesday: the customer answered
    services.change_status(case=case, status=Status.IN_PROGRESS, actor=SYSTEM)
    # 20 hours left: Wednesday 10-18 (8), Thursday (9), Friday 9-12 (3).
    assert reload(case).resolution_due_at == mx(2026, 11, 6, 12, 0)
    resolution = clock(case, TargetKind.RESOLUTION)
    assert [[parse_datetime(a), parse_datetime(b)] for a, b in resolution.pauses] == [
        [mx(2026, 11, 2, 14, 0), mx(2026, 11, 4, 10, 0)]
    ]
    changes = [e.after["change"] for e in case.events.filter(verb=Verb.SLA_CHANGED)]
    assert changes == ["started", "paused", "resumed"]


def test_raising_the_priority_switches_to_the_stricter_policy_keeping_the_time_used(
    at, agent, policies
):
    sla_services.save_policy(
        name="Urgentes",
        position=1,
        calendar=policies["correo"].calendar,
        conditions={"priorities": ["urgent"]},
        targets=[
            sla_services.TargetSpec(TargetKind.FIRST_RESPONSE, 30 * 60),
            sla_services.TargetSpec(TargetKind.RESOLUTION, 4 * 3600),
        ],
    )
    at(mx(2026, 11, 2, 10, 0))
    case = make_case(channel="email", message_text="Se cayó el servicio")
    at(mx(2026, 11, 2, 11, 0))
    services.update_case_fields(case=case, actor=SYSTEM, priority=Priority.URGENT)

    case = reload(case)
    # One business hour already used counts against the new targets.
    assert case.resolution_due_at == mx(2026, 11, 2, 14, 0)
    assert case.first_response_due_at == mx(2026, 11, 2, 11, 0)  # already due
    assert case.promise_at == mx(2026, 11, 2, 14, 0)
    assert CaseServiceLevel.objects.get(case=case).policy.name == "Urgentes"
    recomputed = case.events.filter(verb=Verb.SLA_CHANGED).last()
    assert recomputed.after["change"] == "recomputed" and recomputed.after["policy"] == "Urgentes"


def test_a_reopened_case_gets_a_new_resolution_clock_and_owes_a_reply(at, agent):
    at(mx(2026, 11, 2, 10, 0))
    case = make_case(channel="email", message_text="No puedo entrar")
    at(mx(2026, 11, 2, 11, 0))
    services.add_outbound_message(case=case, actor=Actor.agent(agent), body_text="Listo.")
    services.change_status(case=case, status=Status.RESOLVED, solution="Clave nueva", actor=SYSTEM)
    assert clock(case, TargetKind.RESOLUTION).met_at == mx(2026, 11, 2, 11, 0)
    assert reload(case).next_due_at is None

    at(mx(2026, 11, 3, 9, 30))
    services.add_inbound_message(
        case=case, actor=Actor.customer("Juana"), channel="email", body_text="Sigue igual"
    )
    case = reload(case)
    assert case.status == Status.OPEN
    resolutions = Clock.objects.filter(case=case, kind=TargetKind.RESOLUTION)
    assert [c.state for c in resolutions.order_by("pk")] == [ClockState.MET, ClockState.RUNNING]
    # A full 24 business hours from the reopening: Tue 8.5 h, Wed 9 h, Thu 9:00-15:30.
    assert case.resolution_due_at == mx(2026, 11, 5, 15, 30)


def test_merging_keeps_the_sooner_promise_of_the_absorbed_case(at, agent):
    at(mx(2026, 11, 2, 10, 0))
    first = make_case(channel="email", message_text="Pedido 1 no llega")
    at(mx(2026, 11, 2, 11, 0))
    second = make_case(channel="email", customer=first.customer, message_text="¿Y mi pedido?")
    at(mx(2026, 11, 2, 11, 30))
    services.merge_cases(source=first, target=second, actor=SYSTEM)

    second = reload(second)
    assert second.first_response_due_at == mx(2026, 11, 2, 12, 0)  # the first case's
    assert not Clock.objects.filter(case=first, state__in=["running", "paused"]).exists()
    assert reload(first).next_due_at is None
    assert (
        Clock.objects.filter(case=second, kind=TargetKind.FIRST_RESPONSE, state="running").count()
        == 1
    )


def test_a_target_met_late_records_its_breach_instant(at, agent):
    at(mx(2026, 11, 2, 10, 0))
    case = make_case(channel="email", message_text="Hola")
    at(mx(2026, 11, 2, 15, 0))  # 2-hour target: due at 12:00
    services.add_outbound_message(case=case, actor=Actor.agent(agent), body_text="Perdón.")
    first = clock(case, TargetKind.FIRST_RESPONSE)
    assert first.state == ClockState.MET
    assert first.breached_at == mx(2026, 11, 2, 12, 0)


def test_a_request_registered_days_after_it_arrived_breaks_same_day_registration(at):
    at(mx(2026, 11, 9, 10, 0))
    case = make_case(channel="email", received_at=mx(2026, 11, 6, 17, 0))
    registration = clock(case, TargetKind.REGISTRATION)
    assert registration.breached_at == mx(2026, 11, 6, 18, 0)
    # Other clocks start from the real arrival (CH10), not from the late registration.
    assert clock(case, TargetKind.FIRST_RESPONSE).started_at == mx(2026, 11, 6, 17, 0)


def test_an_agents_promise_is_kept_when_the_policy_times_move(at, agent):
    at(mx(2026, 11, 2, 10, 0))
    case = make_case(channel="email", message_text="Hola")
    services.set_promise(
        case=case,
        promise_at=mx(2026, 11, 10, 12, 0),
        reason="Depende del proveedor",
        actor=Actor.agent(agent),
    )
    at(mx(2026, 11, 2, 11, 0))
    services.change_status(case=case, status=Status.WAITING_THIRD_PARTY, actor=SYSTEM)
    at(mx(2026, 11, 3, 11, 0))
    services.change_status(case=case, status=Status.IN_PROGRESS, actor=SYSTEM)
    assert reload(case).promise_at == mx(2026, 11, 10, 12, 0)


def test_handing_a_technical_request_to_another_team_meets_the_handoff_target(at, team, other_team):
    at(mx(2026, 11, 2, 10, 0))
    case = make_case(channel="email", case_type="technical_requirement", team=team)
    assert clock(case, TargetKind.HANDOFF).due_at == mx(2026, 11, 3, 10, 0)  # 24 h, calendar
    at(mx(2026, 11, 2, 16, 0))
    services.assign_case(case=case, actor=SYSTEM, assignee=None, team=other_team)
    assert clock(case, TargetKind.HANDOFF).met_at == mx(2026, 11, 2, 16, 0)


def test_closing_an_unresolved_case_stops_its_clocks(at):
    at(mx(2026, 11, 2, 10, 0))
    case = make_case(channel="email", message_text="spam")
    services.change_status(case=case, status=Status.CLOSED, closure_reason="spam", actor=SYSTEM)
    assert reload(case).next_due_at is None
    states = dict(Clock.objects.filter(case=case).values_list("kind", "state"))
    assert states == {
        TargetKind.REGISTRATION: ClockState.MET,
        TargetKind.FIRST_RESPONSE: ClockState.STOPPED,
        TargetKind.RESOLUTION: ClockState.STOPPED,
    }


def test_editing_a_policy_recomputes_the_open_cases_that_follow_it(at, policies):
    at(mx(2026, 11, 2, 10, 0))
    case = make_case(channel="email", message_text="Hola")
    assert reload(case).resolution_due_at == mx(2026, 11, 4, 16, 0)  # 24 business hours
    correo = policies["correo"]
    at(mx(2026, 11, 2, 12, 0))
    sla_services.save_policy(
        policy=correo,
        name=correo.name,
        calendar=correo.calendar,
        position=correo.position,
        conditions={"channels": correo.channels},
        targets=[
            sla_services.TargetSpec(TargetKind.FIRST_RESPONSE, 2 * 3600),
            sla_services.TargetSpec(TargetKind.RESOLUTION, 8 * 3600),
        ],
    )
    # Two hours used; six left from Monday 12:00: Monday 12-18.
    assert reload(case).resolution_due_at == mx(2026, 11, 2, 18, 0)


def test_closing_the_office_on_a_day_moves_the_due_times_of_open_cases(at, policies):
    at(mx(2026, 11, 2, 10, 0))
    case = make_case(channel="email", message_text="Hola")
    office = policies["correo"].calendar
    at(mx(2026, 11, 2, 11, 0))
    sla_services.save_calendar(
        calendar=office,
        name=office.name,
        timezone=office.timezone,
        weekly_hours=office.weekly_hours,
        holiday_country=office.holiday_country,
        special_days=[(date(2026, 11, 3), "Inventario", [])],
    )
    # Tuesday closed: 24 business hours end on Thursday at 16:00 instead of Wednesday.
    assert reload(case).resolution_due_at == mx(2026, 11, 5, 16, 0)
