"""ASGI entry point: WebSockets (Django Channels) and, for completeness, HTTP.

`atiende serve` sends HTTP to gunicorn (WSGI) and runs this application under uvicorn for the
console's WebSocket (``/ws/console/``, atiende/live). HTTP also works here (tests, a single-port
deployment), through Django's own ASGI handler. WebSockets need a signed-in session (the cookie
of the console) and an Origin whose host is in ALLOWED_HOSTS, whatever its port.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")
# Django first: the routing imports models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from atiende.core.memory import tune_garbage_collector  # noqa: E402
from atiende.live.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
tune_garbage_collector()
