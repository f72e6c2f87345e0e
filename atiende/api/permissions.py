"""Permission checks of the API that are not a visibility filter.

Visibility is never decided here: cases go through ``cases_visible_to``, customers through
``customers_visible_to``, users and teams through the accounts selectors.
"""

from __future__ import annotations

from rest_framework.exceptions import PermissionDenied

from atiende.accounts.models import Team, User
from atiende.accounts.selectors import teams_visible_to
from atiende.api.errors import text


def ensure_can_file_case_for(user: User, team: Team | None) -> None:
    """A user who does not oversee the whole desk opens cases only for their own teams (or none)."""
    if team is None or user.sees_whole_desk:
        return
    if not teams_visible_to(user).filter(pk=team.pk).exists():
        raise PermissionDenied(text("permission_denied"))
