"""Console state owned by people: the saved filters of the workbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedFilter(models.Model):
    """A named workbox query string (box and filters), kept by its owner and optionally shown to
    the members of one of the owner's teams. The query string is validated and stored in its
    canonical form by ``web.saved_filters.save_filter``."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dueño"),
        on_delete=models.CASCADE,
        related_name="saved_filters",
    )
    name = models.CharField(_("nombre"), max_length=60)
    query_string = models.CharField(_("filtro"), max_length=500)
    is_shared_with_team = models.BooleanField(_("compartido con el equipo"), default=False)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("equipo"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="saved_filters",
    )
    position = models.PositiveSmallIntegerField(_("orden"), default=0)

    class Meta:
        ordering = ["position", "name", "pk"]
        verbose_name = _("filtro guardado")
        verbose_name_plural = _("filtros guardados")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_filter_unique_name"),
            models.CheckConstraint(
                condition=models.Q(is_shared_with_team=False) | models.Q(team__isnull=False),
                name="saved_filter_shared_has_team",
            ),
        ]

    def __str__(self) -> str:
        return self.name
