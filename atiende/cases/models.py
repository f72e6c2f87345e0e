"""Cases (CA1-CA9): the folio, the lifecycle, messages, notes, attachments, links and events.

State changes are made only by the functions of ``cases.services``; each writes the new state and
an ``Event`` in one transaction.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atiende.core.actors import ActorKind
from atiende.core.append_only import AppendOnlyModel


class CaseType(models.TextChoices):
    INFORMATION = "information", _("Consulta / información")
    ORDER = "order", _("Pedido")
    TECHNICAL_ADVICE = "technical_advice", _("Asesoría técnica")
    TECHNICAL_REQUIREMENT = "technical_requirement", _("Requerimiento técnico")
    COMPLAINT = "complaint", _("Reclamo / queja")
    SUGGESTION = "suggestion", _("Sugerencia / felicitación")


class Priority(models.TextChoices):
    LOW = "low", _("Baja")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("Alta")
    URGENT = "urgent", _("Urgente")


class Channel(models.TextChoices):
    EMAIL = "email", _("Correo electrónico")
    WEBFORM = "webform", _("Formulario web")
    WHATSAPP = "whatsapp", _("WhatsApp")
    MESSENGER = "messenger", _("Messenger")
    INSTAGRAM = "instagram", _("Instagram")
    WEBCHAT = "webchat", _("Chat web")
    PHONE = "phone", _("Teléfono")
    WALK_IN = "walk_in", _("Visita presencial")
    SOCIAL = "social", _("Redes sociales")
    SMS = "sms", _("SMS")
    API = "api", _("API")


class Status(models.TextChoices):
    NEW = "new", _("Nuevo")
    OPEN = "open", _("Abierto")
    IN_PROGRESS = "in_progress", _("En proceso")
    WAITING_CUSTOMER = "waiting_customer", _("En espera del cliente")
    WAITING_THIRD_PARTY = "waiting_third_party", _("En espera de terceros")
    ESCALATED = "escalated", _("Escalado")
    RESOLVED = "resolved", _("Resuelto")
    CLOSED = "closed", _("Cerrado")


#: Statuses in which the desk still owes the customer something.
OPEN_STATUSES = frozenset(Status) - {Status.RESOLVED, Status.CLOSED}


class ClosureReason(models.TextChoices):
    CONFIRMED = "confirmed", _("Cliente confirmó la solución")
    NO_ANSWER = "no_answer", _("Cliente no respondió")
    DUPLICATE = "duplicate", _("Duplicado")
    SPAM = "spam", _("Spam / no requiere atención")
    WITHDRAWN = "withdrawn", _("Cliente desistió")
    MERGED = "merged", _("Fusionado con otro caso")


class Category(models.Model):
    """The small, maintained typology (CA2): a two-level tree, optionally tied to a case type."""

    code = models.SlugField(_("código"), max_length=60, unique=True)
    name = models.CharField(_("nombre"), max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    case_type = models.CharField(
        _("tipo de caso"), max_length=32, choices=CaseType.choices, blank=True
    )
    is_active = models.BooleanField(_("activa"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("categoría")
        verbose_name_plural = _("categorías")

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent else self.name


class FolioSeries(models.Model):
    """A numbering series such as AT-2026-000123; a case type may have its own (RECL-…)."""

    code = models.SlugField(unique=True)
    prefix = models.CharField(_("prefijo"), max_length=12)
    case_type = models.CharField(
        _("tipo de caso"),
        max_length=32,
        choices=CaseType.choices,
        blank=True,
        unique=True,
        help_text=_("Vacío: la serie por omisión."),
    )
    per_year = models.BooleanField(_("reinicia cada año"), default=True)
    padding = models.PositiveSmallIntegerField(_("dígitos"), default=6)

    class Meta:
        verbose_name = _("serie de folios")
        verbose_name_plural = _("series de folios")

    def __str__(self) -> str:
        return self.prefix

    def format(self, year: int, number: int) -> str:
        middle = f"-{year}" if self.per_year else ""
        return f"{self.prefix}{middle}-{number:0{self.padding}d}"


class FolioCounter(models.Model):
    """Last number issued per series and year; locked and bumped in the case's own transaction,
    so a rolled-back case gives its number back and the series stays gap-free."""

    series = models.ForeignKey(FolioSeries, on_delete=models.CASCADE, related_name="counters")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="folio_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.series_id}/{self.year}: {self.last_value}"


class StatusTransition(models.Model):
    """The allowed moves of the lifecycle (CA3); editable by administrators."""

    from_status = models.CharField(max_length=24, choices=Status.choices)
    to_status = models.CharField(max_length=24, choices=Status.choices)

    class Meta:
        verbose_name = _("transición de estado")
        verbose_name_plural = _("transiciones de estado")
        constraints = [
            models.UniqueConstraint(
                fields=["from_status", "to_status"], name="status_transition_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    folio = models.CharField(_("folio"), max_length=32, unique=True, editable=False)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case_type = models.CharField(
        _("tipo"), max_length=32, choices=CaseType.choices, default=CaseType.INFORMATION
    )
    category = models.ForeignKey(
        Category, verbose_name=_("categoría"), null=True, blank=True, on_delete=models.PROTECT
    )
    priority = models.CharField(
        _("prioridad"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    channel = models.CharField(_("canal de entrada"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("estado"), max_length=24, choices=Status.choices, default=Status.NEW
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("cliente"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("equipo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsable"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    escalation_level = models.PositiveSmallIntegerField(_("nivel de escalamiento"), default=1)
    summary = models.CharField(_("resumen"), max_length=255)
    solution = models.TextField(_("solución o siguiente paso"), blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="cases")
    custom_fields = models.JSONField(_("campos personalizados"), default=dict, blank=True)
    promise_at = models.DateTimeField(_("promesa"), null=True, blank=True)
    # Denormalised from the service-level clocks (``sla``) by ``services.record_due_times``:
    # the workbox orders by the soonest due time without joining the clocks.
    first_response_due_at = models.DateTimeField(
        _("vence primera respuesta"), null=True, blank=True
    )
    resolution_due_at = models.DateTimeField(_("vence resolución"), null=True, blank=True)
    next_due_at = models.DateTimeField(_("próximo vencimiento"), null=True, blank=True)
    received_at = models.DateTimeField(
        _("recibido"), help_text=_("Cuándo llegó realmente la solicitud.")
    )
    registered_at = models.DateTimeField(_("registrado"), default=timezone.now)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.CharField(
        _("motivo de cierre"), max_length=16, choices=ClosureReason.choices, blank=True
    )
    satisfaction_confirmed = models.BooleanField(
        _("satisfacción confirmada"), null=True, blank=True
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_cases"
    )
    split_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="split_cases"
    )
    #: Bumped by every change; callers that read a case may pass it back to detect a stale page.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("caso")
        verbose_name_plural = _("casos")
        indexes = [
            # Team queues and workboxes: "cases of team T in status S, newest first".
            models.Index(fields=["team", "status", "-registered_at"], name="case_team_queue"),
            models.Index(
                fields=["assignee", "status", "-registered_at"], name="case_assignee_queue"
            ),
            models.Index(fields=["customer", "-registered_at"], name="case_customer_log"),
            models.Index(fields=["status", "-registered_at"], name="case_status_list"),
            # "Due soonest first": only cases with a running clock have a next due time.
            models.Index(
                fields=["next_due_at"],
                name="case_next_due",
                condition=Q(next_due_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(escalation_level__gte=1, escalation_level__lte=3),
                name="case_escalation_1_3",
            ),
        ]

    def __str__(self) -> str:
        return self.folio

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_complaint(self) -> bool:
        return self.case_type == CaseType.COMPLAINT


class LinkKind(models.TextChoices):
    RELATED = "related", _("Relacionado")
    DUPLICATE = "duplicate", _("Duplicado de")
    CAUSED_BY = "caused_by", _("Causado por")


class CaseLink(models.Model):
    from_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_out")
    to_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=16, choices=LinkKind.choices, default=LinkKind.RELATED)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_case", "to_case", "kind"], name="case_link_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_case=models.F("to_case")), name="case_link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_case_id} {self.kind} {self.to_case_id}"


class Direction(models.TextChoices):
    INBOUND = "in", _("Entrante")
    OUTBOUND = "out", _("Saliente")


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _("Recibido")
    QUEUED = "queued", _("En cola")
    SENDING = "sending", _("Enviando")
    SENT = "sent", _("Enviado")
    DELIVERED = "delivered", _("Entregado")
    READ = "read", _("Leído")
    FAILED = "failed", _("Fallido")


class Message(models.Model):
    """A communication with the customer, either way. Outbound rows are the outbox (invariant 4)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_address = models.CharField(max_length=255, blank=True)
    to_address = models.CharField(max_length=255, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True, help_text=_("Sanitised; safe to render."))
    external_id = models.CharField(max_length=255, blank=True)
    delivery_status = models.CharField(max_length=12, choices=DeliveryStatus.choices)
    status_detail = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["case", "created_at"], name="message_timeline"),
            # The outbox sweep: "outbound rows still queued or sending since before T".
            models.Index(
                fields=["delivery_status", "status_changed_at"],
                name="message_outbox",
                condition=Q(delivery_status__in=["queued", "sending"]),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "direction", "external_id"],
                condition=~Q(external_id=""),
                name="message_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.channel} #{self.pk}"


class Note(models.Model):
    """An internal note: never shown to the customer."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in_notes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Nota #{self.pk}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.case.uuid}/{uuid.uuid4().hex}/{filename}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    note = models.ForeignKey(
        Note, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=500)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.filename


class Verb(models.TextChoices):
    CREATED = "created", _("Caso creado")
    STATUS_CHANGED = "status_changed", _("Cambio de estado")
    REOPENED = "reopened", _("Caso reabierto")
    ASSIGNED = "assigned", _("Asignado")
    TEAM_CHANGED = "team_changed", _("Cambio de equipo")
    ESCALATED = "escalated", _("Escalado")
    FIELDS_CHANGED = "fields_changed", _("Datos modificados")
    PROMISE_SET = "promise_set", _("Promesa fijada")
    MESSAGE_RECEIVED = "message_received", _("Mensaje recibido")
    MESSAGE_QUEUED = "message_queued", _("Respuesta en cola")
    DELIVERY_CHANGED = "delivery_changed", _("Estado de entrega")
    FIRST_RESPONSE = "first_response", _("Primera respuesta")
    NOTE_ADDED = "note_added", _("Nota interna")
    ATTACHMENT_ADDED = "attachment_added", _("Adjunto agregado")
    LINKED = "linked", _("Casos vinculados")
    MERGED = "merged", _("Caso fusionado")
    ABSORBED = "absorbed", _("Absorbió otro caso")
    SPLIT = "split", _("Caso dividido")
    CUSTOMER_CHANGED = "customer_changed", _("Cambio de cliente")
    SLA_CHANGED = "sla_changed", _("Plazos de servicio")
    SLA_WARNING = "sla_warning", _("Aviso de plazo")
    SLA_BREACHED = "sla_breached", _("Plazo vencido")
    APPROVAL_REQUESTED = "approval_requested", _("Aprobación solicitada")
    APPROVAL_DECIDED = "approval_decided", _("Aprobación resuelta")


class Event(AppendOnlyModel):
    """Append-only history (CA4): who did what, when, with the before and after."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    verb = models.CharField(max_length=24, choices=Verb.choices)
    # PROTECT: people are deactivated, never deleted, so the history keeps its actors.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("evento")
        verbose_name_plural = _("eventos")
        indexes = [models.Index(fields=["case", "at"], name="event_timeline")]


class ApprovalKind(models.TextChoices):
    COMPENSATION = "compensation", _("Compensación")
    POLICY_EXCEPTION = "policy_exception", _("Excepción a la política")
    PROMISE_CHANGE = "promise_change", _("Cambio de promesa")
    CLOSURE = "closure", _("Cierre sin confirmación del cliente")
    OTHER = "other", _("Otra")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pendiente")
    APPROVED = "approved", _("Aprobada")
    REJECTED = "rejected", _("Rechazada")


class ApprovalRequest(models.Model):
    """Someone asks a higher level (RT6, RT8) to allow something on a case.

    Created and decided only through ``cases.approvals``, which writes the case's events.
    ``level`` is the escalation level whose holders may decide: 2 supervisor, 3 manager.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="approval_requests")
    kind = models.CharField(_("tipo"), max_length=20, choices=ApprovalKind.choices)
    level = models.PositiveSmallIntegerField(_("nivel que aprueba"))
    reason = models.TextField(_("motivo"))
    status = models.CharField(
        _("estado"),
        max_length=10,
        choices=ApprovalStatus.choices,
        default=ApprovalStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by_name = models.CharField(max_length=200, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by_name = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("comentario de la decisión"), blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("solicitud de aprobación")
        verbose_name_plural = _("solicitudes de aprobación")
        indexes = [
            # The approvals inbox: "pending requests, oldest first".
            models.Index(
                fields=["requested_at"],
                name="approval_pending",
                condition=Q(status="pending"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(status="pending"),
                name="approval_one_pending_per_kind",
            ),
            models.CheckConstraint(condition=Q(level__in=[2, 3]), name="approval_level_2_3"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.status}"
