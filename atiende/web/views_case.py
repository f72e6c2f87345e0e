"""The case view: header, clocks, one timeline, composer. Thin views over the case services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from atiende.accounts.auth import signed_in_user
from atiende.cases.models import Case
from atiende.cases.selectors import case_events, case_for_folio
from atiende.sla.explain import explain_case


@login_required
def case_detail(request: HttpRequest, folio: str) -> HttpResponse:
    try:
        case = case_for_folio(signed_in_user(request), folio)
    except Case.DoesNotExist as exc:
        raise Http404(folio) from exc
    context = {
        "case": case,
        "messages_": case.messages.select_related("author"),
        "notes": case.notes.select_related("author"),
        "events": case_events(case),
        "identities": case.customer.identities.all(),
        "service_levels": explain_case(case),
    }
    return render(request, "web/case_detail.html", context)
