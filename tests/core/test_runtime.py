"""The supervisor behind `atiende serve`, and the processes serve/worker/beat start."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

import pytest
from django.core.management import CommandError, call_command

from atiende.core import runtime
from atiende.core.management.commands import worker as worker_command

SLEEP = [sys.executable, "-c", "import time; time.sleep(60)"]
STUBBORN = [
    sys.executable,
    "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)",
]


def supervisor(*argvs: list[str], **kwargs) -> runtime.Supervisor:
    children = [runtime.Child(f"child{i}", argv) for i, argv in enumerate(argvs)]
    return runtime.Supervisor(children, poll_interval=0.05, log=lambda text: None, **kwargs)


def test_it_stops_the_others_and_fails_when_a_child_dies():
    sup = supervisor(SLEEP, [sys.executable, "-c", "import sys; sys.exit(3)"])
    started = time.monotonic()

    assert sup.run(install_signal_handlers=False) == 1

    assert time.monotonic() - started < 10
    assert sup.children[0].process.returncode == -signal.SIGTERM
    assert sup.children[1].process.returncode == 3


def test_it_stops_every_child_cleanly_when_asked():
    sup = supervisor(SLEEP, SLEEP)
    threading.Timer(0.5, sup.request_stop).start()

    assert sup.run(install_signal_handlers=False) == 0

    assert [c.process.returncode for c in sup.children] == [-signal.SIGTERM, -signal.SIGTERM]


def test_it_kills_a_child_that_ignores_sigterm():
    sup = supervisor(STUBBORN, stop_timeout=0.5)
    threading.Timer(0.8, sup.request_stop).start()

    assert sup.run(install_signal_handlers=False) == 0

    assert sup.children[0].process.returncode == -signal.SIGKILL


def test_it_stops_on_sigterm_and_exits_zero(tmp_path):
    """The real signal path, in a process of its own (signal handlers need the main thread)."""
    script = (
        "import sys; from atiende.core.runtime import Child, Supervisor;"
        f"sys.exit(Supervisor([Child('a', {SLEEP!r}), Child('b', {SLEEP!r})]).run())"
    )
    env = {
        **runtime.child_env(),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "ATIENDE_DATA_DIR": str(tmp_path),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", f"import django; django.setup(); {script}"], env=env
    )
    time.sleep(2)
    children = _children_of(process.pid)
    assert len(children) == 2

    process.send_signal(signal.SIGTERM)

    assert process.wait(timeout=20) == 0
    assert all(not _alive(pid) for pid in children)


def _children_of(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(line) for line in out.stdout.split()]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_it_runs_an_embedded_worker_on_threads_with_beat(settings):
    settings.CELERY_BROKER_URL = "filesystem://"

    argv = runtime.worker_argv(with_beat=True)

    assert argv[:6] == [sys.executable, "-m", "celery", "-A", "atiende", "worker"]
    assert "--pool=threads" in argv
    assert argv[argv.index("--concurrency") + 1] == "4"
    assert argv[argv.index("--scheduler") + 1] == "django_celery_beat.schedulers:DatabaseScheduler"
    assert "--beat" in argv


def test_it_runs_a_production_worker_on_prefork(settings):
    settings.CELERY_BROKER_URL = "amqp://guest:guest@rabbit:5672//"

    argv = runtime.worker_argv(queues=["inbound", "outbound"], concurrency=8)

    assert "--pool=prefork" in argv and "--beat" not in argv
    assert argv[argv.index("--queues") + 1] == "inbound,outbound"
    assert argv[argv.index("--concurrency") + 1] == "8"


@pytest.fixture
def started(monkeypatch):
    """The children serve would start, instead of starting them."""
    captured: list[runtime.Child] = []

    class FakeSupervisor:
        def __init__(self, children, **kwargs):
            captured.extend(children)

        def run(self):
            return 0

    monkeypatch.setattr(runtime, "Supervisor", FakeSupervisor)
    return captured


def test_it_serves_http_websockets_and_an_embedded_worker(db, started, settings, capsys):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.ATIENDE_ASGI_PORT = 0

    call_command("serve", "--port", "9000")

    web, websockets, worker = started
    assert web.argv[2:4] == ["gunicorn", "atiende.wsgi:application"]
    assert web.argv[web.argv.index("--bind") + 1] == "127.0.0.1:9000"
    assert web.argv[web.argv.index("--workers") + 1] == "2"
    assert web.argv[web.argv.index("--worker-class") + 1] == "gthread"
    assert websockets.argv[2:4] == ["uvicorn", "atiende.asgi:application"]
    assert websockets.argv[websockets.argv.index("--port") + 1] == "9001"
    assert "--beat" in worker.argv and "--pool=threads" in worker.argv
    assert "http://127.0.0.1:9000/" in capsys.readouterr().out


def test_it_serves_without_a_worker_on_a_production_broker(db, started, settings):
    settings.CELERY_BROKER_URL = "amqp://guest:guest@rabbit:5672//"
    settings.ATIENDE_ASGI_PORT = 8100
    settings.ATIENDE_WEB_THREADS = 1

    call_command("serve", "--host", "0.0.0.0")

    assert [c.name for c in started] == ["web", "websockets"]
    web, websockets = started
    assert web.argv[web.argv.index("--worker-class") + 1] == "sync"
    assert websockets.argv[websockets.argv.index("--port") + 1] == "8100"


def test_it_adds_the_worker_on_request(db, started, settings):
    settings.CELERY_BROKER_URL = "amqp://guest:guest@rabbit:5672//"

    call_command("serve", "--with-worker")

    assert "--pool=prefork" in started[-1].argv and "--beat" in started[-1].argv


def test_it_fails_when_a_child_died(db, monkeypatch, settings):
    class DyingSupervisor:
        def __init__(self, children, **kwargs):
            pass

        def run(self):
            return 1

    monkeypatch.setattr(runtime, "Supervisor", DyingSupervisor)
    with pytest.raises(CommandError) as error:
        call_command("serve", "--no-worker")
    assert error.value.returncode == 1


def test_it_execs_a_worker_for_the_queues_asked(monkeypatch, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    execs = []
    monkeypatch.setattr(worker_command, "_exec", execs.append)

    call_command("worker", "--queues", "inbound,outbound", "--concurrency", "3", "--name", "in1@%h")

    argv = execs[0]
    assert argv[argv.index("--queues") + 1] == "inbound,outbound"
    assert argv[argv.index("--hostname") + 1] == "in1@%h"
    with pytest.raises(CommandError, match="Colas desconocidas: correo"):
        call_command("worker", "--queues", "correo")


def test_it_execs_beat_with_the_database_scheduler(monkeypatch):
    from atiende.core.management.commands import beat as beat_command

    execs = []
    monkeypatch.setattr(beat_command, "_exec", execs.append)

    call_command("beat")

    assert execs[0][2:6] == ["celery", "-A", "atiende", "beat"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in execs[0]


def test_it_runs_management_commands_as_atiende(tmp_path):
    env = {**runtime.child_env(), "ATIENDE_DATA_DIR": str(tmp_path)}
    env["DJANGO_SETTINGS_MODULE"] = "atiende.settings"
    result = subprocess.run(
        [sys.executable, "-m", "atiende.cli", "help", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "usage: atiende serve" in result.stdout
