"""Envelopes in the admin: the dead-letter view with "reprocess"; mailboxes as data."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from atiende.intake import services
from atiende.intake.models import InboundEnvelope, Mailbox


@admin.register(InboundEnvelope)
class InboundEnvelopeAdmin(admin.ModelAdmin):
    list_display = (
        "received_at",
        "channel",
        "account",
        "sender",
        "status",
        "outcome",
        "case",
        "attempts",
        "short_reason",
    )
    list_filter = ("status", "outcome", "channel", "source", "is_status_request")
    search_fields = ("external_id", "sender", "account", "uuid", "case__folio")
    date_hierarchy = "received_at"
    actions = ["reprocess"]
    exclude = ("raw",)
    readonly_fields = [f.name for f in InboundEnvelope._meta.fields if f.name != "raw"]
    list_select_related = ("case",)

    @admin.display(description=_("motivo / error"))
    def short_reason(self, envelope: InboundEnvelope) -> str:
        return (envelope.reason or envelope.error.partition("\n")[0])[:120]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # raw first, kept: nothing inbound is ever lost

    @admin.action(description=_("Reprocesar los sobres seleccionados"), permissions=["change"])
    def reprocess(self, request: HttpRequest, queryset: QuerySet[InboundEnvelope]) -> None:
        count = sum(services.reprocess_envelope(envelope=e) for e in queryset.order_by("pk"))
        self.message_user(
            request,
            ngettext(
                "%(n)d sobre enviado de nuevo a procesar.",
                "%(n)d sobres enviados de nuevo a procesar.",
                count,
            )
            % {"n": count},
            messages.SUCCESS if count else messages.WARNING,
        )


class MailboxForm(forms.ModelForm):
    imap_password = forms.CharField(
        label=_("contraseña IMAP"), required=False, widget=forms.PasswordInput(render_value=True)
    )

    class Meta:
        model = Mailbox
        fields = [
            "address",
            "name",
            "team",
            "is_active",
            "send_acknowledgement",
            "imap_host",
            "imap_port",
            "imap_ssl",
            "imap_username",
            "imap_password",
            "imap_folder",
            "imap_processed_folder",
        ]


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ("address", "name", "team", "is_active", "imap_host", "send_acknowledgement")
    list_filter = ("is_active",)
    search_fields = ("address", "name")
