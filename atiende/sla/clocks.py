"""The clocks of a case: started, paused, resumed, recomputed, met and stopped.

Called by the dispatch consumer (``sla.consumer``) with the instant of the event that caused the
change, never with "now": a redelivered or late job computes the same times. Each change ends in
``cases.services.record_due_times``, which stores the due times on the case with an event.

Time used is counted per segment: a pause closes the running segment (``consumed_s`` grows by
the time measured in that segment); a resume opens a new one from which the remaining time is
added. A policy or calendar change measures the past in the old terms and the rest in the new.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from atiende.cases import services as cases
from atiende.cases.models import Case, Status
from atiende.core.actors import Actor
from atiende.sla.calendars import clock_for
from atiende.sla.models import (
    OPEN_CLOCK_STATES,
    CaseServiceLevel,
    Clock,
    ClockState,
    Policy,
    Target,
    TargetKind,
)
from atiende.sla.policies import CaseFacts, match_policy

ACTOR = Actor.system("niveles de servicio")

#: While the case waits on the customer or a third party its clocks are paused (SL3).
WAITING_STATUSES = frozenset({Status.WAITING_CUSTOMER, Status.WAITING_THIRD_PARTY})

#: Kinds whose clock starts with the case; next response starts on a customer message.
STARTS_WITH_CASE = (TargetKind.FIRST_RESPONSE, TargetKind.RESOLUTION, TargetKind.HANDOFF)


# --- arithmetic of one clock ---------------------------------------------------------------------


def measure(clock: Clock, start: datetime, end: datetime) -> float:
    """Seconds of the clock's own time (business or calendar) between two instants."""
    if end <= start:
        return 0.0
    if clock.business_time:
        return clock_for(clock.calendar).elapsed(start, end).total_seconds()
    return (end - start).total_seconds()


def advance(clock: Clock, start: datetime, seconds: float) -> datetime:
    if clock.business_time:
        return clock_for(clock.calendar).add(start, timedelta(seconds=max(seconds, 0)))
    return start + timedelta(seconds=max(seconds, 0))


def schedule(clock: Clock) -> None:
    """Set ``due_at`` and ``warn_at`` of a running clock from its segment and time used."""
    if clock.kind == TargetKind.REGISTRATION or clock.seconds is None:
        clock.due_at = clock_for(clock.calendar).end_of_business_day(clock.started_at)
        clock.warn_at = None
        return
    assert clock.segment_start is not None
    clock.due_at = advance(clock, clock.segment_start, clock.seconds - clock.consumed_s)
    threshold = clock.seconds * clock.policy.warn_percent / 100
    clock.warn_at = advance(clock, clock.segment_start, threshold - clock.consumed_s)


def _close_segment(clock: Clock, at: datetime) -> None:
    if clock.state == ClockState.RUNNING and clock.segment_start is not None:
        clock.consumed_s += measure(clock, clock.segment_start, max(at, clock.segment_start))
        clock.segment_start = max(at, clock.segment_start)


def _new_clock(case: Case, target: Target, policy: Policy, start: datetime) -> Clock:
    clock = Clock(
        case=case,
        kind=target.kind,
        policy=policy,
        calendar=policy.calendar,
        seconds=target.seconds,
        business_time=target.business_time,
        state=ClockState.RUNNING,
        started_at=start,
        segment_start=start,
    )
    schedule(clock)
    return clock


def _start(policy: Policy, at: datetime) -> datetime:
    """CH10: a clock started after hours starts at the next business moment."""
    return clock_for(policy.calendar).next_business_moment(at)


def _target(policy: Policy | None, kind: str) -> Target | None:
    if policy is None:
        return None
    return next((t for t in policy.targets.all() if t.kind == kind), None)


def _open(case: Case) -> dict[str, Clock]:
    clocks = Clock.objects.select_for_update().filter(case=case, state__in=OPEN_CLOCK_STATES)
    return {c.kind: c for c in clocks.select_related("policy", "calendar")}


def _meet(clock: Clock, at: datetime) -> None:
    if clock.state == ClockState.RUNNING:
        _close_segment(clock, at)
    elif clock.state == ClockState.PAUSED:
        _end_pause(clock, at)
    clock.state, clock.met_at = ClockState.MET, at
    if clock.due_at and at > clock.due_at and clock.breached_at is None:
        clock.breached_at = clock.due_at  # met late before any scan saw it: still a breach


def _stop(clock: Clock, at: datetime) -> None:
    if clock.state == ClockState.PAUSED:
        _end_pause(clock, at)
    clock.state, clock.stopped_at = ClockState.STOPPED, at


def _end_pause(clock: Clock, at: datetime) -> None:
    if clock.pauses and clock.pauses[-1][1] is None:
        clock.pauses[-1][1] = at.isoformat()
    clock.paused_at = None


def _save(clocks: Iterable[Clock]) -> None:
    for clock in clocks:
        clock.save()


# --- what happens to a case ----------------------------------------------------------------------


@transaction.atomic
def start_clocks(case: Case, at: datetime) -> list[Clock]:
    """The case was registered: match its policy and start a clock per target (CH10, SL3)."""
    case = Case.objects.select_related("customer").get(pk=case.pk)
    if CaseServiceLevel.objects.filter(case=case).exists():
        return []
    policy = match_policy(CaseFacts.of(case))
    # A promise made before the clocks started (an agent's) is kept.
    CaseServiceLevel.objects.create(
        case=case, policy=policy, matched_at=at, promise_from_policy=case.promise_at is None
    )
    if policy is None:
        return []
    start = _start(policy, case.received_at)
    created: list[Clock] = []
    for target in policy.targets.all():
        if target.kind == TargetKind.REGISTRATION:
            clock = _new_clock(case, target, policy, case.received_at)
            _meet(clock, max(case.registered_at, case.received_at))
        elif target.kind in STARTS_WITH_CASE:
            clock = _new_clock(case, target, policy, start)
            if target.kind == TargetKind.FIRST_RESPONSE and case.first_response_at:
                _meet(clock, case.first_response_at)
        else:
            continue
        created.append(clock)
    _save(created)
    detail: dict[str, Any] = {
        "policy": policy.name,
        "calendar": policy.calendar.name,
        "start": start.isoformat(),
    }
    if start != case.received_at:
        detail["after_hours"] = True
    sync_case(case, "started", detail)
    return created


@transaction.atomic
def pause(case: Case, at: datetime, reason: str) -> int:
    """Waiting on the customer or a third party: stop counting, keep the time used."""
    paused = []
    for clock in _open(case).values():
        if clock.state != ClockState.RUNNING or clock.kind == TargetKind.REGISTRATION:
            continue
        _close_segment(clock, at)
        clock.state, clock.paused_at = ClockState.PAUSED, at
        clock.pauses = [*clock.pauses, [at.isoformat(), None]]
        clock.due_at = clock.warn_at = None
        paused.append(clock)
    _save(paused)
    if paused:
        sync_case(case, "paused", {"reason": reason})
    return len(paused)


@transaction.atomic
def resume(case: Case, at: datetime) -> int:
    """Back to work: a new segment with the remaining time, from the next business moment."""
    resumed = []
    for clock in _open(case).values():
        if clock.state != ClockState.PAUSED:
            continue
        _end_pause(clock, at)
        clock.state, clock.segment_start = ClockState.RUNNING, at
        schedule(clock)
        resumed.append(clock)
    _save(resumed)
    if resumed:
        sync_case(case, "resumed", {})
    return len(resumed)


@transaction.atomic
def meet(case: Case, kinds: Iterable[str], at: datetime, change: str) -> int:
    met = [c for kind, c in _open(case).items() if kind in set(kinds)]
    for clock in met:
        _meet(clock, at)
    _save(met)
    if met:
        sync_case(case, change, {"met": sorted(c.kind for c in met)})
    return len(met)


@transaction.atomic
def stop_all(case: Case, at: datetime, change: str) -> int:
    stopped = list(_open(case).values())
    for clock in stopped:
        _stop(clock, at)
    _save(stopped)
    if stopped:
        sync_case(case, change, {"stopped": sorted(c.kind for c in stopped)})
    return len(stopped)


@transaction.atomic
def start_next_response(case: Case, at: datetime) -> Clock | None:
    """A customer message after the first answer: the desk owes another one (next response)."""
    level = CaseServiceLevel.objects.select_related("policy__calendar").filter(case=case).first()
    target = _target(level.policy if level else None, TargetKind.NEXT_RESPONSE)
    open_clocks = _open(case)
    if (
        target is None
        or level is None
        or level.policy is None
        or TargetKind.NEXT_RESPONSE in open_clocks
        or TargetKind.FIRST_RESPONSE in open_clocks
    ):
        return None
    clock = _new_clock(case, target, level.policy, _start(level.policy, at))
    if case.status in WAITING_STATUSES:
        # Started while waiting (a message that did not change the status): pause at once.
        clock.state, clock.paused_at, clock.due_at, clock.warn_at = (
            ClockState.PAUSED, at, None, None,
        )  # fmt: skip
        clock.pauses = [[at.isoformat(), None]]
    clock.save()
    sync_case(case, "next_response_started", {})
    return clock


@transaction.atomic
def reopen(case: Case, at: datetime) -> Clock | None:
    """A resolved case opened again: a new resolution clock with the policy's full time."""
    level = CaseServiceLevel.objects.select_related("policy__calendar").filter(case=case).first()
    target = _target(level.policy if level else None, TargetKind.RESOLUTION)
    if target is None or level is None or level.policy is None:
        return None
    if TargetKind.RESOLUTION in _open(case):
        return None
    clock = _new_clock(case, target, level.policy, _start(level.policy, at))
    clock.save()
    sync_case(case, "reopened", {})
    return clock


@transaction.atomic
def rematch(case: Case, at: datetime, reason: str, *, force: bool = False) -> bool:
    """Priority, type, team, customer or the policy itself changed: follow the policy that now
    matches. Time already used is kept (measured in the old terms); what remains is counted with
    the new target and calendar. Returns whether any clock changed."""
    case = Case.objects.select_related("customer").get(pk=case.pk)
    level = CaseServiceLevel.objects.select_for_update().filter(case=case).first()
    if level is None or not case.is_open:
        return False
    policy = match_policy(CaseFacts.of(case))
    clocks = _open(case)
    changed: list[Clock] = []
    for kind, clock in clocks.items():
        target = _target(policy, kind)
        if target is None or policy is None:
            _stop(clock, at)
            changed.append(clock)
            continue
        same = (
            not force
            and clock.policy_id == policy.pk
            and clock.calendar_id == policy.calendar_id
            and clock.seconds == target.seconds
            and clock.business_time == target.business_time
        )
        if same:
            continue
        _close_segment(clock, at)  # the past, measured with the old calendar and terms
        clock.policy, clock.calendar = policy, policy.calendar
        clock.seconds, clock.business_time = target.seconds, target.business_time
        if clock.state == ClockState.RUNNING:
            schedule(clock)
        changed.append(clock)
    if policy is not None:
        seen = set(Clock.objects.filter(case=case).values_list("kind", flat=True))
        for target in policy.targets.all():
            if target.kind in STARTS_WITH_CASE and target.kind not in seen:
                clock = _new_clock(case, target, policy, _start(policy, at))
                changed.append(clock)
    if level.policy_id != (policy.pk if policy else None):
        level.policy = policy
        level.save(update_fields=["policy"])
    _save(changed)
    if changed:
        detail = {"reason": reason, "policy": policy.name if policy else None}
        sync_case(case, "recomputed", detail)
    return bool(changed)


@transaction.atomic
def move_to_merged(source: Case, target: Case, at: datetime) -> None:
    """SOURCE was merged into TARGET: the customer of SOURCE still waits, so an open clock of
    SOURCE that is due sooner than TARGET's of the same kind (or that TARGET lacks) moves over;
    everything else of SOURCE stops."""
    source_clocks = _open(source)
    target_clocks = _open(target)
    moved = []
    for kind, clock in source_clocks.items():
        mine = target_clocks.get(kind)
        sooner = mine is None or (
            clock.due_at is not None and (mine.due_at is None or clock.due_at < mine.due_at)
        )
        if sooner and kind != TargetKind.REGISTRATION:
            if mine is not None:
                _stop(mine, at)
                mine.save()
            Clock.objects.filter(pk=clock.pk).update(case=target)
            moved.append(kind)
    if not stop_all(source, at, "merged") and moved:
        sync_case(source, "merged", {"moved_to": target.folio})
    if moved:
        sync_case(target, "absorbed", {"moved": sorted(moved), "from": source.folio})


# --- the case's copy of its due times, and the promise -------------------------------------------


def sync_case(case: Case, change: str, detail: dict[str, Any]) -> None:
    """Write the case's due columns (with the SLA_CHANGED event) and keep a policy promise."""
    running = Clock.objects.filter(case=case, state=ClockState.RUNNING).exclude(
        kind=TargetKind.REGISTRATION
    )
    due = {c.kind: c.due_at for c in running}
    upcoming = [d for d in due.values() if d is not None]
    clocks = {
        c.kind: {"state": c.state, "due_at": c.due_at.isoformat() if c.due_at else None}
        for c in Clock.objects.filter(case=case).order_by("created_at", "pk")
    }
    columns: dict[str, datetime | None] = {
        "first_response_due_at": due.get(TargetKind.FIRST_RESPONSE),
        "resolution_due_at": due.get(TargetKind.RESOLUTION),
        "next_due_at": min(upcoming) if upcoming else None,
    }
    # SL5: the promise follows the policy's resolution time until an agent commits to one.
    resolution = due.get(TargetKind.RESOLUTION)
    level = CaseServiceLevel.objects.filter(case=case).first()
    if resolution is not None and level is not None and level.promise_from_policy:
        columns["promise_at"] = resolution
        detail = {**detail, "promise": _("resolución de la política «%(p)s»") % {"p": level.policy}}
    cases.record_due_times(
        case=case,
        actor=ACTOR,
        change=change,
        due=columns,
        detail={**detail, "clocks": clocks},
    )
