"""Durable game sessions: an append-only JSON-lines log, flushed and fsynced per decision.

The log's format (typed, versioned records) and every read and write of it live in
``engine.play.savelog``. Resuming replays the log through the rules, so the state is
reproduced exactly; a log written for another version of the scenario is detected and
explained. ``Session.resume`` opens a game for play (one writer: it holds the save's lock);
``Session.open`` looks at one read-only and never changes the file.
"""

from __future__ import annotations

import datetime as _dt
import os
import random
import re
from pathlib import Path
from typing import NamedTuple

from engine import __version__
from engine.play.rules import Game, GameState, Outcome, RulesError
from engine.play.savelog import (  # noqa: F401 - re-exported: the session API names them
    LOG_FORMAT,
    Decision,
    GameLocked,
    Header,
    LogFile,
    Parent,
    RecordError,
    SaveInfo,
    SessionError,
    check_name,
    check_reason,
    damaged_advice,
    data_dir,
    list_saves,
    locate_scenario,
    now,
    read_log,
    remember_scenario,
    saves_dir,
)
from engine.scenario.loader import ScenarioError, load_with_digest
from engine.scenario.model import Option, Scenario


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:30] or "team"


class Session:
    """One game, backed by its log file. Opened for play (``new``, ``resume``) it holds the
    log's lock until ``close`` (or until the process ends); opened with ``open`` it is
    read-only. Not thread-safe."""

    def __init__(self, scenario: Scenario, digest: str, scenario_path: Path, path: Path,
                 header: Header, decisions: tuple[Decision, ...] | list[Decision],
                 warnings: list[str], log: LogFile | None = None,
                 lines: tuple[int, ...] = (), absent_from: int | None = None) -> None:
        self.scenario = scenario
        self.digest = digest
        self.scenario_path = scenario_path
        self.path = path
        self.header = header
        self.seed: int = header.seed
        self.team: str | None = header.team
        self.role: str | None = header.role  # the role id the game was started with
        self.parent: Parent | None = header.parent  # the game a what-if branched from
        # A workshop team marked absent (an exported log): its game stopped at this round.
        self.absent_from: int | None = absent_from
        self.game = Game(scenario)
        self.decisions: list[Decision] = []
        self.warnings = warnings
        self._log = log
        state, outcome = self.game.start(self.seed)
        self.states: list[GameState] = [state]
        self.outcomes: list[Outcome] = [outcome]
        try:
            for d in decisions:
                try:
                    self._advance(d)
                except RulesError as exc:
                    k = len(self.decisions)
                    raise SessionError(self._replay_problem(k, d, exc, lines)) from None
        except BaseException:
            self.close()
            raise

    def _replay_problem(self, k: int, d: Decision, exc: RulesError,
                        lines: tuple[int, ...]) -> str:
        """Why decision ``k`` (0-based) does not replay: a changed scenario, or (when the
        scenario is the one the game was saved with) a damaged save, at its line."""
        line = lines[k] if k < len(lines) else None
        where = f"{self.path}:{line}" if line else str(self.path)
        what = (f"{where}: decision {k + 1} (option '{d.option_id}', round {d.round_no}) "
                f"cannot be replayed: {exc}.")
        if self.digest != self.header.sha256:
            return f"{what} The scenario has probably changed since the game was saved."
        advice = damaged_advice(str(self.path), line, k) if line else ""
        return (f"{what} The scenario is the one the game was saved with, so the save is "
                f"damaged at {f'line {line}' if line else 'this decision'}. {advice}").rstrip()

    # -- construction

    @classmethod
    def new(cls, scenario_path: str | os.PathLike, seed: int | None = None,
            path: str | os.PathLike | None = None, team: str | None = None,
            parent: Parent | None = None, role: str | None = None) -> Session:
        scenario_path = Path(scenario_path)
        check_name(team)
        check_name(role, "role")
        scenario, digest = load_with_digest(scenario_path)
        if seed is None:
            seed = random.SystemRandom().randrange(1 << 31)
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        if path is None:
            name = f"{scenario.id}-{stamp}{'-' + _slug(team) if team else ''}.jsonl"
            path = saves_dir() / name
        path = Path(path)
        header = Header(scenario=scenario.id, sha256=digest, seed=seed,
                        scenario_file=str(scenario_path.absolute()), engine=__version__,
                        team=team, created=now(), parent=parent, role=role)
        log = LogFile.create(path, header)
        remember_scenario(scenario_path)  # so that its saves find it if it moves
        return cls(scenario, digest, scenario_path, path, header, [], [], log)

    @classmethod
    def resume(cls, path: str | os.PathLike, scenario_path: str | os.PathLike | None = None
               ) -> Session:
        """Open a saved game for play: locks it (``GameLocked`` if it is open elsewhere) and
        repairs a cut last line after keeping a backup (said in ``warnings``)."""
        path = Path(path)
        lf, log = LogFile.open_for_play(path)
        try:
            return cls._from_log(path, log, scenario_path, list(lf.notes), lf)
        except BaseException:
            lf.close()
            raise

    @classmethod
    def open(cls, path: str | os.PathLike, scenario_path: str | os.PathLike | None = None
             ) -> Session:
        """Open a saved game read-only (debrief, compare, a what-if's earlier path): the file
        is never changed, and it may be open for play elsewhere."""
        path = Path(path)
        log = read_log(path)
        return cls._from_log(path, log, scenario_path, log.warnings, None)

    @classmethod
    def _from_log(cls, path: Path, log, scenario_path: str | os.PathLike | None,
                  warnings: list[str], lf: LogFile | None) -> Session:
        header = log.header
        spath = locate_scenario(header, path, scenario_path)
        try:
            scenario, digest = load_with_digest(spath)
        except ScenarioError as exc:
            raise SessionError(f"{path}: its scenario {spath} has errors:\n{exc}") from None
        if digest != header.sha256:
            warnings.append(
                f"{spath} has changed since this game was saved (content hash differs); "
                "the decisions were replayed on the current version"
            )
        if scenario.id != header.scenario:
            raise SessionError(f"{path} is a game of '{header.scenario}', but {spath} "
                               f"holds '{scenario.id}'")
        if lf is not None and log.absent_from is not None:
            raise SessionError(
                f"{path}: this team was marked absent from round {log.absent_from} in its "
                "workshop, so its game stopped there and cannot be continued; "
                f"`backchannel debrief {path}` shows it")
        return cls(scenario, digest, spath, path, header, log.decisions, warnings, lf,
                   log.lines, log.absent_from)

    @property
    def read_only(self) -> bool:
        return self._log is None

    def close(self) -> None:
        """Release the game (its lock); a read-only session has nothing to release."""
        log, self._log = getattr(self, "_log", None), None
        if log is not None:
            log.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- play

    @property
    def state(self) -> GameState:
        return self.states[-1]

    @property
    def over(self) -> bool:
        return self.state.over

    def decide(self, option_id: str, by: str | None = None, why: str | None = None,
               override: bool = False, facilitator_reason: str | None = None) -> Outcome:
        """Apply a choice; it is on disk (fsynced) before this returns. If it cannot be
        written, SessionError says why and the game (and its file) are as before."""
        if self._log is None:
            raise SessionError(f"{self.path}: this game is open read-only")
        check_name(by, "'by' (who decided)")
        check_reason(why)
        state, outcome = self.game.apply(self.state, option_id)  # validates first
        ending = (state.ending_id or "") if state.over else None
        d = Decision(self.state.round_no, option_id, now(), by, why, ending, override,
                     facilitator_reason)
        self._log.append(d)
        self.decisions.append(d)
        self.states.append(state)
        self.outcomes.append(outcome)
        return outcome

    def _advance(self, d: Decision) -> None:
        if d.round_no != self.state.round_no:
            raise RulesError(f"it was logged for round {d.round_no}, but the game is at round "
                             f"{self.state.round_no}")
        state, outcome = self.game.apply(self.state, d.option_id)
        self.decisions.append(d)
        self.states.append(state)
        self.outcomes.append(outcome)

    def role_to_play(self, asked: str | None) -> str | None:
        """The role to play this (resumed) game as: the one asked for, else the one it was
        started with (the save records it). Asking for another one is allowed (a team member
        may take over another seat), and said in ``warnings``; the save keeps the first. Line
        mode and the app resume alike."""
        started = self.role
        if asked is None or asked == started:
            return started
        if started is None:
            self.warnings.append(f"this game was started without a role; playing on as "
                                 f"'{asked}' (resume without --role to play without one)")
        else:
            self.warnings.append(f"this game was started with role '{started}'; playing on "
                                 f"as '{asked}', as asked (the save keeps '{started}': "
                                 "resume without --role to play as it)")
        return asked

    def branch(self, at_round: int, path: str | os.PathLike | None = None) -> Session:
        """A what-if: a new session with the same seed and the decisions taken before
        ``at_round``, ready to choose differently in that round."""
        keep = [d for d in self.decisions if d.round_no < at_round]
        parent = Parent(str(Path(self.path).absolute()), at_round)
        child = Session.new(self.scenario_path, seed=self.seed, path=path, team=self.team,
                            parent=parent, role=self.role)
        try:
            for d in keep:
                child.decide(d.option_id, by=d.by, why=d.why, override=d.override,
                             facilitator_reason=d.facilitator_reason)
        except BaseException:
            child.close()
            raise
        return child

    def open_parent(self) -> Session | None:
        """The earlier path of a what-if, opened read-only (it may be open for play
        elsewhere); None for a game that is not a what-if. Looked for where it was recorded,
        then by name beside this save (the two moved together). ``SessionError`` says why
        it cannot be opened (missing, damaged)."""
        if self.parent is None:
            return None
        recorded = Path(self.parent.path)
        beside = Path(self.path).parent / recorded.name
        where = recorded if recorded.exists() or not beside.exists() else beside
        if not where.exists():
            raise SessionError(
                f"{self.path} is a what-if of {recorded} (from round {self.parent.at_round}), "
                "but that save cannot be found (not there, nor beside this one)")
        return Session.open(where, self.scenario_path)

    # -- what front ends show (so none of them re-derives it from the log)

    def history(self) -> dict[str, list[int]]:
        """Each indicator's values at the start and after every decision so far."""
        return {ind.id: [o.after[n] for o in self.outcomes]
                for n, ind in enumerate(self.scenario.indicators)}

    def rewind_points(self) -> list[RewindPoint]:
        """The rounds a what-if can go back to: one per decision so far, with the round's
        title and the option chosen there."""
        rounds = self.scenario.rounds
        return [RewindPoint(d.round_no, rounds[d.round_no - 1].title,
                            self.game.options[d.option_id].option, d.why)
                for d in self.decisions]


class RewindPoint(NamedTuple):
    round_no: int
    round_title: str
    option: Option
    why: str | None = None
