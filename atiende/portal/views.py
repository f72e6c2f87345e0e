"""Customer-facing pages. The contact form works without JavaScript and can be embedded."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from atiende.intake.models import InboundEnvelope
from atiende.portal.forms import ContactForm
from atiende.portal.services import over_rate_limit, submit_contact_form


# Embedded in other sites (iframe), where the CSRF cookie is third-party and not sent. The form
# changes no account and needs no session: the honeypot, the rate limit and the per-page token
# are its protection.
@csrf_exempt
@xframe_options_exempt
def contact(request: HttpRequest) -> HttpResponse:
    form = ContactForm(request.POST or None, request.FILES or None, initial={"token": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            return render(request, "portal/contact_done.html", {"folio": None})
        client = request.META.get("REMOTE_ADDR", "")
        if over_rate_limit(client):
            form.add_error(
                None, _("Recibimos demasiados envíos desde su conexión; intente en una hora.")
            )
            return render(request, "portal/contact.html", {"form": form}, status=429)
        envelope = submit_contact_form(
            data=form.cleaned_data, files=form.cleaned_data["attachments"], client=client
        )
        return redirect("portal:contact_done", envelope=envelope.uuid)
    return render(request, "portal/contact.html", {"form": form})


@xframe_options_exempt
def contact_done(request: HttpRequest, envelope: uuid.UUID) -> HttpResponse:
    received = get_object_or_404(
        InboundEnvelope.objects.select_related("case"), uuid=envelope, channel="webform"
    )
    folio = received.case.folio if received.case else None
    return render(request, "portal/contact_done.html", {"folio": folio, "envelope": received})
