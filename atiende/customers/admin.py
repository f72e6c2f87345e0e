from django.contrib import admin

from atiende.customers.models import Customer, Identity


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0
    readonly_fields = ("kind", "address", "created_at")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Read-only: customer changes go through the services so that they leave a trail."""

    list_display = ("name", "company", "segment", "lead_status", "created_at")
    list_filter = ("segment", "lead_status")
    search_fields = ("name", "company", "identities__address")
    inlines = [IdentityInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
