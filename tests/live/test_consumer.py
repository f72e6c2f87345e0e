"""The console's WebSocket: who may connect, which cases a socket may follow, presence, and
the permission re-check on every ping."""

from __future__ import annotations

import os

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from atiende.accounts.models import Role
from atiende.cases import services
from atiende.core.actors import Actor
from tests.factories.accounts import UserFactory
from tests.factories.cases import make_case
from tests.live.conftest import connected, next_of_type, socket_for, watching

# The consumer reads the database from other threads (database_sync_to_async): committed data.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_it_closes_with_4401_without_a_signed_in_user(db):
    async def scenario():
        socket = await socket_for(None)
        accepted, _ = await socket.connect()
        closed = await socket.receive_output()
        await socket.wait()
        return accepted, closed

    accepted, closed = async_to_sync(scenario)()
    assert accepted and closed == {"type": "websocket.close", "code": 4401}


def test_it_closes_with_4401_for_a_deactivated_user(agent):
    async def scenario():
        socket = await socket_for(agent)
        await socket.connect()
        return await socket.receive_output()

    cookie_user = agent
    cookie_user.is_active = False
    cookie_user.save()
    assert async_to_sync(scenario)()["code"] == 4401


def test_it_refuses_a_page_from_a_host_not_allowed(agent):
    async def scenario():
        socket = await socket_for(agent, origin=b"https://atacante.example")
        return await socket.connect()

    accepted, _code = async_to_sync(scenario)()
    assert not accepted


@pytest.mark.parametrize("origin", [b"http://127.0.0.1:8000", b"http://localhost:9000"])
def test_it_accepts_the_console_page_served_on_another_port(agent, origin):
    async def scenario():
        socket = await connected(agent, origin=origin)
        await socket.disconnect()

    async_to_sync(scenario)()


def test_an_agent_follows_a_case_of_their_team_but_not_another_teams(agent, team, other_team):
    mine, theirs = make_case(team=team), make_case(team=other_team)

    async def scenario():
        socket = await watching(agent, mine.folio)
        await socket.send_json_to({"watch_case": theirs.folio})
        refused = await socket.receive_json_from()
        await socket.send_json_to({"watch_case": "NO-EXISTE"})
        unknown = await socket.receive_json_from()
        await socket.disconnect()
        return refused, unknown

    refused, unknown = async_to_sync(scenario)()
    assert refused == {"type": "error", "code": "not_found", "folio": theirs.folio}
    assert unknown == {"type": "error", "code": "not_found", "folio": "NO-EXISTE"}


def test_typing_in_a_case_out_of_sight_is_not_broadcast(agent, team, other_team):
    theirs = make_case(team=other_team)
    colleague = UserFactory(username="bruno", teams=[other_team])

    async def scenario():
        watcher = await watching(colleague, theirs.folio)
        intruder = await connected(agent)
        await intruder.send_json_to({"typing": theirs.folio, "mode": "reply"})
        refused = await intruder.receive_json_from()
        nothing = await watcher.receive_nothing(timeout=0.5)
        await watcher.disconnect()
        await intruder.disconnect()
        return refused, nothing

    refused, nothing = async_to_sync(scenario)()
    assert refused["code"] == "not_found" and nothing


def test_a_colleague_sees_who_is_replying_and_when_they_stop(agent, team):
    case = make_case(team=team)
    colleague = UserFactory(username="bruno", first_name="Bruno", teams=[team])
    agent.first_name, agent.last_name = "Ana", "Ruiz"
    agent.save()

    async def scenario():
        ana = await watching(agent, case.folio)
        bruno = await watching(colleague, case.folio)
        await ana.send_json_to({"typing": case.folio, "mode": "reply"})
        replying = await next_of_type(bruno, "presence")
        await ana.send_json_to({"typing": case.folio, "mode": "note"})
        noting = await next_of_type(bruno, "presence")
        await ana.disconnect()  # the browser closed: "stopped" on its behalf
        stopped = await next_of_type(bruno, "presence")
        await bruno.disconnect()
        return replying, noting, stopped

    replying, noting, stopped = async_to_sync(scenario)()
    assert replying == {
        "type": "presence",
        "folio": case.folio,
        "user": "Ana Ruiz",
        "user_id": agent.pk,
        "mode": "reply",
        "text": "Ana Ruiz está respondiendo",
    }
    assert noting["mode"] == "note" and noting["text"] == "Ana Ruiz está escribiendo una nota"
    assert stopped["mode"] == "stopped" and stopped["user_id"] == agent.pk


def test_repeated_typing_notices_are_broadcast_once(agent, team):
    case = make_case(team=team)
    colleague = UserFactory(username="bruno", teams=[team])

    async def scenario():
        ana = await watching(agent, case.folio)
        bruno = await watching(colleague, case.folio)
        for _ in range(5):  # a client that ignores its own throttle
            await ana.send_json_to({"typing": case.folio, "mode": "reply"})
        first = await next_of_type(bruno, "presence")
        more = await bruno.receive_nothing(timeout=0.5)
        await ana.send_json_to({"unwatch_case": case.folio})  # left the case: stopped
        stopped = await next_of_type(bruno, "presence")
        await ana.disconnect()
        await bruno.disconnect()
        return first, more, stopped

    first, more, stopped = async_to_sync(scenario)()
    assert first["mode"] == "reply" and more and stopped["mode"] == "stopped"


def test_texts_use_the_language_the_console_shows(agent):
    from atiende.live.consumers import socket_language

    english = {"cookies": {"django_language": "en"}, "headers": []}
    browser = {"cookies": {}, "headers": [(b"accept-language", b"en-US,en;q=0.9,es;q=0.5")]}
    unknown = {"cookies": {"django_language": "fr"}, "headers": []}
    assert socket_language(english, agent) == "en"
    assert socket_language(browser, agent) == "en"
    assert socket_language(unknown, agent) == agent.language == "es"


def test_a_ping_is_answered(agent):
    async def scenario():
        socket = await connected(agent)
        await socket.send_json_to({"ping": 1})
        answer = await socket.receive_json_from()
        await socket.disconnect()
        return answer

    assert async_to_sync(scenario)() == {"type": "pong"}


def test_only_desk_wide_roles_join_the_desk_group(db):
    from atiende.live.consumers import ConsoleConsumer

    manager = UserFactory(role=Role.OPERATIONS_MANAGER)
    supervisor = UserFactory(role=Role.SUPERVISOR)

    def groups_of(user):
        consumer = ConsoleConsumer()
        consumer.user = user
        return async_to_sync(consumer._home_groups)()

    assert groups_of(manager) == {f"user.{manager.pk}", "desk"}
    assert "desk" not in groups_of(supervisor)


# --- permissions are re-checked on every ping ----------------------------------------------------


async def pong_after(socket) -> list[dict]:
    """Ping; the messages the socket got up to its pong (e.g. the cases it stopped following)."""
    await socket.send_json_to({"ping": 1})
    messages = []
    while (message := await socket.receive_json_from()) != {"type": "pong"}:
        messages.append(message)
    return messages


@pytest.mark.parametrize("change", ["deactivated", "deleted"])
def test_a_socket_is_closed_with_4401_at_the_next_ping_once_its_user_is_gone(agent, change):
    def remove_user():
        if change == "deactivated":
            agent.is_active = False
            agent.save(update_fields=["is_active"])
        else:
            type(agent).objects.filter(pk=agent.pk).delete()

    async def scenario():
        socket = await connected(agent)
        await sync_to_async(remove_user)()
        await socket.send_json_to({"ping": 1})
        closed = await socket.receive_output()
        await socket.wait()
        return closed

    assert async_to_sync(scenario)() == {"type": "websocket.close", "code": 4401}


def test_a_user_removed_from_a_team_stops_getting_its_events_after_the_next_ping(
    agent, supervisor, team
):
    case = make_case(team=team)
    colleague = UserFactory(username="bruno", teams=[team])

    def add_note():
        services.add_note(case=case, body="Llamar mañana", actor=Actor.agent(supervisor))

    async def scenario():
        removed = await connected(agent)
        stays = await connected(colleague)
        await sync_to_async(agent.teams.remove)(team)
        dropped = await pong_after(removed)
        await sync_to_async(add_note)()
        delivered = await next_of_type(stays, "event")  # the event did travel to the team
        nothing = await removed.receive_nothing(timeout=1)
        await removed.disconnect()
        await stays.disconnect()
        return dropped, delivered, nothing

    dropped, delivered, nothing = async_to_sync(scenario)()
    assert dropped == [] and delivered["case"] == case.folio and nothing


def test_a_followed_case_moved_to_another_team_stops_being_delivered_after_the_next_ping(
    agent, supervisor, team, other_team
):
    case = make_case(team=team)
    newcomer = UserFactory(username="nuevo", teams=[other_team])

    def move_quietly():  # e.g. a bulk change: no event re-checks the socket's cases
        type(case).objects.filter(pk=case.pk).update(team=other_team)

    def add_note():
        moved = type(case).objects.get(pk=case.pk)
        services.add_note(case=moved, body="Llamar mañana", actor=Actor.agent(newcomer))

    async def scenario():
        socket = await watching(agent, case.folio)
        await sync_to_async(move_quietly)()
        new_team = await watching(newcomer, case.folio)
        dropped = await pong_after(socket)
        await sync_to_async(add_note)()
        delivered = await next_of_type(new_team, "event")
        nothing = await socket.receive_nothing(timeout=1)
        await socket.disconnect()
        await new_team.disconnect()
        return dropped, delivered, nothing

    dropped, delivered, nothing = async_to_sync(scenario)()
    assert dropped == [{"type": "error", "code": "not_found", "folio": case.folio}]
    assert delivered["case"] == case.folio and nothing


def test_a_ping_keeps_what_the_user_may_still_see(agent, supervisor, team):
    case = make_case(team=team)

    def add_note():
        services.add_note(case=case, body="Llamar mañana", actor=Actor.agent(supervisor))

    async def scenario():
        socket = await watching(agent, case.folio)
        dropped = await pong_after(socket)
        await sync_to_async(add_note)()
        event = await next_of_type(socket, "event")
        await socket.disconnect()
        return dropped, event

    dropped, event = async_to_sync(scenario)()
    assert dropped == [] and event["case"] == case.folio


def test_the_live_tests_run_with_djangos_async_safety_guard_on(agent):
    """Sync ORM calls from the consumer's event loop fail here, as they would in production."""
    from django.core.exceptions import SynchronousOnlyOperation

    from atiende.accounts.models import User

    async def orm_in_the_loop():
        return User.objects.get(pk=agent.pk)

    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ
    with pytest.raises(SynchronousOnlyOperation):
        async_to_sync(orm_in_the_loop)()
