"""Filters of the case view."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from atiende.core.html import sanitise_html

register = template.Library()


@register.filter
def clean_html(value: str) -> SafeString:
    """Customer HTML, sanitised again at display time (defence in depth: the stored copy already
    is, but rows may come from imports or older versions)."""
    return mark_safe(sanitise_html(value or ""))  # noqa: S308 - nh3 output


@register.filter
def event_data(value: Any) -> list[tuple[str, str]]:
    """An event's before/after JSON as (key, value) pairs for the history tab."""
    if isinstance(value, dict):
        return [(str(k), _plain(v)) for k, v in value.items()]
    if value in (None, "", [], {}):
        return []
    return [("", _plain(value))]


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is None:
        return "—"
    return str(value)
