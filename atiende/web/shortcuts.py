"""Small helpers shared by the console's views."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.cases.models import Case
from atiende.cases.selectors import case_for_folio
from atiende.cases.services import CaseValidationError


def visible_case_or_404(user: User, folio: str) -> Case:
    """The case with FOLIO if USER may see it; 404 otherwise (never saying it exists)."""
    try:
        return case_for_folio(user, folio)
    except Case.DoesNotExist as exc:
        raise Http404(folio) from exc


def expected_version(request: HttpRequest, field: str = "expected_version") -> int | None:
    """The case version the posted form was rendered with, or None when missing or not a number.

    Callers that change a case refuse a missing version: ``required_version``.
    """
    value = request.POST.get(field, "").strip()
    return int(value) if value.isdigit() else None


def required_version(request: HttpRequest) -> int:
    """The posted case version; a form without one is refused (``CaseValidationError``), so a
    case is never changed without the stale-page check."""
    version = expected_version(request)
    if version is None:
        raise CaseValidationError(
            _("Falta la versión del caso en el formulario; recarga la página.")
        )
    return version
