"""Read-side queries for cases. ``cases_visible_to`` is THE permission filter (invariant 5):
the console, the API and every export list cases through it; a case outside it is a 404."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from atiende.accounts.models import User
from atiende.cases.models import Case, Event


def cases_visible_to(user: User | AnonymousUser) -> QuerySet[Case]:
    """Desk-wide roles see every case; everyone else sees their teams' cases and their own."""
    cases = Case.objects.all()
    if not (user.is_authenticated and user.is_active):
        return cases.none()
    if user.sees_whole_desk:
        return cases
    team_ids = list(user.teams.values_list("pk", flat=True))
    return cases.filter(Q(team_id__in=team_ids) | Q(assignee=user))


def case_for_folio(user: User, folio: str) -> Case:
    """The visible case with FOLIO, or Case.DoesNotExist (404 at the edges)."""
    return (
        cases_visible_to(user)
        .select_related("customer", "team", "assignee", "category")
        .get(folio=folio)
    )


def case_events(case: Case) -> QuerySet[Event]:
    return Event.objects.filter(case=case).select_related("actor").order_by("at", "pk")
