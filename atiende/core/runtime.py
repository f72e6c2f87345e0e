"""The processes Atiende runs, and the small supervisor behind `atiende serve`.

``serve`` starts gunicorn (HTTP, WSGI), uvicorn (ASGI, WebSockets only: sync views are faster
under gunicorn) and, in the embedded default or with ``--with-worker``, one Celery worker with
beat inside it. If any child dies the others are stopped and serve exits non-zero, so systemd or
the orchestrator restarts the whole set; SIGTERM/SIGINT stop every child cleanly.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

import atiende
from atiende.celery import QUEUES

BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
#: Threads of the embedded worker (kombu's filesystem transport, threads pool).
EMBEDDED_CONCURRENCY = 4
PROJECT_ROOT = Path(atiende.__file__).resolve().parent.parent


def broker_is_embedded() -> bool:
    return settings.CELERY_BROKER_URL.startswith("filesystem://")


def _python(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def gunicorn_argv(*, host: str, port: int, workers: int, threads: int) -> list[str]:
    worker_class = "gthread" if threads > 1 else "sync"
    return _python(
        "gunicorn", "atiende.wsgi:application", "--bind", f"{host}:{port}",
        "--workers", str(workers), "--threads", str(threads), "--worker-class", worker_class,
        "--graceful-timeout", "20", "--access-logfile", "-",
        # gunicorn 27's control socket defaults to one path per user: two installs would clash.
        "--no-control-socket",
    )  # fmt: skip


def uvicorn_argv(*, host: str, port: int) -> list[str]:
    # Django has no lifespan protocol; "off" avoids a warning at every start.
    return _python(
        "uvicorn",
        "atiende.asgi:application",
        "--host",
        host,
        "--port",
        str(port),
        "--lifespan",
        "off",
    )


def worker_argv(
    *,
    concurrency: int | None = None,
    queues: list[str] | None = None,
    pool: str | None = None,
    with_beat: bool = False,
    name: str | None = None,
    loglevel: str = "INFO",
) -> list[str]:
    """A Celery worker: threads pool on the embedded filesystem broker, prefork otherwise."""
    embedded = broker_is_embedded()
    pool = pool or ("threads" if embedded else "prefork")
    if concurrency is None and embedded:
        concurrency = EMBEDDED_CONCURRENCY
    argv = _python("celery", "-A", "atiende", "worker", f"--pool={pool}", f"--loglevel={loglevel}")
    argv += ["--queues", ",".join(queues or QUEUES)]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    if name:
        argv += ["--hostname", name]
    if with_beat:
        argv += ["--beat", "--scheduler", BEAT_SCHEDULER]
    return argv


def beat_argv(*, loglevel: str = "INFO") -> list[str]:
    return _python(
        "celery", "-A", "atiende", "beat", "--scheduler", BEAT_SCHEDULER, f"--loglevel={loglevel}"
    )


def child_env() -> dict[str, str]:
    """The environment of a child: ours, with the project importable wherever it runs from."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
    )
    return env


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if the supervisor itself is killed (no orphans)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str] | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def returncode(self) -> int | None:
        return self.process.poll() if self.process is not None else None


class Supervisor:
    """Runs CHILDREN until a signal arrives or one of them exits; then stops them all.

    ``run`` returns 0 after a requested stop and 1 when a child died on its own. Each child runs in
    its own session (a terminal's Ctrl-C reaches only us; we pass on SIGTERM) and is killed, with
    its whole process group, if it has not stopped within STOP_TIMEOUT seconds. A second signal
    during the stop kills at once.
    """

    def __init__(
        self,
        children: list[Child],
        *,
        stop_timeout: float = 30.0,
        poll_interval: float = 0.2,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.children = children
        self.stop_timeout = stop_timeout
        self.poll_interval = poll_interval
        self.log = log or (lambda text: print(text, file=sys.stderr, flush=True))
        self.signals_received = 0

    def request_stop(self, signum: int | None = None, frame: object = None) -> None:
        self.signals_received += 1

    def run(self, *, install_signal_handlers: bool = True) -> int:
        previous = {}
        if install_signal_handlers:
            previous = {
                sig: signal.signal(sig, self.request_stop)
                for sig in (signal.SIGTERM, signal.SIGINT)
            }
        dead: Child | None = None
        try:
            self.start()
            while not self.signals_received:
                dead = next((child for child in self.children if not child.is_running), None)
                if dead is not None:
                    code = dead.returncode
                    self.log(
                        f"atiende: «{dead.name}» terminó (código {code}); deteniendo los demás."
                    )
                    break
                time.sleep(self.poll_interval)
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 1 if dead is not None else 0

    def start(self) -> None:
        for child in self.children:
            child.process = subprocess.Popen(
                child.argv, env=child.env, start_new_session=True, preexec_fn=_die_with_parent
            )

    def stop(self) -> None:
        """SIGTERM every running child (last started first), wait, then kill what is left."""
        hurry_after = self.signals_received + 1
        started = [child for child in reversed(self.children) if child.process is not None]
        for child in started:
            if child.is_running:
                _signal(child.process, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        while any(c.is_running for c in started) and time.monotonic() < deadline:
            if self.signals_received >= hurry_after:
                break
            time.sleep(0.1)
        for child in started:
            if child.is_running:
                self.log(f"atiende: «{child.name}» no se detuvo a tiempo; se termina a la fuerza.")
            # The group too: a worker's pool processes must not outlive it.
            _signal(child.process, signal.SIGKILL, group=True)
            if child.process is not None:
                child.process.wait()


def _signal(process: subprocess.Popen | None, sig: int, *, group: bool = False) -> None:
    if process is None:
        return
    try:
        if group:
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)
    except (ProcessLookupError, PermissionError):
        pass
