"""Customers (CU1), their channel identities, consent records (CU2/CU5) and their event trail."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from atiende.core.actors import ActorKind
from atiende.core.append_only import AppendOnlyModel


class Segment(models.TextChoices):
    STANDARD = "standard", _("Estándar")
    VIP = "vip", _("VIP")
    CORPORATE = "corporate", _("Corporativo")
    DISTRIBUTOR = "distributor", _("Distribuidor")
    PROSPECT = "prospect", _("Prospecto")


class LeadStatus(models.TextChoices):
    NONE = "", _("No es prospecto")
    NEW = "new", _("Nuevo")
    PROFILED = "profiled", _("Perfilado")
    HANDED_OFF = "handed_off", _("Entregado a ventas")
    WON = "won", _("Compró")
    LOST = "lost", _("Descartado")


class Customer(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("nombre"), max_length=200, blank=True)
    company = models.CharField(_("empresa"), max_length=200, blank=True)
    language = models.CharField(_("idioma"), max_length=8, default="es")
    timezone = models.CharField(_("zona horaria"), max_length=64, blank=True)
    segment = models.CharField(
        _("segmento"), max_length=16, choices=Segment.choices, default=Segment.STANDARD
    )
    tags = models.JSONField(_("etiquetas"), default=list, blank=True)
    custom_fields = models.JSONField(_("campos personalizados"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ejecutivo responsable"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
    )
    lead_status = models.CharField(
        _("prospecto"), max_length=16, choices=LeadStatus.choices, blank=True, default=""
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_customers"
    )
    is_anonymised = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("cliente")
        verbose_name_plural = _("clientes")

    def __str__(self) -> str:
        return self.name or self.company or str(self.uuid)[:8]


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("Correo electrónico")
    PHONE = "phone", _("Teléfono")
    WHATSAPP = "whatsapp", _("WhatsApp")
    MESSENGER = "messenger", _("Messenger")
    INSTAGRAM = "instagram", _("Instagram")
    TWITTER = "twitter", _("X / Twitter")
    FACEBOOK = "facebook", _("Facebook")
    WEBCHAT = "webchat", _("Chat web")
    OTHER = "other", _("Otro")


class Identity(models.Model):
    """One address through which a customer reaches us; unique desk-wide per kind."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(_("tipo"), max_length=16, choices=IdentityKind.choices)
    address = models.CharField(_("dirección"), max_length=255)
    is_verified = models.BooleanField(_("verificada"), default=False)
    is_undeliverable = models.BooleanField(_("no entregable"), default=False)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        verbose_name = _("identidad")
        verbose_name_plural = _("identidades")
        constraints = [
            models.UniqueConstraint(fields=["kind", "address"], name="identity_unique_kind_address")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.address}"


class ConsentPurpose(models.TextChoices):
    CONTACT = "contact", _("Contactar por este canal")
    LINK_IDENTITIES = "link_identities", _("Vincular perfiles de canales")
    MARKETING = "marketing", _("Comunicaciones comerciales")
    SURVEYS = "surveys", _("Encuestas")


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("Verbal (llamada o visita)")
    WRITTEN = "written", _("Por escrito")
    WEB_FORM = "web_form", _("Formulario web")
    MESSAGE = "message", _("Mensaje del cliente")
    IMPORT = "import", _("Importación")


class Consent(AppendOnlyModel):
    """A consent given or withdrawn. History is kept: the newest row per purpose/channel wins."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="consents")
    channel = models.CharField(_("canal"), max_length=16, choices=IdentityKind.choices)
    purpose = models.CharField(_("propósito"), max_length=24, choices=ConsentPurpose.choices)
    is_granted = models.BooleanField(_("otorgado"))
    method = models.CharField(_("medio"), max_length=16, choices=ConsentMethod.choices)
    evidence = models.TextField(_("evidencia"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        verbose_name = _("consentimiento")
        verbose_name_plural = _("consentimientos")
        indexes = [
            models.Index(
                fields=["customer", "purpose", "channel", "recorded_at"], name="consent_lookup"
            )
        ]


class CustomerEvent(AppendOnlyModel):
    """Append-only trail of changes to a customer's record (merge, identities, consent)."""

    class Verb(models.TextChoices):
        CREATED = "created", _("Cliente creado")
        UPDATED = "updated", _("Datos actualizados")
        IDENTITY_ADDED = "identity_added", _("Identidad agregada")
        CONSENT_RECORDED = "consent_recorded", _("Consentimiento registrado")
        MERGED = "merged", _("Cliente fusionado")
        ABSORBED = "absorbed", _("Absorbió a otro cliente")
        IMPORTED = "imported", _("Importado desde archivo")
        EXPORTED = "exported", _("Datos exportados (derecho de acceso)")

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="events")
    verb = models.CharField(max_length=24, choices=Verb.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    actor_kind = models.CharField(
        max_length=16, choices=ActorKind.choices, default=ActorKind.SYSTEM
    )
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        verbose_name = _("evento de cliente")
        verbose_name_plural = _("eventos de cliente")
        indexes = [models.Index(fields=["customer", "at"], name="customer_event_timeline")]


def import_upload_path(instance: ImportJob, filename: str) -> str:
    return f"imports/customers/{instance.uuid}/{filename}"


class ImportJob(models.Model):
    """One upload of customers (CU7). The raw file is kept whatever happens to its rows.

    Lifecycle: ``mapping`` (uploaded and read; waiting for the columns to be confirmed) →
    ``queued`` → ``running`` → ``done``; or ``failed`` with ``error`` (a malformed file, or the
    task gave up). The counters are written in the same transaction as each row, so a retried
    task resumes after the last committed row.
    """

    class Status(models.TextChoices):
        MAPPING = "mapping", _("Por confirmar columnas")
        QUEUED = "queued", _("En cola")
        RUNNING = "running", _("Importando")
        DONE = "done", _("Terminada")
        FAILED = "failed", _("Fallida")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(upload_to=import_upload_path, max_length=500)
    filename = models.CharField(_("archivo"), max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    file_format = models.CharField(max_length=8)  # "csv" or "xlsx"
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.MAPPING)
    #: The header row as read, and {column index (str): target field} once confirmed.
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=dj_timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: Last change of status or counters: the sweep re-enqueues queued/running jobs idle too long.
    touched_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("importación de clientes")
        verbose_name_plural = _("importaciones de clientes")

    def __str__(self) -> str:
        return self.filename

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.processed / self.total_rows) if self.total_rows else 0


class ImportRejectedRow(models.Model):
    """A row that was not imported, with the reason (Spanish) and the row as read."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejected_rows")
    line = models.PositiveIntegerField()
    reason = models.TextField()
    values = models.JSONField(default=list)

    class Meta:
        ordering = ["line"]
        constraints = [
            models.UniqueConstraint(fields=["job", "line"], name="import_rejected_row_unique")
        ]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.line}"
