from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "atiende.live"
    verbose_name = _("En vivo")

    def ready(self) -> None:
        from atiende.accounts.services import availability_changed
        from atiende.live import push
        from atiende.notifications.services import notifications_created

        notifications_created.connect(push.notifications_created, dispatch_uid="live_push")
        availability_changed.connect(push.availability_changed, dispatch_uid="live_push")
        checks.register(check_channel_layer, checks.Tags.compatibility)


def check_channel_layer(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from django.conf import settings

    return channel_layer_warnings(settings.DATABASES["default"]["ENGINE"], settings.REDIS_URL)


def channel_layer_warnings(engine: str, redis_url: str) -> list[checks.CheckMessage]:
    """PostgreSQL without ATIENDE_REDIS_URL: live updates go to a Redis on localhost, if any."""
    from atiende.live.layers import DEFAULT_REDIS_URL

    if "sqlite" in engine or redis_url:
        return []
    return [
        checks.Warning(
            f"PostgreSQL without ATIENDE_REDIS_URL: live updates use {DEFAULT_REDIS_URL}.",
            hint="Set ATIENDE_REDIS_URL to the Redis that every web, worker and ASGI process "
            "shares (docs/configuration.md).",
            id="live.W001",
        )
    ]
