"""The workshop store in SQL: written once for SQLite (the embedded default) and PostgreSQL.

The statements use the subset both engines share: ``INSERT ... ON CONFLICT``, ``RETURNING``,
compare-and-swap as ``UPDATE ... WHERE version = ?``. ``?`` placeholders are translated in one
place (``Dialect.sql``); only the DDL's auto-numbered column and how a transaction begins
differ. Every write is one short transaction begun immediately (on SQLite: BEGIN IMMEDIATE, so
the write lock is taken up front and a busy writer waits for the busy timeout instead of
failing half-way); each one first updates the workshop's row with the condition it depends on
(``phase = 'open' AND round_no = ?`` for a submission). That row update is the guard: on
PostgreSQL it also locks the row, so a submission and a concurrent close are serialised there
too, not only on SQLite.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from engine.workshop.model import (
    Conflict,
    Control,
    Draft,
    Event,
    NewWorkshop,
    NotFound,
    Phase,
    Refused,
    Team,
    TeamDecision,
    Workshop,
    WorkshopError,
    new_code,
    new_workshop_id,
)
from engine.workshop.store import Snapshot, WorkshopStore

SCHEMA_VERSION = 2
BUSY_TIMEOUT_S = 10.0


@attrs.frozen
class Dialect:
    name: str
    placeholder: str  # what '?' becomes
    serial: str  # an auto-numbered primary key column type
    begin_write: str
    begin_read: str
    table_exists: str  # a catalog query: one row if the table named by '?' exists

    def sql(self, text: str) -> str:
        """The one place where placeholders are translated (statements never contain a
        literal '?')."""
        return text if self.placeholder == "?" else text.replace("?", self.placeholder)


SQLITE = Dialect("sqlite", "?", "INTEGER PRIMARY KEY AUTOINCREMENT", "BEGIN IMMEDIATE", "BEGIN",
                 "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
POSTGRES = Dialect("postgresql", "%s", "BIGSERIAL PRIMARY KEY", "BEGIN",
                   "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                   "SELECT 1 FROM pg_catalog.pg_tables WHERE tablename = ? "
                   "AND schemaname = current_schema()")

# The schema as a new store gets it (version SCHEMA_VERSION); an older store is brought here by
# MIGRATIONS instead. Times are epoch seconds (DOUBLE PRECISION: REAL is 4 bytes on
# PostgreSQL). Column names avoid SQL keywords (by, at, override).
DDL = (
    """CREATE TABLE IF NOT EXISTS meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS workshops (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        scenario_id TEXT NOT NULL,
        scenario_path TEXT NOT NULL,
        scenario_sha256 TEXT NOT NULL,
        seed BIGINT NOT NULL,
        round_seconds INTEGER NOT NULL,
        created_at DOUBLE PRECISION NOT NULL,
        round_no INTEGER NOT NULL,
        phase TEXT NOT NULL,
        version INTEGER NOT NULL,
        timer_ends_at DOUBLE PRECISION,
        timer_paused DOUBLE PRECISION,
        message TEXT,
        change_count BIGINT NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS teams (
        workshop_id TEXT NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
        team_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        code TEXT NOT NULL UNIQUE,
        bot TEXT,
        joined_at DOUBLE PRECISION,
        PRIMARY KEY (workshop_id, team_id),
        UNIQUE (workshop_id, name))""",
    """CREATE TABLE IF NOT EXISTS drafts (
        workshop_id TEXT NOT NULL,
        team_id INTEGER NOT NULL,
        round_no INTEGER NOT NULL,
        option_id TEXT,
        reason TEXT NOT NULL,
        updated_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (workshop_id, team_id, round_no),
        FOREIGN KEY (workshop_id, team_id) REFERENCES teams (workshop_id, team_id)
            ON DELETE CASCADE)""",
    """CREATE TABLE IF NOT EXISTS decisions (
        workshop_id TEXT NOT NULL,
        team_id INTEGER NOT NULL,
        round_no INTEGER NOT NULL,
        option_id TEXT,
        reason TEXT,
        decided_by TEXT NOT NULL,
        at_time DOUBLE PRECISION NOT NULL,
        is_override BOOLEAN NOT NULL,
        is_absent BOOLEAN NOT NULL,
        team_reason TEXT,
        PRIMARY KEY (workshop_id, team_id, round_no),
        FOREIGN KEY (workshop_id, team_id) REFERENCES teams (workshop_id, team_id)
            ON DELETE CASCADE)""",
    """CREATE TABLE IF NOT EXISTS events (
        seq {serial},
        workshop_id TEXT NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
        at_time DOUBLE PRECISION NOT NULL,
        kind TEXT NOT NULL,
        team_id INTEGER,
        round_no INTEGER,
        actor TEXT NOT NULL,
        data TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS events_by_workshop ON events (workshop_id, seq)",
    "CREATE INDEX IF NOT EXISTS workshops_by_created ON workshops (created_at)",
)

# Upgrades: MIGRATIONS[n] takes a store from schema n to n + 1, in the upgrade's one
# transaction (both engines have transactional DDL), so a failed upgrade leaves schema n.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    # 2: `workshop purge` and the newest-first list find workshops by creation time.
    1: ("CREATE INDEX IF NOT EXISTS workshops_by_created ON workshops (created_at)",),
}

_WORKSHOP_COLS = ("id, name, scenario_id, scenario_path, scenario_sha256, seed, round_seconds, "
                  "created_at, round_no, phase, version, timer_ends_at, timer_paused, message, "
                  "change_count")
_DECISION_COLS = ("team_id, round_no, option_id, reason, decided_by, at_time, is_override, "
                  "is_absent, team_reason")


def _clock(t: float) -> str:
    return _dt.datetime.fromtimestamp(t, _dt.UTC).strftime("%H:%M:%S UTC")


class SqlStore(WorkshopStore):
    """The statements; a subclass supplies the connection (DB-API, autocommit mode)."""

    dialect: Dialect
    integrity_errors: tuple[type[BaseException], ...]

    def __init__(self, conn: Any, location: str) -> None:
        self._conn = conn
        self.location = location
        self._lock = threading.Lock()  # one connection, possibly used from worker threads
        self._commits = 0
        self._upgrade()

    # -- plumbing

    @contextlib.contextmanager
    def _tx(self, write: bool = True, notify: bool = True) -> Iterator[Any]:
        with self._lock:
            cur = self._conn.cursor()
            cur.execute(self.dialect.begin_write if write else self.dialect.begin_read)
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            if write and notify:
                self._before_commit(cur)
            cur.execute("COMMIT")
            if write:
                self._commits += 1

    def _x(self, cur: Any, sql: str, params: tuple = ()) -> Any:
        cur.execute(self.dialect.sql(sql), params)
        return cur

    def _event(self, cur: Any, wid: str, now: float, kind: str, team_id: int | None,
               round_no: int | None, actor: str, data: dict) -> Event:
        row = self._x(cur, "INSERT INTO events (workshop_id, at_time, kind, team_id, round_no, "
                      "actor, data) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq",
                      (wid, now, kind, team_id, round_no, actor,
                       json.dumps(data, ensure_ascii=False, sort_keys=True))).fetchone()
        return Event(int(row[0]), now, kind, team_id, round_no, actor, data)

    def _before_commit(self, cur: Any) -> None:
        """Called inside every write transaction just before COMMIT (PostgreSQL sends its
        change notification here, so it is delivered with the commit or not at all)."""

    def _schema_lock(self, cur: Any) -> None:
        """Serialise schema creation and upgrades between processes opening the store at once
        (SQLite's BEGIN IMMEDIATE already does)."""

    def _upgrade(self) -> None:
        """A new store gets the whole DDL; an existing one is brought from the version it
        records to SCHEMA_VERSION by MIGRATIONS (never by re-running the DDL)."""
        with self._tx(notify=False) as cur:  # no workshop changed: nothing to tell
            self._schema_lock(cur)
            # No DDL at all on a store that is up to date: the role a server's clients use
            # need not be allowed to create tables (docs/deploying.md).
            row = None
            if self._x(cur, self.dialect.table_exists, ("meta",)).fetchone() is not None:
                row = self._x(cur, "SELECT value FROM meta WHERE key = 'schema_version'"
                              ).fetchone()
            if row is None:
                for stmt in DDL:
                    cur.execute(stmt.format(serial=self.dialect.serial))
                self._x(cur, "INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
                        (str(SCHEMA_VERSION),))
                return
            have = int(row[0])
            if have > SCHEMA_VERSION:
                raise WorkshopError(
                    f"{self.location} was written by a newer backchannel (store schema {have}, "
                    f"this one knows {SCHEMA_VERSION}); upgrade backchannel to open it")
            if have == SCHEMA_VERSION:
                return
            while have < SCHEMA_VERSION:
                for stmt in MIGRATIONS[have]:
                    cur.execute(stmt.format(serial=self.dialect.serial))
                have += 1
            self._x(cur, "UPDATE meta SET value = ? WHERE key = 'schema_version'",
                    (str(have),))

    def schema_version(self) -> int:
        with self._tx(write=False) as cur:
            row = self._x(cur, "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0])

    # -- rows to records

    @staticmethod
    def _workshop(row: tuple) -> Workshop:
        (wid, name, sid, spath, sha, seed, secs, created, rnd, phase, version, ends, paused,
         message, changes) = row
        control = Control(int(rnd), Phase(phase), int(version), ends, paused)
        return Workshop(wid, name, sid, spath, sha, int(seed), int(secs), created, control,
                        message, int(changes))

    @staticmethod
    def _team(row: tuple) -> Team:
        wid, tid, name, code, bot, joined = row
        return Team(wid, int(tid), name, code, bot, joined)

    @staticmethod
    def _decision(row: tuple) -> TeamDecision:
        tid, rnd, opt, reason, by, at, override, absent, team_reason = row
        return TeamDecision(int(tid), int(rnd), opt, reason, by, at, bool(override),
                            bool(absent), team_reason)

    def _read_workshop(self, cur: Any, wid: str) -> Workshop:
        row = self._x(cur, f"SELECT {_WORKSHOP_COLS} FROM workshops WHERE id = ?",
                      (wid,)).fetchone()
        if row is None:
            raise NotFound(f"no workshop '{wid}' in {self.location} (see `backchannel "
                           "workshop list`)")
        return self._workshop(row)

    def _read_team(self, cur: Any, wid: str, team_id: int) -> Team:
        row = self._x(cur, "SELECT workshop_id, team_id, name, code, bot, joined_at FROM teams "
                      "WHERE workshop_id = ? AND team_id = ?", (wid, team_id)).fetchone()
        if row is None:
            raise NotFound(f"workshop '{wid}' has no team {team_id}")
        return self._team(row)

    # -- workshops and teams

    def create(self, new: NewWorkshop, now: float) -> Workshop:
        for _attempt in range(8):  # a clash of random ids or codes is rare; draw again
            wid = new_workshop_id()
            codes: list[str] = []
            while len(codes) < len(new.teams):
                c = new_code()
                if c not in codes:
                    codes.append(c)
            try:
                with self._tx() as cur:
                    self._x(cur, f"INSERT INTO workshops ({_WORKSHOP_COLS}) VALUES "
                            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (wid, new.name, new.scenario_id, new.scenario_path,
                             new.scenario_sha256, new.seed, new.round_seconds, now,
                             new.first_round, Phase.READY.value, 1, None, None, None, 1))
                    for i, (t, code) in enumerate(zip(new.teams, codes, strict=True), 1):
                        self._x(cur, "INSERT INTO teams (workshop_id, team_id, name, code, bot) "
                                "VALUES (?, ?, ?, ?, ?)", (wid, i, t.name, code, t.bot))
                    self._event(cur, wid, now, "created", None, None, "facilitator", {
                        "name": new.name, "scenario": new.scenario_id,
                        "sha256": new.scenario_sha256, "seed": new.seed,
                        "teams": [t.name for t in new.teams]})
            except self.integrity_errors:
                continue
            return self.workshop(wid)
        raise WorkshopError("could not draw unique join codes; try again")

    def workshop(self, workshop_id: str) -> Workshop:
        with self._tx(write=False) as cur:
            return self._read_workshop(cur, workshop_id)

    def workshops(self) -> list[Workshop]:
        with self._tx(write=False) as cur:
            rows = self._x(cur, f"SELECT {_WORKSHOP_COLS} FROM workshops "
                           "ORDER BY created_at DESC, id").fetchall()
        return [self._workshop(r) for r in rows]

    def teams(self, workshop_id: str) -> list[Team]:
        with self._tx(write=False) as cur:
            self._read_workshop(cur, workshop_id)
            rows = self._x(cur, "SELECT workshop_id, team_id, name, code, bot, joined_at "
                           "FROM teams WHERE workshop_id = ? ORDER BY team_id",
                           (workshop_id,)).fetchall()
        return [self._team(r) for r in rows]

    def team_by_code(self, code: str) -> Team:
        with self._tx(write=False) as cur:
            row = self._x(cur, "SELECT workshop_id, team_id, name, code, bot, joined_at "
                          "FROM teams WHERE code = ?", (code,)).fetchone()
        if row is None:
            raise NotFound(f"no team has the join code {code}; check the code on the screen")
        return self._team(row)

    def snapshot(self, workshop_id: str) -> Snapshot:
        with self._tx(write=False) as cur:
            w = self._read_workshop(cur, workshop_id)
            teams = self._x(cur, "SELECT workshop_id, team_id, name, code, bot, joined_at "
                            "FROM teams WHERE workshop_id = ? ORDER BY team_id",
                            (workshop_id,)).fetchall()
            decisions = self._x(cur, f"SELECT {_DECISION_COLS} FROM decisions WHERE "
                                "workshop_id = ? ORDER BY round_no, team_id",
                                (workshop_id,)).fetchall()
        return Snapshot(w, tuple(self._team(r) for r in teams),
                        tuple(self._decision(r) for r in decisions))

    # -- facilitator control

    def apply_control(self, workshop_id: str, expected: Control, new: Control, *, kind: str,
                      actor: str, now: float, data: dict | None = None,
                      clear_message: bool = False) -> Workshop:
        with self._tx() as cur:
            old_message = None
            if clear_message:
                row = self._x(cur, "SELECT message FROM workshops WHERE id = ?",
                              (workshop_id,)).fetchone()
                old_message = row[0] if row else None
            n = self._x(cur, "UPDATE workshops SET round_no = ?, phase = ?, version = ?, "
                        "timer_ends_at = ?, timer_paused = ?, change_count = change_count + 1"
                        + (", message = NULL" if clear_message else "")
                        + " WHERE id = ? AND version = ?",
                        (new.round_no, new.phase.value, new.version, new.timer_ends_at,
                         new.timer_paused, workshop_id, expected.version)).rowcount
            if n != 1:
                w = self._read_workshop(cur, workshop_id)  # NotFound if it is gone
                c = w.control
                raise Conflict(f"someone else changed the workshop first (it is now at round "
                               f"{c.round_no}, {c.phase.value}); nothing was changed")
            extra = {"message_cleared": old_message} if old_message is not None else {}
            self._event(cur, workshop_id, now, kind, None, new.round_no, actor, {
                "from": {"round": expected.round_no, "phase": expected.phase.value},
                "to": {"round": new.round_no, "phase": new.phase.value},
                "timer_ends_at": new.timer_ends_at, "timer_paused": new.timer_paused,
                "version": new.version, **(data or {}), **extra})
            return self._read_workshop(cur, workshop_id)

    def set_message(self, workshop_id: str, text: str | None, *, actor: str,
                    now: float) -> None:
        with self._tx() as cur:
            self._x(cur, "UPDATE workshops SET message = ?, change_count = change_count + 1 "
                    "WHERE id = ?", (text, workshop_id))
            w = self._read_workshop(cur, workshop_id)  # raises NotFound: no such workshop
            # the round it was sent in, for the log and the reports
            self._event(cur, workshop_id, now, "message", None, w.control.round_no, actor,
                        {"text": text})

    # -- teams' input

    def record_join(self, workshop_id: str, team_id: int, *, client: str, now: float) -> None:
        with self._tx() as cur:
            self._read_team(cur, workshop_id, team_id)
            self._x(cur, "UPDATE teams SET joined_at = ? WHERE workshop_id = ? AND team_id = ? "
                    "AND joined_at IS NULL", (now, workshop_id, team_id))
            self._x(cur, "UPDATE workshops SET change_count = change_count + 1 WHERE id = ?",
                    (workshop_id,))
            self._event(cur, workshop_id, now, "join", team_id, None, "team", {"client": client})

    def save_draft(self, workshop_id: str, draft: Draft) -> None:
        with self._tx() as cur:
            self._read_team(cur, workshop_id, draft.team_id)
            # A draft is a change others follow (the console shows who is drafting): bump
            # the counter that polling reads, first, as every write locks the workshop first.
            self._x(cur, "UPDATE workshops SET change_count = change_count + 1 WHERE id = ?",
                    (workshop_id,))
            self._x(cur, "INSERT INTO drafts (workshop_id, team_id, round_no, option_id, reason, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (workshop_id, team_id, round_no) DO UPDATE SET "
                    "option_id = excluded.option_id, reason = excluded.reason, "
                    "updated_at = excluded.updated_at",
                    (workshop_id, draft.team_id, draft.round_no, draft.option_id, draft.reason,
                     draft.updated_at))

    def draft(self, workshop_id: str, team_id: int, round_no: int) -> Draft | None:
        with self._tx(write=False) as cur:
            row = self._x(cur, "SELECT team_id, round_no, option_id, reason, updated_at FROM "
                          "drafts WHERE workshop_id = ? AND team_id = ? AND round_no = ?",
                          (workshop_id, team_id, round_no)).fetchone()
        return None if row is None else Draft(int(row[0]), int(row[1]), row[2], row[3], row[4])

    def _refusal(self, cur: Any, wid: str, round_no: int, want: Phase) -> Refused:
        """Why the guard on the workshop row did not match (it read the row as it is now)."""
        c = self._read_workshop(cur, wid).control
        if c.phase is Phase.ENDED:
            return Refused("closed", "the workshop has ended; nothing was recorded")
        if round_no != c.round_no:
            if round_no < c.round_no:
                return Refused("wrong-round", f"this was for round {round_no}, but the workshop "
                               f"is at round {c.round_no} now; nothing was recorded")
            return Refused("wrong-round", f"round {round_no} has not started (the workshop is "
                           f"at round {c.round_no}); nothing was recorded")
        if want is Phase.OPEN:
            if c.phase is Phase.READY:
                return Refused("not-open", f"round {round_no} is not open yet: wait for the "
                               "facilitator to open it; nothing was recorded")
            return Refused("closed", f"round {round_no} is {c.phase.value}: submissions are no "
                           "longer accepted, nothing was recorded; ask the facilitator to enter "
                           "your decision")
        return Refused("not-open" if c.phase in (Phase.READY, Phase.OPEN) else "closed",
                       f"round {round_no} is {c.phase.value}: the facilitator enters decisions "
                       "for teams only while a round is closed")

    def submit(self, workshop_id: str, decision: TeamDecision) -> TeamDecision:
        d = decision
        if d.override or d.absent:
            raise WorkshopError("submit() takes a team's own decision; use override()")
        with self._tx() as cur:
            self._read_team(cur, workshop_id, d.team_id)
            n = self._x(cur, "UPDATE workshops SET change_count = change_count + 1 WHERE id = ? "
                        "AND phase = ? AND round_no = ?",
                        (workshop_id, Phase.OPEN.value, d.round_no)).rowcount
            if n != 1:
                raise self._refusal(cur, workshop_id, d.round_no, Phase.OPEN)
            n = self._x(cur, f"INSERT INTO decisions (workshop_id, {_DECISION_COLS}) VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT (workshop_id, team_id, round_no) DO NOTHING",
                        (workshop_id, d.team_id, d.round_no, d.option_id, d.reason, d.by, d.at,
                         False, False, None)).rowcount
            if n != 1:
                row = self._x(cur, "SELECT option_id, at_time FROM decisions WHERE "
                              "workshop_id = ? AND team_id = ? AND round_no = ?",
                              (workshop_id, d.team_id, d.round_no)).fetchone()
                raise Refused("duplicate", f"this team has already submitted for round "
                              f"{d.round_no} ('{row[0]}' at {_clock(row[1])}); only the "
                              "facilitator can change it")
            self._event(cur, workshop_id, d.at, "submit", d.team_id, d.round_no, d.by,
                        {"option": d.option_id, "reason": d.reason})
        return d

    def override(self, workshop_id: str, decision: TeamDecision) -> TeamDecision:
        d = decision
        if not (d.override or d.absent):
            raise WorkshopError("override() takes a facilitator's decision or absent mark")
        with self._tx() as cur:
            self._read_team(cur, workshop_id, d.team_id)
            n = self._x(cur, "UPDATE workshops SET change_count = change_count + 1 WHERE id = ? "
                        "AND phase = ? AND round_no = ?",
                        (workshop_id, Phase.CLOSED.value, d.round_no)).rowcount
            if n != 1:
                raise self._refusal(cur, workshop_id, d.round_no, Phase.CLOSED)
            old = self._x(cur, f"SELECT {_DECISION_COLS} FROM decisions WHERE workshop_id = ? "
                          "AND team_id = ? AND round_no = ?",
                          (workshop_id, d.team_id, d.round_no)).fetchone()
            prev = self._decision(old) if old is not None else None
            team_reason = None
            if prev is not None:
                team_reason = prev.team_reason if prev.override or prev.absent else prev.reason
            d = attrs.evolve(d, team_reason=team_reason)
            self._x(cur, f"INSERT INTO decisions (workshop_id, {_DECISION_COLS}) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (workshop_id, team_id, round_no) DO UPDATE SET "
                    "option_id = excluded.option_id, reason = excluded.reason, "
                    "decided_by = excluded.decided_by, at_time = excluded.at_time, "
                    "is_override = excluded.is_override, is_absent = excluded.is_absent, "
                    "team_reason = excluded.team_reason",
                    (workshop_id, d.team_id, d.round_no, d.option_id, d.reason, d.by, d.at,
                     d.override, d.absent, d.team_reason))
            data: dict = {"option": d.option_id, "reason": d.reason}
            if prev is not None:
                data["replaced"] = {"option": prev.option_id, "by": prev.by,
                                    "absent": prev.absent}
            self._event(cur, workshop_id, d.at, "absent" if d.absent else "override",
                        d.team_id, d.round_no, d.by, data)
        return d

    def decisions(self, workshop_id: str) -> list[TeamDecision]:
        return list(self.snapshot(workshop_id).decisions)

    # -- retention

    def purge(self, before: float, *, dry_run: bool = False) -> list[Workshop]:
        with self._tx(write=not dry_run) as cur:
            rows = self._x(cur, f"SELECT {_WORKSHOP_COLS} FROM workshops w WHERE "
                           "created_at < ? AND NOT EXISTS (SELECT 1 FROM events e WHERE "
                           "e.workshop_id = w.id AND e.at_time >= ?) ORDER BY created_at, id",
                           (before, before)).fetchall()
            gone = [self._workshop(r) for r in rows]
            if not dry_run:
                # Explicitly, child tables first: not relying on the engine's cascade setting.
                for w in gone:
                    for table in ("events", "drafts", "decisions", "teams"):
                        self._x(cur, f"DELETE FROM {table} WHERE workshop_id = ?", (w.id,))
                    self._x(cur, "DELETE FROM workshops WHERE id = ?", (w.id,))
        return gone

    # -- notes and the audit trail

    def add_note(self, workshop_id: str, team_id: int | None, round_no: int, text: str, *,
                 actor: str, now: float) -> Event:
        with self._tx() as cur:
            if team_id is not None:
                self._read_team(cur, workshop_id, team_id)
            n = self._x(cur, "UPDATE workshops SET change_count = change_count + 1 WHERE id = ?",
                        (workshop_id,)).rowcount
            if n != 1:
                self._read_workshop(cur, workshop_id)
            return self._event(cur, workshop_id, now, "note", team_id, round_no, actor,
                               {"text": text})

    def events(self, workshop_id: str, after: int = 0,
               kinds: tuple[str, ...] | None = None) -> list[Event]:
        with self._tx(write=False) as cur:
            rows = self._x(cur, "SELECT seq, at_time, kind, team_id, round_no, actor, data FROM "
                           "events WHERE workshop_id = ? AND seq > ? ORDER BY seq",
                           (workshop_id, after)).fetchall()
        out = [Event(int(s), at, k, t, r, a, json.loads(data))
               for s, at, k, t, r, a, data in rows]
        return [e for e in out if kinds is None or e.kind in kinds]


class SQLiteStore(SqlStore):
    """One SQLite database in WAL mode; one connection per process with a busy timeout."""

    dialect = SQLITE
    integrity_errors = (sqlite3.IntegrityError,)

    def __init__(self, path: Path, create: bool = True) -> None:
        path = Path(path).expanduser()
        if not create and not path.exists():
            raise NotFound(f"{path}: no workshop store here; create a workshop with "
                           "`backchannel workshop new`, or name the store where it is with "
                           "--store FILE or $BACKCHANNEL_STORE")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")  # an acknowledged submission is on disk
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        except sqlite3.DatabaseError as exc:
            raise WorkshopError(f"{path}: not a workshop store ({exc})") from None
        except (sqlite3.Error, OSError) as exc:
            raise WorkshopError(f"{path}: cannot open the workshop store: {exc}") from None
        try:
            super().__init__(conn, str(path))
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise WorkshopError(f"{path}: not a workshop store ({exc})") from None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def change_token(self) -> object:
        with self._lock:
            (dv,) = self._conn.execute("PRAGMA data_version").fetchone()
        return (dv, self._commits)

