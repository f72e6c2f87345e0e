"""``{% settings_sections as sections %}``: the settings area's entries the user may open, for
the sidebar of ``web/settings/base.html`` (so screens extending it need no extra context)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def settings_sections(context: template.Context) -> list[dict[str, Any]]:
    from atiende.web.views_settings import settings_sections as sections

    user = context["request"].user
    return sections(user) if user.is_authenticated else []
