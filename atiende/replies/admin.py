from django.contrib import admin

from atiende.replies.models import CannedResponse


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "shortcut", "team", "is_active")
    list_filter = ("kind", "team", "is_active")
    search_fields = ("title", "body", "shortcut")
