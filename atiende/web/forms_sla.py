"""Forms of the service-level configuration screens. They only parse what people type; the
rules (overlaps, zones, reachability, positive targets) live in ``sla.services``."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.accounts.models import Team
from atiende.cases.models import CaseType, Channel, Priority
from atiende.customers.models import Segment
from atiende.sla.calendars import WEEKDAYS
from atiende.sla.models import Calendar, Policy, TargetKind
from atiende.sla.services import TargetSpec

SPECIAL_LINE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})\s*(.*?)\s*((?:\d{1,2}:\d{2}-\d{1,2}:\d{2}(?:\+1)?[\s,]*)*)$"
)
UNITS = [
    ("s", gettext_lazy("segundos")),
    ("min", gettext_lazy("minutos")),
    ("h", gettext_lazy("horas")),
]
UNIT_SECONDS = {"s": 1, "min": 60, "h": 3600}


class CalendarForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Nombre"), max_length=120)
    timezone = forms.CharField(
        label=gettext_lazy("Zona horaria (IANA)"), max_length=64, initial="America/Mexico_City"
    )
    holiday_country = forms.CharField(
        label=gettext_lazy("Feriados del país (MX, CL, CO, PE, AR, ES, US…)"),
        max_length=2,
        required=False,
    )
    holiday_subdivision = forms.CharField(
        label=gettext_lazy("Subdivisión"), max_length=10, required=False
    )
    is_active = forms.BooleanField(
        label=gettext_lazy("Activo (sin marcar: borrador)"), required=False, initial=True
    )
    special_days = forms.CharField(
        label=gettext_lazy("Días especiales"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Uno por línea: 2026-12-24 Nochebuena 09:00-13:00 (medio día) o "
            "2026-12-31 Inventario (cerrado)."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, label in enumerate(WEEKDAYS):
            self.fields[f"day_{day}"] = forms.CharField(
                label=label.capitalize(),
                required=False,
                help_text=gettext_lazy("p. ej. 09:00-14:00, 15:00-18:00 o 22:00-06:00+1"),
            )

    @classmethod
    def initial_for(cls, calendar: Calendar) -> dict[str, Any]:
        initial = {
            "name": calendar.name,
            "timezone": calendar.timezone,
            "holiday_country": calendar.holiday_country,
            "holiday_subdivision": calendar.holiday_subdivision,
            "is_active": calendar.is_active,
            "special_days": "\n".join(
                f"{d.date.isoformat()} {d.name} {', '.join(d.hours)}".strip()
                for d in calendar.special_days.all()
            ),
        }
        for day in range(7):
            initial[f"day_{day}"] = ", ".join(calendar.weekly_hours.get(str(day), []))
        return initial

    def clean_special_days(self) -> list[tuple[date, str, str]]:
        days = []
        for number, line in enumerate(self.cleaned_data["special_days"].splitlines(), 1):
            if not line.strip():
                continue
            match = SPECIAL_LINE.match(line.strip())
            try:
                day = date.fromisoformat(match.group(1)) if match else None
            except ValueError:
                day = None
            if not match or day is None:
                raise forms.ValidationError(
                    _("Línea %(n)s: escriba AAAA-MM-DD, el motivo y, si abre, el horario.")
                    % {"n": number}
                )
            days.append((day, match.group(2), match.group(3).strip(" ,")))
        return days

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "timezone": data["timezone"].strip(),
            "holiday_country": data["holiday_country"].strip(),
            "holiday_subdivision": data["holiday_subdivision"].strip(),
            "is_active": data["is_active"],
            "weekly_hours": {
                str(day): data[f"day_{day}"] for day in range(7) if data[f"day_{day}"].strip()
            },
            "special_days": data["special_days"],
        }


class PolicyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Nombre"), max_length=120)
    position = forms.IntegerField(label=gettext_lazy("Orden"), min_value=0, max_value=100000)
    is_active = forms.BooleanField(
        label=gettext_lazy("Activa (sin marcar: borrador)"), required=False, initial=True
    )
    calendar = forms.ModelChoiceField(
        label=gettext_lazy("Calendario"), queryset=Calendar.objects.all()
    )
    warn_percent = forms.IntegerField(
        label=gettext_lazy("Avisar al % del plazo"), min_value=1, max_value=99, initial=75
    )
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("Canales"), choices=Channel.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    case_types = forms.MultipleChoiceField(
        label=gettext_lazy("Tipos de caso"), choices=CaseType.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    priorities = forms.MultipleChoiceField(
        label=gettext_lazy("Prioridades"), choices=Priority.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    segments = forms.MultipleChoiceField(
        label=gettext_lazy("Segmentos de cliente"), choices=Segment.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    teams = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Equipos"), queryset=Team.objects.filter(is_active=True),
        required=False, widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(is_active=True)
        for kind in TargetKind.values:
            self.fields[f"{kind}_on"] = forms.BooleanField(required=False)
            self.fields[f"{kind}_amount"] = forms.IntegerField(required=False)
            self.fields[f"{kind}_unit"] = forms.ChoiceField(choices=UNITS, initial="h")
            self.fields[f"{kind}_business"] = forms.BooleanField(required=False, initial=True)
            self.fields[f"{kind}_escalate"] = forms.TypedChoiceField(
                choices=[(0, "—"), (2, "N2"), (3, "N3")], coerce=int, initial=0
            )
            self.fields[f"{kind}_raise"] = forms.BooleanField(required=False)
            self.fields[f"{kind}_reassign"] = forms.ModelChoiceField(queryset=teams, required=False)
        self.fields["handoff_team"] = forms.ModelChoiceField(
            label=gettext_lazy("Traspaso interno: al equipo (vacío: a cualquier otro)"),
            queryset=teams,
            required=False,
        )

    def target_rows(self) -> list[dict[str, Any]]:
        """The fields of each target kind, for the template's table."""
        return [
            {
                "kind": kind,
                "label": label,
                **{
                    part: self[f"{kind}_{part}"]
                    for part in (
                        "on",
                        "amount",
                        "unit",
                        "business",
                        "escalate",
                        "raise",
                        "reassign",
                    )
                },
            }
            for kind, label in TargetKind.choices
        ]

    @classmethod
    def initial_for(cls, policy: Policy) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": policy.name,
            "position": policy.position,
            "is_active": policy.is_active,
            "calendar": policy.calendar_id,
            "warn_percent": policy.warn_percent,
            "channels": policy.channels,
            "case_types": policy.case_types,
            "priorities": policy.priorities,
            "segments": policy.segments,
            "teams": list(policy.teams.all()),
        }
        for target in policy.targets.all():
            kind = target.kind
            seconds = target.seconds or 0
            unit = "h" if seconds and seconds % 3600 == 0 else "min" if seconds % 60 == 0 else "s"
            initial |= {
                f"{kind}_on": True,
                f"{kind}_amount": seconds // UNIT_SECONDS[unit] if seconds else None,
                f"{kind}_unit": unit,
                f"{kind}_business": target.business_time,
                f"{kind}_escalate": target.escalate_to,
                f"{kind}_raise": target.raise_priority,
                f"{kind}_reassign": target.reassign_team_id,
            }
            if kind == TargetKind.HANDOFF:
                initial["handoff_team"] = target.handoff_team_id
        return initial

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        targets = []
        for kind in TargetKind.values:
            if not data[f"{kind}_on"]:
                continue
            amount = data[f"{kind}_amount"]
            targets.append(
                TargetSpec(
                    kind=kind,
                    seconds=None if amount is None else amount * UNIT_SECONDS[data[f"{kind}_unit"]],
                    business_time=data[f"{kind}_business"],
                    handoff_team=data["handoff_team"] if kind == TargetKind.HANDOFF else None,
                    raise_priority=data[f"{kind}_raise"],
                    escalate_to=data[f"{kind}_escalate"],
                    reassign_team=data[f"{kind}_reassign"],
                )
            )
        return {
            "name": data["name"],
            "position": data["position"],
            "is_active": data["is_active"],
            "calendar": data["calendar"],
            "warn_percent": data["warn_percent"],
            "conditions": {
                attr: list(data[attr])
                for attr in ("channels", "case_types", "priorities", "segments")
            },
            "teams": list(data["teams"]),
            "targets": targets,
        }


class SimulateForm(forms.Form):
    days = forms.IntegerField(
        label=gettext_lazy("Días hacia atrás"), min_value=1, max_value=366, initial=30
    )
    calendar = forms.ModelChoiceField(
        label=gettext_lazy("Con el calendario (opcional)"),
        queryset=Calendar.objects.all(),
        required=False,
    )
