"""Events raised in another process reach the sockets: the channel layer crosses processes.

Embedded default: channels-lite keeps messages in the SQLite file every process opens (pytest's
test database is a file for this). Production: channels-redis, against PostgreSQL. The other
process is the real ``atiende`` command (``atiende shell``, tasks eager: the dispatch job runs in
it, as it would in a worker), and, the other way round, a real uvicorn serving ``atiende.asgi``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings

from atiende.cases import services
from atiende.core.actors import Actor
from atiende.live.layers import channel_layers
from tests.factories.cases import make_case
from tests.live.conftest import next_of_type, watching
from tests.production.conftest import (
    atiende,
    broker_error,
    free_port,
    processes,
    production_env,
    redis_url,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ASSIGN = """
from atiende.accounts.models import User
from atiende.cases import services
from atiende.cases.models import Case
from atiende.core.actors import Actor
case = Case.objects.get(folio={folio!r})
assignee = User.objects.get(pk={user})
services.assign_case(case=case, actor=Actor.system("otro proceso"), assignee=assignee)
"""


def database_url() -> str:
    """pytest-django's test database, as a URL for the other processes."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    credentials = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    return f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def other_process_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return production_env(
        tmp_path / "data",
        ATIENDE_DATABASE_URL=database_url(),
        ATIENDE_TASKS_EAGER="true",
        ATIENDE_SECRET_KEY=settings.SECRET_KEY,  # the same sessions are valid there
        **extra,
    )


def assign_in_another_process(env: dict[str, str], folio: str, user_id: int) -> None:
    subprocess.run(
        atiende("shell", "-c", ASSIGN.format(folio=folio, user=user_id)),
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )


def an_event_from_another_process_reaches_the_socket(tmp_path, agent, team, **extra) -> dict:
    case = make_case(team=team)
    env = other_process_env(tmp_path, **extra)

    async def scenario():
        socket = await watching(agent, case.folio)
        # In a thread of its own: this thread keeps polling the layer meanwhile.
        await sync_to_async(assign_in_another_process, thread_sensitive=False)(
            env, case.folio, agent.pk
        )
        while (message := await next_of_type(socket, "event", timeout=30))["kind"] != "assigned":
            pass
        await socket.disconnect()
        return message

    return async_to_sync(scenario)()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded default runs on SQLite")
def test_an_event_committed_by_another_process_reaches_the_socket_on_sqlite(tmp_path, agent, team):
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_lite")
    message = an_event_from_another_process_reaches_the_socket(tmp_path, agent, team)
    assert message["user"] == agent.pk and message["team"] == team.pk


@pytest.mark.production
def test_an_event_committed_by_another_process_reaches_the_socket_through_redis(
    tmp_path, agent, team
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with ATIENDE_DATABASE_URL=postgres://…/atiende")
    error = broker_error(redis_url())
    if error:
        pytest.skip(f"Redis not reachable at {redis_url()} ({error})")
    with override_settings(CHANNEL_LAYERS=channel_layers("postgresql", redis_url())):
        message = an_event_from_another_process_reaches_the_socket(
            tmp_path, agent, team, ATIENDE_REDIS_URL=redis_url()
        )
    assert message["user"] == agent.pk


def test_a_commit_in_this_process_reaches_a_browser_on_the_real_asgi_server(
    tmp_path, agent, supervisor, team
):
    """The production path: a web process commits, uvicorn (another process) holds the socket."""
    from websockets.sync.client import connect

    if connection.vendor != "sqlite" and broker_error(redis_url()):
        pytest.skip("needs Redis next to PostgreSQL")
    case = make_case(team=team)
    client = Client()
    client.force_login(agent)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    port = free_port()
    extra = {} if connection.vendor == "sqlite" else {"ATIENDE_REDIS_URL": redis_url()}
    layers = channel_layers(connection.settings_dict["ENGINE"], extra.get("ATIENDE_REDIS_URL", ""))
    argv = [sys.executable, "-m", "uvicorn", "atiende.asgi:application", "--lifespan", "off"]
    with processes(tmp_path) as start, override_settings(CHANNEL_LAYERS=layers):
        env = other_process_env(tmp_path, **extra)
        server = start("uvicorn", [*argv, "--port", str(port)], env)
        server.wait_for_log("Uvicorn running")
        with connect(
            f"ws://127.0.0.1:{port}/ws/console/",
            origin=f"http://127.0.0.1:{port - 1}",  # the page came from gunicorn's port
            additional_headers={"Cookie": cookie},
            open_timeout=20,
        ) as socket:
            assert json.loads(socket.recv(timeout=20)) == {"type": "hello", "user_id": agent.pk}
            socket.send(json.dumps({"watch_case": case.folio}))
            assert json.loads(socket.recv(timeout=20))["type"] == "watching"
            services.assign_case(case=case, actor=Actor.agent(supervisor), assignee=agent)
            message = next_event(socket, "assigned")
    assert message["case"] == case.folio and message["user"] == agent.pk


def next_event(socket, kind: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            message = json.loads(socket.recv(timeout=1))
        except TimeoutError:
            continue
        if message.get("type") == "event" and message.get("kind") == kind:
            return message
    raise AssertionError(f"no {kind!r} event on the socket within {timeout:.0f}s")
