"""An agent's availability (RT1): set through the accounts service, every change logged."""

from __future__ import annotations

import pytest

from atiende.accounts.models import Availability, AvailabilityChange
from atiende.accounts.services import AvailabilityError, set_availability
from atiende.core.actors import Actor
from atiende.core.append_only import AppendOnlyError


def test_a_new_agent_starts_offline(agent):
    assert agent.availability == Availability.OFFLINE and agent.availability_changed_at is None


def test_a_change_is_saved_and_logged_with_who_and_when(agent):
    change = set_availability(
        user=agent, availability=Availability.AVAILABLE, actor=Actor.agent(agent)
    )
    agent.refresh_from_db()
    assert agent.availability == Availability.AVAILABLE
    assert agent.availability_changed_at == change.at
    assert (change.before, change.after, change.actor, change.actor_kind) == (
        Availability.OFFLINE,
        Availability.AVAILABLE,
        agent,
        "agent",
    )


def test_a_supervisor_may_set_it_for_someone_and_the_log_says_so(agent, supervisor):
    set_availability(user=agent, availability=Availability.PAUSED, actor=Actor.agent(supervisor))
    assert AvailabilityChange.objects.get(user=agent).actor == supervisor


def test_setting_the_same_status_again_logs_nothing(agent):
    set_availability(user=agent, availability=Availability.BUSY, actor=Actor.agent(agent))
    assert (
        set_availability(user=agent, availability=Availability.BUSY, actor=Actor.agent(agent))
        is None
    )
    assert AvailabilityChange.objects.filter(user=agent).count() == 1


def test_an_unknown_status_is_refused(agent):
    with pytest.raises(AvailabilityError, match="Disponibilidad desconocida"):
        set_availability(user=agent, availability="almorzando", actor=Actor.agent(agent))
    assert not AvailabilityChange.objects.exists()


def test_the_log_is_append_only(agent):
    change = set_availability(
        user=agent, availability=Availability.AVAILABLE, actor=Actor.agent(agent)
    )
    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        AvailabilityChange.objects.all().delete()
