"""Who may see and change the service-level configuration (the console and the API share it)."""

from __future__ import annotations

from typing import Any

from atiende.accounts.models import Role


def can_configure(user: Any) -> bool:
    """Administrators change calendars and policies (USER: a request's user, maybe anonymous)."""
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.is_staff or getattr(user, "role", "") == Role.ADMINISTRATOR)
    )


def can_view_configuration(user: Any) -> bool:
    """Desk-wide roles (managers, coordinators...) may read them and run the simulator."""
    return can_configure(user) or bool(getattr(user, "sees_whole_desk", False))
