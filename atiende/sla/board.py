"""The supervisor's floor (UI4): queue figures per team and channel, agents' load, the cases
that need a hand, and today's service level. Read-only, scoped by who asks.

It sits in ``sla`` because its figures come from cases AND their clocks (``cases`` may not
import ``sla``). Every figure is one aggregated query (GROUP BY), never one query per row, so
the number of queries does not grow with the number of cases.

Definitions (the wallboard, the board and the tests share them):
- waiting: an open case in the desk's hands (not waiting on the customer or a third party)
  that has no owner yet or no first answer yet; its wait counts from ``received_at``;
- breached: an open case with an open clock (running or paused) that is past due;
- at risk: an open case, not breached, with a running clock past its warning threshold;
- service level today: of the response and resolution clocks met or breached since local
  midnight, the share met on time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import Team, User
from atiende.cases.models import OPEN_STATUSES, Case, Channel, Event, Status
from atiende.cases.selectors import cases_visible_to
from atiende.sla.models import OPEN_CLOCK_STATES, Clock, ClockState, TargetKind

#: Statuses in which the next move is the desk's (not waiting on the customer or a third party).
DESK_TURN_STATUSES = (Status.NEW, Status.OPEN, Status.IN_PROGRESS, Status.ESCALATED)
WAITING = Q(status__in=DESK_TURN_STATUSES) & (
    Q(assignee__isnull=True) | Q(first_response_at__isnull=True)
)
#: Clocks that measure answering and resolving (registration is met at once, hand-offs are
#: internal): the service level counts these.
SERVICE_KINDS = (TargetKind.FIRST_RESPONSE, TargetKind.NEXT_RESPONSE, TargetKind.RESOLUTION)
#: How far back "last activity" looks in the events (an index on the actor serves it).
ACTIVITY_WINDOW = timedelta(days=7)
#: Cases shown as cards to reassign.
CARD_LIMIT = 30


def human_wait(seconds: float | None) -> str:
    """A short, language-neutral duration: 45 s, 12 min, 3 h 05 min, 2 d 4 h."""
    if seconds is None:
        return "—"
    seconds = max(int(seconds), 0)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"


# --- scope ---------------------------------------------------------------------------------------


def supervised_teams(user: User) -> list[Team]:
    """The teams USER oversees: every active team for desk-wide roles, else their own."""
    teams = Team.objects.filter(is_active=True)
    if not user.sees_whole_desk:
        teams = teams.filter(members=user)
    return list(teams.order_by("name"))


def supervised_cases(user: User, teams: list[Team]) -> QuerySet[Case]:
    """The cases of TEAMS that USER may see; desk-wide roles also see cases with no team."""
    cases = cases_visible_to(user)
    if user.sees_whole_desk:
        return cases
    return cases.filter(team_id__in=[t.pk for t in teams])


def _risk_annotations(now: datetime) -> dict[str, Exists]:
    open_clocks = Clock.objects.filter(case=OuterRef("pk"), state__in=OPEN_CLOCK_STATES)
    return {
        "is_breached": Exists(
            open_clocks.filter(
                Q(breached_at__isnull=False) | Q(state=ClockState.RUNNING, due_at__lte=now)
            )
        ),
        "is_warned": Exists(
            open_clocks.filter(
                state=ClockState.RUNNING,
                breached_at__isnull=True,
                warn_at__lte=now,
                due_at__gt=now,
            )
        ),
    }


# --- the queue board -----------------------------------------------------------------------------


@dataclass
class Figures:
    open: int = 0
    waiting: int = 0
    unassigned: int = 0
    oldest_waiting_since: datetime | None = None
    at_risk: int = 0
    breached: int = 0
    #: The oldest wait in words, filled in by ``queue_board`` (templates cannot do arithmetic).
    oldest_wait: str = "—"

    def add(self, other: Figures) -> None:
        self.open += other.open
        self.waiting += other.waiting
        self.unassigned += other.unassigned
        self.at_risk += other.at_risk
        self.breached += other.breached
        if other.oldest_waiting_since is not None and (
            self.oldest_waiting_since is None
            or other.oldest_waiting_since < self.oldest_waiting_since
        ):
            self.oldest_waiting_since = other.oldest_waiting_since

    def oldest_wait_s(self, now: datetime) -> float | None:
        if self.oldest_waiting_since is None:
            return None
        return (now - self.oldest_waiting_since).total_seconds()


@dataclass
class ChannelRow:
    channel: str
    label: str
    figures: Figures


@dataclass
class TeamRow:
    team: Team | None
    name: str
    figures: Figures = field(default_factory=Figures)
    channels: list[ChannelRow] = field(default_factory=list)
    service_level: ServiceLevel | None = None


@dataclass
class ServiceLevel:
    total: int = 0
    on_time: int = 0

    @property
    def percent(self) -> float | None:
        return round(100 * self.on_time / self.total, 1) if self.total else None


@dataclass
class Board:
    now: datetime
    teams: list[TeamRow]
    totals: Figures
    service_level: ServiceLevel


def queue_board(
    user: User, now: datetime | None = None, *, teams: list[Team] | None = None
) -> Board:
    """Open cases per team and channel, with a totals row and today's service level.

    Two aggregated queries (cases, clocks) plus the teams, whatever the number of cases.
    """
    now = now or timezone.now()
    teams = supervised_teams(user) if teams is None else teams
    cases = supervised_cases(user, teams).filter(status__in=OPEN_STATUSES)
    risk = _risk_annotations(now)
    rows = (
        cases.values("team_id", "channel")
        .annotate(
            n_open=Count("pk"),
            n_waiting=Count("pk", filter=WAITING),
            n_unassigned=Count("pk", filter=Q(assignee__isnull=True)),
            oldest=Min("received_at", filter=WAITING),
            n_breached=Count("pk", filter=Q(risk["is_breached"])),
            n_at_risk=Count("pk", filter=Q(risk["is_warned"]) & ~Q(risk["is_breached"])),
        )
        .order_by()
    )
    by_team: dict[int | None, TeamRow] = {t.pk: TeamRow(team=t, name=t.name) for t in teams}
    labels = dict(Channel.choices)
    for row in rows:
        team_row = by_team.get(row["team_id"])
        if team_row is None:  # no team (desk-wide view) or an inactive team
            team_row = by_team.setdefault(
                row["team_id"], TeamRow(team=None, name=_("Sin equipo activo"))
            )
        figures = Figures(
            open=row["n_open"],
            waiting=row["n_waiting"],
            unassigned=row["n_unassigned"],
            oldest_waiting_since=row["oldest"],
            at_risk=row["n_at_risk"],
            breached=row["n_breached"],
        )
        team_row.channels.append(
            ChannelRow(row["channel"], str(labels.get(row["channel"], row["channel"])), figures)
        )
        team_row.figures.add(figures)
    totals = Figures()
    for team_row in by_team.values():
        team_row.channels.sort(key=lambda c: c.label)
        totals.add(team_row.figures)
        for figures in [team_row.figures, *(c.figures for c in team_row.channels)]:
            figures.oldest_wait = human_wait(figures.oldest_wait_s(now))
    totals.oldest_wait = human_wait(totals.oldest_wait_s(now))
    levels = service_level_today(user, now, teams=teams)
    overall = ServiceLevel()
    for team_id, level in levels.items():
        overall.total += level.total
        overall.on_time += level.on_time
        if team_id in by_team:
            by_team[team_id].service_level = level
    return Board(now=now, teams=list(by_team.values()), totals=totals, service_level=overall)


def service_level_today(
    user: User, now: datetime | None = None, *, teams: list[Team] | None = None
) -> dict[int | None, ServiceLevel]:
    """Per team: response and resolution clocks met or breached since local midnight, and how
    many of them were met on time. One query."""
    now = now or timezone.now()
    teams = supervised_teams(user) if teams is None else teams
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = (
        Clock.objects.filter(
            case__in=supervised_cases(user, teams).values("pk"), kind__in=SERVICE_KINDS
        )
        .filter(Q(met_at__gte=midnight) | Q(breached_at__gte=midnight))
        .values("case__team_id")
        .annotate(total=Count("pk"), on_time=Count("pk", filter=Q(breached_at__isnull=True)))
        .order_by()
    )
    return {
        row["case__team_id"]: ServiceLevel(total=row["total"], on_time=row["on_time"])
        for row in rows
    }


# --- agents and cards ----------------------------------------------------------------------------


@dataclass
class AgentRow:
    user: User
    team_ids: set[int]
    open: int = 0
    at_risk: int = 0
    breached: int = 0
    last_activity: datetime | None = None


def agents_on_floor(
    user: User, now: datetime | None = None, *, teams: list[Team] | None = None
) -> list[AgentRow]:
    """Every active member of the supervised teams, with availability, open load, cases at
    risk and last activity (their latest event, sign-in or availability change).

    Four queries: the people (with their teams), their load, their latest events.
    """
    now = now or timezone.now()
    teams = supervised_teams(user) if teams is None else teams
    team_ids = {t.pk for t in teams}
    people = list(
        User.objects.filter(is_active=True, teams__in=team_ids)
        .distinct()
        .prefetch_related("teams")
        .order_by("first_name", "last_name", "username")
    )
    rows = {
        p.pk: AgentRow(user=p, team_ids={t.pk for t in p.teams.all()} & team_ids) for p in people
    }
    if not rows:
        return []
    risk = _risk_annotations(now)
    load = (
        Case.objects.filter(assignee_id__in=rows.keys(), status__in=OPEN_STATUSES)
        .values("assignee_id")
        .annotate(
            n_open=Count("pk"),
            n_breached=Count("pk", filter=Q(risk["is_breached"])),
            n_at_risk=Count("pk", filter=Q(risk["is_warned"]) & ~Q(risk["is_breached"])),
        )
        .order_by()
    )
    for row in load:
        agent = rows[row["assignee_id"]]
        agent.open, agent.at_risk, agent.breached = (
            row["n_open"],
            row["n_at_risk"],
            row["n_breached"],
        )
    activity = (
        Event.objects.filter(actor_id__in=rows.keys(), at__gte=now - ACTIVITY_WINDOW)
        .values("actor_id")
        .annotate(last=Max("at"))
        .order_by()
    )
    last_event = {row["actor_id"]: row["last"] for row in activity}
    for agent in rows.values():
        seen = [
            t
            for t in (
                last_event.get(agent.user.pk),
                agent.user.last_login,
                agent.user.availability_changed_at,
            )
            if t is not None
        ]
        agent.last_activity = max(seen) if seen else None
    return list(rows.values())


def cases_needing_hands(
    user: User,
    now: datetime | None = None,
    *,
    teams: list[Team] | None = None,
    limit: int = CARD_LIMIT,
) -> list[Case]:
    """Open cases waiting, at risk or breached, the most urgent first: the cards a supervisor
    drags onto an agent. Each carries ``is_breached`` and ``is_warned``. One query."""
    now = now or timezone.now()
    teams = supervised_teams(user) if teams is None else teams
    risk = _risk_annotations(now)
    cases = (
        supervised_cases(user, teams)
        .filter(status__in=OPEN_STATUSES)
        .annotate(**risk)
        .filter(WAITING | Q(is_breached=True) | Q(is_warned=True))
        .select_related("customer", "team", "assignee")
        .order_by("-is_breached", "-is_warned", "received_at", "pk")
    )
    return list(cases[:limit])
