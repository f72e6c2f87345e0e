"""Where does the time of one API request go? In-process, on PostgreSQL, no HTTP server.

    python bench/profile_api.py [--database-url URL] [--requests 200]    # POST /api/v1/cases/
    python bench/profile_api.py --list                                   # GET the team's open cases

Runs the request through Django's test client (the whole middleware stack, the view, the
services) against a migrated PostgreSQL database: by default ``atiende_bench`` as left by
``bench/api_cases.py``, else a fresh one is prepared. Prints the queries of one request with
their time, the per-request time split (SQL vs Python), and the top functions of a cProfile
over --requests requests.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from api_cases import DEFAULT_CACHE, DEFAULT_DB, TEAM_SLUG, case_payloads  # noqa: E402

LIST_PATH = f"/api/v1/cases/?team={TEAM_SLUG}&status=open"

#: (label, file suffix, function): where a create request spends its time, nested as indented.
STAGES = [
    ("whole request (handler)", "django/core/handlers/base.py", "get_response"),
    ("  middleware before the view", "django/core/handlers/base.py", "_get_response"),
    ("  DRF initial (auth, perms, throttle)", "rest_framework/views.py", "initial"),
    ("    token authentication", "atiende/api/authentication.py", "authenticate"),
    ("    throttle (cache round trips)", "rest_framework/views.py", "check_throttles"),
    ("    idempotency claim", "atiende/api/idempotency.py", "claim"),
    ("  view create()", "atiende/api/views/cases.py", "create"),
    ("    parse input (CaseCreateInput)", "atiende/api/views/base.py", "parse"),
    ("    ensure_can_file_case_for", "atiende/api/permissions.py", "ensure_can_file_case_for"),
    ("    open_case_for_contact (txn)", "atiende/api/views/cases.py", "open_case_for_contact"),
    ("      find_or_create_customer", "atiende/customers/services.py", "find_or_create_customer"),
    ("      services.open_case", "atiende/cases/services.py", "open_case"),
    ("        next_folio", "atiende/cases/folios.py", "next_folio"),
    ("        record_event", "atiende/cases/events.py", "record_event"),
    ("        _create_inbound", "atiende/cases/services.py", "_create_inbound"),
    ("        sanitise_html", "atiende/core/html.py", "sanitise_html"),
    ("    render (CaseDetailSerializer)", "atiende/api/views/base.py", "render"),
    ("  view list()", "atiende/api/views/cases.py", "list"),
    ("    filter_queryset (team slug lookup)", "rest_framework/generics.py", "filter_queryset"),
    ("    render_page (paginate + serialize)", "atiende/api/views/base.py", "render_page"),
    ("      paginate_queryset (the page query)", "atiende/api/pagination.py", "paginate_queryset"),
    ("  finalize_response", "rest_framework/views.py", "finalize_response"),
    ("all SQL round trips (psycopg execute)", "psycopg/cursor.py", "execute"),
    ("  of which commit", "django/db/backends/base/base.py", "commit"),
    ("serializer field construction (deepcopy)", "rest_framework/serializers.py", "get_fields"),
    ("DRF validators (run_validators)", "rest_framework/serializers.py", "run_validation"),
]


class QueryTimer:
    """A connection.execute_wrapper that records each query's wall time."""

    def __init__(self) -> None:
        self.queries: list[tuple[float, str]] = []
        self.started: list[tuple[float, float, str]] = []

    def __call__(self, execute, sql, params, many, context):  # noqa: ANN001, ANN204
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = (time.perf_counter() - started) * 1000
            self.queries.append((ms, sql))
            self.started.append((started, ms, sql))


def print_stages(stats: pstats.Stats, requests: int) -> None:
    print(f"{'stage (cumulative, profiler on)':<44} {'ms/request':>10} {'calls/request':>14}")
    for label, suffix, function in STAGES:
        total, calls = 0.0, 0
        for (filename, _line, name), (_cc, nc, _tt, ct, _callers) in stats.stats.items():
            if name == function and filename.endswith(suffix):
                total, calls = max(total, ct), calls + nc
        print(f"{label:<44} {total / requests * 1000:>10.2f} {calls / requests:>14.1f}")
    print()


def backend_cpu_seconds(connection) -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine only)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--cache-url", default=DEFAULT_CACHE)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--list", action="store_true", help=f"profile GET {LIST_PATH} instead")
    args = parser.parse_args(argv)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "atiende.settings",
            "ATIENDE_DATABASE_URL": args.database_url,
            "ATIENDE_REDIS_URL": args.cache_url,
            "ATIENDE_DEBUG": "0",
            "ATIENDE_LOG_LEVEL": "WARNING",
            "ATIENDE_DATA_DIR": os.environ.get("ATIENDE_DATA_DIR")
            or tempfile.mkdtemp(prefix="atiende-prof-"),
            "ATIENDE_API_USER_RATE": "100000000/hour",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from atiende.accounts.models import Role, Team, User
    from atiende.accounts.services import create_api_token

    call_command("migrate", verbosity=0)
    team, _ = Team.objects.get_or_create(slug=TEAM_SLUG, defaults={"name": "Centro de información"})
    agent, created = User.objects.get_or_create(username="agente", defaults={"role": Role.AGENT})
    agent.teams.add(team)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user=agent, name='profile')[1]}")
    payloads = case_payloads(args.requests + 120, seed=int(time.time()) % 1000)

    def post(body: bytes) -> None:
        if args.list:
            response = client.get(LIST_PATH)
            assert response.status_code == 200, response.content[:300]
            return
        response = client.post("/api/v1/cases/", data=body, content_type="application/json")
        assert response.status_code == 201, response.content[:300]

    for body in payloads[:20]:  # warm-up: imports, connection, caches
        post(body)
    what = f"GET {LIST_PATH}" if args.list else "POST /api/v1/cases/ (a new customer)"
    print(f"One request, {what}, query by query (wall time of each round trip):")
    new_customer = next(
        p for p in payloads[20:40] if b'"email": "cliente' in p and b'"phone"' not in p
    )
    timer = QueryTimer()
    commit, committed_at = connection.commit, []

    def timed_commit() -> None:
        commit()
        committed_at.append(time.perf_counter())

    connection.commit = timed_commit  # instance attribute: this one request only
    try:
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            post(new_customer)
            total_ms = (time.perf_counter() - started) * 1000
    finally:
        del connection.commit
    for ms, sql in timer.queries:
        print(f"  {ms:6.2f} ms  {' '.join(sql.split())[:130]}")
    sql_ms = sum(ms for ms, _sql in timer.queries)
    locked = [at for at, _ms, sql in timer.started if "UPDATE cases_foliocounter" in sql]
    if locked and committed_at:
        held = (committed_at[-1] - locked[0]) * 1000
        print(
            f"  folio counter row locked from its UPDATE to COMMIT: {held:.2f} ms "
            f"(one series can then open at most {1000 / held:.0f} cases/s, whatever the cores)"
        )
    print(
        f"  => {len(timer.queries)} queries, {sql_ms:.1f} ms waiting on SQL, "
        f"{total_ms:.1f} ms in all "
        f"({total_ms - sql_ms:.1f} ms Python)\n"
    )
    timed = []
    backend = backend_cpu_seconds(connection)
    cpu_started = time.process_time()
    for body in payloads[20:120]:
        started = time.perf_counter()
        post(body)
        timed.append((time.perf_counter() - started) * 1000)
    python_cpu = (time.process_time() - cpu_started) * 1000 / len(timed)
    backend_cpu = (backend_cpu_seconds(connection) - backend) * 1000 / len(timed)
    print(f"Without profiler: {statistics.mean(timed):.1f} ms per request (mean of {len(timed)})")
    print(
        f"CPU per request: {python_cpu:.2f} ms in Django + {backend_cpu:.2f} ms in the PostgreSQL "
        f"backend (CPU time, so less sensitive than wall time to other load on the machine)\n"
    )

    profile = cProfile.Profile()
    bodies = payloads[120 : 120 + args.requests]
    started = time.perf_counter()
    profile.enable()
    for body in bodies:
        post(body)
    profile.disable()
    elapsed = time.perf_counter() - started
    print(
        f"{len(bodies)} requests in {elapsed:.2f} s: {elapsed / len(bodies) * 1000:.1f} ms each, "
        f"one process, profiler on (it adds overhead)\n"
    )
    print_stages(pstats.Stats(profile), len(bodies))
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
    stats.print_stats(args.top)
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(20)
    print(out.getvalue())
    print(json.dumps({"ms_per_request": round(elapsed / len(bodies) * 1000, 1)}))


if __name__ == "__main__":
    main()
