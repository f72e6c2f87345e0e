"""Template helpers of the supervisor console's snippets that other screens include."""

from __future__ import annotations

from django import template

from atiende.cases.models import ApprovalKind

register = template.Library()


@register.simple_tag
def approval_kinds() -> list[tuple[str, str]]:
    """The kinds of approval an agent may ask for: ``{% approval_kinds as kinds %}``."""
    return [(value, str(label)) for value, label in ApprovalKind.choices]
