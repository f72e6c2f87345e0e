"""Users, their roles (SE1), teams and hashed API tokens."""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from atiende.core.actors import ActorKind
from atiende.core.append_only import AppendOnlyModel


class Role(models.TextChoices):
    """The roles of the source documents. Escalation level follows RT8 (L1 agent ... L3 manager)."""

    AGENT = "agent", _("Ejecutivo de servicio (N1)")
    SUPERVISOR = "supervisor", _("Supervisor (N2)")
    OPERATIONS_MANAGER = "operations_manager", _("Gerente de operaciones (N3)")
    SERVICE_COORDINATOR = "service_coordinator", _("Coordinador de servicio")
    TECHNICAL_ENGINEER = "technical_engineer", _("Ingeniero de servicio técnico")
    COMMERCIAL_DIRECTOR = "commercial_director", _("Director comercial")
    SALES_ADVISOR = "sales_advisor", _("Asesor de ventas")
    ADMINISTRATOR = "administrator", _("Administrador")


#: Roles that oversee the whole desk; every other role sees only its teams' work.
DESK_WIDE_ROLES = frozenset(
    {
        Role.OPERATIONS_MANAGER,
        Role.SERVICE_COORDINATOR,
        Role.COMMERCIAL_DIRECTOR,
        Role.ADMINISTRATOR,
    }
)

ESCALATION_LEVEL_BY_ROLE: dict[str, int] = {Role.SUPERVISOR: 2, Role.OPERATIONS_MANAGER: 3}


class Availability(models.TextChoices):
    """An agent's own status (RT1), shown to supervisors; routing may skip the unavailable."""

    AVAILABLE = "available", _("Disponible")
    BUSY = "busy", _("Ocupado")
    PAUSED = "paused", _("En pausa")
    OFFLINE = "offline", _("Desconectado")


class Team(models.Model):
    name = models.CharField(_("nombre"), max_length=120, unique=True)
    slug = models.SlugField(unique=True)
    email = models.EmailField(_("correo del equipo"), blank=True)
    lead = models.ForeignKey(
        "accounts.User",
        verbose_name=_("líder"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
    is_active = models.BooleanField(_("activo"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("equipo")
        verbose_name_plural = _("equipos")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(_("rol"), max_length=32, choices=Role.choices, default=Role.AGENT)
    teams = models.ManyToManyField(
        Team, verbose_name=_("equipos"), blank=True, related_name="members"
    )
    language = models.CharField(_("idioma"), max_length=8, default="es")
    timezone = models.CharField(_("zona horaria"), max_length=64, blank=True)
    # Written only by ``accounts.services.set_availability``, which logs an AvailabilityChange.
    availability = models.CharField(
        _("disponibilidad"),
        max_length=12,
        choices=Availability.choices,
        default=Availability.OFFLINE,
    )
    availability_changed_at = models.DateTimeField(
        _("disponibilidad cambiada"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("usuario")
        verbose_name_plural = _("usuarios")

    @property
    def sees_whole_desk(self) -> bool:
        return self.is_superuser or self.role in DESK_WIDE_ROLES

    @property
    def availability_choices(self) -> list[tuple[str, str]]:
        """For the header's availability selector, which only has ``user`` in its context."""
        return [(value, str(label)) for value, label in Availability.choices]

    @property
    def supervises(self) -> bool:
        """THE predicate for supervising: the supervisor console (UI4), merging and importing
        customers, managing replies. Supervisors and the desk-wide roles (managers included).
        Being staff does not count: staff open Django's admin, nothing more."""
        return self.is_active and (self.sees_whole_desk or self.role == Role.SUPERVISOR)

    @property
    def zone(self) -> zoneinfo.ZoneInfo | None:
        """The user's own time zone; None when unset or not a valid name (use the desk's)."""
        if not self.timezone:
            return None
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return None  # a stale or mistyped name

    @property
    def escalation_level(self) -> int:
        return ESCALATION_LEVEL_BY_ROLE.get(self.role, 1)

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token. Only a SHA-256 of the secret is stored; the clear token is shown once.

    Format: ``atk_<prefix>_<secret>``; the prefix finds the row, the hash proves the secret.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nombre"), max_length=120)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=dj_timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("token de API")
        verbose_name_plural = _("tokens de API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > dj_timezone.now()


class AvailabilityChange(AppendOnlyModel):
    """Append-only log of availability changes: who, from what, to what, when (and by whom)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="availability_changes")
    before = models.CharField(max_length=12, choices=Availability.choices)
    after = models.CharField(max_length=12, choices=Availability.choices)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("cambio de disponibilidad")
        verbose_name_plural = _("cambios de disponibilidad")
        indexes = [models.Index(fields=["user", "at"], name="availability_change_user")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.before} → {self.after}"
