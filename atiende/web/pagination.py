"""Paging a list in the console: one function for the views, one pager template
(``web/_pager.html``) for the screens. The page size is a screen's concern, not the domain's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PER_PAGE = 25


def paginate(
    request: HttpRequest,
    items: QuerySet[Any] | Sequence[Any],
    per_page: int = PER_PAGE,
    *,
    param: str = "page",
) -> Page:
    """The page of ITEMS that the request's PARAM asks for (the first for a missing or bad
    number, the last past the end). A queryset must be ordered, so pages do not overlap."""
    return Paginator(items, per_page).get_page(request.GET.get(param))
