"""Users, their roles (SE1), teams and hashed API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("usuario")
        verbose_name_plural = _("usuarios")

    @property
    def sees_whole_desk(self) -> bool:
        return self.is_superuser or self.role in DESK_WIDE_ROLES

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
