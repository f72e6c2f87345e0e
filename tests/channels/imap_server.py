"""A real IMAP server for the tests: Debian's dovecot-imapd, started on a loopback port.

Installed by the project's set-up (``make imap-server``, run by .ci/run). The tests that need it
are skipped, with the reason, where the binary is missing or we are not root (dovecot's master
process must be able to drop privileges to its own users).
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD = "secreto"


@dataclass
class ImapServer:
    host: str
    port: int
    password: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _why_not() -> str | None:
    if shutil.which("dovecot") is None:
        return "dovecot is not installed (make imap-server installs dovecot-imapd)"
    if os.geteuid() != 0:
        return "dovecot's master process needs root to drop privileges"
    try:
        pwd.getpwnam("dovecot"), pwd.getpwnam("dovenull")
    except KeyError:
        return "the dovecot system users are missing"
    return None


@contextmanager
def dovecot() -> Iterator[ImapServer]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    # Not pytest's tmp_path: its parents are private (0700) and dovecot's users must get in.
    tmp = Path(tempfile.mkdtemp(prefix="atiende-imap-"))
    port = _free_port()
    owner = pwd.getpwnam("dovecot")
    group = grp.getgrgid(owner.pw_gid)
    for sub in ("mail", "home"):
        (tmp / sub).mkdir(parents=True, exist_ok=True)
        shutil.chown(tmp / sub, owner.pw_name, group.gr_name)
    tmp.chmod(0o755)
    config = tmp / "dovecot.conf"
    config.write_text(
        f"""
base_dir = {tmp}/run
state_dir = {tmp}/state
log_path = {tmp}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{tmp}/mail/%u
mailbox_idle_check_interval = 1 secs
first_valid_uid = 1
default_internal_user = dovecot
default_login_user = dovenull
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={tmp}/home/%u
}}
"""
    )
    subprocess.run(["dovecot", "-c", str(config)], check=True, timeout=30)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield ImapServer("127.0.0.1", port, PASSWORD)
    finally:
        subprocess.run(["dovecot", "-c", str(config), "stop"], timeout=30, check=False)
        shutil.rmtree(tmp, ignore_errors=True)
