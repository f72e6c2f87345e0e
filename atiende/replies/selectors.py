"""Which canned responses a person may use and manage."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from atiende.accounts.models import User
from atiende.cases.models import Case
from atiende.replies.models import CannedResponse


def can_manage_replies(user: User) -> bool:
    """Who supervises (``User.supervises``) manages replies."""
    return user.supervises


def replies_managed_by(user: User) -> QuerySet[CannedResponse]:
    """Desk-wide roles manage every reply; supervisors the shared ones and their teams'."""
    replies = CannedResponse.objects.select_related("team")
    if not can_manage_replies(user):
        return replies.none()
    if user.sees_whole_desk:
        return replies
    return replies.filter(Q(team__isnull=True) | Q(team__in=user.teams.all()))


def replies_for_case(user: User, case: Case) -> QuerySet[CannedResponse]:
    """Active replies offered on CASE: shared ones, the case team's and the user's teams'."""
    teams = Q(team__isnull=True) | Q(team__in=user.teams.all())
    if case.team_id:
        teams |= Q(team_id=case.team_id)
    return CannedResponse.objects.filter(teams, is_active=True).order_by("kind", "title", "pk")
