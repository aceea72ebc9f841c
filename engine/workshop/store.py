"""The narrow store interface every workshop front end talks to, and how to open one.

One implementation today (SQLite, engine/workshop/sqlstore.py); a PostgreSQL one follows
(issue 15) behind the same interface and the same SQL. Nothing outside a store knows which
engine it has. Every write is one short transaction; every method either does all it says or
raises (WorkshopError and its kinds in engine.workshop.model) and changes nothing.
"""

from __future__ import annotations

import abc
import os
from pathlib import Path

import attrs

from engine.workshop.model import (
    Control,
    Draft,
    Event,
    NewWorkshop,
    Team,
    TeamDecision,
    Workshop,
)

STORE_ENV = "BACKCHANNEL_STORE"


@attrs.frozen
class Snapshot:
    """One consistent read of a workshop: what every screen needs, in one transaction."""

    workshop: Workshop
    teams: tuple[Team, ...]
    decisions: tuple[TeamDecision, ...]  # all rounds, ordered by (round, team)

    def team(self, team_id: int) -> Team:
        for t in self.teams:
            if t.id == team_id:
                return t
        raise KeyError(team_id)

    def decision(self, team_id: int, round_no: int) -> TeamDecision | None:
        for d in self.decisions:
            if d.team_id == team_id and d.round_no == round_no:
                return d
        return None


class WorkshopStore(abc.ABC):
    """Where workshops live. One instance per process (it holds one connection)."""

    location: str  # the file or URL, for messages

    # -- lifecycle and change detection
    @abc.abstractmethod
    def close(self) -> None: ...

    @abc.abstractmethod
    def schema_version(self) -> int: ...

    @abc.abstractmethod
    def change_token(self) -> object:
        """Cheap (no table read on SQLite): differs from the previous value after any commit
        by any process. Poll it in the UI's own loop; re-read only when it changes."""

    # -- workshops and teams
    @abc.abstractmethod
    def create(self, new: NewWorkshop, now: float) -> Workshop: ...

    @abc.abstractmethod
    def workshop(self, workshop_id: str) -> Workshop:
        """Raises NotFound."""

    @abc.abstractmethod
    def workshops(self) -> list[Workshop]:
        """All workshops, newest first."""

    @abc.abstractmethod
    def teams(self, workshop_id: str) -> list[Team]: ...

    @abc.abstractmethod
    def team_by_code(self, code: str) -> Team:
        """The team whose join code this is (already normalised); raises NotFound."""

    @abc.abstractmethod
    def snapshot(self, workshop_id: str) -> Snapshot: ...

    # -- facilitator control (compare-and-swap on Control.version)
    @abc.abstractmethod
    def apply_control(self, workshop_id: str, expected: Control, new: Control, *, kind: str,
                      actor: str, now: float, data: dict | None = None,
                      clear_message: bool = False) -> Workshop:
        """Store ``new`` if the workshop's version is still ``expected.version``, with one
        event of ``kind`` ('phase' or 'timer'); raises Conflict if someone changed it first.
        ``clear_message``: the broadcast message goes in the same transaction (the event's
        data keeps it as ``message_cleared``)."""

    @abc.abstractmethod
    def set_message(self, workshop_id: str, text: str | None, *, actor: str,
                    now: float) -> None: ...

    # -- teams' input
    @abc.abstractmethod
    def record_join(self, workshop_id: str, team_id: int, *, client: str, now: float) -> None: ...

    @abc.abstractmethod
    def save_draft(self, workshop_id: str, draft: Draft) -> None:
        """Keep the team's draft for the round (replacing the last); a change other processes
        learn of like any other (the console shows the team as drafting)."""

    @abc.abstractmethod
    def draft(self, workshop_id: str, team_id: int, round_no: int) -> Draft | None: ...

    @abc.abstractmethod
    def submit(self, workshop_id: str, decision: TeamDecision) -> TeamDecision:
        """Insert the team's one decision for the round, checked against the phase in the same
        transaction: raises Refused('duplicate' | 'closed' | 'wrong-round' | 'not-open')."""

    @abc.abstractmethod
    def override(self, workshop_id: str, decision: TeamDecision) -> TeamDecision:
        """A facilitator's decision or absent mark (``override``/``absent`` set) for the round
        being closed; replaces a team's submission, keeping the team's reason. Raises Refused
        unless the round is closed."""

    @abc.abstractmethod
    def decisions(self, workshop_id: str) -> list[TeamDecision]: ...

    # -- notes and the audit trail
    @abc.abstractmethod
    def add_note(self, workshop_id: str, team_id: int | None, round_no: int, text: str, *,
                 actor: str, now: float) -> Event: ...

    @abc.abstractmethod
    def events(self, workshop_id: str, after: int = 0,
               kinds: tuple[str, ...] | None = None) -> list[Event]:
        """The audit trail in order (``seq`` > ``after``), optionally of some kinds only."""

    # -- retention
    @abc.abstractmethod
    def purge(self, before: float, *, dry_run: bool = False) -> list[Workshop]:
        """Delete every workshop created before ``before`` (epoch seconds) with no event since,
        with all its teams, drafts, decisions, notes and events, in one transaction; returns
        them (oldest first). ``dry_run``: only list them."""


def is_server_url(target: str | os.PathLike | None) -> bool:
    """Whether ``target`` names a PostgreSQL server (else it is a file path)."""
    return target is not None and str(target).startswith(("postgres://", "postgresql://"))


def default_store_path() -> Path:
    from engine.play.savelog import data_dir

    return data_dir() / "workshops.sqlite3"


def store_location(target: str | os.PathLike | None = None) -> str | Path:
    """Where ``open_store(target)`` looks: ``target`` (a file path or a postgresql:// URL,
    given as it is), else $BACKCHANNEL_STORE, else workshops.sqlite3 in the user data
    directory. A URL comes back as text, a file as its Path."""
    raw = target if target is not None else os.environ.get(STORE_ENV) or None
    if is_server_url(raw):
        return str(raw)
    return Path(raw).expanduser() if raw is not None else default_store_path()


def open_store(target: str | os.PathLike | None = None, *, create: bool = True
               ) -> WorkshopStore:
    """The store at ``store_location(target)``: a SQLite file (made when missing only with
    ``create``) or a PostgreSQL server."""
    where = store_location(target)
    if isinstance(where, str):
        from engine.workshop.pgstore import PostgresStore

        return PostgresStore(where)
    from engine.workshop.sqlstore import SQLiteStore

    return SQLiteStore(where, create=create)
