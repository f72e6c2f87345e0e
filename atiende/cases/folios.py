"""Human folios, gap-free per series and safe under concurrency.

The counter row of (series, year) is bumped with one ``UPDATE … RETURNING`` inside the caller's
transaction: concurrent creations wait for each other on that row only, and a case that rolls
back returns its number. Call ``next_folio`` as late as possible in the transaction, since the
row lock is held until commit.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, connection, transaction

from atiende.cases.models import FolioCounter, FolioSeries

_BUMP = (
    f"UPDATE {FolioCounter._meta.db_table} SET last_value = last_value + 1 "
    "WHERE series_id = %s AND year = %s RETURNING last_value"
)


def series_for(case_type: str) -> FolioSeries:
    """The series of CASE_TYPE, else the default one (the series with no case type)."""
    candidates = FolioSeries.objects.filter(case_type__in=[case_type, ""])
    return max(candidates, key=lambda series: series.case_type == case_type)


def next_folio(case_type: str, at: datetime) -> str:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_folio must run inside the case's transaction")
    series = series_for(case_type)
    year = at.year if series.per_year else 0
    value = _bump(series, year)
    if value is None:
        try:
            with transaction.atomic():
                FolioCounter.objects.create(series=series, year=year, last_value=1)
            value = 1
        except IntegrityError:  # another transaction created the year's row first
            value = _bump(series, year)
    assert value is not None, "the counter row exists once its creation has failed"
    return series.format(year, value)


def _bump(series: FolioSeries, year: int) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(_BUMP, [series.pk, year])
        row = cursor.fetchone()
    return row[0] if row else None
