"""Committed case events and new notifications reach the sockets that should see them."""

from __future__ import annotations

import logging

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from atiende.accounts.models import Role
from atiende.cases import services
from atiende.core.actors import Actor
from atiende.live import groups, push
from atiende.notifications.services import notify
from tests.factories.accounts import UserFactory
from tests.factories.cases import make_case
from tests.live.conftest import connected, next_of_type, watching

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


async def event_of_kind(socket, kind: str) -> dict:
    while True:
        message = await next_of_type(socket, "event")
        if message["kind"] == kind:
            return message


def test_an_assignment_reaches_the_case_page_the_team_and_the_desk_but_no_one_else(
    agent, supervisor, team, other_team
):
    case = make_case(team=team)
    manager = UserFactory(role=Role.OPERATIONS_MANAGER)
    stranger = UserFactory(username="otro", teams=[other_team])

    def assign():
        services.assign_case(case=case, actor=Actor.agent(supervisor), assignee=agent)

    async def scenario():
        on_case_page = await watching(agent, case.folio)
        teammate = await connected(supervisor)
        desk = await connected(manager)
        outsider = await connected(stranger)
        await sync_to_async(assign)()  # commits in this process; the dispatch job runs eagerly
        received = [await event_of_kind(s, "assigned") for s in (on_case_page, teammate, desk)]
        nothing = await outsider.receive_nothing(timeout=1)
        for socket in (on_case_page, teammate, desk, outsider):
            await socket.disconnect()
        return received, nothing

    received, nothing = async_to_sync(scenario)()
    assert nothing
    for message in received:
        assert {k: message[k] for k in ("case", "team", "user")} == {
            "case": case.folio,
            "team": team.pk,
            "user": agent.pk,
        }
    assert received[0]["text"] == f"Caso {case.folio}: Asignado"


def test_each_socket_gets_an_event_once_though_it_is_in_several_of_its_groups(
    agent, supervisor, team
):
    case = make_case(team=team)
    services.assign_case(case=case, actor=Actor.agent(supervisor), assignee=agent)

    def add_note():
        services.add_note(case=case, body="Llamar mañana", actor=Actor.agent(supervisor))

    async def scenario():
        socket = await watching(agent, case.folio)  # case, team and user groups: three routes
        await sync_to_async(add_note)()
        first = await event_of_kind(socket, "note_added")
        again = await socket.receive_nothing(timeout=1)
        await socket.disconnect()
        return first, again

    first, again = async_to_sync(scenario)()
    assert first["case"] == case.folio and again


def test_a_move_reaches_the_previous_assignee_and_the_previous_team(
    agent, supervisor, team, other_team, system
):
    case = make_case(team=team)
    services.assign_case(case=case, actor=system, assignee=agent)
    newcomer = UserFactory(username="nuevo", teams=[other_team])

    def move():
        services.assign_case(case=case, actor=system, assignee=newcomer, team=other_team)

    async def scenario():
        previous_assignee = await connected(agent)  # no longer sees the case: still told
        previous_team = await connected(supervisor)
        await sync_to_async(move)()
        assigned = await event_of_kind(previous_assignee, "assigned")
        moved = await event_of_kind(previous_team, "team_changed")
        await previous_assignee.disconnect()
        await previous_team.disconnect()
        return assigned, moved

    assigned, moved = async_to_sync(scenario)()
    assert assigned["user"] == newcomer.pk and assigned["users"] == sorted([agent.pk, newcomer.pk])
    assert moved["team"] == other_team.pk and sorted(moved["teams"]) == sorted(
        [team.pk, other_team.pk]
    )


def test_a_new_notification_reaches_its_user_with_the_unread_count(agent, team):
    case = make_case(team=team)

    def notify_twice():
        with transaction.atomic():
            notify([agent], kind="sla_warning", title="Vence pronto el caso")
        with transaction.atomic():
            notify([agent], kind="sla_breached", title="Plazo vencido", case=case)

    async def scenario():
        socket = await connected(agent)
        await sync_to_async(notify_twice)()
        first = await next_of_type(socket, "notification")
        second = await next_of_type(socket, "notification")
        await socket.disconnect()
        return first, second

    first, second = async_to_sync(scenario)()
    assert (first["title"], first["unread"], first["url"]) == (
        "Vence pronto el caso",
        1,
        reverse("web:notifications"),
    )
    assert (second["unread"], second["url"]) == (2, reverse("web:case", args=[case.folio]))


def test_a_broken_channel_layer_never_breaks_a_service_call(agent, supervisor, team, caplog):
    case = make_case(team=team)
    dead_redis = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:9", "socket_connect_timeout": 1}]},
        }
    }
    with override_settings(CHANNEL_LAYERS=dead_redis), caplog.at_level(logging.WARNING):
        services.assign_case(case=case, actor=Actor.agent(supervisor), assignee=agent)
        notify([agent], kind="sla_warning", title="Vence pronto")

    case.refresh_from_db()
    assert case.assignee == agent
    assert any("live: push of live.event failed" in r.getMessage() for r in caplog.records)


def test_a_push_from_a_thread_that_runs_an_event_loop_is_delivered(agent, caplog):
    """Sync code inside async code (a test driving Playwright's sync API, say) still pushes."""
    message = {"type": "live.notification", "id": 1, "title": "Hola", "url": "", "unread": 1}

    async def scenario():
        socket = await connected(agent)
        pushed = push.send([groups.user_group(agent.pk)], message)  # sync, in the loop's thread
        received = await next_of_type(socket, "notification")
        await socket.disconnect()
        return pushed, received

    with caplog.at_level(logging.WARNING, logger="atiende.live.push"):
        pushed, received = async_to_sync(scenario)()
    assert pushed and received["title"] == "Hola" and received["unread"] == 1
    assert not caplog.records


def test_an_agents_availability_reaches_their_teams_boards_but_no_one_else(
    agent, supervisor, team, other_team
):
    from atiende.accounts.services import set_availability

    stranger = UserFactory(username="otro", teams=[other_team])

    def go_available():
        set_availability(user=agent, availability="available", actor=Actor.agent(agent))

    async def scenario():
        board = await connected(supervisor)
        outsider = await connected(stranger)
        await sync_to_async(go_available)()
        received = await event_of_kind(board, "availability_changed")
        nothing = await outsider.receive_nothing(timeout=1)
        for socket in (board, outsider):
            await socket.disconnect()
        return received, nothing

    received, nothing = async_to_sync(scenario)()
    assert nothing
    assert received["teams"] == [team.pk] and received["users"] == [agent.pk]
    assert received["case"] is None and received["text"] == ""
