"""E-mail intake benchmark: varied messages through the MTA pipe path and through the job path.

    python bench/intake_email.py            # full: 10,000 messages per phase
    python bench/intake_email.py --quick    # under two minutes: 800 messages per phase

In production mode on PostgreSQL (the database ``atiende_bench_intake`` is dropped and
re-created) with the Celery broker on Redis (db 11, flushed):
1. PIPE: each message through ``deliver_from_pipe`` (what ``atiende intake email`` runs: store
   the envelope, commit, process, report), in this one process; plus a few real
   ``atiende intake email < message.eml`` subprocesses, to show what a process start costs;
2. JOBS x1: the messages stored as envelopes, then ``inbound.process_envelope`` jobs published to
   one ``atiende worker`` process (prefork, concurrency 1): messages/s from first publish to last
   envelope processed;
3. JOBS x2: the same with two worker processes (scaling = x2 rate / x1 rate);
4. LATENCY: one worker; messages arrive at half its measured rate, each stored and its job
   published as the SMTP listener does; end-to-end p95 from the envelope's commit to its case.

Every phase uses fresh messages (new Message-IDs and senders): a mix of new requests, replies to
earlier messages (In-Reply-To, quoted history), HTML-only and multipart/alternative mail,
attachments, wrongly declared charsets, auto-replies and delivery reports.
The last line of output is one JSON object:
{"messages_per_s_per_worker", "scaling_2_workers", "p95_ms"}. Targets: >= 175 messages/s per
worker, 2 workers >= 1.8x one.
"""

from __future__ import annotations

import argparse
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
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/atiende_bench_intake"
DEFAULT_BROKER = "redis://127.0.0.1:6379/11"
MAILBOX = "soporte@atiende.test"
TEXTS = [
    "Hola, quisiera conocer precios y formas de pago del departamento de 2 recámaras.",
    "¿Cuál es el estado de mi pedido? Me dijeron 15 días y ya pasaron tres semanas.",
    "El portal marca Error 500 al pagar mi mensualidad.",
    "Me cobraron dos veces la mensualidad de octubre, exijo la devolución.",
    "Buenas tardes, ¿cómo va mi caso? No he recibido respuesta.",
    "Adjunto la factura para que revisen el cobro duplicado.",
]
KINDS = {
    "new": 45,
    "reply": 20,
    "html": 10,
    "alternative": 8,
    "attachment": 5,
    "latin1": 4,
    "auto_reply": 5,
    "bounce": 3,
}


# --- messages -----------------------------------------------------------------------------------


def messages(count: int, seed: int, tag: str) -> list[bytes]:
    """COUNT varied messages; replies refer to earlier messages of the same set."""
    rng = random.Random(seed)
    ids: list[str] = []
    out = []
    kinds = list(KINDS)
    weights = list(KINDS.values())
    pdf = b"%PDF-1.4\n" + bytes(rng.randrange(256) for _ in range(20_000))
    import base64

    pdf64 = base64.encodebytes(pdf).decode()
    for i in range(count):
        kind = rng.choices(kinds, weights)[0]
        if kind == "reply" and not ids:
            kind = "new"
        sender = f"cliente{rng.randrange(max(count // 4, 1))}.{tag}@correo{rng.randrange(20)}.test"
        message_id = f"<{tag}.{i}@correo.test>"
        text = rng.choice(TEXTS)
        head = (
            f"From: Cliente {i} <{sender}>\r\nTo: {MAILBOX}\r\nMessage-ID: {message_id}\r\n"
            f"Date: Tue, 01 Dec 2026 10:{i % 60:02d}:00 -0600\r\nMIME-Version: 1.0\r\n"
        )
        if kind == "reply":
            parent = rng.choice(ids[-200:])
            head += f"In-Reply-To: {parent}\r\nReferences: {parent}\r\nSubject: Re: Solicitud\r\n"
            body = (
                f"{text}\r\n\r\nEl lun, 30 nov 2026, Soporte escribió:\r\n> Respuesta anterior\r\n"
            )
            raw = head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body
        elif kind == "html":
            raw = (
                head + "Subject: Consulta web\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                f"<div><p>{text}</p><script>x()</script><p>Saludos</p></div>\r\n"
            )
        elif kind == "alternative":
            raw = (
                head + 'Subject: Consulta\r\nContent-Type: multipart/alternative; boundary="A"\r\n'
                f"\r\n--A\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
                f"--A\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>{text}</p>\r\n--A--\r\n"
            )
        elif kind == "attachment":
            raw = (
                head + 'Subject: Factura\r\nContent-Type: multipart/mixed; boundary="M"\r\n'
                f"\r\n--M\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
                "--M\r\nContent-Type: application/pdf\r\n"
                'Content-Disposition: attachment; filename="factura.pdf"\r\n'
                f"Content-Transfer-Encoding: base64\r\n\r\n{pdf64}--M--\r\n"
            )
        elif kind == "latin1":
            raw = head + "Subject: Atencion\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            out.append(raw.encode() + f"{text}\r\n".encode("cp1252"))
            ids.append(message_id)
            continue
        elif kind == "auto_reply":
            raw = (
                head + "Subject: Fuera de la oficina\r\nAuto-Submitted: auto-replied\r\n"
                "Content-Type: text/plain; charset=utf-8\r\n\r\nEstoy de vacaciones.\r\n"
            )
        elif kind == "bounce":
            raw = (
                f"From: MAILER-DAEMON@mx.correo.test\r\nTo: {MAILBOX}\r\n"
                f"Message-ID: {message_id}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
                "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; "
                'boundary="R"\r\n\r\n--R\r\nContent-Type: text/plain\r\n\r\nNo se entregó.\r\n'
                "--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
                f"Final-Recipient: rfc822; {sender}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
                "--R--\r\n"
            )
        else:
            raw = (
                head + f"Subject: Solicitud {i}\r\nContent-Type: text/plain; charset=utf-8\r\n"
                f"\r\n{text}\r\n\r\n-- \r\nCliente {i}\r\n"
            )
        out.append(raw.encode())
        ids.append(message_id)
    return out


# --- set-up -------------------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def bench_env(args: argparse.Namespace, data_dir: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("ATIENDE_")},
        "DJANGO_SETTINGS_MODULE": "atiende.settings",
        "PYTHONPATH": str(ROOT),
        "ATIENDE_DATABASE_URL": args.database_url,
        "ATIENDE_BROKER_URL": args.broker_url,
        "ATIENDE_DATA_DIR": data_dir,
        "ATIENDE_TASKS_EAGER": "0",
        "ATIENDE_LOG_LEVEL": "WARNING",
        "ATIENDE_INTAKE_SENDER_LIMIT_PER_HOUR": "0",
    }


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# --- phases -------------------------------------------------------------------------------------


def run_pipe(batch: list[bytes]) -> dict:
    from atiende.channels.email.pipe import deliver_from_pipe

    outcomes: Counter[str] = Counter()
    latencies = []
    started = time.perf_counter()
    for raw in batch:
        t = time.perf_counter()
        outcomes[deliver_from_pipe(raw, mailbox=MAILBOX)["outcome"]] += 1
        latencies.append((time.perf_counter() - t) * 1000)
    elapsed = time.perf_counter() - started
    return {
        "rate": len(batch) / elapsed,
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 95),
        "outcomes": outcomes,
    }


def run_pipe_processes(batch: list[bytes], env: dict[str, str]) -> float:
    """Median wall time of a real `atiende intake email` process (Python + Django start)."""
    walls = []
    for raw in batch:
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "atiende.cli", "intake", "email", "--mailbox", MAILBOX],
            input=raw, env=env, cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        walls.append((time.perf_counter() - t) * 1000)
    return statistics.median(walls)


class Workers:
    def __init__(self, count: int, env: dict[str, str], tag: str) -> None:
        self.procs = []
        for n in range(count):
            argv = [
                sys.executable, "-m", "atiende.cli", "worker", "--pool", "prefork",
                "--concurrency", "1", "--queues", "inbound", "--name", f"bench{n}-{tag}@%h",
                "--loglevel", "WARNING",
            ]  # fmt: skip
            self.procs.append(
                subprocess.Popen(argv, env=env, cwd=ROOT, start_new_session=True,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )  # fmt: skip

    def stop(self) -> None:
        for proc in self.procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def store(batch: list[bytes]) -> list[int]:
    from atiende.channels.email.inbound import accept_email

    return [
        accept_email(raw, source="smtp", mailbox=MAILBOX, enqueue_processing=False)[0].pk
        for raw in batch
    ]


def publish(ids: list[int]) -> None:
    from atiende.celery import app
    from atiende.intake.services import PROCESS_TASK

    with app.producer_or_acquire() as producer:
        for pk in ids:
            app.send_task(PROCESS_TASK, args=[pk], producer=producer)


def wait_processed(ids: list[int], timeout: float) -> float:
    from atiende.intake.models import EnvelopeStatus, InboundEnvelope

    pending = InboundEnvelope.objects.filter(pk__in=ids, status=EnvelopeStatus.RECEIVED)
    deadline = time.monotonic() + timeout
    while pending.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{pending.count()} envelopes still unprocessed after {timeout}s")
        time.sleep(0.05)
    return time.perf_counter()


def run_jobs(batch: list[bytes], warmup: list[bytes], env: dict[str, str], workers: int) -> dict:
    ids, warm = store(batch), store(warmup)
    pool = Workers(workers, env, f"x{workers}")
    try:
        publish(warm)  # the workers are up (and warm) once these are processed
        wait_processed(warm, timeout=120)
        started = time.perf_counter()
        publisher = threading.Thread(target=publish, args=(ids,))
        publisher.start()
        finished = wait_processed(ids, timeout=900)
        publisher.join()
    finally:
        pool.stop()
    return {"rate": len(ids) / (finished - started)}


def run_latency(batch: list[bytes], rate: float, env: dict[str, str]) -> dict:
    """Paced arrivals (half the worker's rate), stored and published like the SMTP listener."""
    from atiende.channels.email.inbound import accept_email
    from atiende.intake.models import InboundEnvelope

    warm = store(batch[:20])
    pool = Workers(1, env, "latency")
    try:
        publish(warm)
        wait_processed(warm, timeout=120)
        interval = 1 / max(rate / 2, 1)
        ids = []
        next_at = time.perf_counter()
        for raw in batch[20:]:
            ids.append(accept_email(raw, source="smtp", mailbox=MAILBOX)[0].pk)
            next_at += interval
            time.sleep(max(0.0, next_at - time.perf_counter()))
        wait_processed(ids, timeout=300)
    finally:
        pool.stop()
    rows = InboundEnvelope.objects.filter(pk__in=ids).values_list("received_at", "processed_at")
    latencies = [(done - got).total_seconds() * 1000 for got, done in rows if done]
    return {"p50": statistics.median(latencies), "p95": percentile(latencies, 95)}


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="800 messages per phase")
    parser.add_argument("--messages", type=int, default=None, help="messages per phase")
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--broker-url", default=DEFAULT_BROKER)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args(argv)
    args.messages = args.messages or (800 if args.quick else 10_000)
    return args


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = parse_args(argv)
    data_dir = tempfile.mkdtemp(prefix="atiende-bench-intake-")
    env = bench_env(args, data_dir)
    os.environ.update(env)
    recreate_database(args.database_url)
    import redis

    redis.Redis.from_url(args.broker_url).flushdb()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from atiende.intake.models import Mailbox

    Mailbox.objects.create(address=MAILBOX, name="Soporte", send_acknowledgement=False)
    n = args.messages
    print(f"intake benchmark: {n} messages per phase, PostgreSQL + Redis, {os.cpu_count()} CPUs")

    pipe = run_pipe(messages(n, args.seed, "pipe"))
    process_ms = run_pipe_processes(messages(5, args.seed + 1, "proc"), env)
    warmup = messages(40, args.seed + 2, "warm")
    one = run_jobs(messages(n, args.seed + 3, "one"), warmup, env, 1)
    two = run_jobs(messages(n, args.seed + 4, "two"), messages(40, args.seed + 5, "w2"), env, 2)
    latency = run_latency(messages(max(n // 5, 120), args.seed + 6, "lat"), one["rate"], env)
    redis.Redis.from_url(args.broker_url).flushdb()

    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(pipe["outcomes"].items()))
    rows = [
        ("pipe path, in-process (1 process)", f"{pipe['rate']:8.1f} msg/s",
         f"p50 {pipe['p50']:6.1f} ms  p95 {pipe['p95']:6.1f} ms"),
        ("pipe path, one `atiende intake email` process", "", f"median {process_ms:6.0f} ms"),
        ("job path, 1 worker process", f"{one['rate']:8.1f} msg/s", ""),
        ("job path, 2 worker processes", f"{two['rate']:8.1f} msg/s",
         f"scaling {two['rate'] / one['rate']:.2f}x"),
        ("end to end, envelope -> case (1 worker, half load)", "",
         f"p50 {latency['p50']:6.1f} ms  p95 {latency['p95']:6.1f} ms"),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print()
    for name, rate, extra in rows:
        print(f"{name:<{width}}  {rate:>14}  {extra}")
    print(f"\noutcomes (pipe phase): {outcomes}")
    result = {
        "messages_per_s_per_worker": round(one["rate"], 1),
        "scaling_2_workers": round(two["rate"] / one["rate"], 2),
        "p95_ms": round(latency["p95"], 1),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
