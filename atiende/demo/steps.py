"""The vocabulary of the demo plan: steps, case plans, quotas, channels and text filling."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from atiende.demo import scripts as S
from atiende.demo.people import CustomerSpec

#: Cases per (type, final status): new, open, in_progress, waiting_customer, waiting_third_party,
#: escalated, resolved, closed. 192 here plus the status-only queries make 200.
STATUSES = (
    "new",
    "open",
    "in_progress",
    "waiting_customer",
    "waiting_third_party",
    "escalated",
    "resolved",
    "closed",
)
QUOTAS = {
    "information": (5, 8, 6, 10, 0, 0, 9, 22),
    "order": (2, 3, 6, 4, 5, 0, 4, 6),
    "technical_advice": (1, 2, 4, 3, 1, 1, 3, 5),
    "technical_requirement": (2, 3, 6, 2, 5, 4, 3, 5),
    "complaint": (2, 3, 6, 3, 2, 10, 5, 9),
    "suggestion": (1, 1, 0, 0, 0, 0, 2, 8),
}
STATUS_QUERY_CASES = 8

#: How long ago (days) a case with this final status was received.
AGE_DAYS = {
    "new": (0.02, 1.5),
    "open": (0.2, 6),
    "in_progress": (1, 14),
    "waiting_customer": (1, 12),
    "waiting_third_party": (2, 20),
    "escalated": (2, 25),
    "resolved": (1, 9),
    "closed": (6, 58),
}
#: Channels a customer uses, weighted; each must be allowed by the script.
CHANNEL_WEIGHTS = {
    "whatsapp": 40,
    "email": 30,
    "webform": 22,
    "phone": 16,
    "webchat": 14,
    "messenger": 12,
    "instagram": 16,
    "walk_in": 12,
    "social": 8,
    "sms": 6,
    "api": 10,
}
IDENTITY_FOR_CHANNEL = {
    "email": "email",
    "webform": "email",
    "webchat": "email",
    "api": "email",
    "whatsapp": "whatsapp",
    "phone": "phone",
    "sms": "phone",
    "walk_in": "phone",
    "messenger": "messenger",
    "instagram": "instagram",
    "social": "twitter",
}
OFFICE_CHANNELS = {"phone", "walk_in", "webchat"}  # only happen while the desk is open
AGENT_REGISTERED = {"phone", "walk_in"}
PROMISE_MINUTES = {  # business minutes from the first answer to the committed resolution
    "information": 600,
    "order": 6000,
    "technical_advice": 600,
    "technical_requirement": 1800,
    "complaint": 3000,
    "suggestion": 1200,
}
MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]
LEAD_PROFILE_ANSWER = "Vi el proyecto en redes y conozco la zona. Busco mudarme este año."


@dataclass
class Step:
    at: datetime
    case: int  # index of the case plan; -1 for customer-level steps
    seq: int
    kind: str
    args: dict[str, Any] = field(default_factory=dict)

    def key(self) -> tuple[datetime, int, int]:
        return (self.at, self.case, self.seq)


@dataclass
class CasePlan:
    index: int
    script: S.Script
    customer: CustomerSpec
    channel: str
    status: str
    received_at: datetime | None = None
    steps: list[Step] = field(default_factory=list)
    open_until: datetime | None = None  # when the desk stopped owing the customer (resolved/closed)
    context: dict[str, str] = field(default_factory=dict)


@dataclass
class DemoPlan:
    customers: list[CustomerSpec]
    cases: list[CasePlan]
    customer_steps: list[Step]

    def steps(self) -> list[Step]:
        every = [s for case in self.cases for s in case.steps] + self.customer_steps
        return sorted(every, key=Step.key)


class _Fill(dict):
    """format_map mapping that leaves unknown placeholders as they are ({folio}...)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str, context: dict[str, str], **extra: str) -> str:
    return text.format_map(_Fill(context, **extra))
