"""WebSocket routes of the ASGI application."""

from typing import Any

from django.urls import path

from atiende.live.consumers import ConsoleConsumer

# django-stubs types path() for views only; Channels routes consumers with it.
websocket_urlpatterns: list[Any] = [
    path("ws/console/", ConsoleConsumer.as_asgi()),  # type: ignore[arg-type]
]
