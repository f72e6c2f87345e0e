"""Which policy a case follows (first active match by position), and checking policies.

Matching works on plain values (``CaseFacts``), so the simulator and the explanation use the same
code as the clocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from atiende.accounts.models import Team
from atiende.cases.models import Case, CaseType, Channel, Priority
from atiende.customers.models import Segment
from atiende.sla.models import Policy, Target, TargetKind

#: The conditions of a policy: (field on the policy, field of CaseFacts, allowed values, label).
CONDITIONS: list[tuple[str, str, list[str], str]] = [
    ("channels", "channel", Channel.values, "canal"),
    ("case_types", "case_type", CaseType.values, "tipo de caso"),
    ("priorities", "priority", Priority.values, "prioridad"),
    ("segments", "segment", Segment.values, "segmento"),
]


@dataclass(frozen=True)
class CaseFacts:
    channel: str
    case_type: str
    priority: str
    segment: str
    team_id: int | None

    @classmethod
    def of(cls, case: Case) -> CaseFacts:
        return cls(case.channel, case.case_type, case.priority, case.customer.segment, case.team_id)


@dataclass(frozen=True)
class CompiledPolicy:
    policy: Policy
    values: dict[str, frozenset[str]]  # CaseFacts field → allowed values (empty: any)
    team_ids: frozenset[int]

    def matches(self, facts: CaseFacts) -> bool:
        for field, allowed in self.values.items():
            if allowed and getattr(facts, field) not in allowed:
                return False
        return not self.team_ids or facts.team_id in self.team_ids

    def reasons(self, facts: CaseFacts) -> list[str]:
        """Why it matched, for the explanation: the conditions that restricted something."""
        said = [
            f"{label}: {getattr(facts, field)}"
            for attr, field, _values, label in CONDITIONS
            if self.values[field]
        ]
        if self.team_ids:
            said.append(_("equipo del caso"))
        return said or [_("sin condiciones (política general)")]


def compile_policy(policy: Policy) -> CompiledPolicy:
    values = {field: frozenset(getattr(policy, attr) or ()) for attr, field, _v, _l in CONDITIONS}
    team_ids = frozenset(t.pk for t in policy.teams.all()) if policy.pk else frozenset()
    return CompiledPolicy(policy, values, team_ids)


def active_policies() -> list[CompiledPolicy]:
    policies = (
        Policy.objects.filter(is_active=True, calendar__is_active=True)
        .select_related("calendar")
        .prefetch_related("teams", "targets")
        .order_by("position", "pk")
    )
    return [compile_policy(p) for p in policies]


def match_policy(facts: CaseFacts, policies: list[CompiledPolicy] | None = None) -> Policy | None:
    for compiled in active_policies() if policies is None else policies:
        if compiled.matches(facts):
            return compiled.policy
    return None


# --- validation at configuration time ------------------------------------------------------------


def clean_conditions(data: dict[str, Any]) -> dict[str, list[str]]:
    """Check each condition list holds known values; return them sorted and without repeats."""
    cleaned: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    for attr, _field, allowed, label in CONDITIONS:
        value = data.get(attr) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            errors[attr] = _("Indique una lista de valores para %(l)s.") % {"l": label}
            continue
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            errors[attr] = _("Valores desconocidos para %(l)s: %(v)s.") % {
                "l": label,
                "v": ", ".join(unknown),
            }
        cleaned[attr] = sorted(set(value))
    if errors:
        raise ValidationError(errors)
    return cleaned


def check_reachable(policy: Policy, conditions: dict[str, list[str]], teams: list[Team]) -> None:
    """Refuse a policy that can match no case: an earlier active policy (by position) takes every
    case it would match, so it would never apply."""
    if not policy.is_active:
        return
    mine = {attr: set(conditions.get(attr) or ()) for attr, *_ in CONDITIONS}
    my_teams = {t.pk for t in teams}
    earlier = Policy.objects.filter(is_active=True, position__lte=policy.position)
    if policy.pk:
        earlier = earlier.exclude(pk=policy.pk).exclude(position=policy.position, pk__gt=policy.pk)
    for other in earlier.prefetch_related("teams"):
        covers = all(
            not getattr(other, attr)
            or (bool(mine[attr]) and mine[attr] <= set(getattr(other, attr)))
            for attr in mine
        )
        other_teams = {t.pk for t in other.teams.all()}
        covers = covers and (not other_teams or (bool(my_teams) and my_teams <= other_teams))
        if covers:
            raise ValidationError(
                _(
                    "Esta política nunca se aplicaría: «%(o)s» (orden %(p)s) ya recibe todos los "
                    "casos que cumplen sus condiciones. Cambie el orden o las condiciones."
                )
                % {"o": other.name, "p": other.position}
            )


def clean_target(kind: str, seconds: int | None, business_time: bool) -> int | None:
    if kind not in TargetKind.values:
        raise ValidationError(_("Objetivo desconocido: %(k)s.") % {"k": kind})
    if kind == TargetKind.REGISTRATION:
        if seconds:
            raise ValidationError(
                _("El registro se mide por día hábil: no lleva plazo en segundos.")
            )
        if not business_time:
            raise ValidationError(_("El registro el mismo día se mide en tiempo hábil."))
        return None
    if seconds is None or seconds <= 0:
        raise ValidationError(
            _("El plazo de «%(k)s» debe ser mayor que cero.") % {"k": TargetKind(kind).label}
        )
    return seconds


def describe_target(target: Target | Any) -> str:
    """A target in words: 2 h hábiles, 48 h, 60 s, el mismo día hábil."""
    if target.kind == TargetKind.REGISTRATION:
        return _("el mismo día hábil")
    text = human_duration(target.seconds)
    return f"{text} {_('hábiles')}" if target.business_time else text


def human_duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    if seconds % 3600 == 0 and seconds >= 3600:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0 and seconds >= 60:
        return f"{seconds // 60} min"
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds} s"
