"""Helpers for production-mode tests: real brokers, real databases, real worker processes.

Every subprocess runs the production settings (``atiende.settings``) with its own data folder,
in its own process group, and is stopped (SIGTERM, then SIGKILL) when the test ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Our environment minus any ATIENDE_* setting, with a data folder of the test's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATIENDE_")}
    env.update(
        DJANGO_SETTINGS_MODULE="atiende.settings",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
        ATIENDE_DATA_DIR=str(data_dir),
        ATIENDE_LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


def atiende(*args: str) -> list[str]:
    return [sys.executable, "-m", "atiende.cli", *args]


def wait_until(
    predicate: Callable[[], object], *, timeout: float, what: str, interval: float = 0.2
):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name, self.log_path = name, log_path
        self._log = log_path.open("wb")
        self.popen = subprocess.Popen(
            argv,
            env=env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 40) -> None:
        def seen() -> bool:
            if self.popen.poll() is not None:
                raise AssertionError(
                    f"{self.name} exited ({self.popen.returncode}):\n{self.log[-3000:]}"
                )
            return text in self.log

        wait_until(seen, timeout=timeout, what=f"{text!r} in {self.name}'s log")

    def stop(self, timeout: float = 15) -> int | None:
        if self.popen.poll() is None:
            _killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        _killpg(self.popen.pid, signal.SIGKILL)  # whatever is left of its group (pool processes)
        returncode = self.popen.wait()
        self._log.close()
        return returncode


def _killpg(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


@contextmanager
def processes(tmp_path: Path) -> Iterator[Callable[..., Process]]:
    """start(name, argv, env) -> Process; every process started is stopped on the way out."""
    started: list[Process] = []

    def start(name: str, argv: list[str], env: dict[str, str]) -> Process:
        process = Process(name, argv, env, tmp_path / f"{name}.log")
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in reversed(started):
            process.stop()


# --- brokers ----------------------------------------------------------------------------------

AMQP_VHOST = "atiende_test"


def broker_error(url: str) -> str | None:
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def amqp_url() -> str:
    """A vhost of our own, so parallel runs and other workers on this RabbitMQ never share queues.

    Created with rabbitmqctl when it can be; otherwise the default vhost is used.
    """
    if os.environ.get("ATIENDE_TEST_AMQP_URL"):
        return os.environ["ATIENDE_TEST_AMQP_URL"]
    isolated = f"amqp://guest:guest@127.0.0.1:5672/{AMQP_VHOST}"
    if broker_error(isolated) and shutil.which("rabbitmqctl"):
        for command in (
            ["add_vhost", AMQP_VHOST],
            ["set_permissions", "-p", AMQP_VHOST, "guest", ".*", ".*", ".*"],
        ):
            subprocess.run(["rabbitmqctl", *command], capture_output=True, timeout=30)
    return isolated if not broker_error(isolated) else "amqp://guest:guest@127.0.0.1:5672//"


def redis_url() -> str:
    return os.environ.get("ATIENDE_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture(params=["rabbitmq", "redis"])
def broker_url(request) -> str:
    url = amqp_url() if request.param == "rabbitmq" else redis_url()
    error = broker_error(url)
    if error:
        pytest.skip(
            f"{request.param} not reachable at {url.rpartition('@')[2]} ({error}); "
            "set ATIENDE_TEST_AMQP_URL / ATIENDE_TEST_REDIS_URL"
        )
    return url
