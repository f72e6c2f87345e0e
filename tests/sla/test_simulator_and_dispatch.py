"""The simulator replays real cases under a draft policy; the consumer hears what it handles."""

from __future__ import annotations

import pytest

from atiende import dispatch
from atiende.cases import services
from atiende.core.actors import Actor
from atiende.sla import services as sla_services
from atiende.sla.consumer import HANDLERS
from atiende.sla.models import TargetKind
from atiende.sla.simulator import simulate
from tests.factories.cases import make_case
from tests.sla.conftest import mx

pytestmark = pytest.mark.django_db


def test_a_draft_policy_is_replayed_over_the_last_days_of_cases(at, agent, policies):
    office = policies["correo"].calendar
    at(mx(2026, 11, 2, 10, 0))
    answered_fast = make_case(channel="email", message_text="uno")
    answered_late = make_case(channel="email", message_text="dos")
    make_case(channel="email", message_text="tres")  # never answered
    make_case(channel="whatsapp", message_text="otro canal")
    at(mx(2026, 11, 2, 10, 20))
    services.add_outbound_message(case=answered_fast, actor=Actor.agent(agent), body_text="Sí")
    at(mx(2026, 11, 2, 11, 0))
    services.add_outbound_message(case=answered_late, actor=Actor.agent(agent), body_text="Sí")

    draft = sla_services.save_policy(
        name="Correo exprés (borrador)",
        calendar=office,
        position=1,
        is_active=False,
        conditions={"channels": ["email"]},
        targets=[sla_services.TargetSpec(TargetKind.FIRST_RESPONSE, 30 * 60)],
    )
    at(mx(2026, 11, 3, 9, 0))
    result = simulate(policy=draft, days=7)

    assert result["cases"] == 3
    [first] = result["targets"]
    assert (first["kind"], first["cases"], first["met"], first["breached"]) == (
        "first_response", 3, 1, 1,
    )  # fmt: skip
    assert first["open_late"] == 1
    assert first["worst_late_s"] > 30 * 60  # the unanswered one, late by hours
    assert first["breached_now"] == 0  # under the real 2-hour target nobody was late


def test_the_dispatcher_sends_the_clocks_exactly_the_verbs_they_handle():
    [consumer] = [c for c in dispatch.CONSUMERS if c.name == "sla_clocks"]
    assert consumer.verbs == frozenset(HANDLERS)
