"""Load the demo desk through the services, and erase it again.

``load_demo`` replays ``plan.build_plan`` in time order, each step under the simulated clock
(``clock.simulated_now``), so every case gets its folio and a full, believable event history.
Everything happens in ONE transaction: a failure leaves the database as it was, and the jobs the
services enqueue after commit (outbound sends, event dispatch) are published once, at the end.
Every outbound message already carries its final delivery status, so the sender job that picks
one up finds nothing to send (it only claims queued rows).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from atiende.accounts.models import Team, User
from atiende.cases import services as cases
from atiende.cases.models import Case, Category, Event, FolioCounter, Message, Tag
from atiende.channels.whatsapp.demo import load_demo_templates
from atiende.core.actors import Actor
from atiende.customers import services as customers
from atiende.customers.models import Customer
from atiende.demo.clock import Clock, simulated_now
from atiende.demo.flow import reply_channel
from atiende.demo.people import DEMO_PASSWORD, DOMAIN, STAFF, TEAMS, CustomerSpec, StaffSpec
from atiende.demo.plan import build_plan
from atiende.demo.steps import IDENTITY_FOR_CHANNEL, CasePlan, DemoPlan, Step

LEAD_ORDER = {"": 0, "new": 1, "profiled": 2, "handed_off": 3, "won": 4, "lost": 4}


class DemoError(Exception):
    """The demo cannot be loaded here; the message says why and what to do."""


class DemoAlreadyLoaded(DemoError):
    pass


@dataclass
class LoadResult:
    cases: int
    customers: int
    events: int
    messages: int
    seconds: float
    staff: list[StaffSpec]


def demo_is_loaded() -> bool:
    """The demo's teams are its marker: they exist only if the demo was loaded."""
    return Team.objects.filter(slug__in=[t.slug for t in TEAMS]).exists()


def load_demo(*, seed: int = 1, reset: bool = False, now: datetime | None = None) -> LoadResult:
    """Fill an empty desk with the demo, or (RESET) erase a demo desk and fill it again.

    Raises DemoAlreadyLoaded when the demo is there and RESET is false, and DemoError when the
    database holds a desk that is not the demo (cases, or users with the demo's usernames).
    """
    started = time.monotonic()
    with transaction.atomic():
        if demo_is_loaded():
            if not reset:
                raise DemoAlreadyLoaded("Los datos de demostración ya están cargados.")
            erase_desk()
        _check_empty()
        now = now or timezone.now()
        plan = build_plan(seed, now, ZoneInfo(settings.TIME_ZONE))
        _Replay(plan, now).run()
        load_demo_templates()
        result = LoadResult(
            cases=Case.objects.count(),
            customers=Customer.objects.count(),
            events=Event.objects.count(),
            messages=Message.objects.count(),
            seconds=0.0,
            staff=STAFF,
        )
    result.seconds = time.monotonic() - started
    return result


def _check_empty() -> None:
    if Case.objects.exists() or Customer.objects.exists():
        raise DemoError(
            "Esta base de datos ya tiene casos o clientes que no son de la demostración; "
            "cargue la demostración en una base vacía (p. ej. otro ATIENDE_DATA_DIR o "
            "ATIENDE_DATABASE_URL)."
        )
    taken = sorted(
        User.objects.filter(username__in=[s.username for s in STAFF]).values_list(
            "username", flat=True
        )
    )
    if taken:
        raise DemoError(
            f"Ya existen usuarios con los nombres de la demostración: {', '.join(taken)}."
        )


# --- erasing -------------------------------------------------------------------------------------


def desk_models() -> list[type[models.Model]]:
    """Every model whose rows are desk content: cases, customers, and all that points at them.

    Found by following reverse relations from the roots, so tables added later by other apps
    (receipts, notifications, SLA clocks...) are included. Configuration (lifecycle, folio
    series, typology), users and teams are not desk content.
    """
    found: list[type[models.Model]] = []
    pending: list[type[models.Model]] = [Case, Customer, Tag, FolioCounter]
    while pending:
        model = pending.pop()
        if model in found:
            continue
        found.append(model)
        for relation in model._meta.related_objects:
            if isinstance(relation, models.ManyToManyRel):
                pending.append(_resolved(relation.through))
            else:
                pending.append(_resolved(relation.related_model))
        pending.extend(_resolved(f.remote_field.through) for f in model._meta.local_many_to_many)
    return found


def _resolved(model: type[models.Model] | str | None) -> type[models.Model]:
    """A relation's model class; with the app registry ready it is never a name, "self" or None."""
    if not isinstance(model, type):
        raise LookupError(f"unresolved relation: {model!r}")
    return model


def erase_desk() -> None:
    """Erase every case and customer (with their events, messages, notes...) and the demo staff.

    Event tables are append-only: rows cannot be updated or deleted one by one, by the ORM or
    (PostgreSQL) by the database. Erasing a whole demo desk is not such a change, so it uses the
    paths the guard leaves open for flushing a database: TRUNCATE on PostgreSQL, and on SQLite a
    plain DELETE (its trigger refuses only UPDATE). Call it inside a transaction.
    """
    tables = [m._meta.db_table for m in desk_models()]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with deferred FK checks still pending in this transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(quote(t) for t in tables)} RESTART IDENTITY")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {quote(table)}")
            if connection.vendor == "sqlite":
                cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")
                if cursor.fetchone():
                    placeholders = ", ".join(["%s"] * len(tables))
                    cursor.execute(
                        f"DELETE FROM sqlite_sequence WHERE name IN ({placeholders})", tables
                    )
    User.objects.filter(username__in=[s.username for s in STAFF]).delete()
    Team.objects.filter(slug__in=[t.slug for t in TEAMS]).delete()


# --- replaying -----------------------------------------------------------------------------------


class _Replay:
    def __init__(self, plan: DemoPlan, now: datetime) -> None:
        self.plan, self.now = plan, now
        self.clock = Clock(now - timedelta(days=75))
        self.users: dict[str, User] = {}
        self.teams: dict[str, Team] = {}
        self.customers: dict[str, Customer] = {}
        self.specs: dict[str, CustomerSpec] = {c.key: c for c in plan.customers}
        self.cases: dict[int, Case] = {}
        self.messages: dict[str, Message] = {}
        self.categories = {c.code: c for c in Category.objects.all()}

    def run(self) -> None:
        with simulated_now(self.clock):
            self._staff()
            for step in self.plan.steps():
                self.clock.set(step.at)
                getattr(self, f"_{step.kind}")(
                    step, self.plan.cases[step.case] if step.case >= 0 else None
                )

    def _staff(self) -> None:
        password = make_password(DEMO_PASSWORD)  # hashed once: the hasher is slow on purpose
        for spec in TEAMS:
            self.teams[spec.slug] = Team.objects.create(
                name=spec.name, slug=spec.slug, email=spec.email
            )
        for person in STAFF:
            user = User.objects.create(
                username=person.username,
                first_name=person.first_name,
                last_name=person.last_name,
                email=f"{person.username}@{DOMAIN}",
                role=person.role,
                password=password,
                is_staff=person.is_admin,
                is_superuser=person.is_admin,
                language="es",
                timezone=settings.TIME_ZONE,
            )
            user.teams.set([self.teams[slug] for slug in person.teams])
            self.users[person.username] = user
        for spec in TEAMS:
            Team.objects.filter(pk=self.teams[spec.slug].pk).update(lead=self.users[spec.lead])

    def _actor(self, spec: dict[str, str]) -> Actor:
        ((kind, value),) = spec.items()
        if kind == "agent":
            return Actor.agent(self.users[value])
        if kind == "api":
            return Actor.api(self.users[value])
        if kind == "customer":
            return Actor.customer(value)
        return Actor.system(value)

    def _text(self, text: str, case: Case | None, args: dict[str, Any]) -> str:
        text = text.replace("{folio}", case.folio) if case is not None else text
        if "related" in args:
            text = text.replace("{folio_relacionado}", self.cases[args["related"]].folio)
        return text

    # Customers ------------------------------------------------------------------------------------

    def _customer(self, step: Step, _: None) -> None:
        spec = self.specs[step.args["customer"]]
        customer, _created = customers.find_or_create_customer(
            actor=self._actor(step.args["actor"]),
            name=spec.name,
            addresses=spec.addresses(),
            company=spec.company,
            segment=spec.segment,
            timezone=spec.timezone,
            language="es",
            tags=spec.tags,
            custom_fields=spec.custom_fields,
            lead_status=spec.lead_status,
        )
        self.customers[spec.key] = customer

    def _consent(self, step: Step, _: None) -> None:
        args = step.args
        customers.record_consent(
            customer=self.customers[args["customer"]],
            channel=args["channel"],
            purpose=args["purpose"],
            is_granted=args["is_granted"],
            method=args["method"],
            evidence=args.get("evidence", ""),
            actor=self._actor(args["actor"]),
        )

    def _customer_update(self, step: Step, plan: CasePlan) -> None:
        customer = Customer.objects.get(pk=self.customers[plan.customer.key].pk)
        changes: dict[str, Any] = {}
        lead_status = step.args["lead_status"]
        if LEAD_ORDER[lead_status] > LEAD_ORDER[customer.lead_status]:  # leads only move forward
            changes["lead_status"] = lead_status
        if "owner" in step.args:
            changes["owner"] = self.users[step.args["owner"]]
        if changes:
            customers.update_customer(
                customer=customer, actor=self._actor({"agent": step.args["actor"]}), **changes
            )

    # Cases ----------------------------------------------------------------------------------------

    def _address(self, plan: CasePlan, channel: str) -> str:
        return (
            getattr(plan.customer, IDENTITY_FOR_CHANNEL.get(channel, "email"), "")
            or plan.customer.email
        )

    def _open(self, step: Step, plan: CasePlan) -> None:
        args = step.args
        team = args["team"]
        case = cases.open_case(
            actor=self._actor(args["actor"]),
            customer=self.customers[plan.customer.key],
            channel=plan.channel,
            summary=self._text(args["summary"], None, args),
            case_type=args["case_type"],
            priority=args["priority"],
            team=self.teams[team] if team else None,
            received_at=plan.received_at,
            message_text=self._text(args["message"], None, args),
            from_address=self._address(plan, plan.channel),
            external_id=args["external_id"] if args["message"] else "",
        )
        self.cases[plan.index] = case

    def _agent(self, step: Step) -> Actor:
        return Actor.agent(self.users[step.args["actor"]])

    def _classify(self, step: Step, plan: CasePlan) -> None:
        args = step.args
        changes: dict[str, Any] = {"category": self.categories[args["category"]]}
        for name in ("case_type", "priority"):
            if name in args:
                changes[name] = args[name]
        cases.update_case_fields(
            case=self.cases[plan.index], actor=self._agent(step), tags=args["tags"], **changes
        )

    def _assign(self, step: Step, plan: CasePlan) -> None:
        team = step.args.get("team")
        cases.assign_case(
            case=self.cases[plan.index],
            actor=self._agent(step),
            assignee=self.users[step.args["assignee"]],
            team=self.teams[team] if team else None,
        )

    def _reply(self, step: Step, plan: CasePlan) -> None:
        case, args = self.cases[plan.index], step.args
        self.messages[args["message_key"]] = cases.add_outbound_message(
            case=case,
            actor=self._agent(step),
            channel=args["channel"],
            body_text=self._text(args["body"], case, args),
            to_address=self._address(plan, args["channel"]),
        )

    def _delivery(self, step: Step, plan: CasePlan) -> None:
        message = self.messages[step.args["message_key"]]
        status = step.args["status"]
        cases.record_delivery_status(
            message=message,
            status=status,
            actor=Actor.system(f"proveedor {message.get_channel_display()}"),
            detail=step.args["detail"],
            count_attempt=status in ("sent", "failed"),
        )

    def _inbound(self, step: Step, plan: CasePlan) -> None:
        case = self.cases[plan.index]
        channel = reply_channel(plan.channel, plan.customer, first=False)
        cases.add_inbound_message(
            case=case,
            actor=Actor.customer(plan.customer.name),
            channel=channel,
            body_text=self._text(step.args["body"], case, step.args),
            from_address=self._address(plan, channel),
            received_at=step.at,
        )

    def _note(self, step: Step, plan: CasePlan) -> None:
        case = self.cases[plan.index]
        cases.add_note(
            case=case, body=self._text(step.args["body"], case, step.args), actor=self._agent(step)
        )

    def _promise(self, step: Step, plan: CasePlan) -> None:
        cases.set_promise(
            case=self.cases[plan.index],
            promise_at=step.args["promise_at"],
            reason=step.args["reason"],
            actor=self._agent(step),
        )

    def _status(self, step: Step, plan: CasePlan) -> None:
        args = step.args
        cases.change_status(
            case=self.cases[plan.index],
            status=args["status"],
            actor=self._agent(step),
            solution=args.get("solution", ""),
            closure_reason=args.get("closure_reason", ""),
            satisfaction_confirmed=args.get("satisfaction_confirmed"),
        )

    def _escalate(self, step: Step, plan: CasePlan) -> None:
        cases.escalate_case(
            case=self.cases[plan.index],
            level=step.args["level"],
            reason=step.args["reason"],
            actor=self._agent(step),
        )

    def _link(self, step: Step, plan: CasePlan) -> None:
        cases.link_cases(
            case=self.cases[plan.index],
            other=self.cases[step.args["other"]],
            kind=step.args["kind"],
            actor=self._agent(step),
        )
