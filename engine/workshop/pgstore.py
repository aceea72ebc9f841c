"""The workshop store on a PostgreSQL server: the statements of sqlstore.SqlStore as they are
(placeholders translated by its Dialect), plus what only a server has.

- Connections: one for the store's queries (autocommit; every method is one explicit
  transaction) and one of its own that only LISTENs. A connection waiting for notifications
  must not also run queries, so the listener lives on a daemon thread that does nothing but
  count notifications; no UI code ever runs there.
- Change notification: every write transaction sends ``NOTIFY backchannel_store`` just before
  its COMMIT, so the notification is delivered with the commit or (if it rolls back) never.
  ``change_token()`` is then free (no query): the count of notifications seen plus this
  process's own commits. Without a listener (``listen=False``, or the listening connection
  lost), it falls back to polling the workshops' change counters, one cheap query.
- Timeouts: a writer waits at most BUSY_TIMEOUT_S for a row lock (like SQLite's busy timeout)
  and no statement runs longer than STATEMENT_TIMEOUT_S.
- Schema creation and upgrades take a transaction-level advisory lock, so many processes
  opening a new database at once do not race on CREATE TABLE.

Needs psycopg 3 (the optional 'postgres' extra: pip install 'backchannel[postgres]').
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from typing import Any

from engine.workshop.model import WorkshopError
from engine.workshop.sqlstore import BUSY_TIMEOUT_S, POSTGRES, SqlStore

CHANNEL = "backchannel_store"
SCHEMA_LOCK = 0x62637773  # pg_advisory_xact_lock key for schema creation/upgrade ('bcws')
STATEMENT_TIMEOUT_S = 30.0
LISTEN_WAIT_S = 0.5  # how often the listener looks whether it should stop


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _shown(url: str) -> str:
    """The URL for messages: never the user name or password."""
    rest = url.split("://", 1)[-1]
    return "postgresql://" + (rest.split("@", 1)[1] if "@" in rest else rest)


class _Listener:
    """LISTEN on a connection of its own, on a daemon thread; counts notifications."""

    def __init__(self, psycopg: Any, url: str) -> None:
        self.count = 0
        self.alive = True
        self._stop = threading.Event()
        # A channel of its own, so that closing wakes this listener at once instead of
        # after up to LISTEN_WAIT_S (every quit and every test would wait for it).
        self.wake_channel = f"{CHANNEL}_wake_{uuid.uuid4().hex}"
        self._conn = psycopg.connect(url, autocommit=True)
        self._conn.execute(f"LISTEN {CHANNEL}")
        self._conn.execute(f"LISTEN {self.wake_channel}")
        self._error = psycopg.Error
        self._thread = threading.Thread(target=self._run, name="workshop-store-listen",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                for note in self._conn.notifies(timeout=LISTEN_WAIT_S):
                    if note.channel != CHANNEL:
                        break  # woken to stop
                    self.count += 1  # one writer (this thread); readers see a whole int
        except self._error:
            pass  # connection lost: the store falls back to polling
        finally:
            self.alive = False
            with contextlib.suppress(Exception):
                self._conn.close()

    def stop(self, wake: Any = None) -> None:
        """Stop listening; ``wake(channel)``, when given, sends a notification that ends the
        wait at once (otherwise the thread notices within LISTEN_WAIT_S)."""
        self._stop.set()
        if wake is not None and self._thread.is_alive():
            with contextlib.suppress(Exception):
                wake(self.wake_channel)
        self._thread.join(timeout=2 * LISTEN_WAIT_S + 1)


class PostgresStore(SqlStore):
    """The same statements on a PostgreSQL server, with LISTEN/NOTIFY change notification."""

    dialect = POSTGRES

    def __init__(self, url: str, *, listen: bool = True) -> None:
        try:
            import psycopg
        except ImportError:
            raise WorkshopError("a PostgreSQL store needs the 'postgres' extra: pip install "
                                "'backchannel[postgres]'") from None
        self.integrity_errors = (psycopg.errors.IntegrityError,)
        shown = _shown(url)
        self._listener: _Listener | None = None
        try:
            conn = psycopg.connect(url, autocommit=True)
            conn.execute(f"SET lock_timeout = '{int(BUSY_TIMEOUT_S * 1000)}ms'")
            conn.execute(f"SET statement_timeout = '{int(STATEMENT_TIMEOUT_S * 1000)}ms'")
        except psycopg.Error as exc:
            raise WorkshopError(f"cannot connect to the workshop store at {shown}: "
                                f"{_first_line(exc)}") from None
        try:
            super().__init__(conn, shown)
            if listen:
                self._listener = _Listener(psycopg, url)
        except psycopg.Error as exc:
            conn.close()
            raise WorkshopError(f"{shown}: cannot open the workshop store: "
                                f"{_first_line(exc)}") from None

    def _wake(self, channel: str) -> None:
        with self._lock:
            self._conn.execute(f"NOTIFY {channel}")

    def _before_commit(self, cur: Any) -> None:
        cur.execute(f"NOTIFY {CHANNEL}")

    def _schema_lock(self, cur: Any) -> None:
        cur.execute(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")

    @property
    def notified(self) -> bool:
        """Whether changes arrive by notification (else change_token polls)."""
        return self._listener is not None and self._listener.alive

    def close(self) -> None:
        if self._listener is not None:
            self._listener.stop(self._wake)
        with self._lock:
            self._conn.close()

    def change_token(self) -> object:
        if self._listener is not None and self._listener.alive:
            return ("notify", self._listener.count, self._commits)
        with self._lock:
            row = self._conn.execute(
                "SELECT COALESCE(SUM(change_count), 0), COUNT(*) FROM workshops").fetchone()
        return ("poll", int(row[0]), int(row[1]), self._commits)
