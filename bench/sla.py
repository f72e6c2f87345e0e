"""Service-level benchmark: business-time arithmetic in-process, then the alert scan on
PostgreSQL with a million open cases.

    python bench/sla.py            # 1,000,000 open cases (~3-4 min, most of it loading)
    python bench/sla.py --quick    # 100,000 open cases (< 2 min)

(a) additions per second with a holiday calendar (Mexico City office hours + MX holidays), for
    short and very long durations (the cost must not depend on the length);
(b) the database ``--database-url`` (default ``atiende_sla_bench``) is DROPPED and re-created,
    migrated and bulk-loaded (``load_cases.py``); every case is made open and gets two running
    clocks (first response, resolution) due in the next 30 days; then
    - the idle tick: one ``sla.alerts.scan()`` with nothing due (median of 20),
    - the firing tick: 7,500 breaches + 2,500 warnings made due, ONE scan claims and records
      them (alerts, case events, the processing jobs published to the embedded filesystem
      broker in a temporary folder), timed end to end.

Prints a table, then as its last line one JSON object:
    {"additions_per_s": ..., "scan_fire_s": ..., "idle_tick_ms": ...}
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as wall
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/atiende_sla_bench"
BREACHES, WARNINGS = 7_500, 2_500


def additions(count: int) -> dict[str, float]:
    import holidays as holiday_sets

    from atiende.sla.businesstime import BusinessCalendar, BusinessClock

    week = {d: ((wall(9), wall(14)), (wall(15), wall(19))) for d in range(5)}
    week[5] = ((wall(10), wall(14)),)
    calendar = BusinessCalendar(
        "America/Mexico_City",
        week,
        lambda year: holiday_sets.country_holidays("MX", years=year).keys(),
    )
    clock = BusinessClock(calendar)
    rng = random.Random(7)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    starts = [base + timedelta(seconds=rng.randrange(2 * 365 * 86400)) for _ in range(count)]
    results = {}
    for label, longest in (("short", 8 * 3600), ("long", 200 * 86400)):
        spans = [timedelta(seconds=rng.randrange(60, longest)) for _ in range(count)]
        clock.add(starts[0], spans[0])  # build the horizon outside the timing
        clock.add(starts[0], timedelta(days=400))
        t0 = time.perf_counter()
        for start, span in zip(starts, spans, strict=True):
            clock.add(start, span)
        results[label] = count / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for start, span in zip(starts, spans, strict=True):
        clock.elapsed(start, start + span)
    results["elapsed"] = count / (time.perf_counter() - t0)
    return results


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def open_everything_and_start_clocks(log) -> int:
    """Every case open, two running clocks each, due within 30 days (none due yet)."""
    from django.db import connection

    from atiende.sla.models import Policy

    policy = Policy.objects.get(slug="correo")
    t0 = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE cases_case SET status = 'in_progress', resolved_at = NULL, closed_at = NULL,
               closure_reason = '' WHERE status IN ('resolved', 'closed')"""
        )
        for kind, seconds in (("first_response", 7200), ("resolution", 86400)):
            cursor.execute(
                """INSERT INTO sla_clock (case_id, kind, policy_id, calendar_id, seconds,
                       business_time, state, started_at, segment_start, consumed_s, pauses,
                       due_at, warn_at, created_at)
                   SELECT c.id, %s, %s, %s, %s, true, 'running', now(), now(), 0, '[]',
                          d.due, d.due - interval '30 minutes', now()
                   FROM cases_case c,
                        LATERAL (SELECT now() + interval '1 hour'
                                 + random() * interval '30 days' + c.id * interval '0' AS due) d""",
                [kind, policy.pk, policy.calendar_id, seconds],
            )
        cursor.execute("SELECT count(*) FROM sla_clock")
        clocks = cursor.fetchone()[0]
    with connection.cursor() as cursor:
        # A settled table, as a desk's would be: not the aftermath of a bulk load.
        cursor.execute("VACUUM ANALYZE sla_clock")
        cursor.execute("VACUUM ANALYZE cases_case")
        cursor.execute("CHECKPOINT")
    log(f"  {clocks:,} running clocks in {time.monotonic() - t0:.1f} s")
    return clocks


def make_due() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE sla_clock SET due_at = now() - random() * interval '10 minutes',
                   warn_at = now() - interval '20 minutes'
               WHERE id IN (SELECT id FROM sla_clock ORDER BY random() LIMIT %s)""",
            [BREACHES],
        )
        cursor.execute(
            """UPDATE sla_clock SET warn_at = now() - random() * interval '5 minutes'
               WHERE id IN (SELECT id FROM sla_clock WHERE due_at > now()
                            ORDER BY random() LIMIT %s)""",
            [WARNINGS],
        )


def idle_ticks(runs: int = 20) -> float:
    from atiende.sla.alerts import scan

    scan()  # warm: connection, statement preparation
    timings = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fired = scan()
        timings.append((time.perf_counter() - t0) * 1000)
        assert fired == {"breach": 0, "warning": 0}, fired
    return statistics.median(timings)


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 cases instead of 1,000,000")
    parser.add_argument("--cases", type=int, default=None)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--additions", type=int, default=200_000)
    args = parser.parse_args(argv)
    cases = args.cases or (100_000 if args.quick else 1_000_000)

    data_dir = tempfile.mkdtemp(prefix="atiende-sla-bench-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="atiende.settings",
        ATIENDE_DATABASE_URL=args.database_url,
        ATIENDE_DATA_DIR=data_dir,
        ATIENDE_BROKER_URL="filesystem://",
        ATIENDE_TASKS_EAGER="0",
        ATIENDE_LOG_LEVEL="WARNING",
    )
    import django

    django.setup()

    print(f"(a) business-time additions, {args.additions:,} each, MX calendar with holidays")
    rates = additions(args.additions)

    print(f"(b) {cases:,} open cases on {args.database_url} (re-created)")
    recreate_database(args.database_url)
    from django.db import connections

    connections.close_all()
    import load_cases
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    load_cases.load(cases=cases, log=lambda line: print(line))
    clocks = open_everything_and_start_clocks(print)
    idle_before = idle_ticks()

    from atiende.sla.alerts import scan

    make_due()
    t0 = time.perf_counter()
    fired = scan()
    fire_s = time.perf_counter() - t0
    assert fired == {"breach": BREACHES, "warning": WARNINGS}, fired
    idle_after = idle_ticks()
    jobs = len(list(Path(data_dir, "broker", "in").glob("*")))

    rows = [
        ("additions/s, durations up to 8 business h", f"{rates['short']:,.0f}"),
        ("additions/s, durations up to 200 days", f"{rates['long']:,.0f}"),
        ("elapsed()/s", f"{rates['elapsed']:,.0f}"),
        ("open cases / running clocks", f"{cases:,} / {clocks:,}"),
        ("idle tick, nothing due (median of 20)", f"{idle_before:.2f} ms"),
        (f"firing tick: {BREACHES:,} breaches + {WARNINGS:,} warnings", f"{fire_s:.2f} s"),
        ("processing jobs published by that tick", f"{jobs}"),
        ("idle tick after firing (median of 20)", f"{idle_after:.2f} ms"),
    ]
    width = max(len(label) for label, _ in rows)
    print()
    for label, value in rows:
        print(f"{label:<{width}}  {value:>22}")
    figures = {
        "additions_per_s": round(min(rates["short"], rates["long"])),
        "scan_fire_s": round(fire_s, 3),
        "idle_tick_ms": round(max(idle_before, idle_after), 2),
    }
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
