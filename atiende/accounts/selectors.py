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


def assignable_users(user: User, *, team: Team | None = None) -> QuerySet[User]:
    """THE picker of who USER may hand a case to (case view, workbox bulk action, supervisor board).

    With TEAM (the case's team): its active members, whoever asks (``assign_case`` refuses
    anyone else). Without one: any active user for desk-wide roles, else the active members of
    the teams USER belongs to (the teams they work in or supervise). Look users up by pk.
    """
    users = User.objects.filter(is_active=True)
    if team is not None:
        users = users.filter(teams=team)
    elif not user.sees_whole_desk:
        users = users.filter(teams__in=user.teams.all()).distinct()
    return users.order_by("first_name", "last_name", "username")
