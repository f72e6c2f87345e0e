"""The Celery application: the same task code runs in the embedded default and in production.

Embedded: kombu's filesystem:// transport under DATA_DIR/broker, one worker with beat in it.
Production: RabbitMQ or Redis, N prefork workers with late acks, one beat (database scheduler).
Broker-dependent options live in settings.py (CELERY_*); this module reads no settings at import.
"""

from __future__ import annotations

import os
import sys

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")

#: Separate queues so that slow work (exports, ML) can never starve intake or clocks.
#: A task named "<queue>.<name>" is routed to that queue.
QUEUES = ("default", "inbound", "outbound", "sla", "exports", "ml")

_path = list(sys.path)
app = Celery("atiende")
# Celery's Django fixup puts the working directory first on sys.path. Atiende is an installed
# package, and run from inside it that would make "channels" (Django Channels) resolve to
# atiende/channels: keep the path as it was.
sys.path[:] = _path
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_queues=[Queue(name) for name in QUEUES],
    task_default_queue="default",
    task_routes={f"{queue}.*": {"queue": queue} for queue in QUEUES if queue != "default"},
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    task_ignore_result=True,
    worker_prefetch_multiplier=1,
    beat_scheduler="django_celery_beat.schedulers:DatabaseScheduler",
    timezone="UTC",
    broker_connection_retry_on_startup=True,
)
app.autodiscover_tasks()
