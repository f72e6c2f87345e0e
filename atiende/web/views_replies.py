"""Settings screen for canned responses, macros and call scripts (RT5, UI5)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from atiende.accounts.auth import signed_in_user
from atiende.replies.forms import CannedResponseForm
from atiende.replies.models import CannedResponse
from atiende.replies.selectors import can_manage_replies, replies_managed_by


@login_required
def reply_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not can_manage_replies(user):
        raise PermissionDenied
    replies = replies_managed_by(user).order_by("kind", "title", "pk")
    return render(request, "web/case/replies_list.html", {"replies": replies})


@login_required
def reply_edit(request: HttpRequest, uuid: uuid.UUID | None = None) -> HttpResponse:
    user = signed_in_user(request)
    if not can_manage_replies(user):
        raise PermissionDenied
    reply: CannedResponse | None = None
    if uuid is not None:
        reply = replies_managed_by(user).filter(uuid=uuid).first()
        if reply is None:
            raise Http404(str(uuid))
    form = CannedResponseForm(request.POST or None, instance=reply, user=user)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        if saved.created_by_id is None:
            saved.created_by = user
        saved.save()
        messages.success(request, _("Respuesta «%(t)s» guardada.") % {"t": saved.title})
        return redirect("web:replies")
    return render(request, "web/case/reply_edit.html", {"form": form, "reply": reply})
