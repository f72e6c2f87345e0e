"""The list of sweeps: the periodic safety net behind every at-least-once job.

A worker killed mid-task, or a broker that lost a message (kombu's filesystem transport does, on
``kill -9``), leaves a row in an intermediate state. Every row-driven job therefore has a sweep
that finds its rows stuck for more than ``settings.ATIENDE_STUCK_AFTER_MINUTES`` and enqueues
their job again; the jobs are idempotent, so a sweep that races a slow worker costs one no-op.

``default.sweep_stuck_work`` runs every sweep here, once a minute (``CELERY_BEAT_SCHEDULE``).
Later features add theirs to ``SWEEPS`` (inbound envelopes, SLA clocks, webhook deliveries).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sweep:
    name: str
    #: "module:function", called as ``function(stuck_before=datetime)``; returns how many rows it
    #: enqueued again.
    path: str


SWEEPS: list[Sweep] = [
    Sweep("outbox", "atiende.channels.outbox:sweep_outbox"),
    Sweep("sla_alerts", "atiende.sla.alerts:sweep_alerts"),
    Sweep("notification_emails", "atiende.notifications.services:sweep_notification_emails"),
    Sweep("inbound_envelopes", "atiende.intake.services:sweep_envelopes"),
    Sweep("customer_imports", "atiende.customers.importing:sweep_imports"),
]
