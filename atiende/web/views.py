"""The first console screens: the workbox and the case view. Thin views over the selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from atiende.cases.models import Case, Channel, Status
from atiende.cases.selectors import case_events, case_for_folio, cases_visible_to


@login_required
def home(request: HttpRequest) -> HttpResponse:
    cases = cases_visible_to(request.user).select_related("customer", "team", "assignee")
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    if status in Status.values:
        cases = cases.filter(status=status)
    if channel in Channel.values:
        cases = cases.filter(channel=channel)
    page = Paginator(cases.order_by("-registered_at", "-pk"), 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "statuses": Status.choices,
        "channels": Channel.choices,
        "status": status,
        "channel": channel,
    }
    return render(request, "web/home.html", context)


@login_required
def case_detail(request: HttpRequest, folio: str) -> HttpResponse:
    try:
        case = case_for_folio(request.user, folio)
    except Case.DoesNotExist as exc:
        raise Http404(folio) from exc
    context = {
        "case": case,
        "messages_": case.messages.select_related("author"),
        "notes": case.notes.select_related("author"),
        "events": case_events(case),
        "identities": case.customer.identities.all(),
    }
    return render(request, "web/case_detail.html", context)
