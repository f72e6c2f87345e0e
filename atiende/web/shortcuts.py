"""Small helpers shared by the console's views."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from atiende.accounts.models import User
from atiende.cases.models import Case
from atiende.cases.selectors import case_for_folio


def visible_case_or_404(user: User, folio: str) -> Case:
    """The case with FOLIO if USER may see it; 404 otherwise (never saying it exists)."""
    try:
        return case_for_folio(user, folio)
    except Case.DoesNotExist as exc:
        raise Http404(folio) from exc


def expected_version(request: HttpRequest, field: str = "expected_version") -> int | None:
    """The case version the posted form was rendered with, or None when missing or not a number.

    Callers decide what a missing version means; the case views refuse the action.
    """
    value = request.POST.get(field, "").strip()
    return int(value) if value.isdigit() else None
