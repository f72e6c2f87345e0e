"""``live_url``: where the browser opens the console's WebSocket (``<body data-live-url>``).

``atiende serve`` runs HTTP (gunicorn) on PORT and WebSockets (uvicorn) on ATIENDE_ASGI_PORT, by
default PORT + 1, on the same host. Behind a proxy that publishes both on one origin set
ATIENDE_WS_SAME_ORIGIN; anything else, ATIENDE_WS_URL. A page served by the ASGI app itself
(tests, ``uvicorn atiende.asgi:application`` alone) uses its own origin.
"""

from __future__ import annotations

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest
from django.http.request import split_domain_port

#: Path of the console's WebSocket (atiende/live/routing.py).
WS_PATH = "/ws/console/"


def live(request: HttpRequest) -> dict[str, str]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"live_url": ""}
    return {"live_url": live_url(request)}


def live_url(request: HttpRequest) -> str:
    if settings.ATIENDE_WS_URL:
        return settings.ATIENDE_WS_URL
    scheme = "wss" if request.is_secure() else "ws"
    host = request.get_host()
    if settings.ATIENDE_WS_SAME_ORIGIN or isinstance(request, ASGIRequest):
        return f"{scheme}://{host}{WS_PATH}"
    domain, port = split_domain_port(host)
    if ":" in domain and not domain.startswith("["):  # an IPv6 literal keeps its brackets
        domain = f"[{domain}]"
    port = port or ("443" if request.is_secure() else "80")
    ws_port = settings.ATIENDE_ASGI_PORT or int(port) + 1
    return f"{scheme}://{domain}:{ws_port}{WS_PATH}"
