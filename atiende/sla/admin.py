from django.contrib import admin

from atiende.sla.models import Alert, Calendar, Clock, Policy, SpecialDay, Target


class SpecialDayInline(admin.TabularInline):
    model = SpecialDay
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "timezone", "holiday_country", "is_active")
    inlines = [SpecialDayInline]
    readonly_fields = ("version",)


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("position", "name", "calendar", "is_active")
    list_display_links = ("name",)
    inlines = [TargetInline]
    readonly_fields = ("version",)


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin):
    list_display = ("case", "kind", "state", "due_at", "warned_at", "breached_at", "met_at")
    list_filter = ("kind", "state")
    raw_id_fields = ("case",)

    def has_change_permission(self, request, obj=None):
        return False  # clocks change only through their events


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("fired_at", "case", "kind", "processed_at")
    raw_id_fields = ("case", "clock")

    def has_change_permission(self, request, obj=None):
        return False
