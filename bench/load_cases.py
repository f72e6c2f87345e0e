"""Bulk-load a PostgreSQL desk with N cases (default 1,000,000), their customers and identities.

    python bench/load_cases.py --database-url postgres://postgres@127.0.0.1:5432/atiende_bench \
        --cases 1000000

A benchmark fixture, not a data import: rows are written with COPY, straight into the tables,
without the services. So the cases have no events, messages or notes (nothing that lists cases
reads them), and nobody should load this into a real desk. What is kept consistent:

- folios: per series (AT, RECL for complaints) and year, continuing the FolioCounter of each and
  leaving it at the last number issued, so cases opened afterwards through the API get the next
  free folio; numbers follow registration order;
- ids: explicit, after the current maximum, and the identity sequences are moved past them;
- a believable shape: a year of cases, ~2,700 a day; old cases are almost all closed, recent ones
  spread over every status; teams, channels, types and priorities weighted like a real desk;
  a few customers write a lot; every customer has an e-mail identity, half also a phone.

Deterministic for a given --seed (apart from uuids). Importable: ``load(cases=...)`` runs on the
current Django connection (bench/api_cases.py uses it that way).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_TEAMS = [
    ("centro-informacion", "Centro de información"),
    ("fuerza-ventas", "Fuerza de ventas"),
    ("servicio-tecnico", "Servicio técnico"),
    ("reclamos", "Reclamos"),
]
CHANNELS = {
    "email": 30,
    "whatsapp": 28,
    "webform": 12,
    "phone": 12,
    "webchat": 7,
    "messenger": 3,
    "instagram": 3,
    "walk_in": 2,
    "social": 1,
    "sms": 1,
    "api": 1,
}
CASE_TYPES = {
    "information": 38,
    "order": 20,
    "technical_advice": 10,
    "technical_requirement": 14,
    "complaint": 14,
    "suggestion": 4,
}
PRIORITIES = {"low": 15, "normal": 60, "high": 20, "urgent": 5}
#: Status mix of cases registered in the last 30 days; older cases are nearly all closed.
RECENT_STATUSES = {
    "new": 6,
    "open": 14,
    "in_progress": 14,
    "waiting_customer": 8,
    "waiting_third_party": 4,
    "escalated": 4,
    "resolved": 14,
    "closed": 36,
}
OLD_STATUSES = {
    "closed": 93,
    "resolved": 3,
    "open": 1,
    "in_progress": 1,
    "waiting_customer": 1,
    "escalated": 0.5,
    "waiting_third_party": 0.5,
}
SEGMENTS = {"standard": 70, "prospect": 15, "vip": 5, "corporate": 7, "distributor": 3}
SUMMARIES = [
    "Precios del departamento de 2 recámaras",
    "Agendar visita a la sala de ventas",
    "¿Cuál es el estado de mi pedido?",
    "Solicitud de factura del pago de la mensualidad",
    "Humedad en muro de recámara principal",
    "El portal marca Error 500 al pagar",
    "Doble cobro de la mensualidad",
    "Retraso en la entrega del departamento",
    "¿Cómo va mi caso?",
    "Fuga de agua en el baño",
    "La cerradura electrónica no abre",
    "Cargo de mantenimiento no reconocido",
    "Felicitación por la atención recibida",
    "Documentos para la entrega del departamento",
    "¿Aceptan crédito Infonavit?",
    "Pedido de cocina integral",
    "Queja por trato en la línea de atención",
]
NULL = r"\N"  # COPY's text format for NULL
OPEN = {"new", "open", "in_progress", "waiting_customer", "waiting_third_party", "escalated"}


def _weighted(rng: random.Random, table: dict[str, float], k: int) -> Callable[[], str]:
    """A fast draw from TABLE: a pre-expanded list of K choices picked by index."""
    values = rng.choices(list(table), weights=list(table.values()), k=k)
    return lambda: values[int(rng.random() * k)]


def _ts(value: datetime) -> str:
    return value.isoformat()


def _copy(cursor, table: str, columns: list[str], lines: Iterator[str], batch: int = 20000) -> None:
    """COPY text lines (already tab-separated and escaped) into TABLE."""
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for n, line in enumerate(lines, 1):
            buffer.write(line)
            if n % batch == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())


def _max_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
    return cursor.fetchone()[0]


def _move_sequence(cursor, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
    )


def _teams_and_members() -> tuple[list[int], dict[int, list[int]]]:
    from atiende.accounts.models import Team

    if Team.objects.filter(is_active=True).count() < len(DEFAULT_TEAMS):
        for slug, name in DEFAULT_TEAMS:
            Team.objects.get_or_create(slug=slug, defaults={"name": name})
    teams = list(Team.objects.filter(is_active=True).order_by("pk"))
    members = {
        t.pk: list(t.members.filter(is_active=True).values_list("pk", flat=True)) for t in teams
    }
    return [t.pk for t in teams], members


class _Folios:
    """Issue folios per (series, year) after each counter's last value, then save the counters."""

    def __init__(self) -> None:
        from atiende.cases.models import FolioCounter, FolioSeries

        self.series = {s.case_type: s for s in FolioSeries.objects.all()}
        self.last = {(c.series_id, c.year): c.last_value for c in FolioCounter.objects.all()}

    def next(self, case_type: str, year: int) -> str:
        series = self.series.get(case_type) or self.series[""]
        key_year = year if series.per_year else 0
        value = self.last.get((series.pk, key_year), 0) + 1
        self.last[(series.pk, key_year)] = value
        return series.format(key_year, value)

    def save(self) -> None:
        from atiende.cases.models import FolioCounter

        for (series_id, year), value in self.last.items():
            FolioCounter.objects.update_or_create(
                series_id=series_id, year=year, defaults={"last_value": value}
            )


def load(
    *,
    cases: int = 1_000_000,
    customers: int | None = None,
    days: int = 365,
    seed: int = 42,
    now: datetime | None = None,
    drop_indexes: bool = True,
    log: Callable[[str], None] = print,
) -> dict:
    """COPY CASES cases (and CUSTOMERS customers, default a quarter of them) into the current
    Django database, which must be PostgreSQL and migrated. Returns counts and timings."""
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        raise SystemExit("load_cases needs PostgreSQL (it uses COPY).")
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    customers = customers or max(1, cases // 4)
    started = time.monotonic()
    timings: dict[str, float] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        team_ids, members = _teams_and_members()
        folios = _Folios()
        first_customer = _max_id(cursor, "customers_customer") + 1
        first_case = _max_id(cursor, "cases_case") + 1
        _copy(
            cursor,
            "customers_customer",
            CUSTOMER_COLUMNS,
            _customer_lines(rng, first_customer, customers, now, days),
        )
        _copy(
            cursor,
            "customers_identity",
            IDENTITY_COLUMNS,
            _identity_lines(rng, first_customer, customers, now),
        )
        timings["customers_s"] = time.monotonic() - started
        log(f"  {customers:,} customers and their identities in {timings['customers_s']:.1f} s")
        saved_indexes = _drop_secondary_indexes(cursor, "cases_case") if drop_indexes else []
        t0 = time.monotonic()
        lines = _case_lines(
            rng, first_case, cases, first_customer, customers, team_ids, members, folios, now, days
        )
        _copy(cursor, "cases_case", CASE_COLUMNS, lines)
        timings["cases_copy_s"] = time.monotonic() - t0
        log(f"  {cases:,} cases copied in {timings['cases_copy_s']:.1f} s")
        t0 = time.monotonic()
        # Run the deferred foreign-key checks of the COPY now: CREATE INDEX refuses to run on a
        # table with trigger events still pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for statement in saved_indexes:
            cursor.execute(statement)
        timings["indexes_s"] = time.monotonic() - t0
        if saved_indexes:
            log(
                f"  FK checks + {len(saved_indexes)} indexes rebuilt "
                f"in {timings['indexes_s']:.1f} s"
            )
        folios.save()
        for table in ("customers_customer", "customers_identity", "cases_case"):
            _move_sequence(cursor, table)
    with connection.cursor() as cursor:
        t0 = time.monotonic()
        for table in ("customers_customer", "customers_identity", "cases_case"):
            cursor.execute(f"ANALYZE {table}")
        timings["analyze_s"] = time.monotonic() - t0
    timings["total_s"] = time.monotonic() - started
    log(f"  loaded in {timings['total_s']:.1f} s ({cases / timings['total_s']:,.0f} cases/s)")
    return {"cases": cases, "customers": customers, **timings}


def _drop_secondary_indexes(cursor, table: str) -> list[str]:
    """Drop the plain (non-constraint) indexes of TABLE; return the statements that rebuild them.

    Building an index once over a million rows is several times faster than maintaining it row
    by row during COPY; the definitions come from the catalogue, so nothing changes."""
    cursor.execute(
        """SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN
           (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)""",
        [table, table],
    )
    rows = cursor.fetchall()
    for name, _definition in rows:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in rows]


CUSTOMER_COLUMNS = [
    "id",
    "uuid",
    "name",
    "company",
    "language",
    "timezone",
    "segment",
    "tags",
    "custom_fields",
    "lead_status",
    "is_anonymised",
    "created_at",
    "updated_at",
]
IDENTITY_COLUMNS = [
    "customer_id",
    "kind",
    "address",
    "is_verified",
    "is_undeliverable",
    "created_at",
]
CASE_COLUMNS = [
    "id",
    "folio",
    "uuid",
    "case_type",
    "priority",
    "channel",
    "status",
    "escalation_level",
    "summary",
    "solution",
    "custom_fields",
    "promise_at",
    "received_at",
    "registered_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "closure_reason",
    "satisfaction_confirmed",
    "version",
    "updated_at",
    "assignee_id",
    "customer_id",
    "merged_into_id",
    "split_from_id",
    "team_id",
    "category_id",
]
FIRST = [
    "José",
    "María",
    "Juan",
    "Guadalupe",
    "Camila",
    "Matías",
    "Valentina",
    "Luis",
    "Ana",
    "Carlos",
]
LAST = [
    "García",
    "Hernández",
    "López",
    "Muñoz",
    "Rojas",
    "Martínez",
    "González",
    "Pérez",
    "Soto",
    "Díaz",
]


def _customer_lines(rng, first_id, count, now, days) -> Iterator[str]:
    segment = _weighted(rng, SEGMENTS, 4096)
    for n in range(count):
        created = _ts(now - timedelta(days=days + 30 * rng.random()))
        name = f"{FIRST[n % 10]} {LAST[(n // 10) % 10]} {LAST[(n // 100) % 10]}"
        row = [
            first_id + n,
            uuid.uuid4(),
            name,
            "",
            "es",
            "",
            segment(),
            "[]",
            "{}",
            "",
            "f",
            created,
        ]
        row.append(created)
        yield "\t".join(map(str, row)) + "\n"


def _identity_lines(rng, first_id, count, now) -> Iterator[str]:
    created = _ts(now - timedelta(days=400))
    for n in range(count):
        customer = first_id + n
        yield f"{customer}\temail\tcarga{customer}@bench.example\tf\tf\t{created}\n"
        if n % 2 == 0:
            yield f"{customer}\tphone\t+5255{customer:08d}\tf\tf\t{created}\n"


def _case_lines(
    rng, first_id, count, first_customer, customers, team_ids, members, folios, now, days
) -> Iterator[str]:
    channel, case_type, priority = (
        _weighted(rng, t, 4096) for t in (CHANNELS, CASE_TYPES, PRIORITIES)
    )
    recent_status, old_status = (
        _weighted(rng, RECENT_STATUSES, 4096),
        _weighted(rng, OLD_STATUSES, 4096),
    )
    start = now - timedelta(days=days)
    step = timedelta(days=days) / count
    recent_since = now - timedelta(days=30)
    frequent = max(1, customers // 20)  # 5 % of customers open 30 % of the cases
    for n in range(count):
        registered = start + step * (n + rng.random())
        status = recent_status() if registered > recent_since else old_status()
        kind = case_type()
        team = team_ids[int(rng.random() * len(team_ids))] if rng.random() > 0.03 else None
        staff = members.get(team, []) if team else []
        assignee = staff[int(rng.random() * len(staff))] if staff and status != "new" else None
        customer = first_customer + int(
            rng.random() * (frequent if rng.random() < 0.3 else customers)
        )
        received = registered - timedelta(minutes=30 * rng.random())
        level = 3 if rng.random() < 0.01 else 2 if rng.random() < 0.04 else 1
        first_response = resolved = closed = satisfied = NULL
        closure, solution = "", ""
        if status != "new":
            first_response = _ts(registered + timedelta(minutes=5 + 480 * rng.random()))
        if status in ("resolved", "closed"):
            resolved = _ts(registered + timedelta(hours=1 + 240 * rng.random()))
            solution = "Solución registrada."
        if status == "closed":
            closed = _ts(registered + timedelta(hours=250 + 100 * rng.random()))
            closure, satisfied = "confirmed", "t" if rng.random() < 0.85 else "f"
        promise = (
            _ts(registered + timedelta(days=2)) if status in OPEN and rng.random() < 0.7 else NULL
        )
        updated = closed if closed != NULL else _ts(registered)
        row = [
            first_id + n,
            folios.next(kind, registered.year),
            uuid.uuid4(),
            kind,
            priority(),
            channel(),
            status,
            level,
            SUMMARIES[n % len(SUMMARIES)],
            solution,
            "{}",
            promise,
            _ts(received),
            _ts(registered),
            first_response,
            resolved,
            closed,
            closure,
            satisfied,
            1,
            updated,
            assignee or NULL,
            customer,
            NULL,
            NULL,
            team or NULL,
            NULL,
        ]
        yield "\t".join(map(str, row)) + "\n"


def setup_django(database_url: str | None) -> None:
    """Point Django at DATABASE_URL (through ATIENDE_DATABASE_URL) and set it up."""
    if database_url:
        os.environ["ATIENDE_DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("ATIENDE_DATABASE_URL"),
        help="PostgreSQL URL (default: $ATIENDE_DATABASE_URL)",
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=None, help="default: a quarter of --cases")
    parser.add_argument(
        "--days", type=int, default=365, help="spread registrations over this many days"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-migrate", action="store_true", help="do not run migrate first")
    parser.add_argument(
        "--keep-indexes", action="store_true", help="COPY into the indexed table (slower)"
    )
    args = parser.parse_args(argv)
    if not args.database_url or not args.database_url.startswith("postgres"):
        parser.error("--database-url must be a postgres:// URL")
    setup_django(args.database_url)
    if not args.no_migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    print(f"Loading {args.cases:,} cases into {args.database_url}")
    load(
        cases=args.cases,
        customers=args.customers,
        days=args.days,
        seed=args.seed,
        drop_indexes=not args.keep_indexes,
    )


if __name__ == "__main__":
    main()
