"""Service levels (SL1-SL6): business calendars, policies with targets, and one clock per target
of each case, with the alerts the scan fired for them.

The clock rows are the source of truth; the case keeps a denormalised copy of its due times
(``Case.first_response_due_at`` ...) written through ``cases.services.record_due_times``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Calendar(models.Model):
    """Weekly working hours in a time zone, closed on a country's holidays and on special days.

    ``weekly_hours`` maps a weekday ("0" Monday ... "6" Sunday) to a list of "HH:MM-HH:MM"
    ranges; a range whose end is at or before its start runs past midnight (22:00-06:00).
    """

    slug = models.SlugField(unique=True)
    name = models.CharField(_("nombre"), max_length=120)
    timezone = models.CharField(_("zona horaria"), max_length=64, default="America/Mexico_City")
    weekly_hours = models.JSONField(_("horario semanal"), default=dict)
    holiday_country = models.CharField(
        _("feriados del país"),
        max_length=2,
        blank=True,
        help_text=_("Código ISO del país (MX, CL, CO, PE, AR, ES, US…); vacío: sin feriados."),
    )
    holiday_subdivision = models.CharField(_("subdivisión"), max_length=10, blank=True)
    is_active = models.BooleanField(
        _("activo"), default=True, help_text=_("Un calendario inactivo es un borrador.")
    )
    #: Bumped by every change, so the cached arithmetic of a calendar is rebuilt.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        verbose_name = _("calendario laboral")
        verbose_name_plural = _("calendarios laborales")

    def __str__(self) -> str:
        return self.name


class SpecialDay(models.Model):
    """A date with other hours than usual: closed (no ranges), a half day, or open on a holiday."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="special_days")
    date = models.DateField(_("fecha"))
    name = models.CharField(_("motivo"), max_length=120)
    hours = models.JSONField(_("horario"), default=list, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("día especial")
        verbose_name_plural = _("días especiales")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="special_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Policy(models.Model):
    """Targets for the cases it matches. Policies are tried by ``position``; the first active one
    whose every condition holds wins. An empty condition list means "any"."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("nombre"), max_length=120)
    position = models.PositiveIntegerField(_("orden"), default=100)
    is_active = models.BooleanField(
        _("activa"), default=True, help_text=_("Una política inactiva es un borrador.")
    )
    calendar = models.ForeignKey(
        Calendar, verbose_name=_("calendario"), on_delete=models.PROTECT, related_name="policies"
    )
    channels = models.JSONField(_("canales"), default=list, blank=True)
    case_types = models.JSONField(_("tipos de caso"), default=list, blank=True)
    priorities = models.JSONField(_("prioridades"), default=list, blank=True)
    segments = models.JSONField(_("segmentos de cliente"), default=list, blank=True)
    teams = models.ManyToManyField(
        "accounts.Team", verbose_name=_("equipos"), blank=True, related_name="sla_policies"
    )
    warn_percent = models.PositiveSmallIntegerField(
        _("avisar al % del plazo"), default=75, help_text=_("Entre 1 y 99.")
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("política de servicio")
        verbose_name_plural = _("políticas de servicio")

    def __str__(self) -> str:
        return self.name


class TargetKind(models.TextChoices):
    REGISTRATION = "registration", _("Registro")
    FIRST_RESPONSE = "first_response", _("Primera respuesta")
    NEXT_RESPONSE = "next_response", _("Siguiente respuesta")
    RESOLUTION = "resolution", _("Resolución")
    HANDOFF = "handoff", _("Traspaso interno")


class Target(models.Model):
    """One promise of a policy, with what to do when it is broken.

    Registration is "the same business day" and has no duration; every other kind has one,
    counted in business time (the policy's calendar) or in calendar time.
    """

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(_("objetivo"), max_length=16, choices=TargetKind.choices)
    seconds = models.PositiveIntegerField(_("plazo (segundos)"), null=True, blank=True)
    business_time = models.BooleanField(_("en tiempo hábil"), default=True)
    handoff_team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("traspaso al equipo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Traspaso interno: cumplido cuando el caso pasa a este equipo."),
    )
    raise_priority = models.BooleanField(_("al vencer: subir prioridad"), default=False)
    escalate_to = models.PositiveSmallIntegerField(
        _("al vencer: escalar a nivel"),
        default=0,
        choices=[(0, _("No escalar")), (2, _("N2 supervisor")), (3, _("N3 gerente"))],
    )
    reassign_team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("al vencer: reasignar al equipo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["policy", "kind"]
        verbose_name = _("objetivo de servicio")
        verbose_name_plural = _("objetivos de servicio")
        constraints = [
            models.UniqueConstraint(fields=["policy", "kind"], name="sla_target_unique_kind")
        ]

    def __str__(self) -> str:
        return f"{self.policy} · {self.get_kind_display()}"


class ClockState(models.TextChoices):
    RUNNING = "running", _("En curso")
    PAUSED = "paused", _("En pausa")
    MET = "met", _("Cumplido")
    STOPPED = "stopped", _("Detenido")


OPEN_CLOCK_STATES = (ClockState.RUNNING, ClockState.PAUSED)


class Clock(models.Model):
    """One target's clock on one case.

    Time already used is ``consumed_s`` (finished segments) plus the running segment from
    ``segment_start``; ``due_at`` and ``warn_at`` are where the running segment ends and where
    it crosses the warning threshold. A pause ends the segment; a resume starts a new one.
    ``breached_at`` is the breach instant (the due time), recorded by the scan or, if the target
    was met late before any scan saw it, when it was met.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="sla_clocks")
    kind = models.CharField(max_length=16, choices=TargetKind.choices)
    # No index: every claim by the scan rewrites index entries (a breach is not a HOT update),
    # so the table keeps only the indexes that queries use; deleting a policy is rare.
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="+", db_index=False)
    calendar = models.ForeignKey(
        Calendar, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    seconds = models.PositiveIntegerField(null=True)
    business_time = models.BooleanField(default=True)
    state = models.CharField(max_length=8, choices=ClockState.choices)
    started_at = models.DateTimeField()
    segment_start = models.DateTimeField(null=True)
    consumed_s = models.FloatField(default=0)
    paused_at = models.DateTimeField(null=True)
    pauses = models.JSONField(default=list, help_text="[[paused_at, resumed_at or null], ...]")
    due_at = models.DateTimeField(null=True)
    warn_at = models.DateTimeField(null=True)
    warned_at = models.DateTimeField(null=True)
    breached_at = models.DateTimeField(null=True)
    met_at = models.DateTimeField(null=True)
    stopped_at = models.DateTimeField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "created_at", "pk"]
        indexes = [
            # The scan: "running clocks not yet breached, due by now", soonest first.
            models.Index(
                fields=["due_at"],
                name="sla_clock_breach_due",
                condition=Q(state="running", breached_at__isnull=True),
            ),
            models.Index(
                fields=["warn_at"],
                name="sla_clock_warn_due",
                condition=Q(state="running", warned_at__isnull=True, breached_at__isnull=True),
            ),
        ]
        constraints = [
            # One open clock per target kind and case; met or stopped ones stay as history.
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(state__in=["running", "paused"]),
                name="sla_clock_one_open_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.state}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CLOCK_STATES


class CaseServiceLevel(models.Model):
    """Which policy and calendar a case's clocks follow, and where its promise came from."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="service_level"
    )
    policy = models.ForeignKey(Policy, null=True, on_delete=models.PROTECT, related_name="+")
    matched_at = models.DateTimeField(default=timezone.now)
    #: True while the case's promise is the policy's resolution time (an agent's promise wins).
    promise_from_policy = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.case_id} → {self.policy_id}"


class AlertKind(models.TextChoices):
    WARNING = "warning", _("Aviso")
    BREACH = "breach", _("Vencimiento")


class Alert(models.Model):
    """A warning or breach the scan fired. Unique per clock and kind: it fires once.

    The scan writes it in the claiming transaction; ``sla.process_alerts`` later notifies people
    and applies the breach actions, claiming the row by ``processed_at IS NULL``.
    """

    # Indexed by the unique (clock, kind) constraint.
    clock = models.ForeignKey(
        Clock, on_delete=models.CASCADE, related_name="alerts", db_index=False
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="sla_alerts")
    kind = models.CharField(max_length=8, choices=AlertKind.choices)
    fired_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True)
    outcome = models.JSONField(default=dict)

    class Meta:
        ordering = ["fired_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["clock", "kind"], name="sla_alert_once")]
        indexes = [
            models.Index(
                fields=["fired_at"],
                name="sla_alert_unprocessed",
                condition=Q(processed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.clock_id}"
