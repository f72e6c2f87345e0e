"""WhatsApp templates in the admin: the mirror of what is approved in WhatsApp Manager."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from atiende.channels.whatsapp.models import WhatsAppTemplate


@admin.register(WhatsAppTemplate)
class WhatsAppTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "language", "category", "status", "is_active", "param_count")
    list_filter = ("status", "category", "language", "is_active")
    search_fields = ("name", "body")
    readonly_fields = ("param_count", "created_at", "updated_at")

    @admin.display(description=_("parámetros"))
    def param_count(self, template: WhatsAppTemplate) -> int:
        return template.param_count
