"""Warnings and breaches: the periodic scan that fires them, and the job that acts on them.

The scan (``sla.scan``, on beat) finds due clocks through two partial indexes (running clocks
not yet breached, by ``due_at``; not yet warned, by ``warn_at``) and claims them with ONE
conditional UPDATE per batch (``breached_at IS NULL`` / ``warned_at IS NULL``, ``FOR UPDATE
SKIP LOCKED`` on PostgreSQL, where the same statement inserts the alerts). Only the worker
whose UPDATE changed a row writes its ``Alert`` and its case event, in the same transaction, so
each alert fires exactly once whatever the number of workers, a lost job or a restart. No
per-case arithmetic runs in the scan, so one odd case cannot make it fail.

People are told, and breach actions applied, afterwards by ``sla.process_alerts`` (claiming each
alert by ``processed_at IS NULL``); e-mails leave from their own job.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from atiende.accounts.models import Role, User
from atiende.cases import services as cases
from atiende.cases.events import record_events_bulk
from atiende.cases.models import Case, Priority, Verb
from atiende.core.tasks import enqueue_on_commit
from atiende.notifications.services import notify
from atiende.sla.calendars import clock_for
from atiende.sla.clocks import ACTOR
from atiende.sla.models import Alert, AlertKind, CaseServiceLevel, Clock, Target, TargetKind

PROCESS_TASK = "sla.process_alerts"
SCAN_TASK = "sla.scan"
#: Alerts handed to one processing job.
JOB_SIZE = 100

logger = logging.getLogger(__name__)

#: Per alert kind: the claiming assignment, the "due and not yet fired" condition (the
#: predicate of its partial index), and the index's column.
_CLAIM: dict[str, tuple[str, str, str]] = {
    AlertKind.BREACH: (
        "breached_at = due_at",
        "state = 'running' AND breached_at IS NULL AND due_at <= %s",
        "due_at",
    ),
    AlertKind.WARNING: (
        "warned_at = warn_at",
        "state = 'running' AND warned_at IS NULL AND breached_at IS NULL AND warn_at <= %s "
        "AND due_at > %s",
        "warn_at",
    ),
}

#: (alert id, case id, target kind, instant of the warning or breach)
Fired = tuple[int, int, str, datetime]


def scan(now: datetime | None = None, *, batch: int = 5000, limit: int = 50000) -> dict[str, int]:
    """One tick: fire every breach, then every warning, due by NOW (at most LIMIT of each)."""
    now = now or timezone.now()
    fired = {AlertKind.BREACH.value: 0, AlertKind.WARNING.value: 0}
    claim = _claim_postgresql if connection.vendor == "postgresql" else _claim_portable
    for kind in (AlertKind.BREACH, AlertKind.WARNING):
        while fired[kind] < limit:
            with transaction.atomic():
                alerts = claim(kind, now, min(batch, limit - fired[kind]))
                if not alerts:
                    break
                _record(kind, alerts)
            fired[kind] += len(alerts)
    return fired


def _claim_postgresql(kind: str, now: datetime, batch: int) -> list[Fired]:
    """Claim up to BATCH due clocks and write their alerts in ONE statement. The ids are locked
    with SKIP LOCKED (a concurrent scan takes others), then the UPDATE repeats the condition, so
    a row another scan changed meanwhile is left alone; only rows THIS statement changed get an
    alert."""
    assignment, condition, order = _CLAIM[kind]
    params: list[Any] = [now] * condition.count("%s")
    instant = assignment.split(" = ")[0]
    sql = f"""
        WITH claimed AS (
            UPDATE sla_clock SET {assignment}
            WHERE id = ANY(ARRAY(
                SELECT id FROM sla_clock WHERE {condition}
                ORDER BY {order} LIMIT %s FOR UPDATE SKIP LOCKED))
              AND {condition}
            RETURNING id, case_id, kind, {instant} AS at),
        alerts AS (
            INSERT INTO sla_alert (clock_id, case_id, kind, fired_at, outcome)
            SELECT id, case_id, %s, %s, '{{}}'::jsonb FROM claimed
            RETURNING id, clock_id)
        SELECT alerts.id, claimed.case_id, claimed.kind, claimed.at
        FROM alerts JOIN claimed ON claimed.id = alerts.clock_id"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, batch, *params, kind, now])
        return [(row[0], row[1], row[2], row[3]) for row in cursor.fetchall()]


def _claim_portable(kind: str, now: datetime, batch: int) -> list[Fired]:
    """The same claim for SQLite (one writer at a time): UPDATE … RETURNING, then the alerts."""
    assignment, condition, order = _CLAIM[kind]
    params: list[Any] = [now] * condition.count("%s")
    instant = assignment.split(" = ")[0]
    sql = (
        f"UPDATE sla_clock SET {assignment} WHERE id IN "
        f"(SELECT id FROM sla_clock WHERE {condition} ORDER BY {order} LIMIT %s) "
        f"AND {condition} RETURNING id, case_id, kind"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, batch, *params])
        claimed = cursor.fetchall()
    if not claimed:
        return []
    at = dict(Clock.objects.filter(pk__in=[row[0] for row in claimed]).values_list("pk", instant))
    alerts = Alert.objects.bulk_create(
        [Alert(clock_id=clock, case_id=case, kind=kind, fired_at=now) for clock, case, _ in claimed]
    )
    return [
        (alert.pk, case, target, at[clock])
        for alert, (clock, case, target) in zip(alerts, claimed, strict=True)
    ]


def _record(kind: str, alerts: list[Fired]) -> None:
    """The case events of the alerts, and their processing jobs (after commit)."""
    verb = Verb.SLA_BREACHED if kind == AlertKind.BREACH else Verb.SLA_WARNING
    record_events_bulk(
        verb,
        ACTOR,
        [(case, {"target": target, "at": at.isoformat()}) for _a, case, target, at in alerts],
    )
    ids = [alert for alert, *_ in alerts]
    for start in range(0, len(ids), JOB_SIZE):
        enqueue_on_commit(PROCESS_TASK, ids[start : start + JOB_SIZE])


# --- acting on an alert --------------------------------------------------------------------------


def process_alerts(ids: list[int]) -> dict[str, int]:
    """Notify and act on each alert once; a failing alert is recorded and does not stop the rest."""
    counts = {"done": 0, "skipped": 0, "failed": 0}
    for pk in ids:
        with transaction.atomic():
            if not Alert.objects.filter(pk=pk, processed_at__isnull=True).update(
                processed_at=timezone.now()
            ):
                counts["skipped"] += 1
                continue
            alert = Alert.objects.select_related(
                "clock__policy", "clock__calendar", "case__team__lead", "case__assignee"
            ).get(pk=pk)
            try:
                with transaction.atomic():
                    outcome = _act(alert)
                counts["done"] += 1
            except Exception as exc:
                logger.exception("SLA alert %s could not be processed", pk)
                outcome = {"error": f"{type(exc).__name__}: {exc}"[:500]}
                counts["failed"] += 1
            Alert.objects.filter(pk=pk).update(outcome=outcome)
    return counts


def _act(alert: Alert) -> dict[str, Any]:
    clock, case = alert.clock, alert.case
    target = Target.objects.filter(policy=clock.policy, kind=clock.kind).first()
    label = TargetKind(clock.kind).label
    # The instant the alert was about (the clock may have been paused or met since).
    instant = clock.breached_at if alert.kind == AlertKind.BREACH else clock.due_at
    when = date_format(timezone.localtime(instant), "DATETIME_FORMAT") if instant else "—"
    outcome: dict[str, Any] = {}
    if alert.kind == AlertKind.WARNING:
        title = _("Por vencer: %(t)s del caso %(f)s") % {"t": label, "f": case.folio}
        body = _("El plazo de %(t)s vence el %(w)s.") % {"t": label, "w": when}
        people = (
            [case.assignee, _lead(case)] if case.assignee else [_lead(case), *_supervisors(case)]
        )
    else:
        title = _("Vencido: %(t)s del caso %(f)s") % {"t": label, "f": case.folio}
        body = _("El plazo de %(t)s venció el %(w)s.") % {"t": label, "w": when}
        people = [case.assignee, _lead(case), *_supervisors(case)]
    present = [person for person in people if person is not None]
    rows = notify(present, kind=f"sla_{alert.kind}", title=title, body=body, case=case)
    outcome["notified"] = [n.user.pk for n in rows]
    if alert.kind == AlertKind.BREACH and target is not None and case.is_open:
        outcome |= _breach_actions(case, clock, target)
    return outcome


def _lead(case: Case) -> User | None:
    return case.team.lead if case.team else None


def _supervisors(case: Case) -> list[User]:
    supervisors = User.objects.filter(role=Role.SUPERVISOR, is_active=True)
    if case.team_id:
        supervisors = supervisors.filter(teams=case.team_id)
    return list(supervisors)


def _managers() -> list[User]:
    return list(User.objects.filter(role=Role.OPERATIONS_MANAGER, is_active=True))


PRIORITY_UP = {
    Priority.LOW: Priority.NORMAL,
    Priority.NORMAL: Priority.HIGH,
    Priority.HIGH: Priority.URGENT,
}


def _breach_actions(case: Case, clock: Clock, target: Target) -> dict[str, Any]:
    done: dict[str, Any] = {}
    label = str(TargetKind(clock.kind).label)
    if target.raise_priority and case.priority in PRIORITY_UP:
        case = cases.update_case_fields(
            case=case, actor=ACTOR, priority=PRIORITY_UP[Priority(case.priority)]
        )
        done["priority"] = case.priority
    if target.reassign_team_id and target.reassign_team_id != case.team_id:
        case = cases.assign_case(case=case, actor=ACTOR, assignee=None, team=target.reassign_team)
        done["team"] = target.reassign_team_id
    if target.escalate_to > case.escalation_level:
        done |= escalate_for_breach(case, clock, target.escalate_to, label)
    return done


def escalate_for_breach(case: Case, clock: Clock, level: int, label: str) -> dict[str, Any]:
    """RT8: escalate to L2 (the team's supervisors) or L3 (operations managers), tell them, and
    tell the customer, with an estimated time: the policy's resolution time counted from now."""
    reason = _("Venció el plazo de %(t)s.") % {"t": label}
    case = cases.escalate_case(case=case, level=level, reason=reason, actor=ACTOR)
    people = _supervisors(case) if level == 2 else _managers()
    notify(
        people,
        kind="sla_escalation",
        title=_("Caso %(f)s escalado a N%(n)s") % {"f": case.folio, "n": level},
        body=reason,
        case=case,
    )
    resolution = Target.objects.filter(policy=clock.policy, kind=TargetKind.RESOLUTION).first()
    now = timezone.now()
    if resolution is not None and resolution.seconds:
        span = timedelta(seconds=resolution.seconds)
        business = clock_for(clock.calendar)
        estimate = business.add(now, span) if resolution.business_time else now + span
    else:
        estimate = clock_for(clock.calendar).end_of_business_day(now + timedelta(days=1))
    CaseServiceLevel.objects.filter(case=case).update(promise_from_policy=False)
    case = cases.set_promise(
        case=case,
        promise_at=estimate,
        reason=_("Escalamiento a N%(n)s") % {"n": level},
        actor=ACTOR,
    )
    local = date_format(
        timezone.localtime(estimate, clock_for(clock.calendar).zone), "DATETIME_FORMAT"
    )
    level_name = _("un supervisor") if level == 2 else _("la gerencia de operaciones")
    cases.add_outbound_message(
        case=case,
        actor=ACTOR,
        body_text=_(
            "Su caso %(f)s fue escalado a %(who)s para darle prioridad. "
            "Le daremos una respuesta a más tardar el %(when)s."
        )
        % {"f": case.folio, "who": level_name, "when": local},
    )
    return {
        "escalated_to": level,
        "estimate": estimate.isoformat(),
        "notified_level": [u.pk for u in people],
    }


def sweep_alerts(*, stuck_before: datetime) -> int:
    """Alerts fired but never processed (their job was lost): enqueue their job again."""
    ids = list(
        Alert.objects.filter(processed_at__isnull=True, fired_at__lt=stuck_before)
        .order_by("fired_at")
        .values_list("pk", flat=True)[:1000]
    )
    with transaction.atomic():
        for start in range(0, len(ids), JOB_SIZE):
            enqueue_on_commit(PROCESS_TASK, ids[start : start + JOB_SIZE])
    return len(ids)
