"""Embedded mode, no services: SQLite file + kombu's filesystem:// broker, real processes.

A reply queued by the case service reaches a worker (threads pool, beat inside) through the
filesystem broker and is sent once; `atiende serve` answers its health endpoints, serves the same
work, and stops every child on SIGTERM.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import sqlite3
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.production.conftest import atiende, free_port, processes, production_env, wait_until

pytestmark = pytest.mark.production

REPLIES = 30
SEED = """
from atiende.cases import services
from atiende.core.actors import Actor
from atiende.customers.models import Customer, Identity
actor = Actor.system("tests")
customer = Customer.objects.create(name="Cliente")
Identity.objects.create(customer=customer, kind="email", address="cliente@correo.test")
case = services.open_case(actor=actor, customer=customer, channel="email", summary="Pedido",
                          message_text="¿Y mi pedido?", external_id="<pregunta@correo.test>")
for i in range({count}):
    services.add_outbound_message(case=case, actor=actor, body_text=f"Respuesta {{i}}")
"""


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A data folder with a migrated SQLite database, built once and copied by each test."""
    data_dir = tmp_path_factory.mktemp("embedded-template")
    subprocess.run(
        atiende("migrate", "--no-input", "-v", "0"),
        env=production_env(data_dir),
        check=True,
        timeout=120,
    )
    return data_dir


@pytest.fixture
def data_dir(migrated, tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(migrated, target, ignore=shutil.ignore_patterns("broker"))
    return target


def seed_replies(data_dir: Path, count: int) -> None:
    """Queue COUNT replies through the case service: each commit publishes its send job."""
    env = production_env(data_dir)
    subprocess.run(
        atiende("shell", "-c", SEED.format(count=count)), env=env, check=True, timeout=60
    )


def outbox_statuses(data_dir: Path) -> dict[str, int]:
    with sqlite3.connect(data_dir / "atiende.sqlite3", timeout=30) as db:
        rows = db.execute(
            "SELECT delivery_status, COUNT(*) FROM cases_message WHERE direction = 'out' GROUP BY 1"
        ).fetchall()
    return dict(rows)


def sent_mail(data_dir: Path) -> str:
    return "".join(p.read_text() for p in (data_dir / "outbox").glob("*.log"))


def test_it_processes_jobs_on_the_filesystem_broker_with_sqlite(data_dir, tmp_path):
    seed_replies(data_dir, REPLIES)  # published before any worker runs: nothing is lost
    assert outbox_statuses(data_dir) == {"queued": REPLIES}

    with processes(tmp_path) as start:
        worker = start("worker", atiende("worker", "--with-beat"), production_env(data_dir))
        wait_until(
            lambda: outbox_statuses(data_dir) == {"sent": REPLIES}, timeout=60, what="replies sent"
        )
        worker.wait_for_log("beat: Starting")
        log = worker.log

    assert "concurrency: 4 (thread)" in log
    assert "database is locked" not in log and "Traceback" not in log
    with sqlite3.connect(data_dir / "atiende.sqlite3") as db:
        ids = [
            row[0]
            for row in db.execute("SELECT external_id FROM cases_message WHERE direction='out'")
        ]
        schedules = {
            row[0] for row in db.execute("SELECT name FROM django_celery_beat_periodictask")
        }
    mail = sent_mail(data_dir)
    assert all(mail.count(f"Message-ID: {message_id}") == 1 for message_id in ids)
    assert "In-Reply-To: <pregunta@correo.test>" in mail
    assert "sweep-stuck-work" in schedules  # beat installed our schedule in the database


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_it_serves_everything_with_one_command_and_stops_on_sigterm(data_dir, tmp_path):
    port, ws_port = free_port(), free_port()
    env = production_env(data_dir, ATIENDE_ASGI_PORT=str(ws_port), ATIENDE_WEB_WORKERS="1")

    with processes(tmp_path) as start:
        serve = start("serve", atiende("serve", "--port", str(port)), env)
        serve.wait_for_log(f"http://127.0.0.1:{port}/")
        wait_until(lambda: listening(port) and listening(ws_port), timeout=30, what="both servers")
        assert get_json(f"http://127.0.0.1:{port}/healthz") == (200, {"status": "ok"})
        status, ready = get_json(f"http://127.0.0.1:{port}/readyz")
        assert status == 200, ready

        seed_replies(data_dir, 5)
        wait_until(
            lambda: outbox_statuses(data_dir) == {"sent": 5}, timeout=60, what="replies sent"
        )

        children = _descendants(serve.popen.pid)
        assert len(children) >= 3  # gunicorn, uvicorn, celery (and their own children)
        serve.popen.send_signal(signal.SIGTERM)
        assert serve.popen.wait(timeout=45) == 0, serve.log[-3000:]

    assert not listening(port) and not listening(ws_port)
    assert [pid for pid in children if _alive(pid)] == []


def _descendants(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    parents = {}
    for line in out.splitlines():
        child, parent = map(int, line.split())
        parents.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except (FileNotFoundError, IndexError):
        return False
