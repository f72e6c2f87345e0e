"""Service-level configuration screens (calendars, policies, the simulator) and the in-app
notifications. Thin views: forms parse, ``sla.services`` decides and saves."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from atiende.accounts.models import User
from atiende.notifications.models import Notification
from atiende.notifications.services import mark_read, unread_count
from atiende.sla import services
from atiende.sla.models import Calendar, Policy
from atiende.sla.permissions import can_configure, can_view_configuration
from atiende.sla.policies import describe_target
from atiende.sla.simulator import simulate
from atiende.web.forms_sla import CalendarForm, PolicyForm, SimulateForm

MAIN_POLICY_FIELDS = (
    "name", "position", "is_active", "calendar", "warn_percent",
    "channels", "case_types", "priorities", "segments", "teams", "handoff_team",
)  # fmt: skip


def _check(request: HttpRequest, *, write: bool) -> None:
    user = request.user
    if not (can_configure(user) if write else can_view_configuration(user)):
        raise PermissionDenied


def _apply(form: Form, save: Any) -> bool:
    """Call SAVE(**arguments); a ValidationError lands on the form's fields or on the form."""
    try:
        save(**form.service_arguments())  # type: ignore[attr-defined]
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
        return False
    return True


@login_required
def sla_home(request: HttpRequest) -> HttpResponse:
    _check(request, write=False)
    policies = Policy.objects.select_related("calendar").prefetch_related("targets", "teams")
    rows = [
        (p, [(t.get_kind_display(), describe_target(t)) for t in p.targets.all()]) for p in policies
    ]
    context = {
        "calendars": Calendar.objects.all(),
        "policies": rows,
        "can_configure": can_configure(request.user),
    }
    return render(request, "web/sla/home.html", context)


@login_required
def calendar_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    _check(request, write=request.method == "POST")
    calendar = get_object_or_404(Calendar, slug=slug) if slug else None
    if request.method == "POST":
        form = CalendarForm(request.POST)
        if form.is_valid() and _apply(
            form, lambda **kw: services.save_calendar(calendar=calendar, **kw)
        ):
            return redirect("web:sla")
    else:
        form = CalendarForm(initial=CalendarForm.initial_for(calendar) if calendar else None)
    days = [form[f"day_{day}"] for day in range(7)]
    context = {
        "form": form,
        "calendar": calendar,
        "days": days,
        "can_configure": can_configure(request.user),
    }
    return render(request, "web/sla/calendar_form.html", context)


@login_required
def policy_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    _check(request, write=request.method == "POST")
    policy = get_object_or_404(Policy, slug=slug) if slug else None
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid() and _apply(form, lambda **kw: services.save_policy(policy=policy, **kw)):
            return redirect("web:sla")
    else:
        form = PolicyForm(initial=PolicyForm.initial_for(policy) if policy else None)
    simulation = None
    simulate_form = SimulateForm(request.GET or None)
    if policy is not None and simulate_form.is_valid():
        simulation = simulate(
            policy=policy,
            days=simulate_form.cleaned_data["days"],
            calendar=simulate_form.cleaned_data["calendar"],
        )
    context = {
        "form": form,
        "policy": policy,
        "main_fields": [form[name] for name in MAIN_POLICY_FIELDS],
        "targets": form.target_rows(),
        "simulate_form": simulate_form,
        "simulation": simulation,
        "can_configure": can_configure(request.user),
    }
    return render(request, "web/sla/policy_form.html", context)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    rows = Notification.objects.filter(user=user).select_related("case")[:100]
    return render(request, "web/notifications.html", {"notifications": rows})


@login_required
def notifications_unread(request: HttpRequest) -> JsonResponse:
    """Polled by the console (static/web/notifications.js) to keep the badge current."""
    return JsonResponse({"unread": unread_count(cast(User, request.user))})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    mark_read(cast(User, request.user))
    return redirect("web:notifications")
