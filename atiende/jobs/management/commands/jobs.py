"""`atiende jobs failed [--all] [--json]` lists failed jobs; `atiende jobs retry ID` re-runs one."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from atiende.jobs import selectors, services
from atiende.jobs.models import FailedJob


class Command(BaseCommand):
    help = "Failed background jobs: list them, retry one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        failed = sub.add_parser("failed", help="List failed jobs (unresolved unless --all).")
        failed.add_argument("--all", action="store_true", help="Include retried and resolved jobs.")
        failed.add_argument("--json", action="store_true", help="Print JSON (one array).")
        failed.add_argument("--limit", type=int, default=100)
        retry = sub.add_parser("retry", help="Enqueue a failed job again with the same arguments.")
        retry.add_argument("id", type=int)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "failed":
            self.list_failed(
                include_resolved=options["all"], as_json=options["json"], limit=options["limit"]
            )
        else:
            self.retry(options["id"])

    def list_failed(self, *, include_resolved: bool, as_json: bool, limit: int) -> None:
        jobs = list(selectors.failed_jobs(include_resolved=include_resolved)[:limit])
        if as_json:
            self.stdout.write(
                json.dumps([_as_dict(job) for job in jobs], ensure_ascii=False, indent=2)
            )
            return
        if not jobs:
            self.stdout.write("No hay trabajos fallidos pendientes.")
            return
        for job in jobs:
            state = "resuelto" if job.is_resolved else "pendiente"
            self.stdout.write(
                f"{job.pk:>6}  {job.failed_at:%Y-%m-%d %H:%M:%S}  {job.task_name}  {job.args}  "
                f"{job.exception_class}: {job.exception_message[:100]}  [{state}]"
            )

    def retry(self, pk: int) -> None:
        job = FailedJob.objects.filter(pk=pk).first()
        if job is None:
            raise CommandError(f"No existe el trabajo fallido {pk}.")
        try:
            services.retry_failed_job(job=job)
        except services.FailedJobError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Trabajo {pk} ({job.task_name}) enviado de nuevo a la cola.")


def _as_dict(job: FailedJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "task_name": job.task_name,
        "task_id": job.task_id,
        "args": job.args,
        "kwargs": job.kwargs,
        "exception_class": job.exception_class,
        "exception_message": job.exception_message,
        "failed_at": job.failed_at.isoformat(),
        "retried_at": job.retried_at.isoformat() if job.retried_at else None,
        "is_resolved": job.is_resolved,
    }
