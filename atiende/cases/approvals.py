"""Approvals (RT6, RT8): an agent asks a higher level to allow something on a case, and a
supervisor (level 2) or an operations manager (level 3) approves or rejects it.

Compensation and policy exceptions need level 3; everything else, level 2. Each request and
each decision is a case ``Event`` written in the same transaction as the request row, so the
case's history says who asked, who decided, when, and why.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.cases.events import record_event
from atiende.cases.models import (
    ApprovalKind,
    ApprovalRequest,
    ApprovalStatus,
    Case,
    Verb,
)
from atiende.cases.selectors import cases_visible_to
from atiende.core.actors import Actor

#: RT6: compensation and policy exceptions need an operations manager (level 3).
REQUIRED_LEVEL: dict[str, int] = {
    ApprovalKind.COMPENSATION: 3,
    ApprovalKind.POLICY_EXCEPTION: 3,
}
DEFAULT_LEVEL = 2


class ApprovalError(Exception):
    """An approval operation that cannot be done; the message is for people."""


def required_level(kind: str) -> int:
    return REQUIRED_LEVEL.get(kind, DEFAULT_LEVEL)


def can_decide(user: User, approval: ApprovalRequest) -> bool:
    """Holders of the request's level or above decide, never on their own request."""
    if approval.requested_by_id is not None and approval.requested_by_id == user.pk:
        return False
    return user.is_superuser or user.escalation_level >= approval.level


@transaction.atomic
def request_approval(*, case: Case, kind: str, reason: str, actor: Actor) -> ApprovalRequest:
    """Ask for approval of KIND on CASE; at most one pending request per case and kind."""
    if kind not in ApprovalKind.values:
        raise ApprovalError(_("Tipo de aprobación desconocido: %(k)s") % {"k": kind})
    if not reason.strip():
        raise ApprovalError(_("Explique qué necesita aprobar y por qué."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise ApprovalError(_("Solo se piden aprobaciones en casos abiertos."))
    try:
        with transaction.atomic():
            approval = ApprovalRequest.objects.create(
                case=case,
                kind=kind,
                level=required_level(kind),
                reason=reason.strip(),
                requested_by=actor.user,
                requested_by_name=actor.name[:200],
            )
    except IntegrityError:
        raise ApprovalError(
            _("Ya hay una solicitud de «%(k)s» pendiente en el caso %(f)s.")
            % {"k": ApprovalKind(kind).label, "f": case.folio}
        ) from None
    record_event(
        case,
        Verb.APPROVAL_REQUESTED,
        actor,
        after={
            "approval": str(approval.uuid),
            "kind": kind,
            "level": approval.level,
            "reason": approval.reason,
        },
    )
    return approval


@transaction.atomic
def decide_approval(
    *, approval: ApprovalRequest, approve: bool, actor: Actor, note: str = ""
) -> ApprovalRequest:
    """Approve or reject a pending request; a rejection must say why."""
    user = actor.user
    approval = (
        ApprovalRequest.objects.select_for_update().select_related("case").get(pk=approval.pk)
    )
    if approval.status != ApprovalStatus.PENDING:
        raise ApprovalError(
            _("La solicitud ya fue resuelta (%(s)s) por %(u)s.")
            % {"s": approval.get_status_display(), "u": approval.decided_by_name or "—"}
        )
    if user is None or not can_decide(user, approval):
        raise ApprovalError(
            _("Esta solicitud la resuelve el nivel %(n)s, y no quien la pidió.")
            % {"n": approval.level}
        )
    if not approve and not note.strip():
        raise ApprovalError(_("Indique el motivo del rechazo."))
    approval.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    approval.decided_by, approval.decided_by_name = user, actor.name[:200]
    approval.decided_at = timezone.now()
    approval.decision_note = note.strip()
    approval.save(
        update_fields=["status", "decided_by", "decided_by_name", "decided_at", "decision_note"]
    )
    record_event(
        approval.case,
        Verb.APPROVAL_DECIDED,
        actor,
        before={"approval": str(approval.uuid), "status": ApprovalStatus.PENDING},
        after={
            "approval": str(approval.uuid),
            "kind": approval.kind,
            "status": approval.status,
            "note": approval.decision_note,
        },
    )
    return approval


def pending_approvals_for(user: User) -> QuerySet[ApprovalRequest]:
    """Pending requests on the cases USER may see, oldest first (the approvals inbox)."""
    return (
        ApprovalRequest.objects.filter(
            status=ApprovalStatus.PENDING, case__in=cases_visible_to(user)
        )
        .select_related("case", "case__team", "case__customer", "requested_by")
        .order_by("requested_at", "pk")
    )
