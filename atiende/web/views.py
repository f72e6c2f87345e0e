"""The workbox (UI1): tabs of open cases with counts, filters, saved filters and bulk actions.
Thin views over ``cases.workboxes`` (reads), ``cases.bulk`` and ``web.saved_filters`` (writes)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from atiende.accounts.auth import signed_in_user
from atiende.accounts.models import Team, User
from atiende.accounts.selectors import assignable_users
from atiende.cases import bulk
from atiende.cases.models import Case, Channel, ClosureReason, Priority, Status
from atiende.cases.selectors import cases_visible_to
from atiende.cases.services import CaseError
from atiende.cases.workboxes import (
    BOXES,
    OPEN_STATUS_CHOICES,
    Workbox,
    WorkboxQuery,
    annotate_risk,
    default_box,
    parse_query,
)
from atiende.core.actors import Actor
from atiende.web import saved_filters
from atiende.web.pagination import paginate
from atiende.web.saved_filters import SavedFilterError

#: Boxes whose cases change when something happens to a team's cases, or anywhere on the desk.
TEAM_BOXES = frozenset({"team", "unassigned", "at_risk"})
DESK_BOXES = frozenset({"unassigned", "at_risk", "escalated"})


def _query(request: HttpRequest, params: QueryDict | None = None) -> WorkboxQuery:
    user = signed_in_user(request)
    return parse_query(params if params is not None else request.GET, default=default_box(user))


def _home_url(query: WorkboxQuery) -> str:
    return f"{reverse('web:home')}?{urlencode(query.as_params())}"


def _live_wrappers(user: User, workbox: Workbox, box: str, wrap: str | None) -> list[str]:
    """Tokens ("t<team id>", "desk") of the elements around the list that refresh it when their
    team's or the desk's cases change. WRAP (a fragment's ``wrap`` parameter) narrows them."""
    allowed = [f"t{pk}" for pk in workbox.team_ids] if box in TEAM_BOXES else []
    if user.sees_whole_desk and box in DESK_BOXES:
        allowed.append("desk")
    if wrap is None:
        return allowed
    asked = wrap.split(",") if wrap else []
    return [token for token in allowed if token in asked]


def _list_context(request: HttpRequest, wrap: str | None = None) -> dict[str, Any]:
    user = signed_in_user(request)
    workbox = Workbox(user)
    query = _query(request)
    page = paginate(request, workbox.filtered(query).select_related("customer", "team", "assignee"))
    annotate_risk(page.object_list, now=workbox.now)  # type: ignore[arg-type]
    query_string = urlencode(query.as_params())
    filters_only = urlencode(query.filters)
    fragment = f"{reverse('web:workbox_list')}?{query_string}"
    tokens = _live_wrappers(user, workbox, query.box, wrap)
    wrappers = [
        {
            "token": token,
            "team": token[1:] if token.startswith("t") else "",
            "url": f"{fragment}&{urlencode({'wrap': ','.join(tokens[i:])})}",
        }
        for i, token in enumerate(tokens)
    ]
    counts = workbox.counts()
    tabs = [
        (box, label, counts[box], urlencode({"box": box, **query.filters}))
        for box, label in BOXES.items()
    ]
    return {
        "workbox": workbox,
        "query": query,
        "query_string": query_string,
        "filters_only": filters_only,
        "page": page,
        "tabs": tabs,
        "fragment_url": fragment,
        "live_wrappers": wrappers,
        "home_url": reverse("web:home"),
    }


def _filter_teams(user: User, workbox: Workbox) -> list[Team] | QuerySet[Team]:
    return Team.objects.filter(is_active=True) if user.sees_whole_desk else workbox.teams


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    context = _list_context(request)
    workbox: Workbox = context["workbox"]
    query: WorkboxQuery = context["query"]
    context |= {
        "statuses": OPEN_STATUS_CHOICES,
        "channels": Channel.choices,
        "priorities": Priority.choices,
        "teams": _filter_teams(user, workbox),
        "saved_filters": saved_filters.filters_for(user, workbox.team_ids),
        "assignable": assignable_users(user),
        "target_statuses": [(v, label) for v, label in Status.choices if v != Status.NEW],
        "closure_reasons": ClosureReason.choices,
        "box_label": BOXES[query.box],
    }
    return render(request, "web/home.html", context)


@login_required
def workbox_list(request: HttpRequest) -> HttpResponse:
    """The list alone (tabs with counts, rows, pager) for the same query string: live refresh."""
    context = _list_context(request, wrap=request.GET.get("wrap", ""))
    return render(request, "web/workbox/list.html", context)


# --- bulk actions --------------------------------------------------------------------------------


def _report(request: HttpRequest, result: bulk.BulkResult, done_message: str) -> None:
    parts = [done_message] if result.done else []
    if result.failed:
        reasons = "; ".join(f"{folio}: {reason}" for folio, reason in result.failed)
        n = len(result.failed)
        parts.append(
            ngettext("%(n)s no se pudo: %(reasons)s", "%(n)s no se pudieron: %(reasons)s", n)
            % {"n": n, "reasons": reasons}
        )
    level = (
        messages.SUCCESS
        if not result.failed
        else messages.WARNING
        if result.done
        else messages.ERROR
    )
    messages.add_message(request, level, "; ".join(parts))


def _updated(n: int) -> str:
    return ngettext("%(n)s caso actualizado", "%(n)s casos actualizados", n) % {"n": n}


@login_required
@require_POST
def workbox_bulk(request: HttpRequest) -> HttpResponse:
    """Apply one action to the selected cases; only cases the user can see are touched."""
    user = signed_in_user(request)
    query = _query(request, QueryDict(request.POST.get("next", "")))
    back = redirect(_home_url(query))
    folios = request.POST.getlist("case")
    if not folios:
        messages.error(request, _("Seleccione al menos un caso."))
        return back
    visible = cases_visible_to(user).select_related("customer")
    cases = list(visible.filter(folio__in=folios).order_by("pk"))
    missing = sorted(set(folios) - {c.folio for c in cases})
    action, actor = request.POST.get("action", ""), Actor.agent(user)
    try:
        if action == "merge":
            return _merge_confirmation(request, cases, query)
        result, message = _apply(request, user, action, cases, actor)
    except (CaseError, ValueError) as exc:
        messages.error(request, str(exc))
        return back
    result.failed += [(folio, _("no encontrado")) for folio in missing]
    _report(request, result, message(len(result.done)))
    return back


def _apply(
    request: HttpRequest, user: User, action: str, cases: list[Case], actor: Actor
) -> tuple[bulk.BulkResult, Any]:
    post = request.POST
    if action == "assign":
        pk = post.get("assignee", "")
        assignee = assignable_users(user).filter(pk=pk).first() if pk.isdigit() else None
        if assignee is None:
            raise ValueError(_("Elija a quién asignar los casos."))
        return bulk.assign_cases(cases=cases, assignee=assignee, actor=actor), _updated
    if action == "status":
        status = post.get("status", "")
        if status not in Status.values or status == Status.NEW:
            raise ValueError(_("Elija el nuevo estado."))
        reason = post.get("closure_reason", "")
        if status == Status.CLOSED and reason not in ClosureReason.values:
            raise ValueError(_("Indique un motivo de cierre válido."))
        result = bulk.change_statuses(
            cases=cases, status=status, closure_reason=reason, actor=actor
        )
        return result, _updated
    if action == "tag":
        return bulk.add_tag(cases=cases, tag=post.get("tag", ""), actor=actor), _updated
    if action == "merge_confirm":
        target = next((c for c in cases if c.folio == post.get("target")), None)
        if target is None or len(cases) < 2:
            raise ValueError(_("Elija el caso que recibe la fusión entre los seleccionados."))
        result = bulk.merge_into(target=target, cases=cases, actor=actor)
        return (
            result,
            lambda n: (
                ngettext(
                    "%(n)s caso fusionado en %(target)s", "%(n)s casos fusionados en %(target)s", n
                )
                % {"n": n, "target": target.folio}
            ),
        )
    raise ValueError(_("Acción desconocida."))


def _merge_confirmation(
    request: HttpRequest, cases: list[Case], query: WorkboxQuery
) -> HttpResponse:
    if len(cases) < 2:
        raise ValueError(_("Seleccione al menos dos casos para fusionarlos."))
    context = {
        "cases": sorted(cases, key=lambda c: c.registered_at),
        "next": urlencode(query.as_params()),
        "back_url": _home_url(query),
    }
    return render(request, "web/workbox/merge_confirm.html", context)


# --- saved filters -------------------------------------------------------------------------------


@login_required
@require_POST
def saved_filter_save(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    query_string = request.POST.get("query", "")
    team_id = request.POST.get("team", "")
    team = user.teams.filter(pk=team_id).first() if team_id.isdigit() else user.teams.first()
    try:
        saved = saved_filters.save_filter(
            owner=user,
            name=request.POST.get("name", ""),
            query_string=query_string,
            share_with=team if request.POST.get("share") else None,
        )
    except SavedFilterError as exc:
        messages.error(request, str(exc))
        return redirect(_home_url(_query(request, QueryDict(query_string))))
    messages.success(request, _("Filtro «%(name)s» guardado.") % {"name": saved.name})
    return redirect(f"{reverse('web:home')}?{saved.query_string}")


@login_required
@require_POST
def saved_filter_delete(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    pk = request.POST.get("filter", "")
    try:
        saved_filters.delete_filter(owner=user, pk=int(pk) if pk.isdigit() else 0)
    except SavedFilterError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Filtro eliminado."))
    return redirect(_home_url(_query(request, QueryDict(request.POST.get("next", "")))))
