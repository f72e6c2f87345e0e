"""ASGI entry point: WebSockets (Django Channels) are served here; HTTP goes to the WSGI server."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")
application = get_asgi_application()
