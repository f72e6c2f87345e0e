"""WhatsApp message templates, and which template an outbound WhatsApp message uses.

A template is registered and approved at Meta (WhatsApp Manager); this table mirrors the ones the
desk may use, so the console can offer them outside the 24-hour customer-service window (when
free text is not allowed) and the sender can name them. The body uses Meta's numbered
placeholders ``{{1}}``, ``{{2}}``…; the parameters fill them in order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: ``{{1}}``, ``{{ 2 }}``: Meta's positional placeholders.
PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")


class TemplateLanguage(models.TextChoices):
    ES_MX = "es_MX", _("Español (México)")
    ES = "es", _("Español")
    EN_US = "en_US", _("Inglés (EE. UU.)")


class TemplateCategory(models.TextChoices):
    UTILITY = "utility", _("Servicio (utilidad)")
    MARKETING = "marketing", _("Marketing")
    AUTHENTICATION = "authentication", _("Autenticación")


class TemplateStatus(models.TextChoices):
    APPROVED = "approved", _("Aprobada")
    PENDING = "pending", _("En revisión")
    REJECTED = "rejected", _("Rechazada")


def placeholder_numbers(body: str) -> list[int]:
    """The placeholder numbers of BODY, in order of appearance (repeats included)."""
    return [int(n) for n in PLACEHOLDER.findall(body)]


class WhatsAppTemplate(models.Model):
    """One approved-at-Meta message template in one language (name + language is Meta's key)."""

    name = models.CharField(
        _("nombre en Meta"),
        max_length=512,
        validators=[
            RegexValidator(
                r"^[a-z0-9_]+$",
                _("Solo minúsculas, números y guiones bajos, como en WhatsApp Manager."),
            )
        ],
    )
    language = models.CharField(
        _("idioma"), max_length=8, choices=TemplateLanguage.choices, default=TemplateLanguage.ES_MX
    )
    category = models.CharField(
        _("categoría"),
        max_length=16,
        choices=TemplateCategory.choices,
        default=TemplateCategory.UTILITY,
    )
    body = models.TextField(
        _("texto"),
        max_length=1024,
        help_text=_("El texto aprobado, con {{1}}, {{2}}… donde van los parámetros."),
    )
    status = models.CharField(
        _("estado en Meta"),
        max_length=12,
        choices=TemplateStatus.choices,
        default=TemplateStatus.PENDING,
    )
    is_active = models.BooleanField(
        _("activa"), default=True, help_text=_("Desmarque para dejar de ofrecerla en la consola.")
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "language"]
        verbose_name = _("plantilla de WhatsApp")
        verbose_name_plural = _("plantillas de WhatsApp")
        constraints = [
            models.UniqueConstraint(fields=["name", "language"], name="whatsapp_template_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"

    @property
    def param_count(self) -> int:
        """How many parameters the template takes: its highest placeholder number."""
        return max(placeholder_numbers(self.body), default=0)

    @property
    def is_usable(self) -> bool:
        return self.is_active and self.status == TemplateStatus.APPROVED

    def clean(self) -> None:
        super().clean()
        numbers = set(placeholder_numbers(self.body))
        if numbers and numbers != set(range(1, max(numbers) + 1)):
            raise ValidationError(
                {"body": _("Los parámetros deben numerarse seguidos desde {{1}}.")}
            )

    def render(self, params: Sequence[str]) -> str:
        """The text the customer reads: BODY with PARAMS in place (a missing one stays visible)."""

        def fill(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            return str(params[index]) if 0 <= index < len(params) else match.group(0)

        return PLACEHOLDER.sub(fill, self.body)


class WhatsAppTemplateMessage(models.Model):
    """An outbound WhatsApp ``Message`` sent as a template: which one and with what parameters.

    Name and language are copied at queueing time, so the sender sends what the agent chose even
    if the template row is edited meanwhile. A WhatsApp message without this row is free text.
    """

    message = models.OneToOneField(
        "cases.Message", on_delete=models.CASCADE, related_name="whatsapp_template"
    )
    template = models.ForeignKey(
        WhatsAppTemplate, on_delete=models.PROTECT, related_name="messages"
    )
    name = models.CharField(max_length=512)
    language = models.CharField(max_length=8)
    params = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("mensaje con plantilla de WhatsApp")
        verbose_name_plural = _("mensajes con plantilla de WhatsApp")

    def __str__(self) -> str:
        return f"{self.name} ({self.language}) → {self.message_id}"
