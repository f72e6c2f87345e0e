"""Which Django Channels layer carries live updates between processes.

Events are raised in every process (gunicorn's web workers, Celery workers, management commands)
and must reach the WebSockets held by the ASGI server (uvicorn), another process. So the layer
must cross processes; Channels' ``InMemoryChannelLayer`` does not, and is never used here.

- **Redis** (``channels_redis.core.RedisChannelLayer``) when ``ATIENDE_REDIS_URL`` is set, or
  when the database is PostgreSQL (production): any number of ASGI and worker nodes. Without
  ``ATIENDE_REDIS_URL`` it tries ``redis://127.0.0.1:6379/0`` and the system check ``live.W001``
  says so.
- **channels-lite** (``channels_lite.layers.core.SQLiteChannelLayer``, pinned at 0.4.0) in the
  embedded default: messages and group memberships are rows of the same SQLite database (tables
  ``channels_lite_event`` / ``channels_lite_groupmembership``, created by ``atiende migrate``),
  which every process on the machine opens in WAL mode; each ASGI process polls it for its
  sockets' messages every ``POLL_SECONDS``. No extra service, one machine.

This module imports nothing from Django, so ``settings.py`` can call it.
"""

from __future__ import annotations

from typing import Any

#: Seconds between two polls of the SQLite layer by an ASGI process (the delivery delay).
POLL_SECONDS = 0.2
#: A live message not delivered within this many seconds is dropped (the page refreshes anyway
#: on the next change or reload).
EXPIRY_SECONDS = 60
#: Group memberships last this long; the consumer renews them while the socket lives.
GROUP_EXPIRY_SECONDS = 24 * 3600
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def uses_redis(database_engine: str, redis_url: str) -> bool:
    return bool(redis_url) or "sqlite" not in database_engine


def channel_layers(database_engine: str, redis_url: str) -> dict[str, Any]:
    """The ``CHANNEL_LAYERS`` setting for this database engine and Redis URL (may be empty)."""
    if uses_redis(database_engine, redis_url):
        return {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    # A dead Redis must fail a push fast (it is logged and skipped), not hang it.
                    "hosts": [
                        {"address": redis_url or DEFAULT_REDIS_URL, "socket_connect_timeout": 3}
                    ],
                    "prefix": "atiende-live",
                    "expiry": EXPIRY_SECONDS,
                    "group_expiry": GROUP_EXPIRY_SECONDS,
                },
            }
        }
    return {
        "default": {
            "BACKEND": "channels_lite.layers.core.SQLiteChannelLayer",
            "CONFIG": {
                "database": "default",
                "expiry": EXPIRY_SECONDS,
                "group_expiry": GROUP_EXPIRY_SECONDS,
                "polling_interval": POLL_SECONDS,
            },
        }
    }
