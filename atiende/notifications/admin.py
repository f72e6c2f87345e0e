from django.contrib import admin

from atiende.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "kind", "title", "read_at", "email_state")
    list_filter = ("kind", "email_state")
    raw_id_fields = ("user", "case")
