"""Template tags of the customer screens: the data of the 360 panel, scoped to the viewer."""

from __future__ import annotations

from typing import Any

from django import template

from atiende.cases.selectors import cases_visible_to
from atiende.customers.models import Customer
from atiende.customers.selectors import consent_history, current_consents

register = template.Library()

#: How many of the customer's other cases the panel lists.
PANEL_CASES = 10


@register.simple_tag(takes_context=True)
def customer_panel_data(context: Any, customer: Customer) -> dict[str, Any]:
    """Identities, consents in force and the viewer's visible cases of CUSTOMER (the newest
    ``PANEL_CASES``). The ``case`` of the context, when the panel sits on a case page, is left
    out of the list."""
    cases = list(
        cases_visible_to(context["request"].user)
        .filter(customer=customer)
        .select_related("team")
        .order_by("-registered_at", "-pk")[:PANEL_CASES]
    )
    current = context.get("case")
    if current:
        cases = [c for c in cases if c.pk != current.pk]
    return {
        "identities": list(customer.identities.order_by("kind", "address")),
        "consents": current_consents(list(consent_history(customer))),
        "cases": cases,
    }
