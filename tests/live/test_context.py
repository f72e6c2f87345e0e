"""Where the browser opens the WebSocket (``<body data-live-url>``) and which layer carries it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.handlers.asgi import ASGIRequest
from django.test import RequestFactory
from django.urls import reverse

from atiende.live.context import live
from atiende.live.layers import channel_layers


def page_request(user, host="atiende.example:8000", secure=False):
    request = RequestFactory().get("/", HTTP_HOST=host, secure=secure)
    request.user = user
    return request


@pytest.fixture
def allow_hosts(settings):
    settings.ALLOWED_HOSTS = ["*"]


@pytest.mark.parametrize(
    ("host", "secure", "expected"),
    [
        ("atiende.example:8000", False, "ws://atiende.example:8001/ws/console/"),
        ("atiende.example", True, "wss://atiende.example:444/ws/console/"),
        ("[::1]:8000", False, "ws://[::1]:8001/ws/console/"),
    ],
)
def test_it_points_at_the_asgi_server_next_to_the_page(agent, allow_hosts, host, secure, expected):
    assert live(page_request(agent, host, secure))["live_url"] == expected


def test_it_uses_the_configured_asgi_port(agent, allow_hosts, settings):
    settings.ATIENDE_ASGI_PORT = 9100
    assert live(page_request(agent))["live_url"] == "ws://atiende.example:9100/ws/console/"


def test_a_proxy_can_publish_the_websocket_on_the_pages_origin_or_anywhere(
    agent, allow_hosts, settings
):
    settings.ATIENDE_WS_SAME_ORIGIN = True
    assert live(page_request(agent))["live_url"] == "ws://atiende.example:8000/ws/console/"
    settings.ATIENDE_WS_URL = "wss://en-vivo.example/ws/console/"
    assert live(page_request(agent))["live_url"] == "wss://en-vivo.example/ws/console/"


def test_a_page_served_by_the_asgi_app_uses_its_own_origin(agent):
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8765")],
        "server": ("127.0.0.1", 8765),
    }
    request = ASGIRequest(scope, None)
    request.user = agent
    assert live(request)["live_url"] == "ws://127.0.0.1:8765/ws/console/"


def test_nobody_signed_in_gets_no_socket(db):
    assert live(page_request(AnonymousUser(), host="localhost"))["live_url"] == ""


def test_the_console_page_carries_the_url_and_the_script(client, agent):
    client.force_login(agent)
    page = client.get(reverse("web:home"), HTTP_HOST="localhost:8000").content.decode()
    assert 'data-live-url="ws://localhost:8001/ws/console/"' in page
    assert "web/live.js" in page


def test_the_channel_layer_crosses_processes_in_every_mode():
    embedded = channel_layers("django.db.backends.sqlite3", "")["default"]
    assert embedded["BACKEND"] == "channels_lite.layers.core.SQLiteChannelLayer"
    assert embedded["CONFIG"]["database"] == "default"
    for engine, url in [
        ("django.db.backends.postgresql", "redis://cache:6379/2"),
        ("django.db.backends.sqlite3", "redis://cache:6379/2"),
    ]:
        layer = channel_layers(engine, url)["default"]
        assert layer["BACKEND"] == "channels_redis.core.RedisChannelLayer"
        assert layer["CONFIG"]["hosts"][0]["address"] == "redis://cache:6379/2"


def test_postgresql_without_redis_is_flagged():
    from atiende.live.apps import channel_layer_warnings

    assert [w.id for w in channel_layer_warnings("django.db.backends.postgresql", "")] == [
        "live.W001"
    ]
    assert channel_layer_warnings("django.db.backends.postgresql", "redis://cache:6379/1") == []
    assert channel_layer_warnings("django.db.backends.sqlite3", "") == []
