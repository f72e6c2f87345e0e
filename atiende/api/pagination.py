"""Cursor pagination: stable under inserts, no COUNT, and index-friendly at millions of rows.

Each list declares its ordering; the first field is the cursor position (a datetime or a unique
string), ties are broken by the cursor's offset, as DRF's CursorPagination does.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination

from atiende.api.errors import ApiError
from atiende.api.fields import MAX_YEAR, MIN_YEAR

#: PostgreSQL's limit for a UTC offset.
MAX_OFFSET = timedelta(hours=16)


class Pagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    #: Whether the first ordering field holds datetimes (then a forged position must parse).
    position_is_datetime = True

    def decode_cursor(self, request: Any) -> Cursor | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound as exc:
            raise ApiError("invalid_cursor") from exc
        # DRF decodes the position from the query string, a str; the stubs say int.
        position: str | None = cursor.position if cursor else None  # type: ignore[assignment]
        if position is not None and not self._valid_position(position):
            raise ApiError("invalid_cursor")
        return cursor

    def _valid_position(self, position: str) -> bool:
        if "\x00" in position:
            return False
        if not self.position_is_datetime:
            return True
        try:
            parsed = parse_datetime(position)
        except ValueError:
            return False
        offset = parsed.utcoffset() if parsed else None
        return bool(
            parsed
            and MIN_YEAR <= parsed.year <= MAX_YEAR
            and (offset is None or abs(offset) < MAX_OFFSET)
        )


class CasePagination(Pagination):
    """Newest first; served by the (team|assignee|status|customer, -registered_at) indexes.

    Those indexes put the status before the date, so ``status IN (a, b)`` (or no status at all)
    ordered by date would make the database sort every matching row. Where the database allows
    it (PostgreSQL), the page is read instead as one short ordered index scan per status,
    merged: ``pk IN ((... status=a ... LIMIT n) UNION ALL (... status=b ... LIMIT n))``.
    The view says which statuses to split by in ``view.split_statuses``.
    """

    ordering = ("-registered_at", "pk")

    def paginate_queryset(self, queryset: QuerySet, request: Any, view: Any = None) -> list | None:
        statuses = getattr(view, "split_statuses", None)
        features = connections[queryset.db].features
        if statuses and len(statuses) > 1 and features.supports_slicing_ordering_in_compound:
            queryset = _PerStatus(queryset, statuses)  # type: ignore[assignment]
        return super().paginate_queryset(queryset, request, view)


class _PerStatus:
    """Stands in for a case queryset while DRF paginates: ``order_by`` and ``filter`` (the
    cursor position) pass through; the final slice is taken per status and merged."""

    def __init__(self, queryset: QuerySet, statuses: list[str]) -> None:
        self.queryset, self.statuses = queryset, statuses

    def order_by(self, *fields: str) -> _PerStatus:
        return _PerStatus(self.queryset.order_by(*fields), self.statuses)

    def filter(self, **lookups: Any) -> _PerStatus:
        return _PerStatus(self.queryset.filter(**lookups), self.statuses)

    def __getitem__(self, item: slice) -> QuerySet:
        parts = [
            self.queryset.filter(status=s).values_list("pk", flat=True)[: item.stop]
            for s in self.statuses
        ]
        return self.queryset.filter(pk__in=parts[0].union(*parts[1:], all=True))[item]


class OldestFirstPagination(Pagination):
    """Timelines (events): oldest first, served by the (case, at) index."""

    ordering = ("at", "pk")


class CreatedPagination(Pagination):
    """Messages and notes: oldest first."""

    ordering = ("created_at", "pk")


class NewestCreatedPagination(Pagination):
    ordering = ("-created_at", "pk")


class UsernamePagination(Pagination):
    ordering = ("username",)
    position_is_datetime = False


class SlugPagination(Pagination):
    ordering = ("slug",)
    position_is_datetime = False
