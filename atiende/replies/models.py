"""Canned responses, macros and call scripts (RT5): reusable text with placeholders.

A body may use ``{{cliente}}``, ``{{folio}}``, ``{{agente}}``, ``{{asunto}}``, ``{{estado}}``,
``{{promesa}}`` and ``{{equipo}}``; ``replies.services.render_reply`` fills them for one case.
A macro may also act on the case when its reply is sent (status, priority, tags).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atiende.cases.models import Priority, Status


class ReplyKind(models.TextChoices):
    RESPONSE = "respuesta", _("Respuesta predefinida")
    MACRO = "macro", _("Macro")
    SCRIPT = "guion", _("Guion de llamada")


class CannedResponse(models.Model):
    """One reusable reply. TEAM empty: shared by the whole desk."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(
        _("tipo"), max_length=12, choices=ReplyKind.choices, default=ReplyKind.RESPONSE
    )
    title = models.CharField(_("título"), max_length=120)
    body = models.TextField(
        _("texto"),
        help_text=_(
            "Variables: {{cliente}}, {{folio}}, {{agente}}, {{asunto}}, {{estado}}, "
            "{{promesa}}, {{equipo}}."
        ),
    )
    shortcut = models.SlugField(_("atajo"), max_length=40, blank=True)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("equipo"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_responses",
        help_text=_("Vacío: compartida por todos los equipos."),
    )
    # Macro actions, applied when the reply is sent; empty means "leave as is".
    set_status = models.CharField(
        _("cambiar estado a"), max_length=24, choices=Status.choices, blank=True
    )
    set_priority = models.CharField(
        _("cambiar prioridad a"), max_length=8, choices=Priority.choices, blank=True
    )
    add_tags = models.CharField(
        _("agregar etiquetas"),
        max_length=255,
        blank=True,
        help_text=_("Separadas por comas."),
    )
    is_active = models.BooleanField(_("activa"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "title", "pk"]
        verbose_name = _("respuesta predefinida")
        verbose_name_plural = _("respuestas predefinidas")
        constraints = [
            models.UniqueConstraint(
                fields=["shortcut"], condition=~models.Q(shortcut=""), name="reply_unique_shortcut"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.add_tags.split(",") if t.strip()]

    @property
    def has_actions(self) -> bool:
        return bool(self.set_status or self.set_priority or self.tag_list)
