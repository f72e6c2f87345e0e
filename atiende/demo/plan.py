"""The demo as data: which cases, for whom, and every action on them with its time.

``build_plan(seed, now, tz)`` is pure: no database, no clock; the same seed and NOW give the
same plan. The seed alone fixes the customers and the mix of cases (types, statuses, channels,
scripts); the times are laid out backwards from NOW (about sixty days), inside desk hours for
agents and at any hour for customers, so which open case a status query points at may change
with NOW. The loader replays the steps, in time order, through the services.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, tzinfo
from typing import Any

from atiende.demo import scripts as S
from atiende.demo.clock import add_business_minutes, next_opening
from atiende.demo.flow import CaseWriter, external_id, reply_channel
from atiende.demo.people import INTAKE_TEAM, L1_AGENTS, CustomerSpec, build_customers
from atiende.demo.steps import (
    AGENT_REGISTERED,
    CHANNEL_WEIGHTS,
    IDENTITY_FOR_CHANNEL,
    OFFICE_CHANNELS,
    QUOTAS,
    STATUS_QUERY_CASES,
    STATUSES,
    CasePlan,
    DemoPlan,
    Step,
    fill,
)

# --- planning ------------------------------------------------------------------------------------


def build_plan(seed: int, now: datetime, tz: tzinfo) -> DemoPlan:
    rng = random.Random(seed)
    customers = build_customers(rng)
    slots = [
        (t, STATUSES[i])
        for t, counts in QUOTAS.items()
        for i, n in enumerate(counts)
        for _ in range(n)
    ]
    rng.shuffle(slots)
    # Plan technical cases before complaints, so a complaint can point at the failure behind it.
    order = list(QUOTAS)
    slots.sort(
        key=lambda slot: (
            order.index(slot[0]) if slot[0] in ("technical_requirement", "complaint") else -1
        )
    )
    uncovered = list(CHANNEL_WEIGHTS)
    cases: list[CasePlan] = []
    for case_type, status in slots:
        script = rng.choice(
            [
                s
                for s in S.SCRIPTS
                if s.case_type == case_type
                and (status != "escalated" or s.escalation or case_type != "complaint")
            ]
        )
        # A complaint about a pending repair comes from someone with a technical case.
        repaired = {id(p.customer) for p in cases if p.script.case_type == "technical_requirement"}
        channel, customer = _channel_and_customer(
            rng,
            script,
            customers,
            uncovered,
            prefer=repaired if script.key == "reparacion-pendiente" else None,
        )
        cases.append(CasePlan(len(cases), script, customer, channel, status))
    for plan in cases:
        after = None
        if plan.script.key == "reparacion-pendiente":
            earlier = [
                p.steps[0].at
                for p in cases[: plan.index]
                if p.customer is plan.customer and p.steps
            ]
            after = min(earlier) + timedelta(days=3) if earlier else None
        CaseWriter(plan, rng, now, tz, cases).write(received_after=after)
    for _ in range(STATUS_QUERY_CASES):
        _add_status_query(rng, now, tz, cases)
    return DemoPlan(customers, cases, _customer_steps(rng, customers, cases, now))


def _channel_and_customer(
    rng, script, customers, uncovered, prefer=None
) -> tuple[str, CustomerSpec]:
    def candidates(channel: str) -> list[CustomerSpec]:
        kind = IDENTITY_FOR_CHANNEL[channel]
        found = [c for c in customers if c.segment in script.segments and getattr(c, kind)]
        preferred = [c for c in found if id(c) in prefer] if prefer else []
        return preferred or found

    wanted = [c for c in uncovered if c in script.channels and candidates(c)]
    if wanted:
        channel = wanted[0]
        uncovered.remove(channel)
    else:
        allowed = [c for c in script.channels if candidates(c)]
        channel = rng.choices(allowed, weights=[CHANNEL_WEIGHTS[c] for c in allowed])[0]
    pool = candidates(channel)
    # A few customers write a lot: the first of every five weighs four times as much.
    weights = [4 if int(c.key[1:]) % 5 == 0 else 1 for c in pool]
    return channel, rng.choices(pool, weights=weights)[0]


def _add_status_query(rng: random.Random, now: datetime, tz: tzinfo, cases: list[CasePlan]) -> None:
    """CA8: a customer asks, on another channel, only for the status of an open case."""
    candidates = []
    for plan in cases:
        if plan.status == "new" or plan.script.case_type == "suggestion":
            continue
        start = plan.steps[0].at + timedelta(days=1)
        end = min(plan.open_until or now, now) - timedelta(hours=6)
        if end - start > timedelta(hours=12):
            candidates.append((plan, start, end))
    target, start, end = rng.choice(candidates)
    customer = target.customer
    channels = [
        c
        for c in ("whatsapp", "email", "phone", "webchat", "messenger")
        if getattr(customer, IDENTITY_FOR_CHANNEL[c])
    ]
    channel = rng.choice([c for c in channels if c != target.channel] or channels)
    script = next(s for s in S.SCRIPTS if s.key == "estado-escrituras")
    plan = CasePlan(len(cases), script, customer, channel, "closed", context=dict(target.context))
    plan.received_at = start + (end - start) * rng.random()
    if channel in OFFICE_CHANNELS:
        plan.received_at = next_opening(plan.received_at, tz)
    t, agent = plan.received_at, rng.choice(L1_AGENTS)
    text = fill(rng.choice(S.STATUS_QUERIES), plan.context)
    actor = {"agent": agent} if channel in AGENT_REGISTERED else {"customer": customer.name}
    by_agent = channel in AGENT_REGISTERED
    steps: list[tuple[str, dict[str, Any]]] = [
        (
            "open",
            {
                "actor": actor,
                "team": INTAKE_TEAM,
                "message": "" if by_agent else text,
                "case_type": "information",
                "priority": "normal",
                "summary": fill("Consulta de estatus del caso {folio_relacionado}", {}),
                "related": target.index,
                "external_id": external_id(channel, rng),
            },
        ),
        *(
            [
                (
                    "note",
                    {
                        "actor": agent,
                        "body": fill(S.CALL_NOTE, {}, minutos="2", mensaje=text),
                        "related": target.index,
                    },
                )
            ]
            if by_agent
            else []
        ),
        ("classify", {"actor": agent, "category": "informacion-estado", "tags": ["estatus"]}),
        ("link", {"actor": agent, "other": target.index, "kind": "duplicate"}),
        (
            "reply",
            {
                "actor": agent,
                "body": fill(S.STATUS_QUERY_REPLY, plan.context),
                "channel": reply_channel(channel, customer, first=False),
                "message_key": f"q{plan.index}",
                "related": target.index,
            },
        ),
        ("delivery", {"message_key": f"q{plan.index}", "status": "sent", "detail": ""}),
        ("status", {"actor": agent, "status": "closed", "closure_reason": "duplicate"}),
    ]
    for seq, (kind, args) in enumerate(steps, start=1):
        t = (
            add_business_minutes(t, rng.uniform(1, 30), tz)
            if seq > 1
            else t + timedelta(seconds=20)
        )
        plan.steps.append(Step(min(t, now - timedelta(minutes=2)), plan.index, seq, kind, args))
    cases.append(plan)


def _customer_steps(
    rng: random.Random, customers: list[CustomerSpec], cases: list[CasePlan], now: datetime
) -> list[Step]:
    """Create each customer just before their first case (or as an import, if they have none)."""
    first_step: dict[str, Step] = {}
    for plan in cases:
        step = plan.steps[0]
        if plan.customer.key not in first_step or step.at < first_step[plan.customer.key].at:
            first_step[plan.customer.key] = step
    steps = []
    for index, customer in enumerate(customers):
        opening = first_step.get(customer.key)
        at = (
            opening.at - timedelta(seconds=30)
            if opening
            else now - timedelta(days=70, minutes=index)
        )
        channel = next(p.channel for p in cases if p.steps[0] is opening) if opening else "import"
        actor = opening.args["actor"] if opening else {"system": "Importación CRM"}
        steps.append(
            Step(
                at,
                -1,
                index * 10,
                "customer",
                {"customer": customer.key, "actor": actor, "channel": channel},
            )
        )
        steps.extend(_consent_steps(rng, customer, at, index, channel, actor, now))
    return steps


CONSENT_METHOD = {
    "whatsapp": "message",
    "messenger": "message",
    "instagram": "message",
    "social": "message",
    "webform": "web_form",
    "webchat": "web_form",
    "email": "written",
    "api": "import",
    "import": "import",
    "phone": "verbal",
    "walk_in": "verbal",
    "sms": "message",
}


def _consent_steps(rng, customer, at, index, channel, actor, now) -> list[Step]:
    contact_channel = IDENTITY_FOR_CHANNEL.get(channel, "email")
    base = {"customer": customer.key, "actor": actor}
    consents = [
        dict(
            base,
            channel=contact_channel,
            purpose="contact",
            is_granted=True,
            method=CONSENT_METHOD[channel],
        )
    ]
    if customer.segment == "prospect" or rng.random() < 0.4:
        consents.append(
            dict(
                base,
                channel="email",
                purpose="marketing",
                is_granted=rng.random() < 0.7,
                method="web_form",
            )
        )
    if rng.random() < 0.6:
        consents.append(
            dict(
                base,
                channel=contact_channel,
                purpose="surveys",
                is_granted=True,
                method=CONSENT_METHOD[channel],
            )
        )
    if customer.whatsapp and channel != "whatsapp" and rng.random() < 0.5:
        consents.append(
            dict(
                base,
                channel="whatsapp",
                purpose="contact",
                is_granted=True,
                method="verbal",
                evidence="Acordó contactar por WhatsApp para enviar información.",
            )
        )
    if len(customer.addresses()) > 2 and rng.random() < 0.5:
        consents.append(
            dict(
                base,
                channel="phone",
                purpose="link_identities",
                is_granted=True,
                method="verbal",
                evidence="Autorizó vincular sus perfiles de WhatsApp, correo y teléfono.",
            )
        )
    steps = [
        Step(at + timedelta(seconds=i + 1), -1, index * 10 + i + 1, "consent", args)
        for i, args in enumerate(consents)
    ]
    if customer.whatsapp and index % 13 == 7:  # someone wrote "BAJA": the opt-out is honoured
        # Some days later, but never after now (a recent customer opts out the same day).
        later = min(at + timedelta(days=rng.uniform(3, 20)), at + (now - at) * 0.9)
        steps.append(
            Step(
                later,
                -1,
                index * 10 + 9,
                "consent",
                dict(
                    base,
                    channel="whatsapp",
                    purpose="contact",
                    is_granted=False,
                    method="message",
                    evidence="BAJA",
                    actor={"customer": customer.name},
                ),
            )
        )
    return steps
