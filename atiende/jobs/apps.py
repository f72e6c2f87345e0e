from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "atiende.jobs"
    verbose_name = _("Trabajos en segundo plano")

    def ready(self) -> None:
        # Infrastructure, not business logic: record tasks that fail for good.
        from celery.signals import task_failure

        from atiende.jobs.signals import record_task_failure

        task_failure.connect(record_task_failure, dispatch_uid="atiende.jobs.record_task_failure")
