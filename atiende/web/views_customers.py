"""Customer screens: search, profile with the 360 log (CU3), merge, consent (CU5), the
data-subject export (CU6) and the CSV/XLSX import (CU7). Thin views over the customer services.

Who may do what:
- every desk user sees every customer profile (``customers_visible_to``); the cases listed on it
  are only those the user sees (``cases_visible_to``);
- merging and importing are for who supervises (``User.supervises``: supervisors and desk-wide
  roles);
- the export must be complete, so only a user who sees every case of the customer may make it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.auth import signed_in_user
from atiende.accounts.models import User
from atiende.cases.models import Case, Message
from atiende.cases.selectors import cases_visible_to
from atiende.cases.services import merge_customers
from atiende.core.actors import Actor
from atiende.customers import exporting, importing
from atiende.customers.models import (
    ConsentMethod,
    ConsentPurpose,
    Customer,
    CustomerEvent,
    Identity,
    IdentityKind,
    ImportJob,
)
from atiende.customers.selectors import (
    address_match,
    consent_history,
    current_consents,
    customers_visible_to,
    import_jobs_visible_to,
)
from atiende.customers.services import CustomerError, record_consent
from atiende.web.pagination import paginate

LOG_SIZE = 100


def explain_refusal(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A PermissionDenied raised by VIEW becomes a 403 page that says why (Spanish)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            reason = str(exc) or _("No tiene permiso para esta acción.")
            return render(request, "web/customers/forbidden.html", {"reason": reason}, status=403)

    return wrapper


def may_export(user: User, customer: Customer) -> bool:
    """A data-subject export is complete or it is nothing: the user must see every case."""
    if user.sees_whole_desk:
        return True
    hidden = Case.objects.filter(customer=customer).exclude(
        pk__in=cases_visible_to(user).filter(customer=customer).values("pk")
    )
    return not hidden.exists()


def _customer(request: HttpRequest, pk: int) -> Customer:
    return get_object_or_404(
        customers_visible_to(signed_in_user(request)).select_related("owner", "merged_into"), pk=pk
    )


def search_customers(customers: QuerySet[Customer], q: str) -> QuerySet[Customer]:
    """Name, company, e-mail, phone (typed any way: normalised to E.164) or document."""
    q = q.strip()
    if not q:
        return customers
    identity = Q(address__icontains=q)
    exact = address_match(q)
    if exact is not None:
        identity |= exact
    else:
        digits = "".join(ch for ch in q if ch.isdigit())
        if len(digits) >= 6:
            identity |= Q(address__contains=digits)
    return customers.annotate(custom_text=Cast("custom_fields", TextField())).filter(
        Q(name__icontains=q)
        | Q(company__icontains=q)
        | Q(custom_text__icontains=q)
        | Q(pk__in=Identity.objects.filter(identity).values("customer_id"))
    )


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    q = request.GET.get("q", "")
    customers = search_customers(
        customers_visible_to(user).filter(merged_into__isnull=True), q
    ).prefetch_related("identities")
    page = paginate(request, customers.order_by("name", "pk"))
    context = {"page": page, "q": q, "may_manage": user.supervises}
    return render(request, "web/customers/list.html", context)


def log_360(user: User, customer: Customer, limit: int = LOG_SIZE) -> dict[str, Any]:
    """CU3: the customer's cases, messages and record events in one list, newest first.

    Only cases the user sees are included; ``hidden_cases`` counts the others.
    """
    cases = list(
        cases_visible_to(user)
        .filter(customer=customer)
        .select_related("team", "assignee")
        .order_by("-registered_at", "-pk")
    )
    messages = Message.objects.filter(case__in=[c.pk for c in cases]).select_related("case")
    events = CustomerEvent.objects.filter(
        Q(customer=customer) | Q(customer__merged_into=customer)
    ).order_by("-at", "-pk")
    entries: list[dict[str, Any]] = [
        {"kind": "case", "at": c.registered_at, "case": c} for c in cases
    ]
    entries += [
        {"kind": "message", "at": m.created_at, "message": m}
        for m in messages.order_by("-created_at", "-pk")[:limit]
    ]
    entries += [{"kind": "event", "at": e.at, "event": e} for e in events[:limit]]
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    return {
        "cases": cases,
        "entries": entries[:limit],
        "hidden_cases": Case.objects.filter(customer=customer).count() - len(cases),
    }


@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    customer = _customer(request, pk)
    history = list(consent_history(customer))
    context = {
        "customer": customer,
        "identities": customer.identities.order_by("kind", "address"),
        "consents": current_consents(history),
        "consent_history": history,
        "consent_form": _consent_choices(),
        "may_manage": user.supervises,
        "may_export": may_export(user, customer),
        **log_360(user, customer),
    }
    return render(request, "web/customers/detail.html", context)


@login_required
def customer_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The 360 panel alone (the case page includes it; live refresh re-fetches it)."""
    customer = _customer(request, pk)
    context: dict[str, Any] = {"customer": customer}
    folio = request.GET.get("case", "")
    if folio:
        context["case"] = cases_visible_to(signed_in_user(request)).filter(folio=folio).first()
    return render(request, "web/customers/_panel.html", context)


def _consent_choices() -> dict[str, Any]:
    return {
        "channels": IdentityKind.choices,
        "purposes": ConsentPurpose.choices,
        "methods": ConsentMethod.choices,
    }


@login_required
def customer_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form on its own page; POST: record a consent given or withdrawn (CU5).

    A merged profile takes no consents: they belong on the profile in force, where the user is
    sent with a message saying so."""
    customer = _customer(request, pk)
    if customer.merged_into_id is not None:
        flash.warning(
            request,
            _(
                "Este perfil fue fusionado con %(name)s: registre el consentimiento en el perfil "
                "vigente."
            )
            % {"name": customer.merged_into},
        )
        return redirect("web:customer", pk=customer.merged_into_id)
    error = ""
    if request.method == "POST":
        data = request.POST
        choice = data.get("is_granted", "")
        if (
            data.get("channel") not in IdentityKind.values
            or data.get("purpose") not in ConsentPurpose.values
            or data.get("method") not in ConsentMethod.values
            or choice not in ("granted", "withdrawn")
        ):
            error = _("Elija canal, propósito, si lo otorga o lo retira, y el medio.")
        else:
            record_consent(
                customer=customer,
                channel=data["channel"],
                purpose=data["purpose"],
                is_granted=choice == "granted",
                method=data["method"],
                evidence=data.get("evidence", "").strip()[:5000],
                actor=Actor.agent(signed_in_user(request)),
            )
            flash.success(request, _("Consentimiento registrado."))
            return redirect("web:customer", pk=customer.pk)
    context = {"customer": customer, "consent_form": _consent_choices(), "error": error}
    return render(request, "web/customers/consent.html", context, status=400 if error else 200)


@login_required
@explain_refusal
def customer_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Fold a duplicate into this customer: search, confirm what moves, then merge (CU2)."""
    user = signed_in_user(request)
    customer = _customer(request, pk)
    if not user.supervises:
        raise PermissionDenied(_("Solo supervisores y gerentes pueden fusionar clientes."))
    visible = customers_visible_to(user).filter(merged_into__isnull=True).exclude(pk=customer.pk)
    if request.method == "POST":
        chosen = get_object_or_404(visible, pk=_number(request.POST.get("duplicate")))
        try:
            merge_customers(source=chosen, target=customer, actor=Actor.agent(user))
        except CustomerError as exc:
            flash.error(request, str(exc))
            return redirect("web:customer_merge", pk=customer.pk)
        flash.success(
            request, _("%(dup)s se fusionó con %(name)s.") % {"dup": chosen, "name": customer}
        )
        return redirect("web:customer", pk=customer.pk)
    q = request.GET.get("q", "")
    duplicate: Customer | None = None
    if request.GET.get("duplicate"):
        duplicate = get_object_or_404(
            visible.prefetch_related("identities"), pk=_number(request.GET["duplicate"])
        )
    candidates = (
        search_customers(visible, q).prefetch_related("identities")[:20] if q.strip() else []
    )
    context = {
        "customer": customer,
        "q": q,
        "candidates": candidates,
        "duplicate": duplicate,
        "moving": _what_moves(duplicate) if duplicate else None,
    }
    return render(request, "web/customers/merge.html", context)


def _number(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _what_moves(duplicate: Customer) -> dict[str, Any]:
    return {
        "cases": Case.objects.filter(customer=duplicate).count(),
        "identities": list(duplicate.identities.all()),
        "consents": consent_history(duplicate).count(),
    }


@login_required
@explain_refusal
def customer_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    """GET: what the export holds; POST: build it, record the event, download (CU6)."""
    user = signed_in_user(request)
    customer = _customer(request, pk)
    if not may_export(user, customer):
        raise PermissionDenied(
            _("El cliente tiene casos de otros equipos: pida la exportación a un gerente.")
        )
    if request.method != "POST":
        return render(request, "web/customers/export.html", {"customer": customer})
    archive = "zip" if request.POST.get("format") == "zip" else "json"
    data = exporting.export_customer(customer=customer, actor=Actor.agent(user), archive=archive)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    name = f"cliente-{customer.uuid}-{stamp}"
    if archive == "zip":
        return FileResponse(
            exporting.write_archive(data, customer),
            as_attachment=True,
            filename=f"{name}.zip",
            content_type="application/zip",
        )
    response = HttpResponse(exporting.to_json(data), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


# --- Import (CU7) ---------------------------------------------------------------------------------


def _check_manage(user: User) -> None:
    if not user.supervises:
        raise PermissionDenied(_("Solo supervisores y gerentes pueden importar clientes."))


def _job(request: HttpRequest, job: UUID) -> ImportJob:
    """A job of the user's own, or any job for desk-wide roles; 404 otherwise."""
    user = signed_in_user(request)
    _check_manage(user)
    return get_object_or_404(import_jobs_visible_to(user), uuid=job)


@login_required
@explain_refusal
def customer_import(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    _check_manage(user)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Elija un archivo CSV o Excel (.xlsx).")
        else:
            try:
                job = importing.start_import(upload=upload, actor=Actor.agent(user))
            except importing.ImportRefused as exc:
                error = str(exc)
            else:
                return redirect("web:customer_import_job", job=job.uuid)
    context = {
        "error": error,
        "jobs": import_jobs_visible_to(user)[:20],
        "max_mb": settings.ATIENDE_MAX_ATTACHMENT_BYTES // 1048576,
    }
    return render(request, "web/customers/import.html", context, status=400 if error else 200)


@login_required
@explain_refusal
def customer_import_job(request: HttpRequest, job: UUID) -> HttpResponse:
    """The job's page: the column mapping while it waits for it, then the progress."""
    import_job = _job(request, job)
    error = ""
    if request.method == "POST":
        mapping = {
            str(i): request.POST.get(f"column_{i}", "ignore")
            for i in range(len(import_job.headers))
        }
        try:
            importing.confirm_mapping(job=import_job, mapping=mapping)
        except ValidationError as exc:
            error = exc.messages[0]
            import_job.mapping = mapping
        else:
            return redirect("web:customer_import_job", job=import_job.uuid)
    columns = [
        (str(i), header, import_job.mapping.get(str(i), "ignore"))
        for i, header in enumerate(import_job.headers)
    ]
    context = {
        "job": import_job,
        "columns": columns,
        "fields": importing.FIELD_CHOICES,
        "error": error,
    }
    return render(request, "web/customers/import_job.html", context, status=400 if error else 200)


@login_required
@explain_refusal
def customer_import_status(request: HttpRequest, job: UUID) -> HttpResponse:
    """The progress fragment; it polls itself (htmx, every second) while the job runs."""
    return render(request, "web/customers/_import_progress.html", {"job": _job(request, job)})


@login_required
@explain_refusal
def customer_import_rejected(request: HttpRequest, job: UUID) -> HttpResponse:
    import_job = _job(request, job)
    if not import_job.rejected:
        raise Http404(job)
    response = HttpResponse(
        importing.rejected_rows_csv(import_job), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="rechazados-{import_job.uuid}.csv"'
    return response
