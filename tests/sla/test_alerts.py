"""Warnings and breaches (SL4, RT8): the scan fires each once, people are told, and breach
actions run. E-mail policy: first response 2 business hours, resolution 24 (escalate to N2 and
raise priority on breach); warnings at 75 %."""

from __future__ import annotations

import pytest
from django.core import mail

from atiende.accounts.models import Role
from atiende.cases import services
from atiende.cases.models import Direction, Priority, Status, Verb
from atiende.core.actors import Actor
from atiende.notifications.models import EmailState, Notification
from atiende.sla import alerts
from atiende.sla.alerts import scan
from atiende.sla.models import Alert, AlertKind, Clock, Target, TargetKind
from tests.factories.accounts import UserFactory
from tests.factories.cases import make_case
from tests.sla.conftest import mx, settle

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(team):
    lead = UserFactory(username="lider", role=Role.AGENT, teams=[team])
    team.lead = lead
    team.save()
    return lead


@pytest.fixture
def case(at, team, agent, lead, supervisor):
    at(mx(2026, 11, 2, 10, 0))  # Monday
    case = make_case(channel="email", team=team, message_text="Mi pedido no llega")
    services.assign_case(case=case, actor=Actor.agent(agent), assignee=agent)
    settle()
    return case


def notified(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def test_a_warning_fires_once_at_the_threshold_to_the_assignee_and_team_lead(at, case):
    at(mx(2026, 11, 2, 11, 45))  # first response due 12:00, warning at 75 %: 11:30
    assert scan() == {"breach": 0, "warning": 1}
    assert scan() == {"breach": 0, "warning": 0}
    settle()

    alert = Alert.objects.get()
    assert (alert.kind, alert.clock.kind, alert.case) == (
        AlertKind.WARNING,
        TargetKind.FIRST_RESPONSE,
        case,
    )
    assert alert.processed_at is not None
    assert notified("sla_warning") == {"ana", "lider"}
    assert case.events.filter(verb=Verb.SLA_WARNING).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@atiende.test", "lider@atiende.test"]
    assert set(Notification.objects.values_list("email_state", flat=True)) == {EmailState.SENT}


def test_a_breach_fires_once_and_tells_assignee_lead_and_supervisors(at, case):
    at(mx(2026, 11, 2, 12, 30))
    assert scan() == {"breach": 1, "warning": 0}  # overdue: the breach, never a late warning
    assert scan() == {"breach": 0, "warning": 0}
    settle()

    first = Clock.objects.get(case=case, kind=TargetKind.FIRST_RESPONSE)
    assert first.breached_at == mx(2026, 11, 2, 12, 0)  # the breach instant is the due time
    assert notified("sla_breach") == {"ana", "lider", "sofia"}
    event = case.events.get(verb=Verb.SLA_BREACHED)
    assert event.after["target"] == TargetKind.FIRST_RESPONSE
    # Processing the same alerts again (a redelivered job) does nothing.
    assert alerts.process_alerts(list(Alert.objects.values_list("pk", flat=True))) == {
        "done": 0,
        "skipped": 1,
        "failed": 0,
    }


def test_a_resolution_breach_escalates_to_l2_and_tells_the_customer_when(at, case, manager):
    at(mx(2026, 11, 4, 16, 30))  # resolution due Wednesday 16:00
    fired = scan()
    assert fired["breach"] == 2  # first response and resolution
    settle()

    case.refresh_from_db()
    assert case.escalation_level == 2 and case.status == Status.ESCALATED
    assert case.priority == Priority.HIGH
    assert notified("sla_escalation") == {"sofia"}  # L2: the team's supervisors
    # RT8: the customer is told, with an estimate: 24 business hours from now.
    estimate = mx(2026, 11, 9, 13, 30)
    assert case.promise_at == estimate
    message = case.messages.filter(direction=Direction.OUTBOUND).get()
    assert "escalado a un supervisor" in message.body_text
    assert "9 de noviembre de 2026" in message.body_text


def test_an_l3_escalation_tells_the_operations_managers(at, case, manager, policies):
    Target.objects.filter(policy=policies["correo"], kind=TargetKind.FIRST_RESPONSE).update(
        escalate_to=3
    )
    at(mx(2026, 11, 2, 12, 30))
    scan()
    settle()
    case.refresh_from_db()
    assert case.escalation_level == 3
    assert notified("sla_escalation") == {"gerente"}
    assert "la gerencia de operaciones" in case.messages.get(direction=Direction.OUTBOUND).body_text


def test_one_alert_that_fails_is_recorded_and_the_others_are_still_processed(
    at, case, monkeypatch, team
):
    other = make_case(channel="email", team=team, message_text="Otro")
    at(mx(2026, 11, 2, 12, 30))
    real_act = alerts._act

    def act(alert):
        if alert.case_id == case.pk:
            raise RuntimeError("datos dañados")
        return real_act(alert)

    monkeypatch.setattr(alerts, "_act", act)
    assert scan()["breach"] == 2
    settle()
    outcomes = {a.case_id: a.outcome for a in Alert.objects.all()}
    assert outcomes[case.pk] == {"error": "RuntimeError: datos dañados"}
    assert "notified" in outcomes[other.pk]


def test_paused_and_met_clocks_never_fire(at, case, agent):
    at(mx(2026, 11, 2, 10, 30))
    services.add_outbound_message(case=case, actor=Actor.agent(agent), body_text="Revisando")
    services.change_status(case=case, status=Status.WAITING_CUSTOMER, actor=Actor.agent(agent))
    at(mx(2026, 11, 20, 10, 0))
    assert scan() == {"breach": 0, "warning": 0}


def test_a_lost_processing_job_is_enqueued_again_by_the_sweep(at, case, monkeypatch):
    at(mx(2026, 11, 2, 12, 30))
    monkeypatch.setattr(alerts, "enqueue_on_commit", lambda *args, **kwargs: None)
    scan()
    alert = Alert.objects.get()
    assert alert.processed_at is None
    monkeypatch.undo()
    at(mx(2026, 11, 2, 12, 45))
    assert alerts.sweep_alerts(stuck_before=mx(2026, 11, 2, 12, 40)) == 1
    settle()
    alert.refresh_from_db()
    assert alert.processed_at is not None
