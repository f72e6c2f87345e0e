"""How one case unfolds: the steps of its life from intake to closure, laid out in time.

``CaseWriter`` picks the path that ends in the case's final status (triage and assignment, first
answer, promise, questions to the customer, third parties, escalation to levels 2 and 3,
resolution, closure or reopening) and stamps each step: desk hours for agents, any hour for
customers.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, tzinfo
from typing import Any

from atiende.demo import scripts as S
from atiende.demo.clock import add_business_minutes
from atiende.demo.people import INTAKE_TEAM, L1_AGENTS, STAFF_BY_USERNAME, CustomerSpec
from atiende.demo.steps import (
    AGE_DAYS,
    AGENT_REGISTERED,
    LEAD_PROFILE_ANSWER,
    MONTHS,
    OFFICE_CHANNELS,
    PROMISE_MINUTES,
    CasePlan,
    Step,
    fill,
)


def _context(rng: random.Random, plan: CasePlan, now: datetime) -> dict[str, str]:
    customer = plan.customer
    mx = customer.country == "MX"
    amount = rng.randint(18, 95) * 100 if mx else rng.randint(45, 390) * 1000
    return {
        "nombre": customer.first_name,
        "proyecto": customer.project,
        "unidad": customer.custom_fields.get(
            "unidad", f"B-{rng.randint(1, 12)}0{rng.randint(1, 4)}"
        ),
        "monto": f"${amount:,} MXN" if mx else f"${amount:,} CLP".replace(",", "."),
        "mes": MONTHS[(now.month - 1 - rng.randint(0, 2)) % 12],  # a recent month
        "pedido": f"PED-{rng.randint(10000, 99999)}",
        "regulador": customer.regulator,
        "dias": str(rng.randint(12, 40)),
        "fiscal": "RFC" if mx else "RUT",
        "fiscal_doc": "factura (CFDI)" if mx else "factura electrónica",
        "fiscal_doc_cap": "Factura (CFDI)" if mx else "Factura electrónica",
        "credito": rng.choice(["crédito Infonavit", "crédito bancario", "Cofinavit"])
        if mx
        else rng.choice(["crédito hipotecario con subsidio DS19", "crédito hipotecario"]),
        "dia_visita": rng.choice(["viernes", "sábado", "jueves"]),
        "ambientes": rng.choice(["2 recámaras", "3 recámaras"])
        if mx
        else rng.choice(["2 dormitorios", "3 dormitorios"]),
        "felicitado": rng.choice(["Ana", "Beto", "Carla", "Iván", "Paola", "Tomás"]),
        "asesor": "paola" if mx else "tomas",
    }


class CaseWriter:
    """Lays out one case's steps from its received time, retrying earlier until all fit before
    NOW."""

    assignee: str | None  # username of the case's current handler
    escalation_level: int

    def __init__(
        self, plan: CasePlan, rng: random.Random, now: datetime, tz: tzinfo, cases: list[CasePlan]
    ):
        self.plan, self.rng, self.now, self.tz, self.cases = plan, rng, now, tz, cases
        self.latest = now - timedelta(minutes=3)

    def write(self, received_after: datetime | None = None) -> None:
        plan, rng = self.plan, self.rng
        plan.context = _context(rng, plan, self.now)
        low, high = AGE_DAYS[plan.status]
        received = self.now - timedelta(days=rng.uniform(low, high))
        if received_after is not None:
            received = max(received, received_after)
        if plan.channel in OFFICE_CHANNELS or rng.random() < 0.72:
            received = add_business_minutes(received, rng.uniform(0, 240), self.tz)
        state = rng.getstate()
        for attempt in range(30):
            rng.setstate(state)
            self._lay_out(received)
            overshoot = max(s.at for s in plan.steps) - self.latest
            if overshoot <= timedelta(0):
                return
            # Growing steps: a tail pinned to the next morning only moves once a day is crossed.
            received -= overshoot + timedelta(hours=2 + 6 * attempt)
        raise AssertionError(f"case {plan.index} does not fit before now")

    # The flow ---------------------------------------------------------------------------------

    def _lay_out(self, received: datetime) -> None:
        plan = self.plan
        plan.steps, plan.received_at, plan.open_until = [], received, None
        self.t, self.seq = received, 0
        self.assignee, self.escalation_level = None, 1
        status, script = plan.status, plan.script
        self._intake()
        if status == "new":
            return
        self._triage()
        if (
            status in ("open", "in_progress")
            and script.case_type in ("order", "technical_requirement", "complaint")
            and self.rng.random() < 0.2
        ):
            return self._reopened()
        if status == "open":
            if self.rng.random() < 0.6:
                self._reply(plan.script.reply)
            return
        self._reply(script.reply)
        if script.lead:
            self._hand_off_lead()
        self._promise()
        if status == "waiting_customer":
            return self._wait_for_customer(final=True)
        if (
            status == "closed"
            and script.ask
            and script.case_type != "complaint"
            and self.rng.random() < 0.2
        ):
            return self._close_without_answer()
        self._status("in_progress")
        self._middle()
        if status == "in_progress":
            return
        if status == "waiting_third_party":
            self._note(script.third_party or "Esperando respuesta de un tercero. @lucia")
            return self._status("waiting_third_party")
        if status == "escalated":
            return self._escalate(final=True)
        if script.case_type in ("complaint", "technical_requirement") and self.rng.random() < 0.4:
            self._escalate(final=False)
        self._resolve()
        if status == "closed":
            self._close()

    def _middle(self) -> None:
        script, rng = self.plan.script, self.rng
        if rng.random() < 0.3:
            self._follow_up()
        if script.ask and not script.lead and rng.random() < 0.5:
            self._wait_for_customer(final=False)
            self._status("in_progress")
        self._note(
            script.note
            if not script.lead
            else "Cliente pidió más fotos del departamento muestra. @diego"
        )
        if script.case_type in ("order", "technical_requirement") and rng.random() < 0.25:
            self._promise(changed=True)

    # Building blocks ---------------------------------------------------------------------------

    def _add(self, step_kind: str, **args: Any) -> None:
        self.seq += 1
        self.plan.steps.append(Step(self.t, self.plan.index, self.seq, step_kind, args))

    def _wait(self, low: float, high: float) -> None:
        """Desk time passes (agents work in business hours)."""
        self.t = add_business_minutes(self.t, self.rng.uniform(low, high), self.tz)

    def _wait_customer(self, low_hours: float, high_hours: float) -> None:
        """Calendar time passes (customers write at any hour)."""
        self.t += timedelta(hours=self.rng.uniform(low_hours, high_hours))

    def _text(self, text: str, agent: str | None = None) -> str:
        name = STAFF_BY_USERNAME[agent].first_name if agent else ""
        return fill(text, self.plan.context, agente=name)

    def _intake(self) -> None:
        plan, rng = self.plan, self.rng
        message = self._text(plan.script.message)
        agent = rng.choice(L1_AGENTS)
        if plan.channel in AGENT_REGISTERED:
            self.t += timedelta(minutes=rng.uniform(3, 12))  # registered while on the call
            actor = {"agent": agent}
        elif plan.channel == "api":
            actor = {"api": "alma"}
        else:
            self.t += timedelta(seconds=rng.uniform(2, 40))
            actor = {"customer": plan.customer.name}
        team: str | None = plan.script.team if plan.channel == "api" else INTAKE_TEAM
        if plan.status == "new" and rng.random() < 0.35:
            team = None  # not yet routed: the unassigned queue
        wrong_type = plan.script.case_type in ("order", "technical_advice") and rng.random() < 0.15
        self._add(
            "open",
            actor=actor,
            team=team,
            message="" if plan.channel in AGENT_REGISTERED else message,
            case_type="information" if wrong_type else plan.script.case_type,
            priority=rng.choice(plan.script.priorities)
            if plan.channel in AGENT_REGISTERED | {"api"}
            else "normal",
            summary=self._text(plan.script.summary),
            external_id=external_id(plan.channel, rng),
        )
        if plan.channel in AGENT_REGISTERED:
            template = S.CALL_NOTE if plan.channel == "phone" else S.VISIT_NOTE
            self._add(
                "note",
                actor=agent,
                body=fill(template, {}, minutos=str(rng.randint(3, 14)), mensaje=message),
            )
        self.intake_agent = agent

    def _triage(self) -> None:
        rng, script = self.rng, self.plan.script
        self._wait(2, 90)
        agent = self.intake_agent
        self._add(
            "classify",
            actor=agent,
            case_type=script.case_type,
            category=script.category,
            priority=rng.choice(script.priorities),
            tags=list(script.tags),
        )
        handler = self._handler() if not script.lead else agent
        team = script.team if not script.lead else INTAKE_TEAM
        self._add("assign", actor=agent, assignee=handler, team=team)
        self.assignee = handler
        if script.case_type == "complaint":
            self._maybe_link_related()

    def _handler(self) -> str:
        script, rng = self.plan.script, self.rng
        if script.handler == "sales":
            return self.plan.context["asesor"]
        if script.handler == "engineer":
            return rng.choice(["ivan", "ivan", "carla"])
        if script.handler == "complaints":
            return rng.choice(["ana", "ana", "sofia"])
        return "carla" if script.team == "servicio-tecnico" else rng.choice(L1_AGENTS)

    def _reply(self, text: str, by: str | None = None, quick: bool = False) -> None:
        plan, rng = self.plan, self.rng
        agent = by or self.assignee
        if quick:
            self._wait(1, 20)
        else:
            self._wait(
                *{"webchat": (0.5, 3), "whatsapp": (2, 40), "phone": (5, 60)}.get(
                    plan.channel, (15, 200)
                )
            )
        channel = reply_channel(
            plan.channel, plan.customer, first=not any(s.kind == "reply" for s in plan.steps)
        )
        key = f"m{plan.index}-{self.seq + 1}"
        self._add(
            "reply", actor=agent, body=self._text(text, agent), channel=channel, message_key=key
        )
        saved = self.t
        for status in delivery_statuses(channel, rng):
            self.t += timedelta(seconds=rng.uniform(3, 600))
            self._add(
                "delivery",
                message_key=key,
                status=status,
                detail="550 5.1.1 Buzón inexistente" if status == "failed" else "",
            )
        self.t = saved

    def _customer_says(self, text: str, low_hours: float = 0.2, high_hours: float = 30) -> None:
        self._wait_customer(low_hours, high_hours)
        self._add("inbound", body=self._text(text))

    def _note(self, text: str, by: str | None = None) -> None:
        self._wait(2, 60)
        self._add("note", actor=by or self.assignee, body=self._text(text))

    def _status(self, status: str, by: str | None = None, **extra: Any) -> None:
        self._wait(1, 45)
        self._add("status", actor=by or self.assignee, status=status, **extra)

    def _promise(self, changed: bool = False) -> None:
        case_type = self.plan.script.case_type
        self._wait(1, 10)
        due = add_business_minutes(
            self.t, PROMISE_MINUTES[case_type] * (1.6 if changed else 1), self.tz
        )
        reason = S.PROMISE_CHANGE_REASON if changed else S.PROMISE_REASONS[case_type]
        self._add("promise", actor=self.assignee, promise_at=due, reason=reason)

    def _hand_off_lead(self) -> None:
        """The service map: profile the lead, then hand it to a sales advisor."""
        self._customer_says(LEAD_PROFILE_ANSWER, 0.1, 6)
        self._wait(5, 60)
        self._add("customer_update", actor=self.assignee, lead_status="profiled")
        self._note(self.plan.script.note)
        advisor = self.plan.context["asesor"]
        self._add("assign", actor=self.assignee, assignee=advisor, team="fuerza-ventas")
        self._add("customer_update", actor=self.assignee, lead_status="handed_off", owner=advisor)
        self.assignee = advisor
        self._reply(self.plan.script.ask, quick=False)

    def _wait_for_customer(self, final: bool) -> None:
        script = self.plan.script
        if script.ask and not script.lead:
            self._reply(script.ask, quick=True)
        self._status("waiting_customer")
        if not final or self.rng.random() < 0.4:
            self._customer_says(script.answer or "Gracias, quedo atento.")
        if script.lead and not final:
            self._note(f"Visita agendada el {self.plan.context['dia_visita']} en sala de ventas.")

    def _follow_up(self) -> None:
        self._customer_says(self.rng.choice(S.FOLLOW_UPS), 2, 48)
        self._reply(S.FOLLOW_UP_REPLY, quick=True)

    def _escalate(self, final: bool) -> None:
        plan, rng = self.plan, self.rng
        reason = self._text(
            plan.script.escalation or "Caso complejo; requiere revisión del supervisor."
        )
        self._wait(30, 600)
        self._add("escalate", actor=self.assignee, level=2, reason=reason)
        self._add("assign", actor=self.assignee, assignee="sofia")
        self.assignee, self.escalation_level = "sofia", 2
        self._note(
            f"@gerardo para tu conocimiento: {reason}" if rng.random() < 0.5 else plan.script.note
        )
        if rng.random() < (0.45 if final else 0.25):
            self._wait(60, 900)
            self._add("escalate", actor="sofia", level=3, reason=self._text(S.ESCALATION_L3))
            self._add("assign", actor="sofia", assignee="gerardo")
            self.assignee, self.escalation_level = "gerardo", 3
            self._reply(
                "Le informamos que su caso fue escalado a la Gerencia de Operaciones; recibirá "
                "respuesta en un máximo de 48 horas hábiles.",
                quick=True,
            )
        if not final:
            self._status("in_progress")

    def _resolve(self) -> None:
        script = self.plan.script
        if script.lead:
            self._wait_for_customer(final=False)
            self._status("in_progress")
        self._wait(30, 1500)
        self._reply(script.solution_reply, quick=True)
        if script.lead_outcome:
            self._add("customer_update", actor=self.assignee, lead_status=script.lead_outcome)
        self._status("resolved", solution=self._text(script.solution))
        self.plan.open_until = self.t

    def _close(self) -> None:
        self._wait(300, 1800)
        happy = self.rng.random() < 0.82
        closer = self.rng.choice(L1_AGENTS) if self.rng.random() < 0.3 else self.assignee
        self._note(S.CLOSING_NOTES["confirmed" if happy else "unhappy"], by=closer)
        self._status("closed", by=closer, closure_reason="confirmed", satisfaction_confirmed=happy)

    def _close_without_answer(self) -> None:
        script = self.plan.script
        if not script.lead:
            self._reply(script.ask, quick=True)
        self._status("waiting_customer")
        if self.rng.random() < 0.3:
            self._customer_says(S.WITHDRAW_MESSAGE, 2, 72)
            self._status("closed", closure_reason="withdrawn")
        else:
            self._wait(500, 700)  # the 24-hour follow-up...
            self._reply(
                "Le damos seguimiento a su solicitud, {nombre}. ¿Pudo revisar la información?",
                quick=True,
            )
            self._wait(3800, 4200)  # ...and the e-card at eight days
            self._reply(S.NO_ANSWER_ECARD, quick=True)
            self._note(S.CLOSING_NOTES["no_answer"])
            self._status("closed", closure_reason="no_answer", satisfaction_confirmed=None)
        self.plan.open_until = self.t

    def _reopened(self) -> None:
        """Resolved, then the customer writes back within the reopening window."""
        script = self.plan.script
        self._reply(script.reply)
        self._status("in_progress")
        self._resolve()
        self.plan.open_until = None
        self._customer_says(self.rng.choice(S.REOPEN_MESSAGES), 6, 96)
        if self.plan.status == "in_progress":
            self._status("in_progress")
            self._reply(S.FOLLOW_UP_REPLY, quick=True)

    def _maybe_link_related(self) -> None:
        """A complaint about a failure points at the technical case behind it (CA5)."""
        plan = self.plan
        if plan.script.key != "reparacion-pendiente" and self.rng.random() > 0.15:
            return
        earlier = [
            other
            for other in self.cases[: plan.index]
            if other.customer is plan.customer
            and other.steps
            and other.steps[0].at < self.t - timedelta(days=1)
        ]
        if earlier:
            other = self.rng.choice(earlier)
            kind = "caused_by" if other.script.case_type == "technical_requirement" else "related"
            self._add("link", actor=self.assignee, other=other.index, kind=kind)


def external_id(channel: str, rng: random.Random) -> str:
    """The id a channel gives an inbound message (WhatsApp wamid, e-mail Message-ID...)."""
    token = "".join(
        rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        for _ in range(24)
    )
    if channel == "whatsapp":
        return f"wamid.HBgM{token}"
    if channel in ("email", "webform"):
        return f"<CA+{token}@mail.gmail.com>"
    if channel in ("messenger", "instagram"):
        return f"m_{token}"
    return "" if channel in AGENT_REGISTERED else f"{channel}-{token}"


def reply_channel(channel: str, customer: CustomerSpec, first: bool) -> str:
    """Replies go back on the channel of entry; calls, visits and public posts move to private."""
    if channel in ("email", "webform", "api"):
        return "email"
    if channel == "social" and first:
        return "social"
    if channel in ("phone", "walk_in", "social"):
        return "whatsapp" if customer.whatsapp else "email"
    return channel


def delivery_statuses(channel: str, rng: random.Random) -> list[str]:
    if channel == "email":
        return ["failed"] if rng.random() < 0.03 else ["sent"]
    if channel in ("whatsapp", "messenger", "instagram"):
        return ["sent", "delivered", "read"] if rng.random() < 0.7 else ["sent", "delivered"]
    if channel == "sms":
        return ["sent", "delivered"]
    return ["delivered"] if channel == "webchat" else ["sent"]
