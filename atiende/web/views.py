"""The workbox: the agent's lists of cases. Thin views over the selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from atiende.accounts.auth import signed_in_user
from atiende.cases.models import Channel, Status
from atiende.cases.selectors import cases_visible_to


@login_required
def home(request: HttpRequest) -> HttpResponse:
    cases = cases_visible_to(signed_in_user(request)).select_related("customer", "team", "assignee")
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    if status in Status.values:
        cases = cases.filter(status=status)
    if channel in Channel.values:
        cases = cases.filter(channel=channel)
    order = request.GET.get("order", "")
    if order == "due":  # due soonest first (SL3); cases without a running clock last
        cases = cases.order_by(F("next_due_at").asc(nulls_last=True), "pk")
    else:
        cases = cases.order_by("-registered_at", "-pk")
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "statuses": Status.choices,
        "channels": Channel.choices,
        "status": status,
        "channel": channel,
        "order": order,
    }
    return render(request, "web/home.html", context)
