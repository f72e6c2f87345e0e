"""API benchmark: create cases over HTTP, then list a team's open cases among a million.

    python bench/api_cases.py            # full: 5,000 creates, 1,000,000 cases for the list
    python bench/api_cases.py --quick    # under two minutes: 1,000 creates, 100,000 cases

What it does, in production mode on PostgreSQL:
1. drops and re-creates the database (default ``atiende_bench``), migrates, creates a team, an
   agent of that team and an administrator, and an API token for each (accounts services);
2. starts ``gunicorn atiende.wsgi`` (2 workers, ``--worker-class`` sync or gthread) with
   ATIENDE_DEBUG off, the Celery broker on Redis (db 12, or ``--broker-url``; jobs enqueued after
   commit are really published) and the cache (throttling) on Redis db 13;
3. CREATE: 8 client threads (keep-alive ``http.client`` connections) POST /api/v1/cases/ with
   varied customers (new e-mails, phones, and a pool of repeated customers) and channels; after
   a warm-up, reports cases/s and latency percentiles;
4. LIST: bulk-loads 1,000,000 cases (``bench/load_cases.py``, COPY), then times a few hundred
   GET /api/v1/cases/?team=<slug>&status=open (first page, one client, after a warm-up), as the
   agent (team-scoped visibility) and as the administrator;
5. stops the server, always.

The last line of output is one JSON object: {"cases_per_s", "p95_ms", "list_p95_ms"} (the list
figure is the agent's). Targets on a 2-core machine: >= 300 cases/s, p95 < 60 ms, list p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/atiende_bench"
DEFAULT_BROKER = "redis://127.0.0.1:6379/12"
DEFAULT_CACHE = "redis://127.0.0.1:6379/13"
TEAM_SLUG = "centro-informacion"
NAMES = [
    "Ana López",
    "José García",
    "María Hernández",
    "Camila Muñoz",
    "Matías Rojas",
    "Luis Pérez",
    "Guadalupe Cruz",
    "Valentina Soto",
    "Jorge Ramírez",
    "Daniela Flores",
]
MESSAGES = [
    "Hola, quisiera conocer precios y formas de pago del departamento de 2 recámaras.",
    "¿Cuál es el estado de mi pedido? Me dijeron 15 días y ya pasaron tres semanas.",
    "El portal marca Error 500 al pagar mi mensualidad.",
    "Me cobraron dos veces la mensualidad de octubre, exijo la devolución.",
    "Buenas tardes, ¿cómo va mi caso? No he recibido respuesta.",
]


# --- the database and the desk ------------------------------------------------------------------


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def server_env(args: argparse.Namespace, data_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "atiende.settings",
        "ATIENDE_DATABASE_URL": args.database_url,
        "ATIENDE_BROKER_URL": args.broker_url,
        "ATIENDE_REDIS_URL": args.cache_url,
        "ATIENDE_DEBUG": "0",
        "ATIENDE_TASKS_EAGER": "0",
        "ATIENDE_DATA_DIR": data_dir,
        "ATIENDE_LOG_LEVEL": "WARNING",
        # Measure throughput, not the per-user rate limit (its cache round trip still happens).
        "ATIENDE_API_USER_RATE": "100000000/hour",
    }


def prepare_desk() -> dict[str, str]:
    """Migrate, then a team, its agent and an administrator, each with an API token."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from atiende.accounts.models import Role, Team, User
    from atiende.accounts.services import create_api_token

    team = Team.objects.create(name="Centro de información", slug=TEAM_SLUG)
    agent = User.objects.create(
        username="agente", first_name="Ana", last_name="Bench", role=Role.AGENT
    )
    agent.teams.add(team)
    admin = User.objects.create(
        username="admin", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True
    )
    return {
        "agent": create_api_token(user=agent, name="bench")[1],
        "admin": create_api_token(user=admin, name="bench")[1],
    }


def flush_redis(*urls: str) -> None:
    import redis

    for url in urls:
        if url.startswith("redis"):
            redis.Redis.from_url(url).flushdb()


def queued_jobs(url: str) -> int | None:
    """Jobs waiting in the Redis broker (no worker runs during the benchmark)."""
    if not url.startswith("redis"):
        return None
    import redis

    from atiende.celery import QUEUES

    client = redis.Redis.from_url(url)
    return sum(client.llen(queue) for queue in QUEUES)


# --- the server ----------------------------------------------------------------------------------


class Server:
    def __init__(self, args: argparse.Namespace, env: dict[str, str], data_dir: str) -> None:
        self.args, self.env = args, env
        self.log_path = Path(data_dir) / "gunicorn.log"
        self.process: subprocess.Popen | None = None

    def start(self, token: str) -> None:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "atiende.wsgi",
            "--workers",
            str(self.args.workers),
            "--worker-class",
            self.args.worker_class,
            "--bind",
            f"127.0.0.1:{self.args.port}",
            "--log-level",
            "warning",
            "--keep-alive",
            "30",
        ]
        if self.args.worker_class == "gthread":
            command += ["--threads", str(self.args.threads)]
        log = self.log_path.open("w")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                status, _body, _ms = request(Client(self.args.port, token), "GET", "/api/v1/me/")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer in 60 s:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


# --- the clients ---------------------------------------------------------------------------------


class Client:
    """One keep-alive connection; reconnects when the server closes it (sync workers do)."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }


def request(
    client: Client, method: str, path: str, body: bytes | None = None
) -> tuple[int, bytes, float]:
    """One request; its latency in ms. A GET whose kept-alive connection the server had closed is
    sent again once; a POST never is (it may have been done), the error is counted instead."""
    started = time.perf_counter()
    for attempt in (1, 2):
        try:
            client.connection.request(method, path, body=body, headers=client.headers)
            response = client.connection.getresponse()
            data = response.read()
            break
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
            client.connection.close()
            if method != "GET" or attempt == 2:
                return 0, repr(exc).encode(), (time.perf_counter() - started) * 1000
    return response.status, data, (time.perf_counter() - started) * 1000


def case_payloads(count: int, seed: int) -> list[bytes]:
    """Varied creations: 55 % new e-mail, 20 % a repeated customer, 15 % phone only, 10 % both."""
    rng = random.Random(seed)
    run = f"{seed}-{int(time.time())}"
    pool = [f"frecuente{n}.{run}@correo.example" for n in range(300)]
    payloads = []
    for n in range(count):
        draw = rng.random()
        name = rng.choice(NAMES)
        if draw < 0.55:
            customer = {"email": f"cliente{n}.{run}@correo.example", "name": name}
        elif draw < 0.75:
            customer = {"email": rng.choice(pool), "name": name}
        elif draw < 0.90:
            customer = {"phone": f"+52 55 {seed % 90 + 10}{n:06d}", "name": name}
        else:
            customer = {
                "email": f"cliente{n}.{run}@correo.example",
                "phone": f"+56 9 {seed % 90 + 10}{n:06d}",
            }
        message = rng.choice(MESSAGES)
        payloads.append(
            json.dumps(
                {
                    "customer": customer,
                    "channel": rng.choice(["email", "webform", "whatsapp", "phone", "webchat"]),
                    "summary": message[:60],
                    "case_type": rng.choice(["information", "order", "complaint"]),
                    "team": TEAM_SLUG,
                    "message": message,
                }
            ).encode()
        )
    return payloads


@dataclass
class Phase:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[int(p) - 1]


def run_creates(port: int, token: str, payloads: list[bytes], clients: int, name: str) -> Phase:
    phase, lock, position = Phase(name), threading.Lock(), [0]

    def work() -> None:
        client = Client(port, token)
        while True:
            with lock:
                index = position[0]
                position[0] += 1
            if index >= len(payloads):
                return
            status, body, ms = request(client, "POST", "/api/v1/cases/", payloads[index])
            with lock:
                if status == 201:
                    phase.latencies_ms.append(ms)
                else:
                    phase.errors.append(f"{status} {body[:200]!r}")

    threads = [threading.Thread(target=work) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - started
    return phase


def run_lists(port: int, token: str, path: str, count: int, warmup: int, name: str) -> Phase:
    client, phase = Client(port, token), Phase(name)
    for _ in range(warmup):
        request(client, "GET", path)
    started = time.perf_counter()
    for _ in range(count):
        status, body, ms = request(client, "GET", path)
        if status == 200 and json.loads(body)["results"]:
            phase.latencies_ms.append(ms)
        else:
            phase.errors.append(f"{status} {body[:200]!r}")
    phase.seconds = time.perf_counter() - started
    return phase


# --- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small run, under two minutes")
    parser.add_argument(
        "--database-url", default=DEFAULT_DB, help="dropped and re-created! (default %(default)s)"
    )
    parser.add_argument("--broker-url", default=DEFAULT_BROKER)
    parser.add_argument("--cache-url", default=DEFAULT_CACHE)
    parser.add_argument("--cases", type=int, help="cases to create over HTTP (5,000; quick 1,000)")
    parser.add_argument("--warmup", type=int, default=200, help="creations before timing starts")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--list-cases", type=int, help="cases bulk-loaded for the list (1,000,000; quick 100,000)"
    )
    parser.add_argument("--list-requests", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    args.cases = args.cases or (1_000 if args.quick else 5_000)
    args.list_cases = (
        args.list_cases if args.list_cases is not None else (100_000 if args.quick else 1_000_000)
    )
    if args.quick:
        args.warmup = min(args.warmup, 100)
        args.list_requests = min(args.list_requests, 200)
    return args


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = parse_args(argv)
    data_dir = tempfile.mkdtemp(prefix="atiende-bench-")
    env = server_env(args, data_dir)
    os.environ.update(env)
    print(
        f"Database {args.database_url} (re-created); broker {args.broker_url}; "
        f"cache {args.cache_url}"
    )
    recreate_database(args.database_url)
    flush_redis(args.broker_url, args.cache_url)
    import django

    django.setup()
    tokens = prepare_desk()
    server = Server(args, env, data_dir)
    rows: list[tuple[str, Phase]] = []
    try:
        server.start(tokens["agent"])
        payloads = case_payloads(args.warmup + args.cases, args.seed)
        run_creates(args.port, tokens["agent"], payloads[: args.warmup], args.clients, "warm-up")
        create = run_creates(
            args.port, tokens["agent"], payloads[args.warmup :], args.clients, "POST /cases/"
        )
        rows.append((f"create ({args.clients} clients)", create))
        jobs = queued_jobs(args.broker_url)
        print(
            f"Created {len(create.latencies_ms):,} cases in {create.seconds:.1f} s "
            f"({len(create.errors)} errors); jobs published to the broker: {jobs}"
        )
        for error in create.errors[:5]:
            print("  error:", error)
        if args.list_cases:
            from load_cases import load

            print(f"Bulk-loading {args.list_cases:,} cases for the list benchmark...")
            load(cases=args.list_cases, log=print)
        path = f"/api/v1/cases/?team={TEAM_SLUG}&status=open"
        for who in ("agent", "admin"):
            phase = run_lists(args.port, tokens[who], path, args.list_requests, 30, f"GET {path}")
            rows.append((f"list as {who} (1 client)", phase))
            for error in phase.errors[:3]:
                print("  error:", error)
    finally:
        server.stop()
    return report(args, rows)


def report(args: argparse.Namespace, rows: list[tuple[str, Phase]]) -> dict[str, float]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        total = cursor.fetchone()[0]
    print(
        f"\ngunicorn: {args.workers} {args.worker_class} workers"
        f"{f' x {args.threads} threads' if args.worker_class == 'gthread' else ''}; "
        f"{os.cpu_count()} CPUs; {total:,} cases in the database at the end\n"
    )
    header = f"{'phase':<26} {'requests':>9} {'errors':>6} {'req/s':>8} " + " ".join(
        f"{label:>8}" for label in ("p50 ms", "p95 ms", "p99 ms")
    )
    print(header)
    print("-" * len(header))
    for label, phase in rows:
        print(
            f"{label:<26} {len(phase.latencies_ms):>9,} {len(phase.errors):>6} {phase.rate:>8.1f} "
            + " ".join(f"{phase.percentile(p):>8.1f}" for p in (50, 95, 99))
        )
    create, agent_list = rows[0][1], rows[1][1]
    figures = {
        "cases_per_s": round(create.rate, 1),
        "p95_ms": round(create.percentile(95), 1),
        "list_p95_ms": round(agent_list.percentile(95), 1),
    }
    print(
        "\nTargets: >= 300 cases/s, p95 < 60 ms, list p95 < 50 ms "
        f"(list with {args.list_cases:,} bulk cases)"
    )
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
