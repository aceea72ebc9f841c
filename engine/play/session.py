"""Durable game sessions: an append-only JSON-lines log, flushed and fsynced per decision.

Line 1 is a header (format, scenario id and content hash, seed, engine version, team, parent
for what-if branches); each further line is one decision (round, option, timestamp, who decided
and why). Resuming replays the log through the rules, so the state is reproduced exactly; a
truncated last line (a crash mid-write) is tolerated and reported; a log written for another
version of the scenario is detected and explained.
"""

from __future__ import annotations

import datetime as _dt
import os
import random
import re
from pathlib import Path

from engine import __version__
from engine.play.rules import Game, GameState, Outcome, RulesError
from engine.play.savelog import (  # noqa: F401 - re-exported: the session API names them
    LOG_FORMAT,
    Decision,
    SaveInfo,
    SessionError,
    append_record,
    data_dir,
    drop_partial_tail,
    list_saves,
    locate_scenario,
    read_log,
    saves_dir,
)
from engine.scenario.loader import ScenarioError, load_with_digest
from engine.scenario.model import Scenario


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:30] or "team"


class Session:
    """One game in progress, backed by its log file. Not thread-safe; one writer per log."""

    def __init__(self, scenario: Scenario, digest: str, scenario_path: Path, path: Path,
                 header: dict, decisions: list[Decision], warnings: list[str]) -> None:
        self.scenario = scenario
        self.digest = digest
        self.scenario_path = scenario_path
        self.path = path
        self.header = header
        self.seed: int = header["seed"]
        self.team: str | None = header.get("team")
        self.game = Game(scenario)
        self.decisions: list[Decision] = []
        self.warnings = warnings
        state, outcome = self.game.start(self.seed)
        self.states: list[GameState] = [state]
        self.outcomes: list[Outcome] = [outcome]
        for d in decisions:
            try:
                self._advance(d)
            except RulesError as exc:
                raise SessionError(
                    f"{path}: decision {len(self.decisions) + 1} (option '{d.option_id}') "
                    f"cannot be replayed: {exc}. The scenario has probably changed since the "
                    "game was saved."
                ) from None

    # -- construction

    @classmethod
    def new(cls, scenario_path: str | os.PathLike, seed: int | None = None,
            path: str | os.PathLike | None = None, team: str | None = None,
            parent: dict | None = None) -> Session:
        scenario_path = Path(scenario_path)
        scenario, digest = load_with_digest(scenario_path)
        if seed is None:
            seed = random.SystemRandom().randrange(1 << 31)
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        if path is None:
            name = f"{scenario.id}-{stamp}{'-' + _slug(team) if team else ''}.jsonl"
            path = saves_dir() / name
        path = Path(path)
        if path.exists() and path.stat().st_size > 0:
            raise SessionError(f"{path} already exists; choose another file or resume it")
        header = {
            "type": "header",
            "log_format": LOG_FORMAT,
            "scenario": scenario.id,
            "scenario_file": str(scenario_path),
            "sha256": digest,
            "seed": seed,
            "engine": __version__,
            "team": team,
            "created": _now(),
        }
        if parent:
            header["parent"] = parent
        path.parent.mkdir(parents=True, exist_ok=True)
        append_record(path, header, create=True)
        return cls(scenario, digest, scenario_path, path, header, [], [])

    @classmethod
    def resume(cls, path: str | os.PathLike, scenario_path: str | os.PathLike | None = None
               ) -> Session:
        path = Path(path)
        header, decisions, warnings = read_log(path)
        if warnings:
            drop_partial_tail(path)
        spath = locate_scenario(header, scenario_path)
        try:
            scenario, digest = load_with_digest(spath)
        except ScenarioError as exc:
            raise SessionError(f"{path}: its scenario {spath} has errors:\n{exc}") from None
        if digest != header.get("sha256"):
            warnings.append(
                f"{spath} has changed since this game was saved (content hash differs); "
                "the decisions were replayed on the current version"
            )
        if scenario.id != header.get("scenario"):
            raise SessionError(f"{path} is a game of '{header.get('scenario')}', but {spath} "
                               f"holds '{scenario.id}'")
        return cls(scenario, digest, spath, path, header, decisions, warnings)

    # -- play

    @property
    def state(self) -> GameState:
        return self.states[-1]

    @property
    def over(self) -> bool:
        return self.state.over

    def decide(self, option_id: str, by: str | None = None, why: str | None = None) -> Outcome:
        """Apply a choice; it is on disk (fsynced) before this returns."""
        state, outcome = self.game.apply(self.state, option_id)  # validates first
        ending = (state.ending_id or "") if state.over else None
        d = Decision(self.state.round_no, option_id, _now(), by, why, ending)
        record = {"type": "decision", "round": d.round_no, "option": d.option_id, "at": d.at}
        if by:
            record["by"] = by
        if why:
            record["why"] = why
        if ending is not None:
            record["ending"] = ending
        append_record(self.path, record)
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

    def branch(self, at_round: int, path: str | os.PathLike | None = None) -> Session:
        """A what-if: a new session with the same seed and the decisions taken before
        ``at_round``, ready to choose differently in that round."""
        keep = [d for d in self.decisions if d.round_no < at_round]
        parent = {"path": str(self.path), "at_round": at_round}
        child = Session.new(self.scenario_path, seed=self.seed, path=path, team=self.team,
                            parent=parent)
        for d in keep:
            child.decide(d.option_id, by=d.by, why=d.why)
        return child
