"""Read-side queries for accounts, scoped by who asks."""

from __future__ import annotations

from django.db.models import QuerySet

from atiende.accounts.models import Team, User


def teams_visible_to(user: User) -> QuerySet[Team]:
    if user.sees_whole_desk:
        return Team.objects.all()
    return Team.objects.filter(members=user)


def users_visible_to(user: User) -> QuerySet[User]:
    """Desk-wide roles see everyone; others see the members of their own teams."""
    users = User.objects.filter(is_active=True).prefetch_related("teams")
    if user.sees_whole_desk:
        return users.order_by("username")
    return users.filter(teams__in=user.teams.all()).distinct().order_by("username")
