"""The dispatch consumer of the service-level clocks: committed case events → clock changes.

Listed in ``atiende.dispatch.CONSUMERS``; it runs once per event (``ConsumerReceipt``), in the
receipt's transaction. Decisions use the event's own before/after and instant, so the order of
events (not the moment the job runs) decides the clocks.
"""

from __future__ import annotations

from django.utils.dateparse import parse_datetime

from atiende.cases.models import OPEN_STATUSES, Case, Event, Status, Verb
from atiende.core.actors import ActorKind
from atiende.sla import clocks
from atiende.sla.models import CaseServiceLevel, TargetKind

#: Changes of these fields may make another policy match.
POLICY_FIELDS = {"priority", "case_type"}


def consume(event: Event) -> None:
    handler = HANDLERS.get(Verb(event.verb)) if event.verb in Verb.values else None
    if handler is not None:
        handler(event.case, event)


def _status_changed(case: Case, event: Event) -> None:
    before = (event.before or {}).get("status")
    after = (event.after or {}).get("status")
    if after in clocks.WAITING_STATUSES:
        clocks.pause(case, event.at, after)
    elif after == Status.RESOLVED:
        kinds = [TargetKind.RESOLUTION, TargetKind.FIRST_RESPONSE, TargetKind.NEXT_RESPONSE]
        clocks.meet(case, kinds, event.at, "resolved")
        clocks.stop_all(case, event.at, "resolved")
    elif after == Status.CLOSED:
        clocks.stop_all(case, event.at, "closed")
    elif before == Status.RESOLVED and after in OPEN_STATUSES:
        clocks.reopen(case, event.at)
    elif after in OPEN_STATUSES:
        clocks.resume(case, event.at)


def _first_response(case: Case, event: Event) -> None:
    at = parse_datetime((event.after or {}).get("at") or "") or event.at
    clocks.meet(case, [TargetKind.FIRST_RESPONSE], at, "first_response")


def _reply_queued(case: Case, event: Event) -> None:
    # Only a person's reply answers the customer (an automatic acknowledgement does not).
    if event.actor_id is not None and event.actor_kind in (ActorKind.AGENT, ActorKind.API):
        clocks.meet(case, [TargetKind.NEXT_RESPONSE], event.at, "next_response")


def _message_received(case: Case, event: Event) -> None:
    case.refresh_from_db(fields=["status"])
    if case.status in OPEN_STATUSES:
        clocks.start_next_response(case, event.at)


def _fields_changed(case: Case, event: Event) -> None:
    changed = set(event.after or {}) & POLICY_FIELDS
    if changed:
        clocks.rematch(case, event.at, ", ".join(sorted(changed)))


def _team_changed(case: Case, event: Event) -> None:
    team = (event.after or {}).get("team")
    before = (event.before or {}).get("team")
    if team == before:
        return
    level = CaseServiceLevel.objects.select_related("policy").filter(case=case).first()
    if level and level.policy:
        handoff = level.policy.targets.filter(kind=TargetKind.HANDOFF).first()
        if handoff and (handoff.handoff_team_id is None or handoff.handoff_team_id == team):
            clocks.meet(case, [TargetKind.HANDOFF], event.at, "handoff")
    clocks.rematch(case, event.at, "team")


def _escalated(case: Case, event: Event) -> None:
    if (event.before or {}).get("status") in clocks.WAITING_STATUSES:
        clocks.resume(case, event.at)
    _team_changed(case, event)


def _merged(case: Case, event: Event) -> None:
    folio = (event.after or {}).get("merged_into")
    target = Case.objects.filter(folio=folio).first()
    if target is None:
        clocks.stop_all(case, event.at, "merged")
    else:
        clocks.move_to_merged(case, target, event.at)


def _promise_set(case: Case, event: Event) -> None:
    if event.actor_kind != ActorKind.SYSTEM:
        # An agent committed to a date (SL5): the policy no longer moves the promise.
        CaseServiceLevel.objects.filter(case=case).update(promise_from_policy=False)


def _created(case: Case, event: Event) -> None:
    clocks.start_clocks(case, event.at)


HANDLERS = {
    Verb.CREATED: _created,
    Verb.STATUS_CHANGED: _status_changed,
    Verb.REOPENED: lambda case, event: clocks.reopen(case, event.at),
    Verb.FIRST_RESPONSE: _first_response,
    Verb.MESSAGE_QUEUED: _reply_queued,
    Verb.MESSAGE_RECEIVED: _message_received,
    Verb.FIELDS_CHANGED: _fields_changed,
    Verb.TEAM_CHANGED: _team_changed,
    Verb.ESCALATED: _escalated,
    Verb.MERGED: _merged,
    Verb.PROMISE_SET: _promise_set,
    Verb.CUSTOMER_CHANGED: lambda case, event: clocks.rematch(case, event.at, "customer"),
}
