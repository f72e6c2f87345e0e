"""Saved workbox filters: save the current box and filters under a name, list, delete.

The query string is validated against the parameters a workbox accepts and stored in canonical
form, so a saved filter can never smuggle another parameter into the page that links to it.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from atiende.accounts.models import Team, User
from atiende.cases.workboxes import InvalidWorkboxQuery, default_box, parse_query
from atiende.web.models import SavedFilter

#: The longest canonical query string a saved filter holds (``SavedFilter.query_string``).
MAX_QUERY_LENGTH = SavedFilter._meta.get_field("query_string").max_length or 500


class SavedFilterError(ValueError):
    """A filter that cannot be saved or deleted; the message is for people."""


def canonical_query(user: User, query_string: str) -> str:
    """QUERY_STRING validated (raises ``InvalidWorkboxQuery``) and re-encoded canonically."""
    params = QueryDict(query_string.lstrip("?"), mutable=True)
    params.pop("page", None)
    query = parse_query(params, default=default_box(user), strict=True)
    return urlencode(query.as_params())


def filters_for(user: User, team_ids: list[int] | None = None) -> QuerySet[SavedFilter]:
    """USER's own filters and those shared with one of USER's teams (TEAM_IDS, if known)."""
    if team_ids is None:
        team_ids = list(user.teams.values_list("pk", flat=True))
    shared = Q(is_shared_with_team=True, team_id__in=team_ids)
    return (
        SavedFilter.objects.filter(Q(owner=user) | shared)
        .select_related("owner")
        .order_by("position", "name", "pk")
    )


@transaction.atomic
def save_filter(
    *, owner: User, name: str, query_string: str, share_with: Team | None = None
) -> SavedFilter:
    """Save QUERY_STRING as NAME for OWNER, optionally shared with one of OWNER's teams."""
    name = name.strip()
    if not name:
        raise SavedFilterError(_("Indique un nombre para el filtro."))
    try:
        canonical = canonical_query(owner, query_string)
    except InvalidWorkboxQuery as exc:
        raise SavedFilterError(str(exc)) from exc
    if len(canonical) > MAX_QUERY_LENGTH:
        raise SavedFilterError(
            _(
                "El filtro es demasiado largo para guardarlo (%(n)s caracteres; el máximo es "
                "%(max)s): acorte la búsqueda."
            )
            % {"n": len(canonical), "max": MAX_QUERY_LENGTH}
        )
    if share_with is not None and not owner.teams.filter(pk=share_with.pk).exists():
        raise SavedFilterError(_("Solo puede compartir con un equipo al que pertenece."))
    last = SavedFilter.objects.filter(owner=owner).aggregate(m=Max("position"))["m"]
    try:
        with transaction.atomic():
            return SavedFilter.objects.create(
                owner=owner,
                name=name[:60],
                query_string=canonical,
                is_shared_with_team=share_with is not None,
                team=share_with,
                position=(last or 0) + 1,
            )
    except IntegrityError as exc:
        raise SavedFilterError(
            _("Ya tiene un filtro llamado «%(name)s».") % {"name": name}
        ) from exc


def delete_filter(*, owner: User, pk: int) -> None:
    """Delete one of OWNER's own filters (someone else's, even if shared, cannot be deleted)."""
    deleted, _rows = SavedFilter.objects.filter(owner=owner, pk=pk).delete()
    if not deleted:
        raise SavedFilterError(_("Ese filtro no existe o no es suyo."))
