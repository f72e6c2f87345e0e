"""Console pages on a big desk: the workbox, a case with a 300-message timeline, and search.

    python bench/console.py            # 1,000,000 cases, ~5,000,000 messages (load: ~15-25 min)
    python bench/console.py --quick    # 50,000 cases, ~250,000 messages (< 2 min)

Production mode on PostgreSQL (``atiende.settings``, DEBUG off, manifest static files, Redis
cache as in production), in-process with Django's test client and a signed-in agent: the time
measured is the server's (middleware, view, queries, template), not a network's. Pages:

- the workbox: whatever ``web:home`` serves, and ``web:home?box=mine``;
- the case view (``web:case``) of one case with 300 messages, assigned to the agent;
- search (``search:search``) with a handful of realistic Spanish queries.

The database (``--database-url``, default $ATIENDE_DATABASE_URL or
``postgres://postgres@127.0.0.1:5432/atiende_bench_console``, with ``_quick`` appended for
--quick) is created and migrated when missing and kept between runs: the load is skipped when
it already holds the requested number of cases and their messages (``--reload`` forces a fresh
one). Cases, customers and identities come from ``load_cases.py`` (COPY); messages are written
with one ``INSERT ... SELECT`` over ``generate_series`` (1 to 9 per case, 5 on average, bodies
drawn from Spanish phrases with product names, places and numbers), then indexes are built and
tables analysed.

The last line of output is one JSON object: {"workbox_p95_ms", "case_view_p95_ms",
"search_p95_ms"}. Targets: workbox < 150 ms, case view < 250 ms, search < 300 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_URL = os.environ.get(
    "ATIENDE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/atiende_bench_console"
)
#: --quick keeps its smaller desk in a database of its own, so neither run reloads the other's.
QUICK_SUFFIX = "_quick"
TIMELINE_MARK = "bench-console-timeline"
TIMELINE_MESSAGES = 300
AGENTS_PER_TEAM = 6
SEARCHES = [
    "crédito infonavit",
    "humedad recamara",
    "factura mensualidad",
    "garantía lavadora",
    "María González",
    "fuga de agua en el baño",
    "cerradura electronica",
    "reembolso",
]

# Pieces of the generated message bodies: opening + topic + detail + closing.
OPENINGS = [
    "Hola, buenas tardes.",
    "Buenos días.",
    "Buenas noches, les escribo de nuevo.",
    "Hola, ¿qué tal?",
    "Estimados, buen día.",
    "Gracias por su respuesta.",
    "Disculpe la insistencia.",
    "Hola, soy cliente desde hace años.",
]
TOPICS = [
    "Quisiera saber el estado de mi pedido de cocina integral.",
    "Tengo humedad en el muro de la recámara principal.",
    "Me cobraron dos veces la mensualidad de este mes.",
    "¿Aceptan crédito Infonavit o Fovissste para el departamento?",
    "La cerradura electrónica de la puerta principal no abre.",
    "Hay una fuga de agua en el baño de visitas.",
    "El portal marca error al pagar con tarjeta.",
    "Necesito la factura del pago de mantenimiento.",
    "La lavadora que compré no enciende y sigue en garantía.",
    "¿Cuándo es la entrega del departamento en Torre B?",
    "El refrigerador hace mucho ruido desde la instalación.",
    "Solicito el reembolso del anticipo por cancelación.",
    "Quiero agendar una visita a la sala de ventas.",
    "No me llegó el código de verificación por SMS.",
    "El técnico no se presentó a la cita programada.",
    "¿Pueden cambiar la fecha de entrega del sofá?",
    "La pintura de la fachada se está descarapelando.",
    "Recibí el producto con un golpe en la esquina.",
    "Necesito una constancia de no adeudo.",
    "El estacionamiento asignado no corresponde al contrato.",
    "¿Tienen departamentos de tres recámaras en preventa?",
    "Mi tarjeta fue rechazada al pagar en línea.",
    "La alarma del edificio suena todas las noches.",
    "El elevador de la torre A está fuera de servicio.",
    "Quiero actualizar mi correo y mi teléfono de contacto.",
    "El aire acondicionado gotea sobre el piso.",
    "¿Cuál es el saldo pendiente de mi crédito?",
    "El calentador de agua no prende desde ayer.",
    "Me interesa el plan de pagos a 24 meses.",
    "La ventana de la sala no cierra bien.",
]
DETAILS = [
    "Mi número de pedido es {n}.",
    "Ya llamé a la línea de atención y no me resolvieron.",
    "Adjunto fotografías del problema.",
    "Estoy disponible por las mañanas.",
    "Es la tercera vez que reporto esto.",
    "Vivo en la colonia Del Valle, Ciudad de México.",
    "El contrato está a nombre de mi esposa.",
    "Pagué con transferencia el día {d} del mes pasado.",
    "Me urge porque me mudo la próxima semana.",
    "La unidad es la {n} del edificio Jacarandas.",
    "Me atendió el ejecutivo por WhatsApp.",
    "No he recibido ninguna respuesta por correo.",
]
CLOSINGS = [
    "Quedo atento.",
    "Saludos cordiales.",
    "Gracias.",
    "Espero su pronta respuesta.",
    "Muchas gracias por la ayuda.",
    "",
]
REPLIES = [
    "Gracias por escribirnos, ya revisamos su caso y le damos seguimiento.",
    "Con gusto le ayudamos. ¿Nos confirma un horario para la visita técnica?",
    "Le confirmamos que el reembolso fue autorizado y se verá reflejado en 5 días hábiles.",
    "Ya enviamos su factura a su correo registrado.",
    "El técnico visitará su domicilio mañana entre 9 y 13 horas.",
    "Lamentamos las molestias; escalamos su caso al área de garantías.",
]


def _sql_array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[]"


def _pick(array: list[str], seed: str) -> str:
    return f"({_sql_array(array)})[1 + (({seed}) % {len(array)})]"


def _body(g: str) -> str:
    """SQL for the inbound body of message G (an integer expression): deterministic, varied."""
    detail = (
        f"replace(replace({_pick(DETAILS, f'{g} * 31 + 7')}, "
        f"'{{n}}', (1000 + ({g} * 7919) % 90000)::text), "
        f"'{{d}}', (1 + {g} % 28)::text)"
    )
    return (
        f"{_pick(OPENINGS, f'{g} * 13')} || ' ' || {_pick(TOPICS, f'{g} * 7 + ({g} / 97)')} "
        f"|| ' ' || {detail} || ' ' || {_pick(CLOSINGS, f'{g} * 17 + 3')}"
    )


# --- the database --------------------------------------------------------------------------------


def ensure_database(url: str, *, recreate: bool) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        if recreate:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare_desk() -> None:
    """Teams (those of load_cases) with a few agents each; the bench agent is 'agente'."""
    from load_cases import DEFAULT_TEAMS

    from atiende.accounts.models import Role, Team, User

    for slug, name in DEFAULT_TEAMS:
        team, _ = Team.objects.get_or_create(slug=slug, defaults={"name": name})
        for n in range(AGENTS_PER_TEAM):
            username = "agente" if (slug, n) == (DEFAULT_TEAMS[0][0], 0) else f"{slug}-{n}"
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": "Agente", "last_name": f"{n}", "role": Role.AGENT},
            )
            if created:
                user.teams.add(team)


def loaded(cases: int) -> bool:
    from atiende.cases.models import Case, Message

    if Case.objects.count() != cases:
        return False
    timeline = Case.objects.filter(custom_fields__bench=TIMELINE_MARK).first()
    return (
        timeline is not None
        and Message.objects.filter(case=timeline).count() == TIMELINE_MESSAGES
        and Message.objects.count() >= cases * 4
    )


def load(cases: int, log) -> dict[str, float]:
    import load_cases
    from django.db import connection, transaction

    timings = load_cases.load(cases=cases, log=log)
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        t0 = time.monotonic()
        # Due times of open cases: a spread from overdue to three days ahead (the workbox sorts).
        cursor.execute(
            """UPDATE cases_case SET
                 first_response_due_at = registered_at + interval '4 hours',
                 resolution_due_at = registered_at + interval '72 hours',
                 next_due_at = now() + ((id % 97) - 24) * interval '1 hour'
               WHERE status NOT IN ('resolved', 'closed')"""
        )
        log(f"  due times of {cursor.rowcount:,} open cases in {time.monotonic() - t0:.1f} s")
        saved = load_cases._drop_secondary_indexes(cursor, "cases_message")
        t0 = time.monotonic()
        first_case, last_case = _case_range(cursor)
        # Foreign keys hold by construction (ids come from cases_case); skip their row triggers.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f"""INSERT INTO cases_message (uuid, case_id, direction, channel, author_id,
                    from_address, to_address, subject, body_text, body_html, external_id,
                    delivery_status, status_detail, attempts, created_at, status_changed_at)
                SELECT gen_random_uuid(), c.id, d.direction, c.channel,
                       CASE WHEN d.direction = 'out' THEN c.assignee_id END,
                       '', '', '', d.body, '', '',
                       CASE WHEN d.direction = 'in' THEN 'received' ELSE 'delivered' END,
                       '', 0, c.registered_at + s.k * interval '3 hours',
                       c.registered_at + s.k * interval '3 hours'
                FROM cases_case c
                CROSS JOIN LATERAL generate_series(0, (c.id * 2654435761) % 9) AS s(k)
                CROSS JOIN LATERAL (SELECT
                    CASE WHEN s.k % 2 = 1 THEN 'out' ELSE 'in' END AS direction,
                    CASE WHEN s.k % 2 = 1 THEN {_pick(REPLIES, "c.id + s.k")}
                         ELSE {_body("(c.id * 10 + s.k)")} END AS body) d
                WHERE c.id BETWEEN {int(first_case)} AND {int(last_case)}
                ORDER BY c.id, s.k"""
        )
        messages = cursor.rowcount
        timings["messages_s"] = time.monotonic() - t0
        log(f"  {messages:,} messages inserted in {timings['messages_s']:.1f} s")
        _timeline_case(cursor, first_case, last_case)
        t0 = time.monotonic()
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for statement in saved:
            cursor.execute(statement)
        log(f"  {len(saved)} message indexes built in {time.monotonic() - t0:.1f} s")
        load_cases._move_sequence(cursor, "cases_message")
    with connection.cursor() as cursor:
        t0 = time.monotonic()
        for table in ("cases_case", "cases_message", "customers_customer", "customers_identity"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        log(f"  vacuum + analyse in {time.monotonic() - t0:.1f} s")
    timings["messages"] = messages
    timings["messages_total_s"] = time.monotonic() - started
    return timings


def _case_range(cursor) -> tuple[int, int]:
    cursor.execute("SELECT min(id), max(id) FROM cases_case")
    return cursor.fetchone()


def _timeline_case(cursor, first_case: int, last_case: int) -> None:
    """Make a recent case of the agent's team the agent's own, with exactly 300 messages."""
    from atiende.accounts.models import User

    agent = User.objects.get(username="agente")
    team_id = agent.teams.get().pk
    cursor.execute(
        "SELECT id FROM cases_case WHERE team_id = %s AND id > %s ORDER BY id DESC LIMIT 1",
        [team_id, last_case - 5000],
    )
    case_id = cursor.fetchone()[0]
    cursor.execute(
        """UPDATE cases_case SET assignee_id = %s, status = 'in_progress',
               custom_fields = jsonb_build_object('bench', %s::text)
           WHERE id = %s""",
        [agent.pk, TIMELINE_MARK, case_id],
    )
    cursor.execute("DELETE FROM cases_message WHERE case_id = %s", [case_id])
    cursor.execute(
        f"""INSERT INTO cases_message (uuid, case_id, direction, channel, author_id,
                from_address, to_address, subject, body_text, body_html, external_id,
                delivery_status, status_detail, attempts, created_at, status_changed_at)
            SELECT gen_random_uuid(), c.id, CASE WHEN k % 2 = 1 THEN 'out' ELSE 'in' END,
                   c.channel, CASE WHEN k % 2 = 1 THEN {int(agent.pk)} END, '', '', '',
                   CASE WHEN k % 2 = 1 THEN {_pick(REPLIES, "k")} ELSE {_body("k")} END,
                   '', '', CASE WHEN k % 2 = 1 THEN 'delivered' ELSE 'received' END, '', 0,
                   c.registered_at + k * interval '10 minutes',
                   c.registered_at + k * interval '10 minutes'
            FROM cases_case c, generate_series(0, {TIMELINE_MESSAGES - 1}) AS k
            WHERE c.id = {int(case_id)}"""
    )


# --- measuring -----------------------------------------------------------------------------------


class Page:
    def __init__(self, name: str) -> None:
        self.name = name
        self.timings: list[float] = []
        self.queries: list[int] = []
        self.statuses: set[int] = set()

    def percentile(self, p: float) -> float:
        ordered = sorted(self.timings)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[index]


def measure(client, page: Page, url: str, requests: int, warmup: int = 3) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    page.queries.append(len(queries))
    page.statuses.add(response.status_code)
    for _ in range(requests):
        t0 = time.perf_counter()
        response = client.get(url)
        page.timings.append((time.perf_counter() - t0) * 1000)
        page.statuses.add(response.status_code)


def run(requests: int) -> list[Page]:
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from atiende.accounts.models import User
    from atiende.cases.models import Case

    settings.ATIENDE_SEARCH_PER_MINUTE = 10**9  # the counter still runs, it never refuses
    client = Client()
    client.force_login(User.objects.get(username="agente"))
    timeline = Case.objects.get(custom_fields__bench=TIMELINE_MARK)
    home = reverse("web:home")
    workbox, mine = Page("workbox (web:home)"), Page("workbox ?box=mine")
    measure(client, workbox, home, requests)
    measure(client, mine, f"{home}?box=mine", requests)
    case_view = Page(f"case view, {TIMELINE_MESSAGES} messages")
    measure(client, case_view, reverse("web:case", args=[timeline.folio]), requests)
    search = Page(f"search, {len(SEARCHES)} queries")
    per_query = max(3, requests // len(SEARCHES))
    url = reverse("search:search")
    for q in SEARCHES:
        measure(client, search, f"{url}?{urlencode({'q': q})}", per_query, warmup=1)
    return [workbox, mine, case_view, search]


def report(pages: list[Page], counts: dict[str, int]) -> dict[str, float]:
    print()
    print(
        f"{counts['cases']:,} cases, {counts['messages']:,} messages, "
        f"{counts['customers']:,} customers"
    )
    header = f"{'page':<32} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  queries  status"
    print(header)
    print("-" * len(header))
    for page in pages:
        queries = "/".join(str(n) for n in sorted(set(page.queries)))
        print(
            f"{page.name:<32} {len(page.timings):>5} {statistics.median(page.timings):>8.1f} "
            f"{page.percentile(95):>8.1f} {page.percentile(99):>8.1f}  {queries:>7}  "
            f"{','.join(map(str, sorted(page.statuses)))}"
        )
    workbox, mine, case_view, search = pages
    figures = {
        "workbox_p95_ms": round(max(workbox.percentile(95), mine.percentile(95)), 1),
        "case_view_p95_ms": round(case_view.percentile(95), 1),
        "search_p95_ms": round(search.percentile(95), 1),
    }
    print("\nTargets: workbox p95 < 150 ms, case view p95 < 250 ms, search p95 < 300 ms")
    print(json.dumps(figures))
    return figures


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50,000 cases instead of 1,000,000")
    parser.add_argument("--cases", type=int, default=None)
    parser.add_argument("--requests", type=int, default=None, help="timed requests per page")
    parser.add_argument("--database-url", default=None, help=f"default: {DEFAULT_URL}")
    parser.add_argument("--reload", action="store_true", help="drop the database and reload")
    args = parser.parse_args(argv)
    cases = args.cases or (50_000 if args.quick else 1_000_000)
    requests = args.requests or (30 if args.quick else 60)
    if args.database_url is None:
        args.database_url = DEFAULT_URL + (QUICK_SUFFIX if args.quick else "")

    data_dir = Path(tempfile.gettempdir()) / "atiende-bench-console"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="atiende.settings",
        ATIENDE_DATABASE_URL=args.database_url,
        ATIENDE_DATA_DIR=str(data_dir),
        ATIENDE_DEBUG="0",
        ATIENDE_REDIS_URL=os.environ.get("ATIENDE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        ATIENDE_BROKER_URL="filesystem://",
        ATIENDE_TASKS_EAGER="0",
        ATIENDE_LOG_LEVEL="WARNING",
    )
    ensure_database(args.database_url, recreate=args.reload)
    import django

    django.setup()
    from django.core.management import call_command

    from atiende.core.memory import tune_garbage_collector

    tune_garbage_collector()  # as atiende.wsgi does when a production web process starts

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    prepare_desk()
    if loaded(cases):
        print(f"{args.database_url}: {cases:,} cases already loaded, load skipped")
    else:
        from django.db import connections

        connections.close_all()
        ensure_database(args.database_url, recreate=True)
        call_command("migrate", verbosity=0)
        prepare_desk()
        print(f"loading {cases:,} cases into {args.database_url}")
        load(cases, print)
    from atiende.cases.models import Case, Message
    from atiende.customers.models import Customer

    counts = {
        "cases": Case.objects.count(),
        "messages": Message.objects.count(),
        "customers": Customer.objects.count(),
    }
    return report(run(requests), counts)


if __name__ == "__main__":
    main()
