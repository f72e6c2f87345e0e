"""The supervisor console (UI4): the live queue board, agents and their load, reassigning by
drag or by form, the approvals inbox and the full-screen wallboard; and the agent's own
availability. Thin views: ``sla.board`` reads, ``cases.services``/``cases.approvals``/
``accounts.services`` decide and write."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from atiende.accounts.auth import signed_in_user
from atiende.accounts.models import User
from atiende.accounts.selectors import assignable_users
from atiende.accounts.services import AvailabilityError, set_availability
from atiende.cases import approvals
from atiende.cases.models import ApprovalKind
from atiende.cases.services import CaseError, assign_case
from atiende.core.actors import Actor
from atiende.sla import board
from atiende.web.shortcuts import required_version, visible_case_or_404


def _supervisor(request: HttpRequest) -> User:
    """The signed-in supervisor, manager or desk-wide user; everyone else gets a 403."""
    user = signed_in_user(request)
    if not user.supervises:
        raise PermissionDenied
    return user


def _floor(user: User, **extra: Any) -> dict[str, Any]:
    """Everything the board shows, in a fixed number of queries."""
    teams = board.supervised_teams(user)
    agents = board.agents_on_floor(user, teams=teams)
    cards = board.cases_needing_hands(user, teams=teams)
    for case in cards:
        # Only members of the case's team may take it (assign_case checks it again).
        team_id = case.team_id
        case.candidates = [  # type: ignore[attr-defined]
            agent for agent in agents if team_id is None or team_id in agent.team_ids
        ]
    return {
        "board": board.queue_board(user, teams=teams),
        "agents": agents,
        "cards": cards,
        "pending_approvals": approvals.pending_approvals_for(user).count(),
        **extra,
    }


@login_required
@require_GET
def supervisor(request: HttpRequest) -> HttpResponse:
    return render(request, "web/supervisor/console.html", _floor(_supervisor(request)))


@login_required
@require_GET
def supervisor_board(request: HttpRequest) -> HttpResponse:
    """The board alone: the live refresh and the 30-second poll swap it in place."""
    return render(request, "web/supervisor/_board.html", _floor(_supervisor(request)))


@login_required
@require_GET
def wallboard(request: HttpRequest) -> HttpResponse:
    user = _supervisor(request)
    return render(request, "web/supervisor/wallboard.html", {"board": board.queue_board(user)})


@login_required
@require_GET
def wallboard_board(request: HttpRequest) -> HttpResponse:
    user = _supervisor(request)
    return render(request, "web/supervisor/_wallboard.html", {"board": board.queue_board(user)})


@login_required
@require_POST
def supervisor_reassign(request: HttpRequest) -> HttpResponse:
    """Give a case to an agent of its team, by drag and drop or by the form; a stale page or a
    refused assignment comes back as a clear message, never a silent overwrite."""
    user = _supervisor(request)
    case = visible_case_or_404(user, request.POST.get("folio", ""))
    notice = error = ""
    assignee = _board_agent(user, request.POST.get("assignee", ""))
    if assignee is None:
        error = _("Elija un agente de sus equipos para el caso %(f)s.") % {"f": case.folio}
    else:
        try:
            assign_case(
                case=case,
                actor=Actor.agent(user),
                assignee=assignee,
                expected_version=required_version(request),
            )
            notice = _("El caso %(f)s quedó asignado a %(u)s.") % {"f": case.folio, "u": assignee}
        except CaseError as exc:
            error = _("No se reasignó el caso %(f)s: %(e)s") % {"f": case.folio, "e": exc}
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request, "web/supervisor/_board.html", _floor(user, notice=notice, error=error)
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect("web:supervisor")


def _board_agent(user: User, pk: str) -> User | None:
    """The user with that PK among those USER may assign cases to (``assignable_users``)."""
    if not pk.isdigit():
        return None
    return assignable_users(user).filter(pk=int(pk)).first()


@login_required
@require_GET
def approvals_inbox(request: HttpRequest) -> HttpResponse:
    user = _supervisor(request)
    rows = [(a, approvals.can_decide(user, a)) for a in approvals.pending_approvals_for(user)]
    return render(request, "web/supervisor/approvals.html", {"rows": rows})


@login_required
@require_POST
def approval_decide(request: HttpRequest, uuid: UUID) -> HttpResponse:
    user = _supervisor(request)
    approval = get_object_or_404(approvals.pending_approvals_for(user), uuid=uuid)
    decision = request.POST.get("decision", "")
    if decision not in ("approve", "reject"):
        messages.error(request, _("Elija aprobar o rechazar."))
        return redirect("web:approvals")
    try:
        approvals.decide_approval(
            approval=approval,
            approve=decision == "approve",
            actor=Actor.agent(user),
            note=request.POST.get("note", ""),
        )
    except approvals.ApprovalError as exc:
        messages.error(request, str(exc))
    else:
        text = (
            _("Aprobó la solicitud del caso %(f)s.")
            if decision == "approve"
            else _("Rechazó la solicitud del caso %(f)s.")
        )
        messages.success(request, text % {"f": approval.case.folio})
    return redirect("web:approvals")


@login_required
@require_POST
def approval_request(request: HttpRequest, folio: str) -> HttpResponse:
    """Anyone who sees the case may ask for an approval on it (from the case view)."""
    user = signed_in_user(request)
    case = visible_case_or_404(user, folio)
    try:
        approval = approvals.request_approval(
            case=case,
            kind=request.POST.get("kind", ""),
            reason=request.POST.get("reason", ""),
            actor=Actor.agent(user),
        )
    except approvals.ApprovalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Solicitud de «%(k)s» enviada al nivel %(n)s.")
            % {"k": ApprovalKind(approval.kind).label, "n": approval.level},
        )
    return redirect("web:case", folio=case.folio)


@login_required
@require_POST
def agent_availability(request: HttpRequest) -> HttpResponse:
    """The signed-in user sets their own availability (disponible, ocupado, en pausa...)."""
    user = signed_in_user(request)
    error = ""
    try:
        set_availability(
            user=user, availability=request.POST.get("availability", ""), actor=Actor.agent(user)
        )
    except AvailabilityError as exc:
        error = str(exc)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    if request.htmx:  # type: ignore[attr-defined]
        # 200 even on error: htmx swaps only successful responses, and the error is in the form.
        # The form swapped in keeps pointing back at the page it sits on, not at this URL.
        page = target or request.htmx.current_url_abs_path  # type: ignore[attr-defined]
        context = {"user": user, "error": error, "next_url": page or reverse("web:home")}
        return render(request, "web/supervisor/_availability_form.html", context)
    if error:
        messages.error(request, error)
    return HttpResponseRedirect(target or reverse("web:home"))
