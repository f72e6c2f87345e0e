"""Job bookkeeping: the dead-letter list of failed tasks and the dispatcher's receipts."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FailedJob(models.Model):
    """A task that failed for good (retries exhausted or a non-retryable error).

    Written by the ``task_failure`` handler in ``jobs.signals``; shown to admins, who can retry it
    (``jobs.services.retry_failed_job``): the task is enqueued again by name with the same
    arguments, which is safe because every task is idempotent.
    """

    task_name = models.CharField(_("tarea"), max_length=200)
    task_id = models.CharField(_("id de ejecución"), max_length=64, blank=True)
    args = models.JSONField(_("argumentos"), default=list, blank=True)
    kwargs = models.JSONField(_("argumentos con nombre"), default=dict, blank=True)
    exception_class = models.CharField(_("excepción"), max_length=255)
    exception_message = models.TextField(_("mensaje"), blank=True)
    traceback = models.TextField(blank=True)
    failed_at = models.DateTimeField(_("falló"), default=timezone.now)
    retried_at = models.DateTimeField(_("reintentado"), null=True, blank=True)
    is_resolved = models.BooleanField(_("resuelto"), default=False)

    class Meta:
        ordering = ["-failed_at", "-pk"]
        verbose_name = _("trabajo fallido")
        verbose_name_plural = _("trabajos fallidos")
        indexes = [
            # The admin list and `atiende jobs failed`: "unresolved failures, newest first".
            models.Index(fields=["is_resolved", "-failed_at"], name="failed_job_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} ({self.exception_class})"


class ConsumerReceipt(models.Model):
    """Proof that CONSUMER has handled event EVENT_ID; written in the consumer's own transaction.

    The unique pair makes a redelivered or concurrently running dispatch job harmless: the second
    insert waits for the first transaction and then fails, so the consumer runs once per event.
    ``event_id`` is a plain integer on purpose: ``jobs`` does not depend on ``cases``.
    """

    consumer = models.CharField(max_length=100)
    event_id = models.BigIntegerField()
    processed_at = models.DateTimeField(default=timezone.now, db_index=True)  # housekeeping

    class Meta:
        verbose_name = _("acuse de consumidor")
        verbose_name_plural = _("acuses de consumidor")
        constraints = [
            models.UniqueConstraint(
                fields=["consumer", "event_id"], name="consumer_receipt_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consumer} #{self.event_id}"
