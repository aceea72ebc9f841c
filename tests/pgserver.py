"""A throwaway PostgreSQL server for the tests: a real server in a temporary directory,
listening only on a Unix socket inside it, stopped (and its files removed) at the end.

The PostgreSQL 15 server programs are installed on the project's machines. The server refuses
to run as root, and CI runs as root, so there the data directory is handed to an unprivileged
account (``postgres`` if it exists, else ``nobody``) and the server programs run as that
account; connections use ``trust`` on the socket, which nobody else can reach (the directory is
mode 0700 and owned by that account; root passes anyway).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

USER = "backchannel"
SEARCH = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"]


class Unavailable(RuntimeError):
    """No PostgreSQL server programs on this machine (the message says what to install)."""


def server_bin() -> Path:
    for folder in SEARCH:
        if (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise Unavailable("PostgreSQL server programs not found; install them with "
                      "`apt-get install postgresql-15` (Debian) or equivalent")


def _account() -> pwd.struct_passwd | None:
    """The unprivileged account to run the server as, or None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise Unavailable("running as root and neither a 'postgres' nor a 'nobody' account exists")


def _run(cmd: list[str], account: pwd.struct_passwd | None, **kw) -> subprocess.CompletedProcess:
    if account is not None:
        def demote() -> None:
            os.setgid(account.pw_gid)
            os.setgroups([])
            os.setuid(account.pw_uid)
        kw["preexec_fn"] = demote
        kw.setdefault("env", {**os.environ, "HOME": account.pw_dir or "/"})
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


@contextlib.contextmanager
def running_server() -> Iterator[str]:
    """Start a server; yield a ``postgresql://`` URL of a fresh database; stop and clean up."""
    bindir = server_bin()
    account = _account()
    top = Path(tempfile.mkdtemp(prefix="backchannel-pg-"))
    try:
        data, sock = top / "data", top / "sock"
        sock.mkdir()
        if account is not None:
            for path in (top, sock):
                os.chown(path, account.pw_uid, account.pw_gid)
        os.chmod(top, 0o700)
        _run([str(bindir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust",
              "--no-sync", "-E", "UTF8", "--locale=C"], account, cwd=top)
        options = (f"-k {sock} -c listen_addresses='' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        _run([str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
              str(top / "server.log"), "-w", "-t", "30", "start"], account, cwd=top)
        try:
            url = f"postgresql://{USER}@/postgres?host={sock}"
            _wait_ready(bindir, sock)
            yield url
        finally:
            with contextlib.suppress(subprocess.CalledProcessError):
                _run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w",
                      "stop"], account, cwd=top)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def _wait_ready(bindir: Path, sock: Path, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        probe = subprocess.run([str(bindir / "pg_isready"), "-h", str(sock), "-U", USER],
                               capture_output=True)
        if probe.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise Unavailable(f"the test server did not become ready: {probe.stdout!r}")
        time.sleep(0.05)


def create_database(url: str, name: str) -> str:
    """A new empty database on the server behind ``url``; returns its URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.replace("/postgres?", f"/{name}?")
