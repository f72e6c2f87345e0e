"""Bulk actions of the workbox: one case service applied to many cases.

Each case is changed in its own transaction by the ordinary service (``assign_case``,
``change_status``, ``update_case_fields``, ``merge_cases``), so a case that cannot be changed
(a transition not allowed, an assignee outside the case's team...) is reported and the others
still change. The caller passes cases it already scoped with ``cases_visible_to``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.cases import services
from atiende.cases.models import Case, Status
from atiende.core.actors import Actor


@dataclass
class BulkResult:
    """Folios changed, and (folio, reason) for each case that was not."""

    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def apply_to_cases(cases: Iterable[Case], change: Callable[[Case], object]) -> BulkResult:
    """Call CHANGE on each case in its own transaction; a ``CaseError`` fails only that case."""
    result = BulkResult()
    for case in cases:
        try:
            with transaction.atomic():
                change(case)
        except services.CaseError as exc:
            result.failed.append((case.folio, str(exc)))
        else:
            result.done.append(case.folio)
    return result


def assign_cases(*, cases: Iterable[Case], assignee: User | None, actor: Actor) -> BulkResult:
    """Give every case the same owner (None: unassign); the owner must be in each case's team."""
    return apply_to_cases(
        cases, lambda case: services.assign_case(case=case, assignee=assignee, actor=actor)
    )


def change_statuses(
    *, cases: Iterable[Case], status: str, actor: Actor, closure_reason: str = ""
) -> BulkResult:
    """Move every case to STATUS where its lifecycle allows it; resolving keeps each case's own
    recorded solution (a case without one is reported), closing needs CLOSURE_REASON."""
    return apply_to_cases(
        cases,
        lambda case: services.change_status(
            case=case,
            status=status,
            actor=actor,
            closure_reason=closure_reason if status == Status.CLOSED else "",
        ),
    )


def add_tag(*, cases: Iterable[Case], tag: str, actor: Actor) -> BulkResult:
    """Add TAG to every case, keeping the tags it has."""
    if not tag.strip():
        raise services.CaseValidationError(_("Indique la etiqueta."))

    def change(case: Case) -> None:
        locked = services.lock_case(case)  # read the tags under the lock: no lost update
        current = list(locked.tags.values_list("name", flat=True))
        services.update_case_fields(case=locked, actor=actor, tags=[*current, tag])

    return apply_to_cases(cases, change)


def merge_into(*, target: Case, cases: Iterable[Case], actor: Actor) -> BulkResult:
    """Fold every case of CASES (except TARGET itself) into TARGET."""
    return apply_to_cases(
        (c for c in cases if c.pk != target.pk),
        lambda case: services.merge_cases(source=case, target=target, actor=actor),
    )
