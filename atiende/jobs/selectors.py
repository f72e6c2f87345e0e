"""Read-side queries for jobs."""

from __future__ import annotations

from django.db.models import QuerySet

from atiende.jobs.models import FailedJob


def failed_jobs(*, include_resolved: bool = False) -> QuerySet[FailedJob]:
    jobs = FailedJob.objects.all()
    return jobs if include_resolved else jobs.filter(is_resolved=False)
