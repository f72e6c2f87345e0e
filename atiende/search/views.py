"""The search page (UI7): one box for folios, e-mails, phones and text. A thin view."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from atiende.accounts.auth import signed_in_user
from atiende.accounts.models import User
from atiende.core import ratelimit
from atiende.search.jump import jump_target
from atiende.search.selectors import KINDS, MAX_QUERY_CHARS, MIN_QUERY_CHARS
from atiende.search.selectors import search as run_search


def _over_rate(user: User) -> bool:
    """At most ATIENDE_SEARCH_PER_MINUTE searches per user and minute (0: no limit)."""
    return ratelimit.over_limit(f"search-rate:{user.pk}", settings.ATIENDE_SEARCH_PER_MINUTE, 60)


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("tipo", "")
    kind = kind if kind in KINDS else ""
    try:
        page = int(request.GET.get("pagina", "1"))
    except ValueError:
        page = 1
    context: dict = {
        "q": q,
        "kind": kind,
        "results": None,
        "error": "",
        "max_chars": MAX_QUERY_CHARS,
    }
    status = 200
    if len(q) > MAX_QUERY_CHARS:
        context["error"] = _(
            "La búsqueda es demasiado larga: use como máximo %(n)s caracteres."
        ) % {"n": MAX_QUERY_CHARS}
        context["q"], status = q[:MAX_QUERY_CHARS], 400
    elif q and len(q) < MIN_QUERY_CHARS:
        context["error"] = _("Escriba al menos %(n)s caracteres para buscar.") % {
            "n": MIN_QUERY_CHARS
        }
    elif q and _over_rate(user):
        context["error"] = _("Demasiadas búsquedas seguidas. Espere un minuto e intente de nuevo.")
        status = 429
    elif q:
        target = jump_target(user, q)
        if target:
            return redirect(target)
        context["results"] = run_search(user, q, kind=kind or None, page=page)
    return render(request, "search/results.html", context, status=status)
