"""Helpers for the live tests: WebSocket communicators that sign in like a browser does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.test import Client

from atiende.asgi import application

PAGE_ORIGIN = b"http://testserver:8000"  # the page comes from gunicorn's port, not the socket's


@pytest.fixture(autouse=True)
def fresh_channel_layer() -> Iterator[None]:
    """Every test runs its sockets in a new event loop: give it a layer of its own."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def socket_for(user=None, *, origin: bytes = PAGE_ORIGIN, language: str = "es"):
    """A socket (not yet connected) from a page of ORIGIN, signed in as USER if given."""
    cookie = f"django_language={language}".encode()
    if user is not None:
        cookie += b"; " + await sync_to_async(session_cookie)(user)
    headers = [(b"origin", origin), (b"cookie", cookie)]
    return WebsocketCommunicator(application, "/ws/console/", headers=headers)


async def connected(user, **kwargs) -> WebsocketCommunicator:
    """A socket of USER, connected, past its hello."""
    socket = await socket_for(user, **kwargs)
    accepted, _ = await socket.connect()
    assert accepted
    hello = await socket.receive_json_from()
    assert hello == {"type": "hello", "user_id": user.pk}
    return socket


async def watching(user, folio: str, **kwargs) -> WebsocketCommunicator:
    socket = await connected(user, **kwargs)
    await socket.send_json_to({"watch_case": folio})
    assert await socket.receive_json_from() == {"type": "watching", "folio": folio}
    return socket


async def next_of_type(socket: WebsocketCommunicator, kind: str, timeout: float = 10) -> dict:
    """The next message of type KIND (skipping others, e.g. events of the same transaction)."""
    while True:
        message = await socket.receive_json_from(timeout=timeout)
        if message["type"] == kind:
            return message
