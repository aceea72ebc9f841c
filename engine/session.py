"""Durable game sessions: an append-only JSON-lines log, flushed and fsynced per decision.

Line 1 is a header (format, scenario id and content hash, seed, engine version, team, parent
for what-if branches); each further line is one decision (round, option, timestamp, who decided
and why). Resuming replays the log through the rules, so the state is reproduced exactly; a
truncated last line (a crash mid-write) is tolerated and reported; a log written for another
version of the scenario is detected and explained.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import random
import re
from pathlib import Path

import attrs

from . import __version__
from .catalog import NotFound, find
from .loader import ScenarioError
from .loader import load_with_digest as _load_uncached
from .model import Scenario
from .rules import Game, GameState, Outcome, RulesError

LOG_FORMAT = 1
MAX_LOG_BYTES = 4 << 20


class SessionError(Exception):
    """A log that cannot be used; the message says why and what to do."""


@attrs.frozen
class Decision:
    round_no: int
    option_id: str
    at: str
    by: str | None = None
    why: str | None = None


@attrs.frozen
class SaveInfo:
    path: Path
    scenario_id: str
    title: str
    team: str | None
    round_no: int
    decisions: int
    over: bool
    updated: float  # mtime


def data_dir() -> Path:
    """Where saves and exports go: $BACKCHANNEL_DATA_DIR, else the user's data directory."""
    override = os.environ.get("BACKCHANNEL_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("backchannel", appauthor=False))


def saves_dir() -> Path:
    return data_dir() / "saves"


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
        _append(path, header, create=True)
        return cls(scenario, digest, scenario_path, path, header, [], [])

    @classmethod
    def resume(cls, path: str | os.PathLike, scenario_path: str | os.PathLike | None = None
               ) -> Session:
        path = Path(path)
        header, decisions, warnings = read_log(path)
        if warnings:
            _drop_partial_tail(path)
        spath = _locate_scenario(header, scenario_path)
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
        d = Decision(self.state.round_no, option_id, _now(), by, why)
        record = {"type": "decision", "round": d.round_no, "option": d.option_id, "at": d.at}
        if by:
            record["by"] = by
        if why:
            record["why"] = why
        _append(self.path, record)
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


_CACHE: dict[tuple, tuple[Scenario, str]] = {}


def load_with_digest(path: Path) -> tuple[Scenario, str]:
    """The loader, memoised on (path, mtime, size): listing many saves loads each scenario once."""
    try:
        st = path.stat()
        key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    except OSError:
        return _load_uncached(path)
    if key not in _CACHE:
        _CACHE[key] = _load_uncached(path)
    return _CACHE[key]


def _append(path: Path, record: dict, create: bool = False) -> None:
    line = json.dumps(record, ensure_ascii=False) + "\n"
    with open(path, "x" if create else "a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())


def _drop_partial_tail(path: Path) -> None:
    """Cut an unconfirmed, half-written last line so that the next append starts clean."""
    raw = path.read_bytes()
    keep = raw.rfind(b"\n") + 1
    if keep < len(raw):
        with open(path, "r+b") as fh:
            fh.truncate(keep)
            fh.flush()
            os.fsync(fh.fileno())


def _locate_scenario(header: dict, given: str | os.PathLike | None) -> Path:
    if given is not None:
        return Path(given)
    recorded = header.get("scenario_file")
    if recorded and Path(recorded).is_file():
        return Path(recorded)
    try:
        return find(str(header.get("scenario")))
    except NotFound:
        raise SessionError(
            f"cannot find scenario '{header.get('scenario')}' (was {recorded}); pass the "
            "scenario file explicitly"
        ) from None


def read_log(path: Path) -> tuple[dict, list[Decision], list[str]]:
    """Parse a session log; tolerate (and report) a truncated last line."""
    try:
        size = path.stat().st_size
        if size > MAX_LOG_BYTES:
            raise SessionError(f"{path}: {size:,} bytes is too large for a session log")
        text = path.read_bytes().decode("utf-8", errors="replace")
    except FileNotFoundError:
        raise SessionError(f"{path}: no such save file") from None
    except OSError as exc:
        raise SessionError(f"{path}: cannot read: {exc.strerror or exc}") from None
    lines = text.split("\n")
    complete, tail = lines[:-1], lines[-1]
    warnings: list[str] = []
    if tail.strip():
        warnings.append(f"{path}:{len(lines)}: the last line was cut off mid-write (probably a "
                        "crash); the decision on it was not confirmed and has been ignored")
    records = []
    for no, line in enumerate(complete, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SessionError(f"{path}:{no}: not a valid log line ({exc.msg}); the file is "
                               "damaged") from None
        if not isinstance(rec, dict):
            raise SessionError(f"{path}:{no}: not a valid log line")
        records.append((no, rec))
    if not records or records[0][1].get("type") != "header":
        raise SessionError(f"{path}: not a backchannel session log (no header line)")
    header = records[0][1]
    if header.get("log_format") != LOG_FORMAT or not isinstance(header.get("seed"), int):
        raise SessionError(f"{path}:1: unknown log format {header.get('log_format')!r}")
    decisions = []
    for no, rec in records[1:]:
        if rec.get("type") != "decision":
            continue  # future record kinds (notes, facilitator marks) are skipped
        rnd, opt = rec.get("round"), rec.get("option")
        if not isinstance(rnd, int) or not isinstance(opt, str):
            raise SessionError(f"{path}:{no}: decision line lacks round/option")
        decisions.append(Decision(rnd, opt, str(rec.get("at", "")), rec.get("by"),
                                  rec.get("why")))
    return header, decisions, warnings


def list_saves(directory: Path | None = None) -> list[SaveInfo]:
    """Saved games, newest first, each replayed to know its round and whether it is over.
    Logs that cannot be resumed are skipped (``Session.resume`` explains why)."""
    folder = directory or saves_dir()
    if not folder.is_dir():
        return []
    out = []
    for p in folder.glob("*.jsonl"):
        try:
            s = Session.resume(p)
        except SessionError:
            continue
        out.append(SaveInfo(p, s.scenario.id, s.scenario.title, s.team, s.state.round_no,
                            len(s.decisions), s.over, p.stat().st_mtime))
    out.sort(key=lambda s: s.updated, reverse=True)
    return out
