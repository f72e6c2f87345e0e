"""Admin for the desk's reference data. Cases change only through the services, so the case
admin is read-only; events are never editable anywhere."""

from django.contrib import admin

from atiende.cases.models import Case, Category, Event, FolioSeries, StatusTransition


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "parent", "case_type", "is_active", "position")
    list_filter = ("case_type", "is_active")
    search_fields = ("name", "code")


@admin.register(FolioSeries)
class FolioSeriesAdmin(admin.ModelAdmin):
    list_display = ("code", "prefix", "case_type", "per_year", "padding")


@admin.register(StatusTransition)
class StatusTransitionAdmin(admin.ModelAdmin):
    list_display = ("from_status", "to_status")
    list_filter = ("from_status",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = Event
    fields = ("at", "verb", "actor_name", "actor_kind", "before", "after")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = (
        "folio",
        "status",
        "case_type",
        "priority",
        "channel",
        "team",
        "assignee",
        "registered_at",
    )
    list_filter = ("status", "case_type", "channel", "priority", "team", "escalation_level")
    search_fields = ("folio", "summary")
    list_select_related = ("team", "assignee")
    inlines = [EventInline]
