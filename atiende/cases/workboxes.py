"""Workboxes (UI1): the agent's to-do lists of open cases, read through one ``Workbox``.

Every box is a subset of ``cases_visible_to(user)`` restricted to open cases, so a box never shows
a case its user could not open. Each box is defined once, as a condition (``box_condition``):
``Workbox.cases`` filters by it and ``Workbox.counts`` counts every box in ONE aggregate query
with conditional ``Count(filter=...)``. Lists are ordered by urgency: the soonest due time first
(cases without a running clock last), then the oldest registration.

"At risk" reads the service-level clocks: a running clock past its warning instant, or a case
past its next due time. "Follow-ups of today" are the cases assigned to the user whose promise
or next due time falls on the user's today (in the user's time zone): the case has no separate
follow-up date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atiende.accounts.models import Role, Team, User
from atiende.cases.models import OPEN_STATUSES, Case, Channel, Priority, Status
from atiende.cases.selectors import cases_visible_to

#: The boxes, in the order of the tabs, with their labels.
BOXES: dict[str, Any] = {
    "mine": _("Mis casos"),
    "team": _("Cola del equipo"),
    "unassigned": _("Sin asignar"),
    "escalated": _("Escalados a mí"),
    "at_risk": _("En riesgo"),
    "followups": _("Seguimientos de hoy"),
    "waiting": _("Esperando al cliente"),
}

#: Query parameters a workbox (and a saved filter) may carry.
FILTER_PARAMS = ("status", "channel", "priority", "team", "tag", "q")
ALLOWED_PARAMS = frozenset({"box", *FILTER_PARAMS})

#: Statuses a workbox can filter by: every box lists open cases only.
OPEN_STATUS_CHOICES = [(value, label) for value, label in Status.choices if value in OPEN_STATUSES]


def default_box(user: User) -> str:
    """Supervisors start on their team's queue; everyone else on their own cases."""
    return "team" if user.role == Role.SUPERVISOR else "mine"


# --- the query string ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkboxQuery:
    """A parsed, validated workbox query string: the box and its filters."""

    box: str
    filters: dict[str, str] = field(default_factory=dict)

    def as_params(self) -> dict[str, str]:
        """The canonical parameters (box first, filters in a fixed order, empty ones left out)."""
        return {"box": self.box, **{k: self.filters[k] for k in FILTER_PARAMS if k in self.filters}}


class InvalidWorkboxQuery(ValueError):
    """A query string with an unknown parameter or value; the message is for people."""


def parse_query(params: Mapping[str, str], *, default: str, strict: bool = False) -> WorkboxQuery:
    """Read the box and its filters from PARAMS (a QueryDict or dict).

    Lenient by default, as links are: unknown parameters and bad values are ignored. STRICT (for
    saved filters) raises ``InvalidWorkboxQuery`` instead.
    """

    def bad(message: str) -> None:
        if strict:
            raise InvalidWorkboxQuery(message)

    unknown = sorted(set(params) - ALLOWED_PARAMS - {"page"})
    if unknown:
        bad(str(_("Parámetro no permitido: %(p)s")) % {"p": ", ".join(unknown)})
    box = params.get("box") or default
    if box not in BOXES:
        bad(str(_("Bandeja desconocida: %(b)s")) % {"b": box})
        box = default
    valid = {
        "status": {v for v, _label in OPEN_STATUS_CHOICES},
        "channel": set(Channel.values),
        "priority": set(Priority.values),
    }
    filters: dict[str, str] = {}
    for name in FILTER_PARAMS:
        value = (params.get(name) or "").strip()
        if not value:
            continue
        if name in valid and value not in valid[name]:
            bad(str(_("Valor no permitido para %(p)s: %(v)s")) % {"p": name, "v": value})
            continue
        if name == "team" and not value.isdigit():
            bad(str(_("Valor no permitido para %(p)s: %(v)s")) % {"p": name, "v": value})
            continue
        filters[name] = value[:100]
    return WorkboxQuery(box=box, filters=filters)


# --- the boxes -----------------------------------------------------------------------------------


def today_bounds(user: User, now: datetime) -> tuple[datetime, datetime]:
    """Start and end of the user's current day (``User.zone``, else the active zone), as aware
    instants."""
    local = timezone.localtime(now, user.zone or timezone.get_current_timezone())
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)  # wall-clock arithmetic: the next local midnight


#: A running service-level clock past its warning instant, read through the reverse relation
#: of ``sla.Clock`` (``cases`` does not import ``sla``; the clocks point at the case).
RUNNING_CLOCK = "running"


def _warned_clocks(now: datetime) -> QuerySet:
    clock_model = Case._meta.get_field("sla_clocks").related_model
    assert isinstance(clock_model, type)
    return clock_model._default_manager.filter(state=RUNNING_CLOCK, warn_at__lte=now)


def warned(now: datetime) -> Exists:
    """The case has a running clock past its warning instant (one index probe per case)."""
    return Exists(_warned_clocks(now).filter(case=OuterRef("pk")))


def box_condition(box: str, user: User, team_ids: list[int], now: datetime) -> Q:
    """The condition, over open visible cases, that puts a case in BOX for USER."""
    if box == "mine":
        return Q(assignee=user)
    if box == "team":
        return Q(team_id__in=team_ids)
    if box == "unassigned":
        return Q(assignee__isnull=True)
    if box == "escalated":
        # Escalations go to a level (RT8: 2 supervisor, 3 manager), not to a person; the person
        # is whoever holds that level and sees the case. An escalated case assigned to me is mine.
        mine = Q(status=Status.ESCALATED, assignee=user)
        level = user.escalation_level
        return mine | Q(escalation_level=level) if level >= 2 else mine
    if box == "at_risk":
        # A running clock implies a next due time: the cheap test first spares the subquery.
        return Q(next_due_at__isnull=False) & (Q(next_due_at__lte=now) | Q(warned(now)))
    if box == "followups":
        start, end = today_bounds(user, now)
        today = Q(promise_at__gte=start, promise_at__lt=end) | Q(
            next_due_at__gte=start, next_due_at__lt=end
        )
        return Q(assignee=user) & today
    if box == "waiting":
        return Q(status=Status.WAITING_CUSTOMER)
    raise ValueError(box)


class Workbox:
    """The boxes of one user at one instant. Reads the user's teams once; every list and the
    counts derive from the same scoped queryset of open visible cases."""

    def __init__(self, user: User, *, now: datetime | None = None) -> None:
        self.user = user
        self.now = now or timezone.now()
        self.teams: list[Team] = list(user.teams.all())
        self.team_ids = [t.pk for t in self.teams]
        self.open_cases = cases_visible_to(user).filter(status__in=OPEN_STATUSES)

    def condition(self, box: str) -> Q:
        return box_condition(box, self.user, self.team_ids, self.now)

    def cases(self, box: str) -> QuerySet[Case]:
        """The open visible cases of BOX, most urgent first."""
        cases = self.open_cases.filter(self.condition(box))
        return cases.order_by(F("next_due_at").asc(nulls_last=True), "registered_at", "pk")

    def counts(self) -> dict[str, int]:
        """How many cases each box holds: one aggregate query with a filtered count per box."""
        counts = self.open_cases.aggregate(
            **{box: Count("pk", filter=self.condition(box)) for box in BOXES}
        )
        return {box: counts[box] or 0 for box in BOXES}

    def filtered(self, query: WorkboxQuery) -> QuerySet[Case]:
        """The cases of QUERY's box narrowed by its filters (every filter combines with AND)."""
        cases = self.cases(query.box)
        f = query.filters
        for name in ("status", "channel", "priority"):
            if name in f:
                cases = cases.filter(**{name: f[name]})
        if "team" in f:
            cases = cases.filter(team_id=int(f["team"]))
        if "tag" in f:
            cases = cases.filter(tags__name=f["tag"].strip().lower())
        if "q" in f:
            cases = cases.filter(summary__icontains=f["q"])
        return cases


# --- rows ----------------------------------------------------------------------------------------


def risk_of(case: Case, warned_ids: set[int], now: datetime) -> str:
    """``breached``, ``warning``, ``ok`` (a clock runs) or "" (no running clock)."""
    if case.next_due_at is None:
        return ""
    if case.next_due_at <= now:
        return "breached"
    return "warning" if case.pk in warned_ids else "ok"


def annotate_risk(cases: list[Case], *, now: datetime | None = None) -> list[Case]:
    """Set ``case.risk`` on each case of a page, with one query for the whole page."""
    now = now or timezone.now()
    ids = [c.pk for c in cases if c.next_due_at is not None]
    warned_ids = set(_warned_clocks(now).filter(case__in=ids).values_list("case_id", flat=True))
    for case in cases:
        case.risk = risk_of(case, warned_ids, now)  # type: ignore[attr-defined]
    return cases
