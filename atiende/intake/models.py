"""The intake pipeline's rows: every inbound payload, raw, before anything else (CH11).

An ``InboundEnvelope`` is committed before the sender is acknowledged; its unique (channel,
account, external id) makes any redelivery a no-op. ``Mailbox`` is the e-mail configuration as
data: which addresses we receive at, how to poll them, and the From of the replies.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EnvelopeStatus(models.TextChoices):
    RECEIVED = "received", _("Recibido, por procesar")
    PROCESSED = "processed", _("Procesado")
    REJECTED = "rejected", _("Rechazado")
    DEAD_LETTER = "dead_letter", _("Sin procesar (requiere revisión)")


class Outcome(models.TextChoices):
    NEW_CASE = "new_case", _("Caso nuevo")
    APPENDED = "appended", _("Agregado a un caso")
    DUPLICATE = "duplicate", _("Duplicado")
    BOUNCE = "bounce", _("Rebote")
    AUTO_REPLY = "auto_reply", _("Respuesta automática")
    REJECTED = "rejected", _("Rechazado")
    DEAD_LETTER = "dead_letter", _("Sin procesar")
    #: Stored, processing failed once and will be retried by the job (the pipe reports it).
    QUEUED = "queued", _("En cola")


def envelope_path(instance: InboundEnvelope, filename: str) -> str:
    return f"intake/{instance.received_at:%Y/%m/%d}/{instance.uuid}.raw"


class InboundEnvelope(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(_("canal"), max_length=16)
    #: The mailbox address, form slug or phone number id the payload came in through.
    account = models.CharField(_("cuenta"), max_length=255, blank=True)
    #: The channel's own id (Message-ID, a form token); a content hash when there is none.
    external_id = models.CharField(_("identificador externo"), max_length=255)
    source = models.CharField(_("vía"), max_length=16, blank=True)  # imap, smtp, pipe, webform
    #: Small payloads live in the row; large ones (ATIENDE_INTAKE_INLINE_MAX_KB) in storage.
    raw = models.BinaryField(null=True, blank=True)
    raw_file = models.FileField(upload_to=envelope_path, max_length=300, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(_("recibido"), default=timezone.now)
    status = models.CharField(
        _("estado"), max_length=12, choices=EnvelopeStatus.choices, default=EnvelopeStatus.RECEIVED
    )
    outcome = models.CharField(_("resultado"), max_length=12, choices=Outcome.choices, blank=True)
    reason = models.TextField(_("motivo"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("intentos"), default=0)
    error = models.TextField(_("último error"), blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    sender = models.CharField(_("remitente"), max_length=255, blank=True)
    is_status_request = models.BooleanField(_("consulta de estado"), default=False)
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inbound_envelopes",
    )
    message = models.ForeignKey(
        "cases.Message",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inbound_envelopes",
    )
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("sobre entrante")
        verbose_name_plural = _("sobres entrantes")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "account", "external_id"], name="envelope_unique_external_id"
            )
        ]
        indexes = [
            # The sweep: "envelopes still received since before T".
            models.Index(
                fields=["status_changed_at"],
                name="envelope_pending",
                condition=Q(status="received"),
            ),
            # The per-sender rate limit: "envelopes from S on channel C since T".
            models.Index(fields=["channel", "sender", "received_at"], name="envelope_sender"),
            models.Index(fields=["status", "-received_at"], name="envelope_status"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.account}:{self.external_id[:60]}"

    def read_raw(self) -> bytes:
        if self.raw is not None:
            return bytes(self.raw)
        with self.raw_file.open("rb") as handle:
            return handle.read()


class Mailbox(models.Model):
    """An address the desk receives e-mail at, and answers from."""

    address = models.EmailField(_("dirección"), unique=True)
    name = models.CharField(_("nombre para mostrar"), max_length=120, blank=True)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("equipo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mailboxes",
    )
    is_active = models.BooleanField(_("activo"), default=True)
    send_acknowledgement = models.BooleanField(
        _("enviar acuse con el folio"),
        default=True,
        help_text=_("Nunca se envía a respuestas automáticas ni a rebotes."),
    )
    imap_host = models.CharField(_("servidor IMAP"), max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(_("puerto IMAP"), default=993)
    imap_ssl = models.BooleanField(_("IMAP con TLS"), default=True)
    imap_username = models.CharField(_("usuario IMAP"), max_length=255, blank=True)
    imap_password = models.CharField(_("contraseña IMAP"), max_length=255, blank=True)
    imap_folder = models.CharField(_("carpeta"), max_length=120, default="INBOX")
    imap_processed_folder = models.CharField(
        _("mover a la carpeta"),
        max_length=120,
        blank=True,
        help_text=_("Vacío: los mensajes se marcan como leídos y se quedan en la carpeta."),
    )

    class Meta:
        verbose_name = _("buzón de correo")
        verbose_name_plural = _("buzones de correo")
        ordering = ["address"]

    def __str__(self) -> str:
        return self.address

    @property
    def from_header(self) -> str:
        from email.headerregistry import Address

        return str(Address(display_name=self.name, addr_spec=self.address))
