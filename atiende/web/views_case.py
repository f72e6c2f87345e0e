"""The case view (UI2): header, clocks, one timeline, the composer and the case's actions.

Thin views over the case services. Every action is a POST carrying the ``expected_version`` the
page was rendered with; a case changed meanwhile answers 409 with a clear message and changes
nothing (optimistic concurrency). htmx requests get fragments; plain forms get the whole page.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from atiende.accounts.auth import signed_in_user
from atiende.accounts.models import User
from atiende.accounts.selectors import assignable_users
from atiende.cases import services
from atiende.cases.models import Attachment, Case, ClosureReason, Event, Priority, Status
from atiende.cases.selectors import case_events
from atiende.cases.services import CaseError, StaleCase
from atiende.core.actors import Actor
from atiende.replies import composer as composer_rules
from atiende.replies.models import CannedResponse, ReplyKind
from atiende.replies.selectors import replies_for_case
from atiende.replies.services import describe_actions, render_reply
from atiende.sla.explain import explain_case
from atiende.web.case_timeline import case_clocks, case_timeline, promise_risk
from atiende.web.shortcuts import expected_version, required_version, visible_case_or_404

# --- reading -------------------------------------------------------------------------------------


def _case(request: HttpRequest, folio: str) -> Case:
    return visible_case_or_404(signed_in_user(request), folio)


def _before(request: HttpRequest) -> datetime | None:
    """The ``before`` cursor of the timeline; a malformed or impossible date is ignored."""
    try:
        value = parse_datetime(request.GET.get("before", ""))
    except ValueError:  # well-formed but impossible, e.g. 2024-02-30T10:00
        return None
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _header_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    user = signed_in_user(request)
    return {
        "case": case,
        "clocks": case_clocks(case),
        "promise_risk": promise_risk(case),
        "tags": sorted(t.name for t in case.tags.all()),
        "next_statuses": _next_statuses(case),
        "closure_reasons": ClosureReason.choices,
        "priorities": Priority.choices,
        "members": _assignees(user, case),
        "me": user,
        "escalation_levels": [n for n in (2, 3) if n > case.escalation_level],
    }


def _next_statuses(case: Case) -> list[Status]:
    allowed = services.allowed_next_statuses(case.status)
    return [status for status in Status if status in allowed]


def _timeline_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    return {"case": case, "timeline": case_timeline(case, before=_before(request))}


def _assignees(user: User, case: Case) -> Any:
    """Who USER may give CASE to: its team's members (anyone active, for desk-wide roles when
    the case has no team)."""
    return assignable_users(user, team=case.team)


def _composer_context(
    request: HttpRequest,
    case: Case,
    data: Any = None,
    preview: dict | None = None,
    *,
    keep_version: bool = False,
) -> dict[str, Any]:
    """The composer for CASE; DATA (a POST) keeps what the agent typed and chose.

    KEEP_VERSION: a composer re-rendered for another channel or template keeps the version the
    page was loaded with; a whole page rendered again shows the current case and its version."""
    data = data if data is not None else {}
    state = composer_rules.composer_state(case, data.get("channel", ""))
    selected_template = None
    if state.selected and state.templates:
        selected_template = next(
            (t for t in state.templates if str(t.pk) == data.get("template", "")), None
        )
    params = data.getlist("params") if hasattr(data, "getlist") else []
    if selected_template is not None:
        params = (params + [""] * selected_template.param_count)[: selected_template.param_count]
    user = signed_in_user(request)
    replies = list(replies_for_case(user, case))
    body, macro = data.get("body", ""), _macro(user, case, data.get("macro", ""))
    if "insert" in data:  # the no-JS "Insertar" button
        chosen = next((r for r in replies if str(r.uuid) == data.get("canned")), None)
        if chosen is not None:
            body = _append_reply(body, chosen, case, user)
            macro = chosen if chosen.kind == ReplyKind.MACRO else macro
    return {
        "case": case,
        "composer": state,
        "replies": replies,
        "body": body,
        "note_body": data.get("note_body", ""),
        "macro": macro,
        "macro_actions": describe_actions(macro) if macro else [],
        "max_attachment_mb": settings.ATIENDE_MAX_ATTACHMENT_BYTES // 1048576,
        "selected_template": selected_template,
        "params": params,
        "version": (expected_version(request) if keep_version else None) or case.version,
        "preview": preview,
    }


def _macro(user: User, case: Case, value: str) -> CannedResponse | None:
    """The macro with that uuid among the replies USER may use on CASE, or None."""
    key = _uuid(value)
    if key is None:
        return None
    return replies_for_case(user, case).filter(uuid=key, kind=ReplyKind.MACRO).first()


def _append_reply(body: str, reply: CannedResponse, case: Case, user: User) -> str:
    """BODY with REPLY rendered for CASE appended after a blank line (or instead of a blank)."""
    text = render_reply(reply, case=case, agent=user)
    return f"{body.rstrip()}\n\n{text}" if body.strip() else text


def _page_context(
    request: HttpRequest,
    case: Case,
    *,
    data: Any = None,
    error: str = "",
    preview: dict | None = None,
    keep_version: bool = False,
) -> dict[str, Any]:
    """The whole case page; the timeline and composer only on the conversation tab."""
    tab = request.GET.get("tab", "conversacion")
    context = {
        "case": case,
        "tab": tab,
        "error": error,
        **_header_context(request, case),
        "customer": case.customer,
    }
    if tab == "historial":
        context.update(_history_context(case))
    else:
        context.update(_timeline_context(request, case))
        context.update(_composer_context(request, case, data, preview, keep_version=keep_version))
    return context


#: The history tab shows the newest events of a case; the API pages through all of them.
HISTORY_LIMIT = 1000


def _history_context(case: Case) -> dict[str, Any]:
    newest = list(case_events(case).order_by("-at", "-pk")[: HISTORY_LIMIT + 1])
    return {
        "events": list(reversed(newest[:HISTORY_LIMIT])),
        "history_truncated": len(newest) > HISTORY_LIMIT,
        "history_limit": HISTORY_LIMIT,
        "service_levels": explain_case(case),
    }


@login_required
@require_GET
def case_detail(request: HttpRequest, folio: str) -> HttpResponse:
    case = _case(request, folio)
    return render(request, "web/case/detail.html", _page_context(request, case))


@login_required
@require_GET
def case_header(request: HttpRequest, folio: str) -> HttpResponse:
    case = _case(request, folio)
    return render(request, "web/case/_header.html", _header_context(request, case))


@login_required
@require_GET
def case_timeline_fragment(request: HttpRequest, folio: str) -> HttpResponse:
    case = _case(request, folio)
    return render(request, "web/case/_timeline.html", _timeline_context(request, case))


@login_required
@require_POST
def case_composer(request: HttpRequest, folio: str) -> HttpResponse:
    """The composer again, for another channel or template, keeping the text typed.

    A POST (the draft and the CSRF token stay out of URLs) that only renders: htmx gets the
    composer, the no-JS buttons ("Cambiar canal", "Usar plantilla", "Insertar") the whole page."""
    case = _case(request, folio)
    if request.htmx:  # type: ignore[attr-defined]
        context = _composer_context(request, case, request.POST, keep_version=True)
        return render(request, "web/case/_composer.html", context)
    context = _page_context(request, case, data=request.POST, keep_version=True)
    return render(request, "web/case/detail.html", context)


@login_required
@require_POST
def case_reply_insert(request: HttpRequest, folio: str) -> HttpResponse:
    """A canned response, macro or script rendered for this case, appended to the reply text."""
    case = _case(request, folio)
    user = signed_in_user(request)
    key = _uuid(request.POST.get("canned"))
    reply = replies_for_case(user, case).filter(uuid=key).first() if key else None
    body = request.POST.get("body", "")
    if reply is not None:
        body = _append_reply(body, reply, case, user)
    context = {
        "case": case,
        "body": body,
        "macro": reply if reply is not None and reply.kind == ReplyKind.MACRO else None,
        "macro_actions": describe_actions(reply) if reply is not None else [],
        "oob": True,
    }
    return render(request, "web/case/_reply_body.html", context)


def _uuid(value: str | None) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


# --- acting --------------------------------------------------------------------------------------


def conflict_message(case: Case) -> str:
    """Who changed the case, and how, since the page was loaded."""
    event = Event.objects.filter(case=case).order_by("-at", "-pk").first()
    change = _("otra persona o un proceso lo modificó")
    if event is not None:
        change = _("%(what)s por %(who)s a las %(when)s") % {
            "what": event.get_verb_display(),
            "who": event.actor_name or event.get_actor_kind_display(),
            "when": date_format(timezone.localtime(event.at), "TIME_FORMAT"),
        }
    return _(
        "El caso cambió mientras lo editabas: %(change)s. Recarga para ver los cambios; "
        "no se guardó nada."
    ) % {"change": change}


def _failure(request: HttpRequest, case: Case, exc: CaseError) -> HttpResponse:
    stale = isinstance(exc, StaleCase)
    status = 409 if stale else 400
    fresh = Case.objects.select_related("customer", "team", "assignee", "category").get(pk=case.pk)
    message = conflict_message(fresh) if stale else str(exc)
    if request.htmx:  # type: ignore[attr-defined]
        context = {"case": fresh, "error": message, "stale": stale}
        return render(request, "web/case/_feedback.html", context, status=status)
    # The whole page again with the form as it was typed; the version stays the one the agent
    # had, so sending again after a conflict is still refused until the page is reloaded.
    context = _page_context(request, case, data=request.POST, error=message)
    return render(request, "web/case/detail.html", context, status=status)


def _done(request: HttpRequest, case: Case, message: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRefresh()
    messages.success(request, message)
    return redirect(reverse("web:case", args=[case.folio]))


def _user(value: str, me: User, case: Case) -> User | None:
    """The assignee picked in the case's form: "me", "none", or the pk of one of ``_assignees``."""
    if value in ("", "none"):
        return None
    if value == "me":
        return me
    if not value.isdigit():
        raise services.CaseValidationError(_("Elija a quién asignar el caso."))
    user = _assignees(me, case).filter(pk=int(value)).first()
    if user is None:
        raise services.CaseValidationError(
            _("Esa persona no está activa o no pertenece al equipo del caso.")
        )
    return user


def _promise_at(value: str) -> datetime:
    try:
        moment = parse_datetime(value)
    except ValueError as exc:  # well-formed but impossible, e.g. 2024-02-30T10:00
        raise services.CaseValidationError(
            _("La fecha de la promesa no existe; revise el día y la hora.")
        ) from exc
    if moment is None:
        raise services.CaseValidationError(_("Indique la fecha y hora de la promesa."))
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _do_action(request: HttpRequest, case: Case, action: str) -> str:
    """Run ACTION with the posted fields; return the success message."""
    post, me = request.POST, signed_in_user(request)
    actor, version = Actor.agent(me), required_version(request)
    if action == "status":
        services.change_status(
            case=case,
            status=post.get("status", ""),
            solution=post.get("solution", ""),
            closure_reason=post.get("closure_reason", ""),
            actor=actor,
            expected_version=version,
        )
        return _("Estado actualizado.")
    if action == "assign":
        assignee = _user(post.get("assignee", ""), me, case)
        services.assign_case(case=case, assignee=assignee, actor=actor, expected_version=version)
        return _("Caso asignado.")
    if action == "priority":
        services.update_case_fields(
            case=case, priority=post.get("priority", ""), actor=actor, expected_version=version
        )
        return _("Prioridad actualizada.")
    if action == "tags":
        names = [t for t in post.get("tags", "").split(",") if t.strip()]
        services.update_case_fields(case=case, tags=names, actor=actor, expected_version=version)
        return _("Etiquetas actualizadas.")
    if action == "promise":
        services.set_promise(
            case=case,
            promise_at=_promise_at(post.get("promise_at", "")),
            reason=post.get("reason", "").strip(),
            actor=actor,
            expected_version=version,
        )
        return _("Promesa fijada.")
    if action == "escalate":
        level = post.get("level", "")
        services.escalate_case(
            case=case,
            level=int(level) if level.isdigit() else 0,
            reason=post.get("reason", ""),
            actor=actor,
            expected_version=version,
        )
        return _("Caso escalado.")
    if action == "note":
        composer_rules.add_note_with_files(
            case=case,
            body=post.get("note_body", ""),
            files=request.FILES.getlist("attachments"),
            actor=actor,
            expected_version=version,
        )
        return _("Nota agregada.")
    raise Http404(action)


ACTIONS = ("status", "assign", "priority", "tags", "promise", "escalate", "note")


@login_required
@require_POST
def case_action(request: HttpRequest, folio: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404(action)
    case = _case(request, folio)
    try:
        message = _do_action(request, case, action)
    except CaseError as exc:
        return _failure(request, case, exc)
    return _done(request, case, message)


def _reply_fields(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    channel = post.get("channel", "")
    template = (
        composer_rules.whatsapp_template(post.get("template")) if channel == "whatsapp" else None
    )
    return {
        "channel": channel,
        "body": post.get("body", ""),
        "template": template,
        "params": [p.strip() for p in post.getlist("params")] if template else [],
    }


@login_required
@require_POST
def case_reply(request: HttpRequest, folio: str) -> HttpResponse:
    """Send the composer's reply; with ``preview`` (the no-JS preview button) only show it."""
    case = _case(request, folio)
    fields = _reply_fields(request)
    if "preview" in request.POST:
        preview = composer_rules.preview_reply(case, **fields)
        context = _page_context(request, case, data=request.POST, preview=preview)
        return render(request, "web/case/detail.html", context)
    me = signed_in_user(request)
    try:
        composer_rules.send_reply(
            case=case,
            actor=Actor.agent(me),
            files=request.FILES.getlist("attachments"),
            macro=_macro(me, case, request.POST.get("macro", "")),
            expected_version=required_version(request),
            **fields,
        )
    except CaseError as exc:
        return _failure(request, case, exc)
    return _done(request, case, _("Respuesta en cola de envío."))


@login_required
@require_POST
def case_reply_preview(request: HttpRequest, folio: str) -> HttpResponse:
    """The reply as the customer will see it (htmx), rendered by the server."""
    case = _case(request, folio)
    preview = composer_rules.preview_reply(case, **_reply_fields(request))
    return render(request, "web/case/_preview.html", {"case": case, "preview": preview})


@login_required
@require_GET
def case_attachment(request: HttpRequest, folio: str, pk: int) -> FileResponse:
    """Download one of the case's attachments (always as a download, never rendered inline)."""
    case = _case(request, folio)
    attachment = Attachment.objects.filter(case=case, pk=pk).first()
    if attachment is None:
        raise Http404(str(pk))
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type or "application/octet-stream",
    )
