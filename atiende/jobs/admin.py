"""Failed jobs in the admin: read-only rows; "retry" and "mark resolved" need change permission."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from atiende.jobs import services
from atiende.jobs.models import FailedJob


@admin.register(FailedJob)
class FailedJobAdmin(admin.ModelAdmin):
    list_display = (
        "failed_at",
        "task_name",
        "exception_class",
        "short_message",
        "retried_at",
        "is_resolved",
    )
    list_filter = ("is_resolved", "task_name")
    search_fields = ("task_name", "task_id", "exception_class", "exception_message")
    date_hierarchy = "failed_at"
    actions = ["retry", "mark_resolved"]
    readonly_fields = [field.name for field in FailedJob._meta.fields]

    @admin.display(description=_("mensaje"))
    def short_message(self, job: FailedJob) -> str:
        return job.exception_message[:120]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Reintentar los trabajos seleccionados"), permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[FailedJob]) -> None:
        retried = 0
        for job in queryset.filter(is_resolved=False).order_by("pk"):
            try:
                services.retry_failed_job(job=job)
            except services.FailedJobError:
                continue
            retried += 1
        self.message_user(
            request,
            ngettext(
                "%(n)d trabajo enviado de nuevo a la cola.",
                "%(n)d trabajos enviados de nuevo a la cola.",
                retried,
            )
            % {"n": retried},
            messages.SUCCESS if retried else messages.WARNING,
        )

    @admin.action(description=_("Marcar como resueltos"), permissions=["change"])
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet[FailedJob]) -> None:
        resolved = sum(services.resolve_failed_job(job=job) for job in queryset)
        self.message_user(
            request,
            ngettext("%(n)d trabajo resuelto.", "%(n)d trabajos resueltos.", resolved)
            % {"n": resolved},
        )
